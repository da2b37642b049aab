package dev.misbehave.junit;

import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.misbehave.Connections;
import dev.misbehave.Delay;
import dev.misbehave.Direction;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.NeverAccept;
import dev.misbehave.PeerName;
import dev.misbehave.PeerScript;
import dev.misbehave.RefuseConnections;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.Slice;
import dev.misbehave.StallAfter;
import dev.misbehave.Throttle;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Misconfiguration, beyond its messages. Each message is stated once: in the table of
 * docs/misconfiguration.md, which {@link MisconfigurationTableTests} produces by running this class's
 * fixtures through the engine and the docs module checks character by character. The tests here
 * state what the table cannot show: which failures fail a whole class, and what is accepted.
 */
@DisplayName("Misconfiguration fails clearly, before any socket is opened")
class MisconfigurationTests {

    private static final String OUTER = "dev.misbehave.junit.MisconfigurationTests$";
    private static final String PREFIX = "void " + OUTER;

    @Nested
    @DisplayName("fields")
    class Fields {

        @Test
        @DisplayName("a static field of another type fails the class")
        void wrongTypeStatic() {
            EngineRunner.run(WrongTypeStaticFieldTestCases.class).containerEvents().assertThatEvents().haveExactly(1,
                    event(container(WrongTypeStaticFieldTestCases.class),
                            finishedWithFailure(instanceOf(ExtensionConfigurationException.class))));
            // the message is in the table of docs/misconfiguration.md (MisconfigurationTableTests)
        }
    }

    @Nested
    @DisplayName("configuration parameters")
    class ConfigurationParameters {

        @Test
        @DisplayName("a valid quiet period and close timeout are accepted")
        void validSettings() {
            EngineRunner.run(ConfiguredTestCases.class,
                            Map.of("misbehave.quietPeriodMillis", "10", "misbehave.closeTimeoutMillis", "500"))
                    .testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        }
    }

    @Nested
    @DisplayName("MisbehavingPeer parameters")
    class Parameters {

        @Test
        @DisplayName("in a test without a Misbehave annotation, JUnit reports that no resolver is registered")
        void noAnnotationAnywhere() {
            EngineRunner.run(UnannotatedTestCases.class).testEvents().assertThatEvents().haveExactly(1,
                    event(test("unannotated"), finishedWithFailure(instanceOf(ParameterResolutionException.class),
                            message(m -> m.startsWith("No ParameterResolver registered for parameter"
                                    + " [dev.misbehave.MisbehavingPeer ")
                                    && m.endsWith("in method [" + PREFIX
                                    + "UnannotatedTestCases.unannotated(dev.misbehave.MisbehavingPeer)].")))));
        }

        @Test
        @DisplayName("in a @BeforeAll method, fails the class, not each test")
        void beforeAll() {
            EngineExecutionResults results = EngineRunner.run(BeforeAllTestCases.class);
            results.containerEvents().assertThatEvents().haveExactly(1,
                    event(container(BeforeAllTestCases.class),
                            finishedWithFailure(instanceOf(ParameterResolutionException.class))));
            // the message is in the table of docs/misconfiguration.md (MisconfigurationTableTests)
        }
    }

    // ---- fixtures: run only through EngineRunner; each fails before its body runs ----

    private static void mustNotRun() {
        throw new AssertionError("must not run");
    }

    static class NoTriggerTestCases {
        @Test @ForceResetAfter void test() { mustNotRun(); }
    }

    static class TwoTriggersTestCases {
        @Test @ForceCloseAfter(bytes = 4, pattern = "\r\n") void test() { mustNotRun(); }
    }

    static class ThreeTriggersTestCases {
        @Test @StallAfter(idleMillis = 10, millis = 20, exchanges = 1) void test() { mustNotRun(); }
    }

    static class NegativeBytesTestCases {
        @Test @ForceResetAfter(bytes = -5) void test() { mustNotRun(); }
    }

    static class NegativeDownstreamTestCases {
        @Test @StallAfter(bytes = -2, direction = Direction.DOWNSTREAM) void test() { mustNotRun(); }
    }

    static class OccurrenceWithoutPatternTestCases {
        @Test @ForceResetAfter(bytes = 3, occurrence = 2) void test() { mustNotRun(); }
    }

    static class OccurrenceZeroTestCases {
        @Test @ForceResetAfter(pattern = "\n", occurrence = 0) void test() { mustNotRun(); }
    }

    static class IdleZeroTestCases {
        @Test @ForceCloseAfter(idleMillis = 0) void test() { mustNotRun(); }
    }

    static class MillisZeroTestCases {
        @Test @ForceResetAfter(millis = 0) void test() { mustNotRun(); }
    }

    static class ExchangesZeroTestCases {
        @Test @ForceResetAfter(exchanges = 0) void test() { mustNotRun(); }
    }

    static class DirectionWithMillisTestCases {
        @Test @ForceResetAfter(millis = 100, direction = Direction.DOWNSTREAM) void test() { mustNotRun(); }
    }

    static class ExchangesWithSilentScriptTestCases {
        @Test @ForceResetAfter(exchanges = 1) void test() { mustNotRun(); }
    }

    static class DownstreamOnSilentPeerTestCases {
        @Test @ForceResetAfter(bytes = 16, direction = Direction.DOWNSTREAM) void test() { mustNotRun(); }
    }

    static class DelayOnSilentPeerTestCases {
        @Test @Delay(firstMillis = 100) void test() { mustNotRun(); }
    }

    @ForceResetAfter(bytes = -5)
    static class NegativeOnClassTestCases {
        @Test void test() { mustNotRun(); }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    @ForceResetAfter(bytes = -2)
    @interface BrokenServer {}

    static class BadComposedTestCases {
        @Test @BrokenServer void test() { mustNotRun(); }
    }

    static class NoGarbageTestCases {
        @Test @SendGarbageAfter(bytes = 0) void test() { mustNotRun(); }
    }

    static class BothGarbageTestCases {
        @Test @SendGarbageAfter(bytes = 0, text = "x", randomBytes = 4) void test() { mustNotRun(); }
    }

    static class NegativeRandomTestCases {
        @Test @SendGarbageAfter(bytes = 0, randomBytes = -3) void test() { mustNotRun(); }
    }

    static class SeedWithTextTestCases {
        @Test @SendGarbageAfter(bytes = 0, text = "x", seed = 7) void test() { mustNotRun(); }
    }

    static class TwoSchedulesTestCases {
        @Test @ForceResetAfter(bytes = 0, connections = @Connections(first = 1, every = 2)) void test() { mustNotRun(); }
    }

    static class NegativeScheduleTestCases {
        @Test @ForceResetAfter(bytes = 0, connections = @Connections(only = -1)) void test() { mustNotRun(); }
    }

    static class RefuseWithScheduleTestCases {
        @Test @RefuseConnections(connections = @Connections(first = 2)) void test() { mustNotRun(); }
    }

    static class NeverAcceptWithScheduleTestCases {
        @Test @NeverAccept(connections = @Connections(every = 2)) void test() { mustNotRun(); }
    }

    static class DelayNothingTestCases {
        @Test @Delay void test() { mustNotRun(); }
    }

    static class NegativeDelayTestCases {
        @Test @Delay(direction = Direction.UPSTREAM, firstMillis = -1) void test() { mustNotRun(); }
    }

    static class ThrottleZeroTestCases {
        @Test @Throttle(bytesPerSecond = 0) void test() { mustNotRun(); }
    }

    static class SliceZeroTestCases {
        @Test @Slice(pieceBytes = 0) void test() { mustNotRun(); }
    }

    static class NegativeGapTestCases {
        @Test @Slice(pieceBytes = 1, gapMillis = -5) void test() { mustNotRun(); }
    }

    static class ResponseWithoutEndTestCases {
        @Test @PeerScript(response = "ok") void test() { mustNotRun(); }
    }

    static class EndWithoutResponseTestCases {
        @Test @PeerScript(requestEndsWith = "\n") void test() { mustNotRun(); }
    }

    static class LengthWithoutResponseTestCases {
        @Test @PeerScript(requestLength = 4) void test() { mustNotRun(); }
    }

    static class TwoEndsTestCases {
        @Test @PeerScript(requestEndsWith = "\n", requestLength = 4, response = "ok") void test() { mustNotRun(); }
    }

    static class LengthFieldAloneTestCases {
        @Test @PeerScript(requestLength = 4, lengthField = "Content-Length", response = "ok") void test() { mustNotRun(); }
    }

    static class BlankLengthFieldTestCases {
        @Test @PeerScript(requestEndsWith = "\r\n\r\n", lengthField = " ", response = "ok") void test() { mustNotRun(); }
    }

    static class LengthZeroTestCases {
        @Test @PeerScript(requestLength = 0, response = "ok") void test() { mustNotRun(); }
    }

    static class EchoAndResponseTestCases {
        @Test @PeerScript(echo = true, requestEndsWith = "\n", response = "ok") void test() { mustNotRun(); }
    }

    static class ResponseAndResourceTestCases {
        @Test
        @PeerScript(requestEndsWith = "\n", response = "ok", responseResource = "misbehave/ok.http")
        void test() { mustNotRun(); }
    }

    static class MissingResourceTestCases {
        @Test @PeerScript(requestEndsWith = "\n", responseResource = "misbehave/nope.http") void test() { mustNotRun(); }
    }

    static class EmptyResourceTestCases {
        @Test @PeerScript(requestEndsWith = "\n", responseResource = "misbehave/empty.txt") void test() { mustNotRun(); }
    }

    static class ResetAndStallTestCases {
        @Test @ForceResetAfter(bytes = 16) @StallAfter(bytes = 16) void test() { mustNotRun(); }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    @ForceResetAfter(bytes = 32)
    @interface ResetAfter32 {}

    static class DuplicateTestCases {
        @Test @ForceResetAfter(bytes = 16) @ResetAfter32 void test() { mustNotRun(); }
    }

    static class SameNameTestCases {
        @Test
        @ForceResetAfter(peer = "db", bytes = 1)
        @ForceResetAfter(peer = "db", bytes = 2)
        void test() { mustNotRun(); }
    }

    static class TwoScriptsTestCases {
        @Test @PeerScript(echo = true) @PeerScript(greeting = "hi") void test() { mustNotRun(); }
    }

    static class PeerOnFieldTestCases {
        @ForceResetAfter(peer = "db", bytes = 1)
        MisbehavingPeer payments;

        @Test void test() { mustNotRun(); }
    }

    static class WrongTypeFieldTestCases {
        @ForceResetAfter(bytes = 1)
        String peer;

        @Test void test() { mustNotRun(); }
    }

    static class WrongTypeStaticFieldTestCases {
        @StallAfter(bytes = 1)
        static Object peer;

        @Test void test() { mustNotRun(); }
    }

    static class FinalFieldTestCases {
        @ForceResetAfter(bytes = 1)
        final MisbehavingPeer peer = null;

        @Test void test() { mustNotRun(); }
    }

    static class NameTwiceTestCases {
        @ForceCloseAfter(bytes = 1)
        MisbehavingPeer db;

        @Test @ForceResetAfter(peer = "db", bytes = 1) void test() { mustNotRun(); }
    }

    static class ConfiguredTestCases {
        @Test
        @ForceResetAfter(bytes = 3)
        void resets(MisbehavingPeer peer) throws java.io.IOException {
            Clients.sendAndExpectReset(peer, new byte[10]);
        }
    }

    static class UnannotatedTestCases {
        @Test
        void unannotated(MisbehavingPeer peer) {
            mustNotRun();
        }
    }

    @ExtendWith(MisbehaveExtension.class)
    static class RegisteredByHandTestCases {
        @Test
        void test(MisbehavingPeer peer) {
            mustNotRun();
        }
    }

    @ForceResetAfter(peer = "db", bytes = 1)
    @ForceResetAfter(peer = "cache", bytes = 1)
    static class UnknownNameTestCases {
        @Test
        void test(@PeerName("dbb") MisbehavingPeer peer) {
            mustNotRun();
        }
    }

    @ForceResetAfter(peer = "db", bytes = 1)
    static class OnlyNamedPeersTestCases {
        @Test
        void test(MisbehavingPeer peer) {
            mustNotRun();
        }
    }

    @ForceResetAfter(bytes = 1)
    static class BeforeAllTestCases {
        @BeforeAll
        static void setUpAll(MisbehavingPeer peer) {
            mustNotRun();
        }

        @Test
        void test() {
            mustNotRun();
        }
    }
}
