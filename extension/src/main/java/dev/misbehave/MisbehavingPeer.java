package dev.misbehave;

import dev.misbehave.internal.NettyPeer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * A running in-process TCP peer that misbehaves on cue, and the journal of every connection it
 * accepted.
 *
 * <p>In a JUnit test, declare a parameter of this type on a test annotated with a Misbehave
 * annotation such as {@link ForceResetAfter}; the extension starts the peer before the test and
 * closes it after. Outside JUnit, start one with {@link #start(Fault)} and close it yourself:
 *
 * <pre>{@code
 * try (MisbehavingPeer peer = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 16))) {
 *     // connect to peer.address()
 * }
 * }</pre>
 *
 * <p>The peer listens on 127.0.0.1 on an ephemeral port. All methods are thread-safe.
 */
public interface MisbehavingPeer extends AutoCloseable {

    /**
     * Starts a peer that applies {@code fault} to every connection it accepts.
     *
     * @param fault what to do, and when
     * @return the running peer; close it when done
     * @throws IllegalArgumentException if this version cannot run the fault
     * @throws java.io.UncheckedIOException if the peer cannot bind its port
     */
    static MisbehavingPeer start(Fault fault) {
        return NettyPeer.start(fault);
    }

    /**
     * The host the peer listens on, for clients that take a host name and a port.
     *
     * @return {@code "127.0.0.1"}
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
     * Waits until at least {@code count} connections have ended, then returns the journal.
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
     * Stops listening and resets every connection still open. When it returns, the port is released
     * (a new connect to it is refused) unless the bounded wait (2 seconds by default) ran out.
     * Idempotent.
     */
    @Override
    void close();
}
