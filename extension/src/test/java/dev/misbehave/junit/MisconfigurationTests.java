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

@DisplayName("Misconfiguration fails clearly, before any socket is opened")
class MisconfigurationTests {

    private static final String OUTER = "dev.misbehave.junit.MisconfigurationTests$";
    private static final String PREFIX = "void " + OUTER;

    /** The element part of a message for a fixture's {@code test()} method without parameters. */
    private static String onTest(Class<?> fixture) {
        return " on [method " + PREFIX + fixture.getSimpleName() + ".test()]: ";
    }

    private static void assertFailure(Class<?> fixture, String method, Class<? extends Throwable> type, String expected) {
        EngineExecutionResults results = EngineRunner.run(fixture);
        results.testEvents().assertThatEvents().haveExactly(1,
                event(test(method), finishedWithFailure(instanceOf(type), message(expected))));
    }

    /** The fixture's only test, {@code test()}, fails with a configuration error with exactly this message. */
    private static void assertConfigurationError(Class<?> fixture, String expected) {
        assertFailure(fixture, "test", ExtensionConfigurationException.class, expected);
    }

    @Nested
    @DisplayName("the trigger")
    class Triggers {

        @Test
        @DisplayName("none set names every trigger attribute and an example")
        void none() {
            assertConfigurationError(NoTriggerTestCases.class, "@ForceResetAfter" + onTest(NoTriggerTestCases.class)
                    + "no trigger is set. Set exactly one of `bytes`, `pattern`, `idleMillis`, `millis` or"
                    + " `exchanges`, for example bytes = 0 to reset as soon as the connection is accepted.");
        }

        @Test
        @DisplayName("two set names both")
        void two() {
            assertConfigurationError(TwoTriggersTestCases.class, "@ForceCloseAfter(bytes = 4, pattern = \"\\r\\n\")"
                    + onTest(TwoTriggersTestCases.class) + "`bytes` and `pattern` are both set, but a fault has"
                    + " one trigger. Keep one of them.");
        }

        @Test
        @DisplayName("three set names all three")
        void three() {
            assertConfigurationError(ThreeTriggersTestCases.class,
                    "@StallAfter(idleMillis = 10, millis = 20, exchanges = 1)" + onTest(ThreeTriggersTestCases.class)
                            + "`idleMillis`, `millis` and `exchanges` are all set, but a fault has one trigger."
                            + " Keep one of them.");
        }

        @Test
        @DisplayName("a negative byte count names the value and the fix")
        void negativeBytes() {
            assertConfigurationError(NegativeBytesTestCases.class, "@ForceResetAfter(bytes = -5)"
                    + onTest(NegativeBytesTestCases.class) + "`bytes` = -5 is negative. Use 0 to reset as soon"
                    + " as the connection is accepted, or N to reset after the client has sent N bytes.");
        }

        @Test
        @DisplayName("a negative DOWNSTREAM byte count speaks of received bytes")
        void negativeDownstreamBytes() {
            assertConfigurationError(NegativeDownstreamTestCases.class,
                    "@StallAfter(bytes = -2, direction = DOWNSTREAM)" + onTest(NegativeDownstreamTestCases.class)
                            + "`bytes` = -2 is negative. Use 0 to stall as soon as the connection is accepted,"
                            + " or N to stall after the client has received N bytes.");
        }

        @Test
        @DisplayName("occurrence without pattern")
        void occurrenceWithoutPattern() {
            assertConfigurationError(OccurrenceWithoutPatternTestCases.class,
                    "@ForceResetAfter(bytes = 3, occurrence = 2)" + onTest(OccurrenceWithoutPatternTestCases.class)
                            + "`occurrence` = 2 counts occurrences of `pattern`, but no pattern is set. Add"
                            + " pattern = \"...\", or remove occurrence.");
        }

        @Test
        @DisplayName("occurrence 0")
        void occurrenceZero() {
            assertConfigurationError(OccurrenceZeroTestCases.class,
                    "@ForceResetAfter(pattern = \"\\n\", occurrence = 0)" + onTest(OccurrenceZeroTestCases.class)
                            + "`occurrence` = 0 must be 1 or more; 1 fires on the first occurrence of the pattern.");
        }

        @Test
        @DisplayName("idleMillis 0")
        void idleZero() {
            assertConfigurationError(IdleZeroTestCases.class, "@ForceCloseAfter(idleMillis = 0)"
                    + onTest(IdleZeroTestCases.class) + "`idleMillis` = 0 must be 1 or more: how many"
                    + " milliseconds the client must have sent nothing before the fault fires.");
        }

        @Test
        @DisplayName("millis 0")
        void millisZero() {
            assertConfigurationError(MillisZeroTestCases.class, "@ForceResetAfter(millis = 0)"
                    + onTest(MillisZeroTestCases.class) + "`millis` = 0 must be 1 or more: how many"
                    + " milliseconds after the accept the fault fires. Use bytes = 0 to reset as soon as the"
                    + " connection is accepted.");
        }

        @Test
        @DisplayName("exchanges 0")
        void exchangesZero() {
            assertConfigurationError(ExchangesZeroTestCases.class, "@ForceResetAfter(exchanges = 0)"
                    + onTest(ExchangesZeroTestCases.class) + "`exchanges` = 0 must be 1 or more: how many"
                    + " requests the peer answers before the fault fires. Use bytes = 1 to reset on the first"
                    + " byte of the first request.");
        }

        @Test
        @DisplayName("a direction with a trigger that has none")
        void directionWithoutBytes() {
            assertConfigurationError(DirectionWithMillisTestCases.class,
                    "@ForceResetAfter(direction = DOWNSTREAM, millis = 100)" + onTest(DirectionWithMillisTestCases.class)
                            + "`direction` = DOWNSTREAM applies only to `bytes` and `pattern`, not to `millis`."
                            + " Remove direction.");
        }

        @Test
        @DisplayName("a bad value on a class is reported with the class")
        void badValueOnClass() {
            assertConfigurationError(NegativeOnClassTestCases.class, "@ForceResetAfter(bytes = -5) on [class "
                    + OUTER + "NegativeOnClassTestCases]: `bytes` = -5 is negative. Use 0 to reset as soon as"
                    + " the connection is accepted, or N to reset after the client has sent N bytes.");
        }

        @Test
        @DisplayName("a bad value in a composed annotation names the composed annotation")
        void badValueComposed() {
            assertConfigurationError(BadComposedTestCases.class, "@ForceResetAfter(bytes = -2) (via @BrokenServer)"
                    + onTest(BadComposedTestCases.class) + "`bytes` = -2 is negative. Use 0 to reset as soon as"
                    + " the connection is accepted, or N to reset after the client has sent N bytes.");
        }
    }

    @Nested
    @DisplayName("a fault the engine cannot run with the peer's script")
    class EngineRejects {

        private void assertRejected(Class<?> fixture, String annotation, String engineSays) {
            EngineRunner.run(fixture).testEvents().assertThatEvents().haveExactly(1,
                    event(test("test"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                            message(m -> m.startsWith(annotation + onTest(fixture) + "the peer cannot run this"
                                    + " fault with a silent peer (no @PeerScript): ")
                                    && m.contains(engineSays)
                                    && m.endsWith(" Change the fault or the peer's @PeerScript.")))));
        }

        @Test
        @DisplayName("exchanges on a peer that does not respond")
        void exchangesOnSilentPeer() {
            assertRejected(ExchangesWithSilentScriptTestCases.class, "@ForceResetAfter(exchanges = 1)",
                    "does not respond");
        }

        @Test
        @DisplayName("DOWNSTREAM bytes on a peer that sends nothing")
        void downstreamOnSilentPeer() {
            assertRejected(DownstreamOnSilentPeerTestCases.class,
                    "@ForceResetAfter(bytes = 16, direction = DOWNSTREAM)", "sends nothing");
        }

        @Test
        @DisplayName("@Delay (DOWNSTREAM by default) on a peer that sends nothing")
        void delayOnSilentPeer() {
            assertRejected(DelayOnSilentPeerTestCases.class, "@Delay(firstMillis = 100)", "sends nothing");
        }
    }

    @Nested
    @DisplayName("@SendGarbageAfter")
    class Garbage {

        @Test
        @DisplayName("no garbage")
        void none() {
            assertConfigurationError(NoGarbageTestCases.class, "@SendGarbageAfter(bytes = 0)"
                    + onTest(NoGarbageTestCases.class) + "no garbage is set. Set `text` = \"...\" (sent as UTF-8)"
                    + " or `randomBytes` = N (N pseudo-random bytes from `seed`).");
        }

        @Test
        @DisplayName("text and randomBytes")
        void both() {
            assertConfigurationError(BothGarbageTestCases.class,
                    "@SendGarbageAfter(bytes = 0, text = \"x\", randomBytes = 4)" + onTest(BothGarbageTestCases.class)
                            + "`text` and `randomBytes` are both set. Keep one: text for fixed garbage,"
                            + " randomBytes for pseudo-random bytes.");
        }

        @Test
        @DisplayName("negative randomBytes")
        void negativeRandom() {
            assertConfigurationError(NegativeRandomTestCases.class, "@SendGarbageAfter(bytes = 0, randomBytes = -3)"
                    + onTest(NegativeRandomTestCases.class) + "`randomBytes` = -3 is negative. Use 1 or more, or"
                    + " set `text` instead.");
        }

        @Test
        @DisplayName("a seed with text")
        void seedWithText() {
            assertConfigurationError(SeedWithTextTestCases.class,
                    "@SendGarbageAfter(bytes = 0, text = \"x\", seed = 7)" + onTest(SeedWithTextTestCases.class)
                            + "`seed` = 7 seeds `randomBytes`, but randomBytes is not set. Set randomBytes = N,"
                            + " or remove seed.");
        }
    }

    @Nested
    @DisplayName("@Connections")
    class Schedules {

        @Test
        @DisplayName("two attributes")
        void two() {
            assertConfigurationError(TwoSchedulesTestCases.class,
                    "@ForceResetAfter(bytes = 0, connections = @Connections(first = 1, every = 2))"
                            + onTest(TwoSchedulesTestCases.class) + "`connections` sets `first` and `every`, but"
                            + " a fault has one schedule. Keep one of them, or none to apply the fault to every"
                            + " connection.");
        }

        @Test
        @DisplayName("a negative value")
        void negative() {
            assertConfigurationError(NegativeScheduleTestCases.class,
                    "@ForceResetAfter(bytes = 0, connections = @Connections(only = -1))"
                            + onTest(NegativeScheduleTestCases.class) + "`connections.only` = -1 is negative. Use"
                            + " 1 or more: connections are counted from 1 (the journal's index 0 is connection"
                            + " 1). Remove only to apply the fault to every connection.");
        }

        @Test
        @DisplayName("on @RefuseConnections, which acts on the port")
        void onRefuse() {
            assertConfigurationError(RefuseWithScheduleTestCases.class,
                    "@RefuseConnections(connections = @Connections(first = 2))"
                            + onTest(RefuseWithScheduleTestCases.class) + "`connections` = @Connections(first ="
                            + " 2) cannot be set: @RefuseConnections acts on the peer's port, before any"
                            + " connection exists. Remove connections; to stop this fault during the test, call"
                            + " peer.behave().");
        }

        @Test
        @DisplayName("on @NeverAccept, which acts on the port")
        void onNeverAccept() {
            assertConfigurationError(NeverAcceptWithScheduleTestCases.class,
                    "@NeverAccept(connections = @Connections(every = 2))"
                            + onTest(NeverAcceptWithScheduleTestCases.class) + "`connections` ="
                            + " @Connections(every = 2) cannot be set: @NeverAccept acts on the peer's port,"
                            + " before any connection exists. Remove connections; to stop this fault during the"
                            + " test, call peer.behave().");
        }
    }

    @Nested
    @DisplayName("@Delay, @Throttle, @Slice")
    class Shaping {

        @Test
        @DisplayName("a delay of nothing")
        void delayNothing() {
            assertConfigurationError(DelayNothingTestCases.class, "@Delay" + onTest(DelayNothingTestCases.class)
                    + "`firstMillis` and `perChunkMillis` are both 0, so nothing would be delayed. Set"
                    + " firstMillis = N to delay the first chunk, perChunkMillis = N to delay every later one.");
        }

        @Test
        @DisplayName("a negative delay")
        void negativeDelay() {
            assertConfigurationError(NegativeDelayTestCases.class, "@Delay(direction = UPSTREAM, firstMillis = -1)"
                    + onTest(NegativeDelayTestCases.class) + "`firstMillis` = -1 is negative. Use 0 or more: the"
                    + " delay before the first chunk in milliseconds, 0 for none.");
        }

        @Test
        @DisplayName("a throttle to 0 bytes per second")
        void throttleZero() {
            assertConfigurationError(ThrottleZeroTestCases.class, "@Throttle(bytesPerSecond = 0)"
                    + onTest(ThrottleZeroTestCases.class) + "`bytesPerSecond` = 0 must be 1 or more: how many"
                    + " bytes per second the peer passes on in `direction`.");
        }

        @Test
        @DisplayName("slices of 0 bytes")
        void sliceZero() {
            assertConfigurationError(SliceZeroTestCases.class, "@Slice(pieceBytes = 0)"
                    + onTest(SliceZeroTestCases.class) + "`pieceBytes` = 0 must be 1 or more: the size of each piece.");
        }

        @Test
        @DisplayName("a negative gap between slices")
        void negativeGap() {
            assertConfigurationError(NegativeGapTestCases.class, "@Slice(pieceBytes = 1, gapMillis = -5)"
                    + onTest(NegativeGapTestCases.class) + "`gapMillis` = -5 is negative. Use 0 or more: the pause"
                    + " between pieces in milliseconds, 0 for none.");
        }
    }

    @Nested
    @DisplayName("@PeerScript")
    class Scripts {

        @Test
        @DisplayName("a response without a request end")
        void responseWithoutEnd() {
            assertConfigurationError(ResponseWithoutEndTestCases.class, "@PeerScript(response = \"ok\")"
                    + onTest(ResponseWithoutEndTestCases.class) + "`response` is set, but not where a request"
                    + " ends, so the peer would never know when to respond. Set requestEndsWith = \"\\n\" (a"
                    + " delimiter) or requestLength = N (a fixed length).");
        }

        @Test
        @DisplayName("a request end without a response")
        void endWithoutResponse() {
            assertConfigurationError(EndWithoutResponseTestCases.class, "@PeerScript(requestEndsWith = \"\\n\")"
                    + onTest(EndWithoutResponseTestCases.class) + "`requestEndsWith` = \"\\n\" says where a request"
                    + " ends, but no response is set. Set `response` or `responseResource`, or remove"
                    + " requestEndsWith.");
        }

        @Test
        @DisplayName("a request length without a response")
        void lengthWithoutResponse() {
            assertConfigurationError(LengthWithoutResponseTestCases.class, "@PeerScript(requestLength = 4)"
                    + onTest(LengthWithoutResponseTestCases.class) + "`requestLength` = 4 says where a request"
                    + " ends, but no response is set. Set `response` or `responseResource`, or remove"
                    + " requestLength.");
        }

        @Test
        @DisplayName("two request ends")
        void twoEnds() {
            assertConfigurationError(TwoEndsTestCases.class,
                    "@PeerScript(requestEndsWith = \"\\n\", requestLength = 4, response = \"ok\")"
                            + onTest(TwoEndsTestCases.class) + "`requestEndsWith` and `requestLength` are both"
                            + " set. Keep one: a request ends with a delimiter or has a fixed length.");
        }

        @Test
        @DisplayName("a length field without a delimiter")
        void lengthFieldAlone() {
            assertConfigurationError(LengthFieldAloneTestCases.class,
                    "@PeerScript(requestLength = 4, lengthField = \"Content-Length\", response = \"ok\")"
                            + onTest(LengthFieldAloneTestCases.class) + "`lengthField` = \"Content-Length\" needs"
                            + " `requestEndsWith`, the end of the head the field is in. Add requestEndsWith ="
                            + " \"\\r\\n\\r\\n\", or remove lengthField.");
        }

        @Test
        @DisplayName("a blank length field")
        void blankLengthField() {
            assertConfigurationError(BlankLengthFieldTestCases.class,
                    "@PeerScript(requestEndsWith = \"\\r\\n\\r\\n\", lengthField = \" \", response = \"ok\")"
                            + onTest(BlankLengthFieldTestCases.class) + "`lengthField` = \" \" is blank. Give the"
                            + " name of the field, for example lengthField = \"Content-Length\".");
        }

        @Test
        @DisplayName("a request length of 0")
        void lengthZero() {
            assertConfigurationError(LengthZeroTestCases.class, "@PeerScript(requestLength = 0, response = \"ok\")"
                    + onTest(LengthZeroTestCases.class) + "`requestLength` = 0 must be 1 or more: the length of"
                    + " every request, in bytes. For requests that end with a delimiter, set requestEndsWith"
                    + " instead.");
        }

        @Test
        @DisplayName("echo together with a response")
        void echoAndResponse() {
            assertConfigurationError(EchoAndResponseTestCases.class,
                    "@PeerScript(echo = true, requestEndsWith = \"\\n\", response = \"ok\")"
                            + onTest(EchoAndResponseTestCases.class) + "`echo` = true and `response` are both"
                            + " set. Keep one: echo sends back every byte the peer reads, a response answers"
                            + " each request.");
        }

        @Test
        @DisplayName("a response and a response resource")
        void responseAndResource() {
            assertConfigurationError(ResponseAndResourceTestCases.class,
                    "@PeerScript(requestEndsWith = \"\\n\", response = \"ok\", responseResource ="
                            + " \"misbehave/ok.http\")" + onTest(ResponseAndResourceTestCases.class) + "`response`"
                            + " and `responseResource` are both set. Keep one: the response's text, or the"
                            + " classpath resource that holds it.");
        }

        @Test
        @DisplayName("a missing response resource is named")
        void missingResource() {
            assertConfigurationError(MissingResourceTestCases.class,
                    "@PeerScript(requestEndsWith = \"\\n\", responseResource = \"misbehave/nope.http\")"
                            + onTest(MissingResourceTestCases.class) + "`responseResource` = \"misbehave/nope.http\""
                            + " is not on the class path of " + OUTER + "MissingResourceTestCases. Put the file in"
                            + " src/test/resources/misbehave/nope.http, or correct the name (it is resolved from"
                            + " the root of the class path).");
        }

        @Test
        @DisplayName("an empty response resource")
        void emptyResource() {
            assertConfigurationError(EmptyResourceTestCases.class,
                    "@PeerScript(requestEndsWith = \"\\n\", responseResource = \"misbehave/empty.txt\")"
                            + onTest(EmptyResourceTestCases.class) + "`responseResource` = \"misbehave/empty.txt\""
                            + " is empty. Put the response in it, or use a script without a response.");
        }
    }

    @Nested
    @DisplayName("two annotations for one peer on one element")
    class Duplicates {

        @Test
        @DisplayName("a reset and a stall contradict each other")
        void resetAndStall() {
            assertConfigurationError(ResetAndStallTestCases.class, "2 Misbehave fault annotations are present"
                    + onTest(ResetAndStallTestCases.class) + "@ForceResetAfter(bytes = 16), @StallAfter(bytes ="
                    + " 16). Keep one: a peer applies a single fault. To give several peers their own, set a"
                    + " different `peer` on each.");
        }

        @Test
        @DisplayName("a direct and a composed @ForceResetAfter are both named")
        void directAndComposed() {
            assertConfigurationError(DuplicateTestCases.class, "@ForceResetAfter is present 2 times"
                    + onTest(DuplicateTestCases.class) + "@ForceResetAfter(bytes = 16), @ForceResetAfter(bytes ="
                    + " 32) (via @ResetAfter32). Keep one: a peer applies a single fault. To give several peers"
                    + " their own, set a different `peer` on each.");
        }

        @Test
        @DisplayName("two faults for the same named peer")
        void sameName() {
            assertConfigurationError(SameNameTestCases.class, "@ForceResetAfter is present 2 times for peer"
                    + " \"db\"" + onTest(SameNameTestCases.class) + "@ForceResetAfter(peer = \"db\", bytes = 1),"
                    + " @ForceResetAfter(peer = \"db\", bytes = 2). Keep one: a peer applies a single fault.");
        }

        @Test
        @DisplayName("two scripts for one peer")
        void twoScripts() {
            assertConfigurationError(TwoScriptsTestCases.class, "@PeerScript is present 2 times"
                    + onTest(TwoScriptsTestCases.class) + "@PeerScript(echo = true), @PeerScript(greeting ="
                    + " \"hi\"). Keep one: a peer has a single script (@PeerScript, or @ProxyTo for a proxy)."
                    + " To give several peers their own, set a different `peer` on each.");
        }
    }

    @Nested
    @DisplayName("fields")
    class Fields {

        @Test
        @DisplayName("a peer name on a field")
        void peerOnField() {
            assertConfigurationError(PeerOnFieldTestCases.class, "@ForceResetAfter(peer = \"db\", bytes = 1) on"
                    + " [field dev.misbehave.MisbehavingPeer " + OUTER + "PeerOnFieldTestCases.payments]: `peer` ="
                    + " \"db\" must be empty on a field: the field's name, payments, names its peer. Remove"
                    + " peer, and use @PeerName(\"payments\") on a parameter that wants this peer.");
        }

        @Test
        @DisplayName("a field of another type")
        void wrongType() {
            assertConfigurationError(WrongTypeFieldTestCases.class, "@ForceResetAfter(bytes = 1) on [field"
                    + " java.lang.String " + OUTER + "WrongTypeFieldTestCases.peer]: the field's type is"
                    + " java.lang.String, but only a field of type MisbehavingPeer can receive a peer. Declare"
                    + " it as MisbehavingPeer peer.");
        }

        @Test
        @DisplayName("a static field of another type fails the class")
        void wrongTypeStatic() {
            EngineRunner.run(WrongTypeStaticFieldTestCases.class).containerEvents().assertThatEvents().haveExactly(1,
                    event(container(WrongTypeStaticFieldTestCases.class),
                            finishedWithFailure(instanceOf(ExtensionConfigurationException.class), message(
                                    "@StallAfter(bytes = 1) on [field static java.lang.Object " + OUTER
                                            + "WrongTypeStaticFieldTestCases.peer]: the field's type is"
                                            + " java.lang.Object, but only a field of type MisbehavingPeer can"
                                            + " receive a peer. Declare it as MisbehavingPeer peer."))));
        }

        @Test
        @DisplayName("a final field")
        void finalField() {
            assertConfigurationError(FinalFieldTestCases.class, "@ForceResetAfter(bytes = 1) on [field final"
                    + " dev.misbehave.MisbehavingPeer " + OUTER + "FinalFieldTestCases.peer]: the field is"
                    + " final, so the peer cannot be assigned to it. Remove final.");
        }

        @Test
        @DisplayName("a field and an annotation that claim the same name")
        void nameTwice() {
            assertConfigurationError(NameTwiceTestCases.class, "Peer \"db\" is declared twice for [method "
                    + PREFIX + "NameTwiceTestCases.test()]: by @ForceResetAfter(peer = \"db\", bytes = 1) and by"
                    + " field dev.misbehave.MisbehavingPeer " + OUTER + "NameTwiceTestCases.db. A field's name"
                    + " is its peer's name; rename the field or change the annotation's `peer`.");
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
                            + " annotation applies to this test. Annotate the test method or its class with a"
                            + " fault such as @ForceResetAfter(bytes = ...), or with @PeerScript (or @ProxyTo)"
                            + " for a well-behaved peer, to start a peer.");
        }

        @Test
        @DisplayName("@PeerName with a name no annotation declares lists the declared names")
        void unknownName() {
            assertFailure(UnknownNameTestCases.class, "test", ParameterResolutionException.class,
                    "The MisbehavingPeer parameter (index 0) of [" + PREFIX
                            + "UnknownNameTestCases.test(dev.misbehave.MisbehavingPeer)] asks for peer \"dbb\""
                            + " (@PeerName(\"dbb\")), but this test declares only \"cache\", \"db\". Use @PeerName"
                            + " with one of those names, or declare \"dbb\" with an annotation whose `peer` ="
                            + " \"dbb\".");
        }

        @Test
        @DisplayName("a parameter without @PeerName when only named peers exist")
        void unnamedParameter() {
            assertFailure(OnlyNamedPeersTestCases.class, "test", ParameterResolutionException.class,
                    "The MisbehavingPeer parameter (index 0) of [" + PREFIX
                            + "OnlyNamedPeersTestCases.test(dev.misbehave.MisbehavingPeer)] has no @PeerName, so it"
                            + " asks for the peer named \"\", but this test declares only \"db\". Use @PeerName"
                            + " with one of those names, or declare \"\" with an annotation whose `peer` = \"\".");
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
