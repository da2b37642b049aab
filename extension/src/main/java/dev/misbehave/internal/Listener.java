package dev.misbehave.internal;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The port of a peer that serves connections: a listening socket, bound on the caller's thread, and
 * the Netty channel that accepts from it once the peer {@link #serve serves} it.
 *
 * <p>Closing it releases the port only once the event loop has seen the socket leave its selector:
 * the close future of a Netty server channel does not promise that (see {@link NettyPeer}).
 */
final class Listener implements PortHolder {

    /** The receive buffer of the listening socket, inherited by every accepted socket. */
    static final int RECEIVE_BUFFER = 4096;

    private static final int BACKLOG = 128;

    private final ServerSocketChannel socket;
    private final int port;
    /** The Netty channel around {@link #socket}; null until served. */
    private Channel channel;

    private Listener(ServerSocketChannel socket) {
        this.socket = socket;
        this.port = socket.socket().getLocalPort();
    }

    /** Binds a listening socket on {@code port} of {@code bind} (0: an ephemeral port). */
    static Listener bind(InetAddress bind, int port) throws IOException {
        ServerSocketChannel bound = ServerSocketChannel.open();
        try {
            // SO_REUSEPORT, so the port can be handed to a reservation and back without a gap
            PortReservation.prepareListener(bound);
            // Set before listen(): accepted sockets inherit it, so a peer that stops reading closes
            // its window early and a large upload blocks, deterministically, in the client's write.
            bound.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            bound.bind(new InetSocketAddress(bind, port), BACKLOG);
            return new Listener(bound);
        } catch (IOException | RuntimeException e) {
            closeQuietly(bound);
            throw e;
        }
    }

    /** Wraps the socket in the peer's Netty channel, for the caller to register. */
    Channel serve(PeerServerChannel.Admission admission) {
        channel = new PeerServerChannel(socket, admission);
        return channel;
    }

    @Override
    public Mode mode() {
        return Mode.SERVING;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public PortReservation reserveInstead(InetSocketAddress address, Duration closeTimeout) throws IOException {
        return PortReservation.takeOver(address, () -> stopServing(closeTimeout));
    }

    /** Closes the Netty channel and waits (bounded) until the JDK has released its socket. */
    private void stopServing(Duration closeTimeout) {
        release(System.nanoTime() + closeTimeout.toNanos()).awaitUninterruptibly(closeTimeout.toMillis());
    }

    @Override
    public Future<?> release(long deadline) {
        Channel closing = channel;
        Promise<Void> released = closing.eventLoop().newPromise();
        closing.close().addListener(closed -> completeWhenReleased(closing, socket, released, deadline));
        return released;
    }

    /**
     * Completes {@code released} once the listener has left the selector, which is when the JDK
     * closes its socket. Runs on the event loop, the thread that selects: a task scheduled now runs
     * after the loop's next select, and a check that comes too early schedules itself again, until
     * the waiter has stopped waiting.
     */
    private static void completeWhenReleased(
            Channel serverChannel, ServerSocketChannel socket, Promise<Void> released, long deadline) {
        if (!socket.isRegistered()) {
            released.trySuccess(null);
        } else if (System.nanoTime() - deadline < 0) {
            serverChannel.eventLoop().schedule(
                    () -> completeWhenReleased(serverChannel, socket, released, deadline), 0, TimeUnit.NANOSECONDS);
        }
    }

    private static void closeQuietly(ServerSocketChannel listener) {
        try {
            listener.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    @Override
    public String toString() {
        return "Listener[port " + port() + "]";
    }
}
