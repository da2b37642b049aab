package dev.misbehave.junit;

import static dev.misbehave.junit.Clients.sendAndExpectReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.misbehave.testing.Ports;
import dev.misbehave.ConnectionRecord;
import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

@Timeout(60)
@DisplayName("@ForceResetAfter through the Jupiter engine")
class ForceResetAfterTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Ports of the peers the fixtures saw, by fixture name, to prove they are closed afterwards. */
    static final Map<String, Ports.Listener> PORTS = new ConcurrentHashMap<>();

    private static long receivedBy(MisbehavingPeer peer) {
        return peer.awaitConnections(1, WAIT).get(0).receivedCount();
    }

    private static void assertClosed(String fixture) {
        Ports.Listener listener = PORTS.get(fixture);
        assertThat(listener).as("listener seen by " + fixture).isNotNull();
        listener.assertClosed("the peer of " + fixture);
    }

    @Nested
    @DisplayName("where it applies")
    class WhereItApplies {

        @Test
        @DisplayName("on a method it starts a peer that resets after exactly N bytes")
        void onMethod() {
            EngineExecutionResults results = EngineRunner.run(MethodLevelTestCases.class);
            results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
            assertClosed("method");
        }

        @Test
        @DisplayName("on a class it applies to every test, and a method-level annotation wins")
        void onClass() {
            EngineRunner.run(ClassLevelTestCases.class)
                    .testEvents().assertStatistics(stats -> stats.started(3).succeeded(3));
        }

        @Test
        @DisplayName("@Nested classes inherit the enclosing class's annotation")
        void nestedInherits() {
            EngineRunner.run(EnclosingTestCases.class)
                    .testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
        }

        @Test
        @DisplayName("it works through a composed annotation")
        void composed() {
            EngineRunner.run(ComposedTestCases.class)
                    .testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        }

        @Test
        @DisplayName("each test of a class gets its own peer, also in parallel")
        void peerPerTest() {
            EngineRunner.run(PeerPerTestTestCases.class)
                    .testEvents().assertStatistics(stats -> stats.started(4).succeeded(4));
            assertThat(PeerPerTestTestCases.PORTS_SEEN).hasSize(4);
        }
    }

    @Nested
    @DisplayName("when a test fails")
    class WhenATestFails {

        @Test
        @DisplayName("the peer is closed anyway and the journal is published")
        void failingTest() {
            EngineExecutionResults results = EngineRunner.run(FailingTestCases.class);
            results.testEvents().assertThatEvents().haveExactly(1,
                    event(test("fails"), finishedWithFailure(message("the test's own failure"))));
            assertClosed("failing");

            assertThat(results.allEvents().reportingEntryPublished().stream()
                            .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs()))
                    .singleElement()
                    .satisfies(entry -> assertThat(entry.get("misbehave.journal"))
                            .contains("#0 from 127.0.0.1:")
                            .contains("received 4 B [61 62 63 64 |abcd|]")
                            .contains("trigger 'after 4 UPSTREAM bytes'")
                            .contains("PEER_RESET"));

            Throwable failure = results.testEvents().failed().stream()
                    .map(e -> e.getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class))
                    .findFirst().orElseThrow().getThrowable().orElseThrow();
            assertThat(failure.getSuppressed()).singleElement()
                    .satisfies(s -> assertThat(s).hasMessageContaining("Misbehave journal of this test's peer")
                            .hasMessageContaining("|abcd|"));
        }

        @Test
        @DisplayName("a peer started for a test whose @BeforeEach throws is closed too")
        void failingBeforeEach() {
            EngineRunner.run(FailingBeforeEachTestCases.class)
                    .testEvents().assertThatEvents().haveExactly(1,
                            event(test("neverRuns"), finishedWithFailure(message("setup failed"))));
            assertClosed("beforeEach");
        }
    }

    // ---- fixtures: run only through EngineRunner ----

    static class MethodLevelTestCases {
        @Test
        @ForceResetAfter(bytes = 16)
        void resets(MisbehavingPeer peer) throws IOException {
            PORTS.put("method", Ports.Listener.of(peer.port()));
            sendAndExpectReset(peer, new byte[1024]);
            ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
            assertThat(record.received()).hasSize(16);
            assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
        }
    }

    @ForceResetAfter(bytes = 8)
    static class ClassLevelTestCases {
        @Test
        void first(MisbehavingPeer peer) throws IOException {
            sendAndExpectReset(peer, new byte[100]);
            assertThat(receivedBy(peer)).isEqualTo(8);
        }

        @Test
        void second(MisbehavingPeer peer) throws IOException {
            sendAndExpectReset(peer, new byte[100]);
            assertThat(receivedBy(peer)).isEqualTo(8);
        }

        @Test
        @ForceResetAfter(bytes = 3)
        void methodWins(MisbehavingPeer peer) throws IOException {
            sendAndExpectReset(peer, new byte[100]);
            assertThat(receivedBy(peer)).isEqualTo(3);
        }
    }

    @ForceResetAfter(bytes = 5)
    static class EnclosingTestCases {
        @Nested
        class Inner {
            @Test
            void inherits(MisbehavingPeer peer) throws IOException {
                sendAndExpectReset(peer, new byte[100]);
                assertThat(receivedBy(peer)).isEqualTo(5);
            }

            @Test
            @ForceResetAfter(bytes = 7)
            void ownWins(MisbehavingPeer peer) throws IOException {
                sendAndExpectReset(peer, new byte[100]);
                assertThat(receivedBy(peer)).isEqualTo(7);
            }
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    @ForceResetAfter(bytes = 12)
    @interface FlakyUploadServer {}

    static class ComposedTestCases {
        @Test
        @FlakyUploadServer
        void composed(MisbehavingPeer peer) throws IOException {
            sendAndExpectReset(peer, new byte[100]);
            assertThat(receivedBy(peer)).isEqualTo(12);
        }
    }

    @ForceResetAfter(bytes = 2)
    static class PeerPerTestTestCases {
        static final Map<Integer, Boolean> PORTS_SEEN = new ConcurrentHashMap<>();

        private void run(MisbehavingPeer peer) throws IOException {
            PORTS_SEEN.put(peer.port(), true);
            sendAndExpectReset(peer, new byte[10]);
            assertThat(peer.awaitConnections(1, WAIT)).hasSize(1);
        }

        @Test void a(MisbehavingPeer peer) throws IOException { run(peer); }
        @Test void b(MisbehavingPeer peer) throws IOException { run(peer); }
        @Test void c(MisbehavingPeer peer) throws IOException { run(peer); }
        @Test void d(MisbehavingPeer peer) throws IOException { run(peer); }
    }

    static class FailingTestCases {
        @Test
        @ForceResetAfter(bytes = 4)
        void fails(MisbehavingPeer peer) throws IOException {
            PORTS.put("failing", Ports.Listener.of(peer.port()));
            sendAndExpectReset(peer, "abcdefgh".getBytes());
            peer.awaitConnections(1, WAIT);
            throw new AssertionError("the test's own failure");
        }
    }

    @ForceResetAfter(bytes = 4)
    static class FailingBeforeEachTestCases {
        @BeforeEach
        void setUp(MisbehavingPeer peer) {
            PORTS.put("beforeEach", Ports.Listener.of(peer.port()));
            throw new IllegalStateException("setup failed");
        }

        @Test
        void neverRuns() {
            throw new AssertionError("must not run");
        }
    }
}
