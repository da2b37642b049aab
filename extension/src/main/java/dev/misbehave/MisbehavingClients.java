package dev.misbehave;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The misbehaving clients of one test, closed together. A test method or lifecycle method of a
 * class extended with Misbehave's JUnit extension declares a parameter of this type, and the
 * extension closes every client opened through it when the test ends, whatever its outcome; if the
 * test fails, the failure report carries each client's journal.
 *
 * <pre>{@code
 * @Test
 * @ExtendWith(MisbehaveExtension.class) // or any Misbehave annotation on the class
 * void slowlorisIsClosedByTheHeaderTimeout(MisbehavingClients clients) {
 *     MisbehavingClient slow = clients.to(server.address())
 *             .sending(request)
 *             .with(new Fault(Effect.slice(Direction.UPSTREAM, 1, Duration.ofMillis(500)), Trigger.onAccept()))
 *             .open();
 *     ...
 * }
 * }</pre>
 *
 * <p>Outside JUnit, create one and close it yourself ({@code try (var clients = new
 * MisbehavingClients()) {...}}), or use {@link MisbehavingClient#to(InetSocketAddress)} directly.
 * Thread-safe.
 */
public final class MisbehavingClients implements AutoCloseable {

    private final List<MisbehavingClient> opened = new ArrayList<>();
    private boolean closed;

    /** An empty group. */
    public MisbehavingClients() {}

    /**
     * Starts describing a client of the server at {@code server}; the client it opens belongs to this
     * group.
     *
     * @param server the server's address
     * @return a builder; nothing connects until {@link MisbehavingClient.Builder#open()}
     */
    public MisbehavingClient.Builder to(InetSocketAddress server) {
        return new MisbehavingClient.Builder(server, this::add);
    }

    /**
     * Starts describing a client of the server at {@code host} and {@code port}; the client it opens
     * belongs to this group.
     *
     * @param host the server's host name or address
     * @param port the server's port, 1 to 65535
     * @return a builder; nothing connects until {@link MisbehavingClient.Builder#open()}
     * @throws IllegalArgumentException if the port is out of range
     */
    public MisbehavingClient.Builder to(String host, int port) {
        return to(MisbehavingClient.address(host, port));
    }

    private synchronized void add(MisbehavingClient client) {
        if (closed) {
            client.close();
            throw new IllegalStateException("MisbehavingClients: this group is closed (its test has ended);"
                    + " open clients while the test runs.");
        }
        opened.add(client);
    }

    /**
     * The clients opened through this group so far, in the order they were opened.
     *
     * @return an immutable snapshot
     */
    public synchronized List<MisbehavingClient> opened() {
        return List.copyOf(opened);
    }

    /**
     * Closes every client opened through this group (see {@link MisbehavingClient#close()}). Calling it
     * again does nothing; clients opened later are refused.
     */
    @Override
    public void close() {
        List<MisbehavingClient> toClose;
        synchronized (this) {
            closed = true;
            toClose = List.copyOf(opened);
        }
        for (MisbehavingClient client : toClose) {
            client.close();
        }
    }
}
