package dev.misbehave.junit;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.misbehave.testing.Ports;
import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.ProxyTo;
import dev.misbehave.StallAfter;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * What a test's end does to its peers, whatever the outcome: they close, their connections end,
 * their ports are released, nothing waits for a client, and no wait is unbounded.
 */
@Timeout(120)
@Execution(ExecutionMode.SAME_THREAD) // the fixtures report through static maps
@DisplayName("A peer's end")
class TeardownTests {

    /** Far longer than any of these tests' own waits: a client that reaches it has waited for nothing. */
    private static final int CLIENT_READ_TIMEOUT_MILLIS = 60_000;
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The peers, clients and client reads that fixtures leave behind, by case. */
    static final Map<String, MisbehavingPeer> PEERS = new ConcurrentHashMap<>();
    /** The listening socket of each peer of {@link #PEERS}, seen while it was open. */
    static final Map<String, Ports.Listener> LISTENERS = new ConcurrentHashMap<>();
    static final Map<String, Socket> CLIENTS = new ConcurrentHashMap<>();
    static final Map<String, Future<String>> READS = new ConcurrentHashMap<>();
    static final Map<String, Instant> BODY_ENDS = new ConcurrentHashMap<>();

    /** Client reads that outlive their fixture test, as a real client thread would. */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "teardown-tests-reader");
        thread.setDaemon(true);
        return thread;
    });

    /** Ends the reader threads now, not when their pool's idle timeout would, during another test's thread count. */
    @AfterAll
    static void stopReaders() throws InterruptedException {
        READERS.shutdownNow();
        assertThat(READERS.awaitTermination(10, TimeUnit.SECONDS)).as("reader threads ended").isTrue();
    }

    @AfterEach
    void closeClients() throws IOException {
        for (Socket socket : CLIENTS.values()) {
            socket.close();
        }
        CLIENTS.clear();
        PEERS.clear();
        READS.clear();
        BODY_ENDS.clear();
    }

    @Nested
    @DisplayName("Peers of tests that did not pass")
    class NotPassed {

        @Test
        @DisplayName("are closed after a failed assertion, a @Timeout (same thread and separate thread) and an exception in @BeforeEach: port released, connection reset and journalled")
        void areClosed() throws Exception {
            NotPassedTestCases.NEVER.set(new CountDownLatch(1));
            NotPassedTestCases.BODY_RAN.set(false);
            EngineExecutionResults results = EngineRunner.run(NotPassedTestCases.class);
            NotPassedTestCases.NEVER.get().countDown(); // releases a separate-thread body JUnit left running

            results.testEvents().assertStatistics(stats -> stats.started(4).failed(4));
            results.testEvents().assertThatEvents()
                    .haveExactly(1, event(test("failsAnAssertion"), finishedWithFailure(instanceOf(AssertionError.class))))
                    .haveExactly(1, event(test("timesOutOnItsThread"), finishedWithFailure(instanceOf(TimeoutException.class))))
                    .haveExactly(1, event(test("timesOutOnASeparateThread"), finishedWithFailure(instanceOf(TimeoutException.class))))
                    .haveExactly(1, event(test("beforeEachThrows"),
                            finishedWithFailure(instanceOf(IllegalStateException.class), message("set-up failed"))));
            assertThat(NotPassedTestCases.BODY_RAN).as("the body of the test whose set-up failed ran").isFalse();
            for (String name : List.of("assertion", "same-thread timeout", "separate-thread timeout", "@BeforeEach")) {
                assertClosedWithItsConnectionReset(name);
            }
        }

        @Test
        @DisplayName("a static field's peer, shared by its class's tests, is closed after the class, even when a test failed")
        void classPeerClosedAfterTheClass() throws Exception {
            EngineExecutionResults results = EngineRunner.run(ClassPeerTestCases.class);

            results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
            assertThat(ClassPeerTestCases.OPEN_IN_AFTER_ALL).as("the peer was still open in @AfterAll").isTrue();
            assertClosedWithItsConnectionReset("static field");
        }
    }

    static void assertClosedWithItsConnectionReset(String name) throws IOException {
        MisbehavingPeer peer = PEERS.get(name);
        assertThat(peer).as("peer of %s", name).isNotNull();
        LISTENERS.get(name).assertClosed(name);
        assertThat(peer.connections()).as("journal of %s", name).singleElement()
                .extracting(ConnectionRecord::ending).isEqualTo(Ending.PEER_RESET);
        Socket client = CLIENTS.get(name);
        client.setSoTimeout(CLIENT_READ_TIMEOUT_MILLIS);
        assertThatThrownBy(() -> client.getInputStream().read()).as("the client of %s", name).is(connectionReset());
    }

    /** A connect is refused and the port can be bound again. */

    /** Connects a client that the fixture leaves open, and waits until the peer has accepted it. */
    static Socket connect(String name, MisbehavingPeer peer) throws IOException {
        PEERS.put(name, peer);
        LISTENERS.put(name, Ports.Listener.of(peer.port()));
        Socket client = new Socket(peer.host(), peer.port());
        CLIENTS.put(name, client);
        peer.awaitJournal(journal -> !journal.isEmpty(), WAIT);
        return client;
    }

    @Nested
    @DisplayName("A stalled connection")
    class Stalled {

        @Test
        @DisplayName("ends when its test ends, in either direction and through a proxy: the client's blocked read sees the reset, not its own 60 s timeout")
        void endsWithItsTest() throws Exception {
            EngineRunner.run(StalledTestCases.class)
                    .testEvents().assertStatistics(stats -> stats.started(4).succeeded(4));

            for (String name : List.of("upstream", "downstream", "proxy upstream", "proxy downstream")) {
                Future<String> read = READS.get(name);
                assertThat(read).as("the read of %s", name).isNotNull();
                // the bound is a third of the client's read timeout: an answer within it came from the peer's close
                assertThat(read.get(CLIENT_READ_TIMEOUT_MILLIS / 3, TimeUnit.MILLISECONDS))
                        .as("what the client of %s saw after its test ended", name)
                        .startsWith(name.equals("upstream") ? "reset after \"\""
                                : name.endsWith("downstream") ? "reset after \"hello\"" : "reset after");
                LISTENERS.get(name).assertClosed(name);
                assertThat(PEERS.get(name).connections()).as("journal of %s", name).singleElement()
                        .satisfies(record -> {
                            assertThat(record.firedTrigger()).isPresent();
                            assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
                        });
            }
        }
    }

    /** Reads on another thread until the connection ends: "reset after <text>", or how else it ended. */
    static void readUntilEnd(String name, Socket client) {
        READS.put(name, READERS.submit(() -> {
            client.setSoTimeout(CLIENT_READ_TIMEOUT_MILLIS);
            InputStream in = client.getInputStream();
            StringBuilder text = new StringBuilder();
            try {
                for (int b; (b = in.read()) >= 0; ) {
                    text.append((char) b);
                }
                return "end-of-stream after \"" + text + "\"";
            } catch (java.net.SocketTimeoutException timedOut) {
                return "read timeout after \"" + text + "\"";
            } catch (java.net.SocketException e) {
                return (connectionReset().matches(e) ? "reset" : e.toString()) + " after \"" + text + "\"";
            }
        }));
    }

    @Nested
    @DisplayName("Teardown")
    class NeverWaits {

        @Test
        @DisplayName("does not wait for a client that never connects, never sends its request, or is inside the quiet period")
        void doesNotWaitForTheClient() throws Exception {
            // with these, a close that waited for the client would take seconds (the quiet wait is
            // capped at 5 s) and could take 30 s
            Map<String, String> slow = Map.of("misbehave.quietPeriodMillis", "60000", "misbehave.closeTimeoutMillis", "30000");
            EngineExecutionResults results = EngineRunner.run(NeverWaitsTestCases.class, slow);

            results.testEvents().assertStatistics(stats -> stats.started(3).succeeded(3));
            Map<String, String> methods = Map.of(
                    "never connects", "neverConnects", "sends nothing", "sendsNothing", "quiet period", "quietPeriod");
            for (String name : List.of("never connects", "sends nothing", "quiet period")) {
                Event finished = results.testEvents().finished().filter(event -> event.getTestDescriptor()
                        .getDisplayName().startsWith(methods.get(name) + "(")).findFirst().orElseThrow();
                Duration teardown = Duration.between(BODY_ENDS.get(name), finished.getTimestamp());
                assertThat(teardown).as("from the end of %s's body to its finished event", name)
                        .isLessThan(Duration.ofSeconds(3));
                LISTENERS.get(name).assertClosed(name);
            }
            assertThat(PEERS.get("never connects").connections()).isEmpty();
            assertThat(PEERS.get("sends nothing").connections()).singleElement().satisfies(record -> {
                assertThat(record.receivedCount()).isZero();
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
            });
            assertThat(PEERS.get("quiet period").connections()).singleElement().satisfies(record -> {
                assertThat(record.received()).asString(UTF_8).isEqualTo("abc");
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
            });
            assertThat(READS.get("quiet period").get(CLIENT_READ_TIMEOUT_MILLIS / 3, TimeUnit.MILLISECONDS))
                    .isEqualTo("reset after \"\"");
        }
    }

    @Nested
    @DisplayName("A wait without a timeout argument")
    class DefaultBound {

        @Test
        @DisplayName("throws after misbehave.awaitTimeoutMillis, saying what it waited for and how to raise the bound")
        void throwsAfterTheConfiguredBound() {
            EngineExecutionResults results = EngineRunner.run(
                    DefaultBoundTestCases.class, Map.of("misbehave.awaitTimeoutMillis", "300"));

            String raise = " That is the default bound of waits without a timeout argument: to raise it, set"
                    + " misbehave.awaitTimeoutMillis (milliseconds) in junit-platform.properties, or as a system"
                    + " property (-Dmisbehave.awaitTimeoutMillis=30000) for a peer started with"
                    + " MisbehavingPeer.start, or pass a timeout. Journal so far:\n";
            results.testEvents().assertStatistics(stats -> stats.started(3).failed(3));
            results.testEvents().assertThatEvents()
                    .haveExactly(1, event(test("awaitConnections"), finishedWithFailure(instanceOf(AssertionError.class),
                            message(m -> m.startsWith("Expected at least 1 ended connection(s) within PT0.3S but 0 of 0"
                                    + " accepted had ended." + raise)))))
                    .haveExactly(1, event(test("awaitTriggered"), finishedWithFailure(instanceOf(AssertionError.class),
                            message(m -> m.startsWith("Expected the trigger to fire on at least 1 connection(s) within"
                                    + " PT0.3S but it fired on 0." + raise)))))
                    .haveExactly(1, event(test("awaitJournal"), finishedWithFailure(instanceOf(AssertionError.class),
                            message(m -> m.startsWith("Expected the journal to satisfy the condition within PT0.3S but"
                                    + " it did not." + raise)))));
            assertThat(DefaultBoundTestCases.WAITED).hasSize(3)
                    .allSatisfy(waited -> assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(300)));
        }

        @Test
        @DisplayName("with a bad misbehave.awaitTimeoutMillis, the test fails naming the key, the value and the fix")
        void badValue() {
            EngineRunner.run(DefaultBoundTestCases.class, Map.of("misbehave.awaitTimeoutMillis", "soon"))
                    .testEvents().assertStatistics(stats -> stats.started(3).failed(3))
                    .assertThatEvents().haveExactly(3, finishedWithFailure(
                            instanceOf(org.junit.jupiter.api.extension.ExtensionConfigurationException.class),
                            message("Configuration parameter misbehave.awaitTimeoutMillis = 'soon' is not a positive"
                                    + " whole number of milliseconds. Set it to, for example,"
                                    + " misbehave.awaitTimeoutMillis=10000, or remove it to use the default.")));
        }
    }

    // ---- fixtures: run only through EngineRunner ----

    static class NotPassedTestCases {
        /** A latch no one counts down while the fixtures run: what a timed-out test waits on. */
        static final java.util.concurrent.atomic.AtomicReference<CountDownLatch> NEVER =
                new java.util.concurrent.atomic.AtomicReference<>(new CountDownLatch(1));
        static final java.util.concurrent.atomic.AtomicBoolean BODY_RAN = new java.util.concurrent.atomic.AtomicBoolean();

        @Test
        @ForceResetAfter(bytes = 5)
        void failsAnAssertion(MisbehavingPeer peer) throws IOException {
            connect("assertion", peer);
            assertThat(peer.connections()).isEmpty(); // fails: one connection
        }

        /**
         * The connection is made in {@code @BeforeEach}, which a test method's {@code @Timeout} does
         * not cover, so the timeout always fires in the wait, never before the connection is made
         * (with the connect in the body, a loaded machine could spend the 200 ms before it).
         */
        @Nested
        @ForceResetAfter(bytes = 5)
        class TimesOut {
            @BeforeEach
            void connectFirst(MisbehavingPeer peer, org.junit.jupiter.api.TestInfo test) throws IOException {
                boolean sameThread = test.getTestMethod().orElseThrow().getName().equals("timesOutOnItsThread");
                connect(sameThread ? "same-thread timeout" : "separate-thread timeout", peer);
            }

            @Test
            @Timeout(value = 200, unit = TimeUnit.MILLISECONDS)
            void timesOutOnItsThread() throws Exception {
                NEVER.get().await(60, TimeUnit.SECONDS); // interrupted by the timeout
            }

            @Test
            @Timeout(value = 200, unit = TimeUnit.MILLISECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
            void timesOutOnASeparateThread() throws Exception {
                NEVER.get().await(60, TimeUnit.SECONDS);
            }
        }

        @Nested
        @ForceResetAfter(bytes = 5)
        class SetUpFails {
            @BeforeEach
            void setUp(MisbehavingPeer peer) throws IOException {
                connect("@BeforeEach", peer);
                throw new IllegalStateException("set-up failed");
            }

            @Test
            void beforeEachThrows(MisbehavingPeer peer) {
                BODY_RAN.set(true); // never runs: the set-up failed
            }
        }
    }

    @Execution(ExecutionMode.SAME_THREAD)
    static class ClassPeerTestCases {
        static volatile boolean OPEN_IN_AFTER_ALL;

        @PeerScript(requestEndsWith = "\n", response = "OK\n")
        static MisbehavingPeer shared;

        @BeforeAll
        static void connectOnce() throws IOException {
            connect("static field", shared);
        }

        @Test
        void passes() {
            assertThat(shared.connections()).hasSize(1);
        }

        @Test
        void fails() {
            assertThat(shared.connections()).isEmpty(); // fails
        }

        @AfterAll
        static void stillOpen() {
            OPEN_IN_AFTER_ALL = shared.connections().get(0).ending() == Ending.OPEN;
        }
    }

    static class StalledTestCases {
        @PeerScript(greeting = "hello")
        static MisbehavingPeer backend;

        @Test
        @StallAfter(bytes = 3)
        void upstream(MisbehavingPeer peer) throws IOException {
            stall("upstream", peer);
        }

        @Test
        @PeerScript(greeting = "hello")
        @StallAfter(bytes = 5, direction = Direction.DOWNSTREAM)
        void downstream(MisbehavingPeer peer) throws IOException {
            stall("downstream", peer);
        }

        @Test
        @ProxyTo("backend")
        @StallAfter(bytes = 3)
        void proxyUpstream(MisbehavingPeer peer) throws IOException {
            stall("proxy upstream", peer);
        }

        @Test
        @ProxyTo("backend")
        @StallAfter(bytes = 5, direction = Direction.DOWNSTREAM)
        void proxyDownstream(MisbehavingPeer peer) throws IOException {
            stall("proxy downstream", peer);
        }

        /**
         * Connects, sends 10 bytes, and leaves a client thread reading. An upstream stall keeps
         * the greeting of the proxy's server in the peer (it stalls the whole connection), so a
         * client that stalls upstream reads nothing.
         */
        static void stall(String name, MisbehavingPeer peer) throws IOException {
            Socket client = connect(name, peer);
            client.getOutputStream().write("0123456789".getBytes(UTF_8));
            peer.awaitTriggered(1, WAIT);
            readUntilEnd(name, client);
        }
    }

    @Execution(ExecutionMode.SAME_THREAD)
    static class NeverWaitsTestCases {
        @Test
        @PeerScript(requestEndsWith = "\n", response = "OK\n")
        void neverConnects(MisbehavingPeer peer) {
            PEERS.put("never connects", peer);
            LISTENERS.put("never connects", Ports.Listener.of(peer.port()));
            BODY_ENDS.put("never connects", Instant.now());
        }

        @Test
        @PeerScript(requestEndsWith = "\n", response = "OK\n")
        void sendsNothing(MisbehavingPeer peer) throws IOException {
            connect("sends nothing", peer);
            BODY_ENDS.put("sends nothing", Instant.now());
        }

        @Test
        @ForceResetAfter(bytes = 3)
        void quietPeriod(MisbehavingPeer peer) throws IOException {
            Socket client = connect("quiet period", peer);
            client.getOutputStream().write("abc".getBytes(UTF_8));
            // the trigger has fired: the peer now waits for the client to be quiet before it resets
            assertThat(peer.awaitTriggered(1, WAIT)).singleElement()
                    .extracting(ConnectionRecord::ending).isEqualTo(Ending.OPEN);
            readUntilEnd("quiet period", client);
            BODY_ENDS.put("quiet period", Instant.now());
        }
    }

    static class DefaultBoundTestCases {
        static final List<Duration> WAITED = java.util.Collections.synchronizedList(new ArrayList<>());

        @BeforeAll
        static void clear() {
            WAITED.clear();
        }

        @Test
        @ForceResetAfter(bytes = 5)
        void awaitConnections(MisbehavingPeer peer) {
            timed(() -> peer.awaitConnections(1));
        }

        @Test
        @ForceResetAfter(bytes = 5)
        void awaitTriggered(MisbehavingPeer peer) {
            timed(() -> peer.awaitTriggered(1));
        }

        @Test
        @ForceResetAfter(bytes = 5)
        void awaitJournal(MisbehavingPeer peer) {
            timed(() -> peer.awaitJournal(journal -> !journal.isEmpty()));
        }

        private static void timed(Runnable wait) {
            long started = System.nanoTime();
            try {
                wait.run();
            } finally {
                WAITED.add(Duration.ofNanos(System.nanoTime() - started));
            }
        }
    }
}
