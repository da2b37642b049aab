package dev.misbehave.junit;

import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.misbehave.Direction;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.StallAfter;
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

@DisplayName("Misconfiguration fails clearly, before any socket is opened")
class MisconfigurationTests {

    private static final String PREFIX = "void dev.misbehave.junit.MisconfigurationTests$";

    private static void assertFailure(Class<?> fixture, String method, Class<? extends Throwable> type, String expected) {
        EngineExecutionResults results = EngineRunner.run(fixture);
        results.testEvents().assertThatEvents().haveExactly(1,
                event(test(method), finishedWithFailure(instanceOf(type), message(expected))));
    }

    @Nested
    @DisplayName("@ForceResetAfter attributes")
    class Attributes {

        @Test
        @DisplayName("a negative byte count names the annotation, the attribute, the value, the element and the fix")
        void negativeBytes() {
            assertFailure(NegativeBytesTestCases.class, "negative", ExtensionConfigurationException.class,
                    "@ForceResetAfter(bytes = -1, direction = UPSTREAM) on [method " + PREFIX
                            + "NegativeBytesTestCases.negative(dev.misbehave.MisbehavingPeer)]: `bytes` must"
                            + " be 0 or more. Use 0 to reset right after the connection is accepted, or N to"
                            + " reset after the client has sent N bytes.");
        }

        @Test
        @DisplayName("DOWNSTREAM is refused until the fault catalogue lands")
        void downstream() {
            assertFailure(DownstreamTestCases.class, "downstream", ExtensionConfigurationException.class,
                    "@ForceResetAfter(bytes = 16, direction = DOWNSTREAM) on [method " + PREFIX
                            + "DownstreamTestCases.downstream()]: `direction` = DOWNSTREAM is not supported"
                            + " yet (a reset after response bytes comes with the fault catalogue). Use"
                            + " direction = UPSTREAM (the default) to reset after the client has sent N bytes.");
        }

        @Test
        @DisplayName("a bad value on a class is reported with the class")
        void badValueOnClass() {
            assertFailure(NegativeOnClassTestCases.class, "test", ExtensionConfigurationException.class,
                    "@ForceResetAfter(bytes = -5, direction = UPSTREAM) on [class"
                            + " dev.misbehave.junit.MisconfigurationTests$NegativeOnClassTestCases]: `bytes`"
                            + " must be 0 or more. Use 0 to reset right after the connection is accepted, or N"
                            + " to reset after the client has sent N bytes.");
        }

        @Test
        @DisplayName("a bad value in a composed annotation names the composed annotation")
        void badValueComposed() {
            assertFailure(BadComposedTestCases.class, "composed", ExtensionConfigurationException.class,
                    "@ForceResetAfter(bytes = -2, direction = UPSTREAM) (via @BrokenServer) on [method "
                            + PREFIX + "BadComposedTestCases.composed()]: `bytes` must be 0 or more. Use 0 to"
                            + " reset right after the connection is accepted, or N to reset after the client"
                            + " has sent N bytes.");
        }
    }

    @Nested
    @DisplayName("@StallAfter attributes")
    class StallAttributes {

        @Test
        @DisplayName("a negative byte count names the annotation and the fix")
        void negativeBytes() {
            assertFailure(NegativeStallTestCases.class, "negative", ExtensionConfigurationException.class,
                    "@StallAfter(bytes = -3, direction = UPSTREAM) on [method " + PREFIX
                            + "NegativeStallTestCases.negative()]: `bytes` must be 0 or more. Use 0 to stall"
                            + " right after the connection is accepted, or N to stall after the client has"
                            + " sent N bytes.");
        }

        @Test
        @DisplayName("DOWNSTREAM is refused until the fault catalogue lands it")
        void downstream() {
            assertFailure(DownstreamStallTestCases.class, "downstream", ExtensionConfigurationException.class,
                    "@StallAfter(bytes = 5, direction = DOWNSTREAM) on [method " + PREFIX
                            + "DownstreamStallTestCases.downstream()]: `direction` = DOWNSTREAM is not"
                            + " supported yet (a stall after response bytes comes with the fault catalogue)."
                            + " Use direction = UPSTREAM (the default) to stall after the client has sent N"
                            + " bytes.");
        }
    }

    @Nested
    @DisplayName("@ForceCloseAfter attributes")
    class CloseAttributes {

        @Test
        @DisplayName("a negative byte count names the annotation and the fix")
        void negativeBytes() {
            assertFailure(NegativeCloseTestCases.class, "negative", ExtensionConfigurationException.class,
                    "@ForceCloseAfter(bytes = -1, direction = UPSTREAM) on [method " + PREFIX
                            + "NegativeCloseTestCases.negative()]: `bytes` must be 0 or more. Use 0 to close"
                            + " right after the connection is accepted, or N to close after the client has"
                            + " sent N bytes.");
        }
    }

    @Nested
    @DisplayName("two annotations on one element")
    class Duplicates {

        @Test
        @DisplayName("a reset and a stall contradict each other")
        void resetAndStall() {
            assertFailure(ResetAndStallTestCases.class, "both", ExtensionConfigurationException.class,
                    "2 Misbehave annotations are present on [method " + PREFIX
                            + "ResetAndStallTestCases.both()]: @ForceResetAfter(bytes = 16, direction ="
                            + " UPSTREAM), @StallAfter(bytes = 16, direction = UPSTREAM). Keep one: a test's"
                            + " peer applies a single fault.");
        }


        @Test
        @DisplayName("a direct and a composed @ForceResetAfter are both named")
        void directAndComposed() {
            assertFailure(DuplicateTestCases.class, "twice", ExtensionConfigurationException.class,
                    "@ForceResetAfter is present 2 times on [method " + PREFIX
                            + "DuplicateTestCases.twice()]: @ForceResetAfter(bytes = 16, direction = UPSTREAM),"
                            + " @ForceResetAfter(bytes = 32, direction = UPSTREAM) (via @ResetAfter32)."
                            + " Keep one: a test's peer applies a single fault.");
        }
    }

    @Nested
    @DisplayName("configuration parameters")
    class ConfigurationParameters {

        @Test
        @DisplayName("a quiet period that is not a positive whole number names the parameter and the fix")
        void badQuietPeriod() {
            EngineRunner.run(ConfiguredTestCases.class, Map.of("misbehave.quietPeriodMillis", "fast"))
                    .testEvents().assertThatEvents().haveExactly(1,
                            event(test("resets"), finishedWithFailure(
                                    instanceOf(ExtensionConfigurationException.class),
                                    message("Configuration parameter misbehave.quietPeriodMillis = 'fast' is"
                                            + " not a positive whole number of milliseconds. Set it to, for"
                                            + " example, misbehave.quietPeriodMillis=50, or remove it to use the"
                                            + " default."))));
        }

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
        @DisplayName("with the extension registered by hand but no annotation, names the fix")
        void registeredButUnannotated() {
            assertFailure(RegisteredByHandTestCases.class, "test", ParameterResolutionException.class,
                    "The MisbehavingPeer parameter (index 0) of [" + PREFIX
                            + "RegisteredByHandTestCases.test(dev.misbehave.MisbehavingPeer)]: no Misbehave"
                            + " annotation applies to this test. Annotate the test method or its class with"
                            + " @ForceResetAfter(bytes = ...), @ForceCloseAfter(bytes = ...) or"
                            + " @StallAfter(bytes = ...) to start a peer.");
        }

        @Test
        @DisplayName("in a @BeforeAll method, says a peer lives for one test")
        void beforeAll() {
            EngineExecutionResults results = EngineRunner.run(BeforeAllTestCases.class);
            results.containerEvents().assertThatEvents().haveExactly(1,
                    event(finishedWithFailure(instanceOf(ParameterResolutionException.class), message(m -> m.equals(
                            "The MisbehavingPeer parameter (index 0) of [static void "
                                    + "dev.misbehave.junit.MisconfigurationTests$BeforeAllTestCases.setUpAll("
                                    + "dev.misbehave.MisbehavingPeer)]: a peer lives for one test, so it can be"
                                    + " injected only into test methods and @BeforeEach/@AfterEach methods, not"
                                    + " into constructors or @BeforeAll/@AfterAll methods.")))));
        }
    }

    // ---- fixtures: run only through EngineRunner ----

    static class ConfiguredTestCases {
        @Test
        @ForceResetAfter(bytes = 3)
        void resets(MisbehavingPeer peer) throws java.io.IOException {
            Clients.sendAndExpectReset(peer, new byte[10]);
        }
    }

    static class NegativeCloseTestCases {
        @Test
        @ForceCloseAfter(bytes = -1)
        void negative() {
            throw new AssertionError("must not run");
        }
    }

    static class NegativeStallTestCases {
        @Test
        @StallAfter(bytes = -3)
        void negative() {
            throw new AssertionError("must not run");
        }
    }

    static class DownstreamStallTestCases {
        @Test
        @StallAfter(bytes = 5, direction = Direction.DOWNSTREAM)
        void downstream() {
            throw new AssertionError("must not run");
        }
    }

    static class ResetAndStallTestCases {
        @Test
        @ForceResetAfter(bytes = 16)
        @StallAfter(bytes = 16)
        void both() {
            throw new AssertionError("must not run");
        }
    }

    static class NegativeBytesTestCases {
        @Test
        @ForceResetAfter(bytes = -1)
        void negative(MisbehavingPeer peer) {
            throw new AssertionError("must not run");
        }
    }

    static class DownstreamTestCases {
        @Test
        @ForceResetAfter(bytes = 16, direction = Direction.DOWNSTREAM)
        void downstream() {
            throw new AssertionError("must not run");
        }
    }

    @ForceResetAfter(bytes = -5)
    static class NegativeOnClassTestCases {
        @Test
        void test() {
            throw new AssertionError("must not run");
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    @ForceResetAfter(bytes = -2)
    @interface BrokenServer {}

    static class BadComposedTestCases {
        @Test
        @BrokenServer
        void composed() {
            throw new AssertionError("must not run");
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    @ForceResetAfter(bytes = 32)
    @interface ResetAfter32 {}

    static class DuplicateTestCases {
        @Test
        @ForceResetAfter(bytes = 16)
        @ResetAfter32
        void twice() {
            throw new AssertionError("must not run");
        }
    }

    static class UnannotatedTestCases {
        @Test
        void unannotated(MisbehavingPeer peer) {
            throw new AssertionError("must not run");
        }
    }

    @ExtendWith(MisbehaveExtension.class)
    static class RegisteredByHandTestCases {
        @Test
        void test(MisbehavingPeer peer) {
            throw new AssertionError("must not run");
        }
    }

    @ForceResetAfter(bytes = 1)
    static class BeforeAllTestCases {
        @BeforeAll
        static void setUpAll(MisbehavingPeer peer) {
            throw new AssertionError("must not run");
        }

        @Test
        void test() {
            throw new AssertionError("must not run");
        }
    }
}
