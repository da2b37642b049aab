package dev.misbehave;

import dev.misbehave.internal.NettyClient;
import dev.misbehave.internal.PeerSettings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A client that misbehaves on cue against the server under test: the peer's model with the roles
 * turned round. It opens one or more connections to the server's address, sends the same request on
 * each, reads what the server answers, and runs a {@link Fault} when its trigger fires, on the
 * connections its {@link Schedule} selects. {@link Direction#UPSTREAM} is what the client sends,
 * {@link Direction#DOWNSTREAM} what the server sends back. Every connection is journalled ({@link
 * #connections()}): the bytes each way, the trigger, and how and when it ended, by the server's FIN
 * or RST, by the client's own effect, or by the test.
 *
 * <pre>{@code
 * try (MisbehavingClient upload = MisbehavingClient.to(server.getAddress())
 *         .sending(request)
 *         .with(Fault.resetAfter(Direction.UPSTREAM, 1024))
 *         .open()) {
 *     ClientRecord record = upload.awaitEnded(Duration.ofSeconds(5)).get(0);
 * }
 * }</pre>
 *
 * <p>What a client can do, and when:
 * <ul>
 *   <li>effects: {@link Effect#reset()}, {@link Effect#close()}, {@link Effect#halfClose()} (it shuts
 *       its output and goes on reading), {@link Effect#stall()} (after {@code DOWNSTREAM} bytes it
 *       stops reading, so the server's writes meet a full window; otherwise it stops sending and goes
 *       on reading), {@link Effect#garbage}, and the shaping of what it sends: {@link Effect#slice}
 *       (a trickle: N bytes per gap, slowloris), {@link Effect#throttle} and {@link Effect#delay},
 *       all {@code UPSTREAM};
 *   <li>triggers: {@link Trigger#onAccept()} (as soon as the connection is made), {@link
 *       Trigger#afterBytes} (request bytes sent, or response bytes read: the client reads no byte
 *       past it) and {@link Trigger#afterDuration}.
 * </ul>
 * A client starts no thread: its connections run on the event loops every peer of the JVM shares.
 * Close it (or let the JUnit extension's {@link MisbehavingClients} close it) when the test ends:
 * connections still open are closed then, and journalled as {@link ClientEnding#CLOSED_BY_TEST}.
 */
public final class MisbehavingClient implements AutoCloseable {

    /** The most connections one client opens: enough for a load test, bounded for the test's JVM. */
    public static final int MAX_CONNECTIONS = 10_000;

    private final NettyClient engine;
    private final Duration defaultAwait;

    private MisbehavingClient(NettyClient engine, Duration defaultAwait) {
        this.engine = engine;
        this.defaultAwait = defaultAwait;
    }

    /**
     * Starts describing a client of the server at {@code server}.
     *
     * @param server the server's address, for example an {@code HttpServer}'s {@code getAddress()}
     * @return a builder; nothing connects until {@link Builder#open()}
     */
    public static Builder to(InetSocketAddress server) {
        return new Builder(server, null);
    }

    /**
     * Starts describing a client of the server at {@code host} and {@code port}.
     *
     * @param host the server's host name or address, for example {@code "127.0.0.1"}
     * @param port the server's port, 1 to 65535
     * @return a builder; nothing connects until {@link Builder#open()}
     * @throws IllegalArgumentException if the port is out of range
     */
    public static Builder to(String host, int port) {
        return to(address(host, port));
    }

    static InetSocketAddress address(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("MisbehavingClient: port must be 1 to 65535, was " + port
                    + ". Give the port the server under test listens on.");
        }
        return new InetSocketAddress(host, port);
    }

    /**
     * The server's address this client connects to.
     *
     * @return the address
     */
    public InetSocketAddress server() {
        return engine.server();
    }

    /**
     * The journal so far: one record per connection opened, in the order they were opened, open
     * ones included.
     *
     * @return an immutable snapshot
     */
    public List<ClientRecord> connections() {
        return engine.entries().stream().map(ClientRecord::new).collect(Collectors.toUnmodifiableList());
    }

    /**
     * Waits until every connection of this client has ended (a churn's: every one it opens in turn),
     * then returns the journal.
     *
     * @param timeout how long to wait at most
     * @return an immutable snapshot of all connections, in the order they were opened
     * @throws AssertionError on timeout, with the journal so far in its message
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public List<ClientRecord> awaitEnded(Duration timeout) {
        return awaitEnded(engine.connections(), timeout);
    }

    /**
     * Waits, at most the default bound of 10 seconds (the system property {@code
     * misbehave.awaitTimeoutMillis} sets it), until every connection has ended; as {@link
     * #awaitEnded(Duration)} otherwise.
     *
     * @return an immutable snapshot of all connections, in the order they were opened
     * @throws AssertionError when the bound runs out, with the journal so far
     */
    public List<ClientRecord> awaitEnded() {
        return awaitEnded(defaultAwait);
    }

    /**
     * Waits until at least {@code count} connections have ended, in any order, then returns the
     * journal.
     *
     * @param count how many connections, 1 to the number the client opens
     * @param timeout how long to wait at most
     * @return an immutable snapshot of all connections so far, in the order they were opened
     * @throws AssertionError on timeout, with the journal so far in its message
     * @throws IllegalArgumentException if {@code count} is out of range or {@code timeout} is negative
     */
    public List<ClientRecord> awaitEnded(int count, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("MisbehavingClient.awaitEnded: timeout must not be negative, was " + timeout);
        }
        if (count < 1 || count > engine.connections()) {
            throw new IllegalArgumentException("MisbehavingClient.awaitEnded: count must be 1 to "
                    + engine.connections() + " (the connections this client opens), was " + count);
        }
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        boolean ended;
        try {
            ended = engine.awaitEnded(count, deadline);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + count + " connections to end", interrupted);
        }
        List<ClientRecord> journal = connections();
        if (!ended) {
            long open = journal.stream().filter(record -> record.ending() == ClientEnding.OPEN).count();
            throw new AssertionError("MisbehavingClient: waited " + timeout.toMillis() + " ms for " + count
                    + " connection(s) to end; " + open + " still open. Journal:\n" + describe(journal));
        }
        return journal;
    }

    /**
     * Waits until {@code condition} holds for the journal, then returns the journal: for states that
     * {@link #awaitEnded} does not name, such as "the client has read exactly the bytes before its
     * stall". The condition is tested on a snapshot now, and again each time a connection is opened,
     * sends or reads bytes, fires its trigger or ends; it must not block.
     *
     * @param condition what the journal must satisfy
     * @param timeout how long to wait at most
     * @return an immutable snapshot of all connections that satisfies {@code condition}
     * @throws AssertionError on timeout, with the journal so far in its message
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public List<ClientRecord> awaitJournal(Predicate<? super List<ClientRecord>> condition, Duration timeout) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("MisbehavingClient.awaitJournal: timeout must not be negative, was " + timeout);
        }
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        try {
            while (true) {
                long seen = engine.version();
                List<ClientRecord> journal = connections();
                if (condition.test(journal)) {
                    return journal;
                }
                if (!engine.awaitChange(seen, deadline)) {
                    throw new AssertionError("MisbehavingClient: waited " + timeout.toMillis()
                            + " ms for the journal to satisfy the condition. Journal:\n" + describe(connections()));
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the journal", interrupted);
        }
    }

    /**
     * The journal as text, one line per connection, as a failure report prints it.
     *
     * @return the text
     */
    public String describeJournal() {
        return describe(connections());
    }

    private static String describe(List<ClientRecord> journal) {
        if (journal.isEmpty()) {
            return "  (no connections)";
        }
        return journal.stream().map(record -> "  " + record).collect(Collectors.joining("\n"));
    }

    /**
     * Closes every connection still open (FIN; journalled as {@link ClientEnding#CLOSED_BY_TEST}) and
     * opens no more. Waits, at most 5 seconds, until the JDK has released every socket the client
     * opened, so that a count of open files taken when it returns no longer includes them. Calling it
     * again does nothing.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** Describes a client before it connects. Not thread-safe; each {@link #open()} starts a new client. */
    public static final class Builder {

        private final InetSocketAddress server;
        private final Consumer<MisbehavingClient> opened;
        private byte[] request = new byte[0];
        private final List<Fault> faults = new ArrayList<>();
        private int connections = 1;
        private boolean oneAfterAnother;
        private Duration connectTimeout = Duration.ofSeconds(5);

        Builder(InetSocketAddress server, Consumer<MisbehavingClient> opened) {
            this.server = Objects.requireNonNull(server, "server");
            this.opened = opened;
        }

        /**
         * What each connection sends (the default: nothing).
         *
         * @param bytes the request
         * @return this builder
         */
        public Builder sending(byte[] bytes) {
            request = Objects.requireNonNull(bytes, "bytes").clone();
            return this;
        }

        /**
         * What each connection sends, as UTF-8.
         *
         * @param text the request, for example an HTTP request with its {@code \r\n} line ends
         * @return this builder
         */
        public Builder sending(String text) {
            return sending(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Adds faults. For each connection, the first fault whose schedule selects it applies; a
         * connection no fault selects sends its request and reads until the server ends it.
         *
         * @param more what to do, when, and on which connections
         * @return this builder
         * @throws IllegalArgumentException if a fault is not one a client can run (a peer's effect such
         *     as {@link Effect#refuse()}, a TLS effect, a trigger other than on-accept, after-bytes and
         *     after-duration, shaping of {@code DOWNSTREAM}, or {@code UPSTREAM} bytes beyond the
         *     request); the message names the fault and what a client can do instead
         */
        public Builder with(Fault... more) {
            for (Fault fault : Objects.requireNonNull(more, "faults")) {
                faults.add(Objects.requireNonNull(fault, "fault"));
            }
            return this;
        }

        /**
         * How many connections the client opens, all at once (the default: 1): for example 1,000
         * slowloris connections against one server.
         *
         * @param count 1 to {@value MisbehavingClient#MAX_CONNECTIONS}
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is out of range
         */
        public Builder connections(int count) {
            if (count < 1 || count > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("MisbehavingClient: connections must be 1 to " + MAX_CONNECTIONS
                        + ", was " + count + ".");
            }
            connections = count;
            oneAfterAnother = false;
            return this;
        }

        /**
         * A churn: {@code count} connections, each opened when the one before has ended.
         *
         * @param count 1 to {@value MisbehavingClient#MAX_CONNECTIONS}
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is out of range
         */
        public Builder oneAfterAnother(int count) {
            connections(count);
            oneAfterAnother = true;
            return this;
        }

        /**
         * How long a connect may take before the connection is journalled as {@link
         * ClientEnding#CONNECT_FAILED} (the default: 5 seconds).
         *
         * @param timeout 1 ms or more
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is shorter than 1 ms
         */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("MisbehavingClient: connectTimeout must be 1 ms or more, was "
                        + timeout + ".");
            }
            connectTimeout = timeout;
            return this;
        }

        /**
         * Runs one well-behaved exchange, for example beside misbehaving clients to see whether the
         * server still serves: connects, sends the request, waits until the server's first byte
         * arrives or the connection ends, then closes the connection and returns its record. Its
         * {@link ClientRecord#firstReceivedAfter()} is the server's latency to the first byte; empty if
         * the server ended the connection without answering.
         *
         * @param timeout how long to wait for the first byte at most
         * @return the record of the exchange, after the close
         * @throws IllegalStateException if faults or more than one connection are set on this builder
         * @throws AssertionError if neither the first byte nor the connection's end came in time, with
         *     the journal
         */
        public ClientRecord probe(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (!faults.isEmpty() || connections != 1) {
                throw new IllegalStateException("MisbehavingClient: probe() runs one well-behaved exchange, but this"
                        + " builder has " + faults.size() + " fault(s) and " + connections + " connection(s)."
                        + " Use a builder with neither, for example clients.to(server).sending(request).probe(timeout).");
            }
            try (MisbehavingClient client = open()) {
                client.awaitJournal(journal -> journal.get(0).receivedCount() > 0
                        || journal.get(0).ending() != ClientEnding.OPEN, timeout);
                client.close();
                return client.connections().get(0);
            }
        }

        /**
         * Opens the connections (the first one, for {@link #oneAfterAnother(int)}) and returns at
         * once; the connections connect, send and misbehave on the shared event loops.
         *
         * @return the running client; close it when done
         * @throws IllegalArgumentException if a fault is not one a client can run
         */
        public MisbehavingClient open() {
            for (Fault fault : faults) {
                requireClientFault(fault, request.length);
            }
            PeerSettings settings = PeerSettings.fromSystemProperties();
            NettyClient engine = NettyClient.open(new NettyClient.Plan(server, request, List.copyOf(faults),
                    connections, oneAfterAnother, connectTimeout, settings.deliveryTimeout()));
            MisbehavingClient client = new MisbehavingClient(engine, settings.awaitTimeout());
            if (opened != null) {
                opened.accept(client);
            }
            return client;
        }
    }

    private static final String EFFECTS = "a client can reset, close, half-close, stall, send garbage, or"
            + " slice, throttle or delay what it sends (UPSTREAM)";

    static void requireClientFault(Fault fault, int requestLength) {
        Effect effect = fault.effect();
        boolean shaping = effect instanceof Effect.Slice || effect instanceof Effect.Throttle
                || effect instanceof Effect.Delay;
        boolean terminal = effect instanceof Effect.Reset || effect instanceof Effect.Close
                || effect instanceof Effect.HalfClose || effect instanceof Effect.Stall
                || effect instanceof Effect.Garbage;
        if (!shaping && !terminal) {
            throw new IllegalArgumentException("MisbehavingClient: the fault '" + fault + "' has the effect '" + effect
                    + "', which only a peer can run; " + EFFECTS + ".");
        }
        if (shaping && ((Effect.Shaping) effect).direction() != Direction.UPSTREAM) {
            throw new IllegalArgumentException("MisbehavingClient: the fault '" + fault + "' shapes DOWNSTREAM bytes,"
                    + " which the server sends; a client shapes what it sends: use Direction.UPSTREAM.");
        }
        Trigger trigger = fault.trigger();
        if (!(trigger instanceof Trigger.OnAccept || trigger instanceof Trigger.AfterBytes
                || trigger instanceof Trigger.AfterDuration)) {
            throw new IllegalArgumentException("MisbehavingClient: the fault '" + fault + "' has the trigger '" + trigger
                    + "', which a client does not run; use Trigger.onAccept() (once connected),"
                    + " Trigger.afterBytes(UPSTREAM or DOWNSTREAM, n) or Trigger.afterDuration(d).");
        }
        if (trigger instanceof Trigger.AfterBytes after && after.direction() == Direction.UPSTREAM
                && after.bytes() > requestLength) {
            throw new IllegalArgumentException("MisbehavingClient: the fault '" + fault + "' fires after " + after.bytes()
                    + " UPSTREAM bytes, but the request has " + requestLength + " bytes, so it would never fire."
                    + " Send a longer request with sending(...), or fire at " + requestLength + " bytes or fewer.");
        }
    }
}
