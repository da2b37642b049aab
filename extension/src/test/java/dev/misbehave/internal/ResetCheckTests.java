package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The reset self-check. The tests that simulate a failed check change what every peer start of the
 * JVM sees while they run, so no other test runs beside them ({@link Isolated}), and each restores
 * the real check.
 */
@Isolated
@Timeout(60)
@DisplayName("The reset self-check")
class ResetCheckTests {

    private static final String FIN = "end-of-stream (read() returned -1): an orderly close, a FIN, where a reset was sent";

    @AfterEach
    void restoreTheRealCheck() {
        ResetCheck.simulate(null);
    }

    @Test
    @DisplayName("passes on this machine: a plain client sees the engine's reset as a SocketException")
    void passesHere() {
        ResetCheck.Observation observed = ResetCheck.probe();

        assertThat(observed.reset()).as("what the client saw: %s", observed.seen()).isTrue();
        assertThat(observed.seen()).startsWith("SocketException: ");
    }

    @Test
    @DisplayName("fails the first Misbehave test with what was expected, what was seen, the OS and JDK, and what to do; later tests with a reference")
    void failsTheFirstTestClearly() {
        ResetCheck.simulate(() -> new ResetCheck.Observation(false, FIN));
        SimulatedTestCases.BODIES_RUN.set(0);

        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .selectors(selectClass(SimulatedTestCases.class))
                .execute();

        results.testEvents().assertStatistics(stats -> stats.started(2).failed(2));
        results.testEvents().assertThatEvents().haveExactly(1, event(test("first"), finishedWithFailure(
                instanceOf(IllegalStateException.class),
                message(ResetCheck.firstMessage(FIN)))));
        results.testEvents().assertThatEvents().haveExactly(1, event(test("second"), finishedWithFailure(
                instanceOf(IllegalStateException.class),
                message("Misbehave's reset self-check failed earlier in this JVM (a client saw " + FIN
                        + " instead of a reset); the first Misbehave test (or peer) that failed says why and"
                        + " what to do."))));
        assertThat(SimulatedTestCases.BODIES_RUN).as("test bodies run without a peer").hasValue(0);
    }

    @Test
    @DisplayName("its first message names what was expected, what was seen, this OS and JDK, and the fix")
    void firstMessageSaysEverything() {
        assertThat(ResetCheck.firstMessage(FIN))
                .contains("Expected: a peer's reset (SO_LINGER 0, then close")
                .contains("SocketException \"Connection reset\"")
                .contains("Seen: " + FIN)
                .contains(System.getProperty("os.name"))
                .contains("Java " + System.getProperty("java.version"))
                .contains("What to do: run the tests on another JDK build or OS")
                .contains("docs/troubleshooting-connection-resets.md#misbehaves-reset-self-check");
    }

    @Test
    @DisplayName("guards the programmatic API too, and runs once however many peers start")
    void guardsProgrammaticStartOnce() {
        AtomicInteger probes = new AtomicInteger();
        ResetCheck.simulate(() -> {
            probes.incrementAndGet();
            return new ResetCheck.Observation(false, FIN);
        });

        assertThatThrownBy(() -> MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(ResetCheck.firstMessage(FIN));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 0)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage(ResetCheck.laterMessage(FIN));
        }
        assertThat(probes).as("probes run").hasValue(1);

        AtomicInteger passing = new AtomicInteger();
        ResetCheck.simulate(() -> {
            passing.incrementAndGet();
            return ResetCheck.probe();
        });
        for (int i = 0; i < 5; i++) {
            MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 0)).close();
        }
        assertThat(passing).as("probes run for 5 peers").hasValue(1);
    }

    @Test
    @DisplayName("that could not open its loopback connection is no outcome: the next start checks again")
    void couldNotRunChecksAgain() {
        AtomicInteger probes = new AtomicInteger();
        ResetCheck.simulate(() -> {
            if (probes.incrementAndGet() == 1) {
                throw new java.io.UncheckedIOException("no file descriptor left", new IOException("Too many open files"));
            }
            return ResetCheck.probe();
        });

        assertThatThrownBy(() -> MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 0)))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessage("no file descriptor left");
        MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 0)).close();
        assertThat(probes).as("probes run").hasValue(2);
    }

    // ---- fixture: run only through the engine, with a simulated failure ----

    @Execution(ExecutionMode.SAME_THREAD)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class SimulatedTestCases {
        static final AtomicInteger BODIES_RUN = new AtomicInteger();

        @Test
        @Order(1)
        @ForceResetAfter(bytes = 0)
        void first(MisbehavingPeer peer) {
            BODIES_RUN.incrementAndGet();
        }

        @Test
        @Order(2)
        @ForceResetAfter(bytes = 0)
        void second(MisbehavingPeer peer) {
            BODIES_RUN.incrementAndGet();
        }
    }
}
