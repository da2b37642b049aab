package dev.misbehave.junit;

import static dev.misbehave.junit.Clients.sendAndExpectReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.testing.Ports;
import dev.misbehave.Connections;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerName;
import dev.misbehave.Schedule;
import dev.misbehave.StallAfter;
import dev.misbehave.Trigger;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

@Timeout(60)
@DisplayName("Which peers a test gets, and which fault each has")
class PeerResolutionTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** What fixtures saw, by a key of the fixture's choosing. */
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

    private static void assertClosed(String listener) {
        assertThat(SEEN.get(listener)).as(listener).isInstanceOf(Ports.Listener.class);
        ((Ports.Listener) SEEN.get(listener)).assertClosed("the peer of " + listener);
    }

    private static void assertAllSucceed(Class<?> fixture, int tests) {
        EngineRunner.run(fixture).testEvents().assertStatistics(stats -> stats.started(tests).succeeded(tests));
    }

    @Nested
    @DisplayName("@Connections")
    class Schedules {

        @Test
        @DisplayName("each attribute maps to its Schedule, and none to every connection")
        void eachAttribute() {
            assertAllSucceed(ScheduleTestCases.class, 5);
        }
    }

    @Nested
    @DisplayName("named peers")
    class NamedPeers {

        @Test
        @DisplayName("@PeerName selects each peer, and each has its own port and fault")
        void byName() {
            assertAllSucceed(NamedPeersTestCases.class, 1);
        }

        @Test
        @DisplayName("a parameter without @PeerName gets the peer named \"\"")
        void unnamed() {
            assertAllSucceed(UnnamedAndNamedTestCases.class, 1);
        }

        @Test
        @DisplayName("per name, the method's annotation wins over the class's; other names keep the class's")
        void methodWinsPerName() {
            assertAllSucceed(MethodWinsPerNameTestCases.class, 2);
        }

        @Test
        @DisplayName("a composed annotation declares several named peers")
        void composed() {
            assertAllSucceed(ComposedTestCases.class, 1);
        }

        @Test
        @DisplayName("a failing test publishes the journal of every peer, labelled by name")
        void journals() {
            EngineExecutionResults results = EngineRunner.run(FailingNamedTestCases.class);
            results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));

            assertThat(results.allEvents().reportingEntryPublished().stream()
                            .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs()))
                    .singleElement()
                    .satisfies(entry -> {
                        assertThat(entry).containsOnlyKeys("misbehave.journal.inventory", "misbehave.journal.payments");
                        assertThat(entry.get("misbehave.journal.payments")).contains("|pay|").contains("PEER_RESET");
                        assertThat(entry.get("misbehave.journal.inventory")).contains("|inv|").contains("PEER_CLOSED");
                    });
            Throwable failure = results.testEvents().failed().stream()
                    .map(e -> e.getRequiredPayload(TestExecutionResult.class))
                    .findFirst().orElseThrow().getThrowable().orElseThrow();
            assertThat(failure).hasMessage("the test's own failure");
            assertThat(failure.getSuppressed()).extracting(Throwable::getMessage).satisfiesExactlyInAnyOrder(
                    m -> assertThat(m).startsWith("Misbehave journal of peer \"payments\":\n").contains("|pay|"),
                    m -> assertThat(m).startsWith("Misbehave journal of peer \"inventory\":\n").contains("|inv|"));
        }
    }

    @Nested
    @DisplayName("fields")
    class Fields {

        @Test
        @DisplayName("a static field gets one peer that every test of the class shares, closed after the class")
        void staticField() {
            assertAllSucceed(StaticFieldTestCases.class, 2);
            assertThat(SEEN.get("static a")).isNotNull().isSameAs(SEEN.get("static b"));
            assertClosed("static listener");
        }

        @Test
        @DisplayName("an instance field gets a fresh peer per test, closed after the test")
        void instanceField() {
            assertAllSucceed(InstanceFieldTestCases.class, 2);
            assertThat(SEEN.get("instance a")).isNotNull().isNotSameAs(SEEN.get("instance b"));
            assertThat(SEEN.get("instance before each " + SEEN.get("instance port a"))).isSameAs(SEEN.get("instance a"));
            assertClosed("instance listener b");
        }

        @Test
        @DisplayName("@PeerName with a field's name resolves the field's peer")
        void byFieldName() {
            assertAllSucceed(FieldByNameTestCases.class, 1);
        }

        @Test
        @DisplayName("@Nested tests see the enclosing class's static and instance field peers")
        void nested() {
            assertAllSucceed(NestedFieldTestCases.class, 1);
            assertClosed("nested static listener");
            assertClosed("nested instance listener");
        }
    }

    // ---- fixtures: run only through EngineRunner ----

    private static Fault resetAfter(long bytes, Schedule schedule) {
        return new Fault(new Effect.Reset(), new Trigger.AfterBytes(Direction.UPSTREAM, bytes), schedule);
    }

    static class ScheduleTestCases {
        @Test
        @ForceResetAfter(bytes = 1)
        void all(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(resetAfter(1, Schedule.all()));
        }

        @Test
        @ForceResetAfter(bytes = 1, connections = @Connections(first = 2))
        void first(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(resetAfter(1, Schedule.first(2)));
        }

        @Test
        @ForceResetAfter(bytes = 1, connections = @Connections(only = 3))
        void only(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(resetAfter(1, Schedule.only(3)));
        }

        @Test
        @ForceResetAfter(bytes = 1, connections = @Connections(every = 4))
        void every(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(resetAfter(1, Schedule.every(4)));
        }

        @Test
        @ForceResetAfter(bytes = 1, connections = @Connections(allButFirst = 5))
        void allButFirst(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(resetAfter(1, Schedule.allButFirst(5)));
        }
    }

    static void expectEndOfStream(MisbehavingPeer peer, byte[] request) throws IOException {
        try (Socket socket = new Socket(peer.host(), peer.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @ForceResetAfter(peer = "payments", bytes = 3)
    @ForceCloseAfter(peer = "inventory", bytes = 2)
    static class NamedPeersTestCases {
        @Test
        void test(@PeerName("payments") MisbehavingPeer payments, @PeerName("inventory") MisbehavingPeer inventory)
                throws IOException {
            assertThat(payments.port()).isNotEqualTo(inventory.port());
            assertThat(payments.fault()).contains(Fault.resetAfter(Direction.UPSTREAM, 3));
            assertThat(inventory.fault()).contains(Fault.closeAfter(Direction.UPSTREAM, 2));
            sendAndExpectReset(payments, new byte[10]);
            expectEndOfStream(inventory, new byte[10]);
            assertThat(payments.awaitConnections(1, WAIT)).singleElement()
                    .satisfies(record -> assertThat(record.receivedCount()).isEqualTo(3));
            assertThat(inventory.awaitConnections(1, WAIT)).singleElement()
                    .satisfies(record -> assertThat(record.receivedCount()).isEqualTo(2));
        }
    }

    @ForceResetAfter(bytes = 4)
    @ForceResetAfter(peer = "other", bytes = 5)
    static class UnnamedAndNamedTestCases {
        @Test
        void test(MisbehavingPeer unnamed, @PeerName("other") MisbehavingPeer other) {
            assertThat(unnamed.fault()).contains(Fault.resetAfter(Direction.UPSTREAM, 4));
            assertThat(other.fault()).contains(Fault.resetAfter(Direction.UPSTREAM, 5));
        }
    }

    @ForceResetAfter(peer = "a", bytes = 1)
    @ForceResetAfter(peer = "b", bytes = 2)
    static class MethodWinsPerNameTestCases {
        @Test
        void classOnly(@PeerName("a") MisbehavingPeer a, @PeerName("b") MisbehavingPeer b) {
            assertThat(a.fault()).contains(Fault.resetAfter(Direction.UPSTREAM, 1));
            assertThat(b.fault()).contains(Fault.resetAfter(Direction.UPSTREAM, 2));
        }

        @Test
        @StallAfter(peer = "a", bytes = 3)
        void methodWins(@PeerName("a") MisbehavingPeer a, @PeerName("b") MisbehavingPeer b) {
            assertThat(a.fault()).contains(Fault.stallAfter(Direction.UPSTREAM, 3));
            assertThat(b.fault()).contains(Fault.resetAfter(Direction.UPSTREAM, 2));
        }
    }

    /** A user's composed annotation: the payments gateway resets the first connection, the ledger closes. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    @ForceResetAfter(peer = "payments", bytes = 1, connections = @Connections(first = 1))
    @ForceResetAfter(peer = "fraud", bytes = 0)
    @ForceCloseAfter(peer = "ledger", bytes = 2)
    @interface FlakyPaymentsGateway {}

    static class ComposedTestCases {
        @Test
        @FlakyPaymentsGateway
        void test(@PeerName("payments") MisbehavingPeer payments, @PeerName("fraud") MisbehavingPeer fraud,
                @PeerName("ledger") MisbehavingPeer ledger) throws IOException {
            assertThat(payments.fault()).contains(resetAfter(1, Schedule.first(1)));
            assertThat(fraud.fault()).contains(Fault.resetAfter(Direction.UPSTREAM, 0));
            assertThat(ledger.fault()).contains(Fault.closeAfter(Direction.UPSTREAM, 2));
            sendAndExpectReset(payments, new byte[10]);
            assertThat(payments.awaitConnections(1, WAIT)).singleElement()
                    .satisfies(record -> assertThat(record.receivedCount()).isEqualTo(1));
        }
    }

    @ForceResetAfter(peer = "payments", bytes = 3)
    @ForceCloseAfter(peer = "inventory", bytes = 3)
    static class FailingNamedTestCases {
        @Test
        void test(@PeerName("payments") MisbehavingPeer payments, @PeerName("inventory") MisbehavingPeer inventory)
                throws IOException {
            sendAndExpectReset(payments, "payload".getBytes());
            expectEndOfStream(inventory, "inventory".getBytes());
            payments.awaitConnections(1, WAIT);
            inventory.awaitConnections(1, WAIT);
            throw new AssertionError("the test's own failure");
        }
    }

    /** No class- or method-level annotation: only the field registers the extension. */
    @Execution(ExecutionMode.SAME_THREAD)
    @TestMethodOrder(MethodOrderer.MethodName.class)
    static class StaticFieldTestCases {
        @ForceResetAfter(bytes = 2)
        static MisbehavingPeer shared;

        @Test
        void a() throws IOException {
            SEEN.put("static a", shared);
            SEEN.put("static port", shared.port());
            SEEN.put("static listener", Ports.Listener.of(shared.port()));
            sendAndExpectReset(shared, new byte[10]);
        }

        @Test
        void b() throws IOException {
            SEEN.put("static b", shared);
            // still listening after test a: the class owns it
            sendAndExpectReset(shared, new byte[10]);
            assertThat(shared.awaitConnections(2, WAIT)).hasSize(2)
                    .allSatisfy(record -> assertThat(record.receivedCount()).isEqualTo(2));
        }
    }

    @Execution(ExecutionMode.SAME_THREAD)
    @TestMethodOrder(MethodOrderer.MethodName.class)
    static class InstanceFieldTestCases {
        @ForceCloseAfter(bytes = 1)
        MisbehavingPeer own;

        @BeforeEach
        void fieldIsSetBeforeTheUsersBeforeEach() {
            assertThat(own).isNotNull();
            SEEN.put("instance before each " + own.port(), own);
        }

        @Test
        void a() throws IOException {
            SEEN.put("instance a", own);
            SEEN.put("instance port a", own.port());
            SEEN.put("instance listener a", Ports.Listener.of(own.port()));
            expectEndOfStream(own, new byte[10]);
        }

        @Test
        void b() throws IOException {
            SEEN.put("instance b", own);
            SEEN.put("instance port b", own.port());
            SEEN.put("instance listener b", Ports.Listener.of(own.port()));
            // test a's peer was closed when test a ended
            assertClosed("instance listener a");
            expectEndOfStream(own, new byte[10]);
            assertThat(own.awaitConnections(1, WAIT)).hasSize(1);
        }
    }

    static class FieldByNameTestCases {
        @ForceResetAfter(bytes = 1)
        static MisbehavingPeer shared;

        @StallAfter(bytes = 1)
        MisbehavingPeer own;

        @Test
        void test(@PeerName("shared") MisbehavingPeer sharedParameter, @PeerName("own") MisbehavingPeer ownParameter) {
            assertThat(sharedParameter).isNotNull().isSameAs(shared);
            assertThat(ownParameter).isNotNull().isSameAs(own);
            assertThat(List.of(shared.fault().orElseThrow(), own.fault().orElseThrow()))
                    .containsExactly(Fault.resetAfter(Direction.UPSTREAM, 1), Fault.stallAfter(Direction.UPSTREAM, 1));
        }
    }

    static class NestedFieldTestCases {
        @ForceResetAfter(bytes = 1)
        static MisbehavingPeer outerShared;

        @ForceCloseAfter(bytes = 1)
        MisbehavingPeer outerOwn;

        @Nested
        class Inner {
            @Test
            void test(@PeerName("outerShared") MisbehavingPeer shared, @PeerName("outerOwn") MisbehavingPeer own) {
                SEEN.put("nested static port", outerShared.port());
                SEEN.put("nested static listener", Ports.Listener.of(outerShared.port()));
                SEEN.put("nested instance port", outerOwn.port());
                SEEN.put("nested instance listener", Ports.Listener.of(outerOwn.port()));
                assertThat(shared).isSameAs(outerShared);
                assertThat(own).isSameAs(outerOwn);
            }
        }
    }
}
