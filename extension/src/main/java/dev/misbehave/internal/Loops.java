package dev.misbehave.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps forwarding peers from forwarding a connection round without end: to the peer itself (its
 * upstream is its own address: a misconfiguration, or a stopped server's ephemeral port handed to
 * the peer's listener), or round a cycle of peers of this JVM (A forwards to B, B to A).
 *
 * <p>Each connection a forwarding peer accepts carries its {@link Route}: the peers of this JVM it
 * has passed through, itself last. Before the peer connects to its upstream, the upstream's
 * address is compared with the listening address of every peer on the route ({@link #loop}): if
 * the connection would land on one of them, it is not forwarded, and is unreachable with the
 * reason. The comparison is exact and needs no lookup: the same port, and the same address, or a
 * peer listening on a wildcard address (0.0.0.0: every IPv4 address of this machine; {@code ::}:
 * every address) and an upstream address of this machine.
 *
 * <p>A route crosses from one peer to the next through the kernel, so the next peer learns it from
 * the connection itself: the local address of the previous peer's upstream leg is the remote
 * address of the connection the next peer accepts. That is exact (the kernel keeps the pair
 * unique) and costs a map lookup per accepted forwarded connection. It must be known before the
 * next peer can accept: the leg's local port is chosen when its socket connects, and the next
 * peer's event loop can accept the connection before the connecting loop has returned from its
 * connect. So a leg whose upstream is a forwarding peer of this JVM ({@link #forwardingPeerAt})
 * binds its socket first, records its local address with its route ({@link #departing}), then
 * connects; every other leg connects as before. A loop through a peer of another process, or
 * through an address translation back to this machine, is not seen.
 */
public final class Loops {

    /** The forwarding peers of this JVM that have not closed, by port. */
    private static final Map<Integer, Set<NettyPeer>> FORWARDERS = new ConcurrentHashMap<>();
    /** The routes of the upstream legs now connecting to, or connected to, a forwarding peer of this JVM. */
    private static final Map<InetSocketAddress, Route> LEGS = new ConcurrentHashMap<>();

    private Loops() {}

    /**
     * The peers of this JVM a forwarded connection has passed through, {@link #peer} last.
     *
     * @param peer the peer that accepted the connection
     * @param from the route of the leg that connected to it, or null for a client of its own
     */
    record Route(NettyPeer peer, Route from) {}

    /** A forwarding peer now listens (its port is known). */
    static void listening(NettyPeer peer) {
        FORWARDERS.computeIfAbsent(peer.port(), port -> ConcurrentHashMap.newKeySet()).add(peer);
    }

    /** A forwarding peer has closed. */
    static void closed(NettyPeer peer) {
        FORWARDERS.computeIfPresent(peer.port(), (port, peers) -> {
            peers.remove(peer);
            return peers.isEmpty() ? null : peers;
        });
    }

    /** The route of a connection {@code peer} accepted from {@code client}. */
    static Route arrived(NettyPeer peer, InetSocketAddress client) {
        return new Route(peer, LEGS.isEmpty() || client == null ? null : LEGS.get(client));
    }

    /**
     * Why forwarding a connection on {@code route} to {@code upstream} would loop, in words; null
     * if it would not.
     */
    static String loop(Route route, InetSocketAddress upstream) {
        for (Route at = route; at != null; at = at.from()) {
            if (landsOn(upstream, at.peer())) {
                if (at == route) {
                    return "the upstream " + Addresses.of(upstream) + " is this peer's own address; forwarding to"
                            + " it would loop without end";
                }
                return "the upstream " + Addresses.of(upstream) + " is a peer this connection already passed"
                        + " through (" + describe(route, at) + "); forwarding to it would loop without end";
            }
        }
        return null;
    }

    /** {@code A → B → A}: the route from its first peer, then {@code again}. */
    private static String describe(Route route, Route again) {
        Deque<Route> order = new ArrayDeque<>();
        for (Route at = route; at != null; at = at.from()) {
            order.push(at);
        }
        StringJoiner text = new StringJoiner(" → ");
        order.forEach(at -> text.add(Addresses.of(at.peer().address())));
        return text.add(Addresses.of(again.peer().address())).toString();
    }

    /**
     * Whether {@code upstream} lands on a forwarding peer of this JVM, so that its leg must bind
     * and record its route before it connects.
     */
    static boolean forwardingPeerAt(InetSocketAddress upstream) {
        Set<NettyPeer> peers = FORWARDERS.get(upstream.getPort());
        if (peers == null) {
            return false;
        }
        for (NettyPeer peer : peers) {
            if (landsOn(upstream, peer)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The address a leg to {@code upstream} binds before it connects: the upstream's own address
     * (it is one of this machine's: a peer listens there), port 0. For a wildcard upstream, which
     * the JDK connects to this host, loopback.
     */
    static InetSocketAddress source(InetSocketAddress upstream) {
        InetAddress to = upstream.getAddress();
        return new InetSocketAddress(to.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : to, 0);
    }

    /** A leg bound to {@code local} carries {@code route}, from now until {@link #departed}. */
    static void departing(InetSocketAddress local, Route route) {
        LEGS.put(local, route);
    }

    /** The leg bound to {@code local} has closed. */
    static void departed(InetSocketAddress local) {
        LEGS.remove(local);
    }

    /** How many legs carry a route now (for tests). */
    static int legs() {
        return LEGS.size();
    }

    private static boolean landsOn(InetSocketAddress upstream, NettyPeer peer) {
        return !peer.isClosed() && landsOn(upstream, peer.bindAddress(), peer.port());
    }

    /**
     * Whether a connection to {@code upstream} reaches a listener on {@code listening} (an address
     * of this machine, or a wildcard address). For a check that can be made before a peer starts,
     * such as the standalone CLI's {@code --listen} against its {@code --upstream}.
     *
     * @param upstream where the connection goes, resolved
     * @param listening where the listener listens, resolved
     * @return true if the connection reaches it
     */
    public static boolean landsOn(InetSocketAddress upstream, InetSocketAddress listening) {
        return landsOn(upstream, listening.getAddress(), listening.getPort());
    }

    private static boolean landsOn(InetSocketAddress upstream, InetAddress bound, int port) {
        InetAddress to = upstream.getAddress();
        if (to == null || bound == null || upstream.getPort() != port) {
            return false;
        }
        if (to.isAnyLocalAddress()) {
            return true; // the JDK connects a wildcard address to this host
        }
        if (!bound.isAnyLocalAddress()) {
            return to.equals(bound);
        }
        if (bound instanceof Inet4Address && !(to instanceof Inet4Address)) {
            return false; // 0.0.0.0 takes IPv4 connections only
        }
        return isOfThisMachine(to);
    }

    private static boolean isOfThisMachine(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
