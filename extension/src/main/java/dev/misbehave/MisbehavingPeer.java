package dev.misbehave;

import dev.misbehave.internal.NettyPeer;
import dev.misbehave.internal.PeerSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A running in-process TCP peer that misbehaves on cue, and the journal of every connection it
 * accepted.
 *
 * <p>In a JUnit test, declare a parameter of this type on a test annotated with a Misbehave
 * annotation such as {@link ForceResetAfter}; the extension starts the peer before the test and
 * closes it after. Outside JUnit, start one with {@link #start(Script, Fault)} and close it
 * yourself:
 *
 * <pre>{@code
 * try (MisbehavingPeer peer = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 16))) {
 *     // connect to peer.address()
 * }
 * }</pre>
 *
 * <p>A peer serves its {@link Script} and applies its {@link Fault} to the connections the fault's
 * {@link Schedule} selects; the others are served normally. {@link #misbehave(Fault)} and {@link
 * #behave()} change the fault while the peer runs; each connection keeps the plan it got when it
 * was accepted, and its journal entry says which ({@link ConnectionRecord#fault()}).
 *
 * <p>The peer listens on 127.0.0.1, on an ephemeral port unless {@link #start(Script, Fault, int)}
 * chooses one. All methods are thread-safe.
 *
 * <p>Every wait is bounded. The waits without a timeout argument ({@link #awaitConnections(int)},
 * {@link #awaitTriggered(int)}, {@link #awaitJournal(Predicate)}) wait at most 10 seconds, and
 * {@link #close()} at most 2 seconds; a test changes these bounds with the configuration parameters
 * {@code misbehave.awaitTimeoutMillis} and {@code misbehave.closeTimeoutMillis} ({@code
 * junit-platform.properties} or {@code -D}), a peer started with {@code start} with system properties
 * of the same names. docs/configuration.md lists every key.
 */
public interface MisbehavingPeer extends AutoCloseable {

    /**
     * Starts a peer that applies {@code fault} to every connection it accepts.
     *
     * @param fault what to do, and when
     * @return the running peer; close it when done
     * @throws IllegalArgumentException if this version cannot run the fault, or a {@code
     *     misbehave.*} system property is not a positive whole number of milliseconds
     * @throws IllegalStateException if the reset self-check failed: once per JVM, before the first
     *     peer starts, Misbehave checks on loopback that its reset reaches a client as a reset
     *     ({@code SocketException: Connection reset}), and refuses to start peers if it does not
     *     (see docs/troubleshooting-connection-resets.md)
     * @throws java.io.UncheckedIOException if the peer cannot bind its port
     */
    static MisbehavingPeer start(Fault fault) {
        return NettyPeer.start(Script.silent(), fault);
    }

    /**
     * Starts a peer that serves {@code script} and applies {@code fault} to the connections its
     * schedule selects.
     *
     * @param script what the peer says when it is not misbehaving
     * @param fault what to do, when, and on which connections
     * @return the running peer; close it when done
     * @throws IllegalArgumentException if the fault cannot run with the script (for example {@link
     *     Trigger.AfterExchanges} with a script that does not respond), or a {@code misbehave.*} system
     *     property is not a positive whole number of milliseconds
     * @throws IllegalStateException if the reset self-check failed: once per JVM, before the first
     *     peer starts, Misbehave checks on loopback that its reset reaches a client as a reset
     *     ({@code SocketException: Connection reset}), and refuses to start peers if it does not
     *     (see docs/troubleshooting-connection-resets.md)
     * @throws java.io.UncheckedIOException if the peer cannot bind its port
     */
    static MisbehavingPeer start(Script script, Fault fault) {
        return NettyPeer.start(script, fault);
    }

    /**
     * Starts a well-behaved peer that serves {@code script} on every connection. Give it a fault
     * later with {@link #misbehave(Fault)}.
     *
     * @param script what the peer says
     * @return the running peer; close it when done
     * @throws IllegalArgumentException if a {@code misbehave.*} system property is not a positive
     *     whole number of milliseconds
     * @throws IllegalStateException if the reset self-check failed: once per JVM, before the first
     *     peer starts, Misbehave checks on loopback that its reset reaches a client as a reset
     *     ({@code SocketException: Connection reset}), and refuses to start peers if it does not
     *     (see docs/troubleshooting-connection-resets.md)
     * @throws java.io.UncheckedIOException if the peer cannot bind its port
     */
    static MisbehavingPeer start(Script script) {
        return NettyPeer.start(script, null);
    }

    /**
     * Starts a peer as {@link #start(Script, Fault)} does, on a port of 127.0.0.1 the caller
     * chooses: for a client whose configuration names a fixed port (the standalone CLI's {@code
     * --listen}). Tests should prefer an ephemeral port, which cannot collide with another program.
     *
     * @param script what the peer says when it is not misbehaving
     * @param fault what to do, when, and on which connections; null for a well-behaved peer
     * @param port 1 to 65535, or 0 for an ephemeral port
     * @return the running peer; close it when done
     * @throws IllegalArgumentException if the fault cannot run with the script, {@code port} is not
     *     0 to 65535, or a {@code misbehave.*} system property is not a positive whole number of
     *     milliseconds
     * @throws IllegalStateException if the reset self-check failed: once per JVM, before the first
     *     peer starts, Misbehave checks on loopback that its reset reaches a client as a reset
     *     ({@code SocketException: Connection reset}), and refuses to start peers if it does not
     *     (see docs/troubleshooting-connection-resets.md)
     * @throws java.io.UncheckedIOException if the port cannot be bound (another program listens on
     *     it); the message names the port
     */
    static MisbehavingPeer start(Script script, Fault fault, int port) {
        return NettyPeer.start(script, fault, PeerSettings.fromSystemProperties(), port);
    }

    /**
     * Starts a peer as {@link #start(Script, Fault, int)} does, on an address of this machine the
     * caller chooses. Every other way to start a peer listens on 127.0.0.1 only; this is the
     * explicit opt-in to listen where other hosts can connect (for a client in a container or on
     * another machine). A wildcard address ({@code 0.0.0.0}, {@code ::}) listens on every
     * interface, and the peer's {@link #host()} is then 127.0.0.1. Anyone who can reach the address
     * can connect to the peer while it runs: prefer loopback.
     *
     * @param script what the peer says when it is not misbehaving
     * @param fault what to do, when, and on which connections; null for a well-behaved peer
     * @param listen an address of this machine and a port (0 for an ephemeral port), for example
     *     {@code new InetSocketAddress("0.0.0.0", 0)}
     * @return the running peer; close it when done
     * @throws IllegalArgumentException if the fault cannot run with the script, {@code listen}
     *     is unresolved, or a {@code misbehave.*} system property is not a positive whole number of
     *     milliseconds
     * @throws IllegalStateException if the reset self-check failed (see {@link #start(Script, Fault)})
     * @throws java.io.UncheckedIOException if the address cannot be bound (not an address of this
     *     machine, or the port is taken); the message names the address
     */
    static MisbehavingPeer start(Script script, Fault fault, InetSocketAddress listen) {
        return NettyPeer.start(script, fault, PeerSettings.fromSystemProperties(), listen);
    }

    /**
     * The script the peer serves.
     *
     * @return the script
     */
    Script script();

    /**
     * The fault that new connections get.
     *
     * @return the current fault, or empty while the peer behaves
     */
    Optional<Fault> fault();

    /**
     * Applies {@code fault} from now on: connections accepted from now get it (if its schedule
     * selects them, counting every connection since the peer started); connections already accepted
     * keep their plan. A listener fault ({@link Effect.Refuse}, {@link Effect.NeverAccept}) takes
     * effect on the port before this method returns; moving the port waits for the listener to
     * close, at most as long as {@link #close()} does.
     *
     * @param fault the new fault
     * @throws IllegalArgumentException if the fault cannot run with the script
     * @throws IllegalStateException if the peer is closed
     */
    void misbehave(Fault fault);

    /**
     * Serves every new connection normally from now on, and listens again if the fault refused or
     * never accepted connections; the port stays the same. Connections already accepted keep their
     * plan.
     *
     * @throws IllegalStateException if the peer is closed
     */
    void behave();

    /**
     * The host the peer listens on, for clients that take a host name and a port.
     *
     * @return {@code "127.0.0.1"}; for a peer started on another address, that address as a person
     *     writes it ({@code "::1"}, not {@code "0:0:0:0:0:0:0:1"}), or 127.0.0.1 for a wildcard one
     */
    String host();

    /**
     * The port the peer listens on.
     *
     * @return the ephemeral port chosen when the peer started
     */
    int port();

    /**
     * The address the peer listens on.
     *
     * @return {@code 127.0.0.1} and {@link #port()}
     */
    InetSocketAddress address();

    /**
     * The journal so far: one record per accepted connection, in accept order, open ones included.
     *
     * @return an immutable snapshot
     */
    List<ConnectionRecord> connections();

    /**
     * Waits until at least {@code count} connections have ended, then returns the journal. A
     * forwarded connection ({@link Script#forwardTo(InetSocketAddress)}) has ended when both its
     * legs have: the client's and the server's.
     *
     * @param count how many ended connections to wait for, 1 or more
     * @param timeout how long to wait at most
     * @return an immutable snapshot of all connections, in accept order
     * @throws AssertionError on timeout, with the journal so far in its message
     * @throws IllegalArgumentException if {@code count} is less than 1 or {@code timeout} is
     *     negative
     */
    List<ConnectionRecord> awaitConnections(int count, Duration timeout);

    /**
     * Waits, at most the default bound, until at least {@code count} connections have ended, then
     * returns the journal; as {@link #awaitConnections(int, Duration)} otherwise. The default bound is
     * 10 seconds; set it with the configuration parameter {@code misbehave.awaitTimeoutMillis} in
     * {@code junit-platform.properties} (for a peer the extension starts) or the system property of
     * the same name (for a peer started with {@code start}).
     *
     * @param count how many ended connections to wait for, 1 or more
     * @return an immutable snapshot of all connections, in accept order
     * @throws AssertionError when the bound runs out, saying what it waited for, how to raise the
     *     bound, and the journal so far
     * @throws IllegalArgumentException if {@code count} is less than 1
     */
    List<ConnectionRecord> awaitConnections(int count);

    /**
     * Waits until {@code condition} holds for the journal, then returns the journal: for states
     * that {@link #awaitConnections} and {@link #awaitTriggered} do not name, such as a forwarded
     * connection whose server has closed its leg while the client keeps its own open. The
     * condition is tested on a snapshot now, and again each time a connection is accepted, its
     * trigger fires, or it ends (in proxy mode: either leg); it must not block.
     *
     * <pre>{@code
     * peer.awaitJournal(journal -> journal.get(0).upstream()
     *         .map(leg -> leg.ending() == UpstreamEnding.SERVER_CLOSED).orElse(false), WAIT);
     * }</pre>
     *
     * @param condition what the journal must satisfy
     * @param timeout how long to wait at most
     * @return an immutable snapshot of all connections that satisfies {@code condition}
     * @throws AssertionError on timeout, with the journal so far in its message
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    List<ConnectionRecord> awaitJournal(Predicate<? super List<ConnectionRecord>> condition, Duration timeout);

    /**
     * Waits, at most the default bound, until {@code condition} holds for the journal, then returns
     * the journal; as {@link #awaitJournal(Predicate, Duration)} otherwise. The default bound is 10
     * seconds; set it with {@code misbehave.awaitTimeoutMillis} (see {@link #awaitConnections(int)}).
     *
     * @param condition what the journal must satisfy
     * @return an immutable snapshot of all connections that satisfies {@code condition}
     * @throws AssertionError when the bound runs out, saying how to raise it, with the journal so far
     */
    List<ConnectionRecord> awaitJournal(Predicate<? super List<ConnectionRecord>> condition);

    /**
     * Waits until the fault's trigger has fired on at least {@code count} connections, then returns
     * the journal. Use it where connections do not end while the test runs, for example after
     * {@link StallAfter}: the journal then already shows the bytes consumed before the trigger.
     *
     * @param count how many connections to wait for, 1 or more
     * @param timeout how long to wait at most
     * @return an immutable snapshot of all connections, in accept order
     * @throws AssertionError on timeout, with the journal so far in its message
     * @throws IllegalArgumentException if {@code count} is less than 1 or {@code timeout} is
     *     negative
     */
    List<ConnectionRecord> awaitTriggered(int count, Duration timeout);

    /**
     * Waits, at most the default bound, until the fault's trigger has fired on at least {@code count}
     * connections, then returns the journal; as {@link #awaitTriggered(int, Duration)} otherwise. The
     * default bound is 10 seconds; set it with {@code misbehave.awaitTimeoutMillis} (see {@link
     * #awaitConnections(int)}).
     *
     * @param count how many connections to wait for, 1 or more
     * @return an immutable snapshot of all connections, in accept order
     * @throws AssertionError when the bound runs out, saying what it waited for, how to raise the
     *     bound, and the journal so far
     * @throws IllegalArgumentException if {@code count} is less than 1
     */
    List<ConnectionRecord> awaitTriggered(int count);

    /**
     * Stops listening and resets every connection still open. When it returns, the port is released
     * (a new connect to it is refused) unless the bounded wait ran out: 2 seconds by default, set with
     * {@code misbehave.closeTimeoutMillis} (a configuration parameter for a peer the extension starts,
     * a system property for one started with {@code start}). It never waits for a client: a peer whose
     * client never connected, or sent nothing, closes at once. Idempotent; a second caller waits,
     * within the same bound, for the first.
     */
    @Override
    void close();
}
