package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.misbehave.Connections;
import dev.misbehave.Delay;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.PeerScript;
import dev.misbehave.ProxyTo;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.Slice;
import dev.misbehave.Throttle;
import dev.misbehave.testing.DocOutputs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The table of docs/misconfiguration.md is this class's catalogue with the messages the engine
 * gives: every row is a fixture run through the Jupiter engine (all of them in one run, in
 * parallel mode). The table these runs produce is captured as the output {@code
 * misconfiguration-table} ({@link DocOutputs}); the docs module's check, later in the build, fails
 * when the page's table differs from it, and {@code -Ddocs.update=true} rewrites it there.
 */
@DisplayName("docs/misconfiguration.md lists every misconfiguration with the message the engine gives")
class MisconfigurationTableTests {

    /** Stands for a fixture's class in the page, as a user's test class would appear. */
    private static final String USER_CLASS = "com.example.OrderTests";

    /** One misconfiguration: the fixture that makes it, and how the page describes it. */
    record Row(Class<?> fixture, String annotation, String attribute, String value, Map<String, String> configuration) {}

    private static Row row(Class<?> fixture, String annotation, String attribute, String value) {
        return new Row(fixture, annotation, attribute, value, Map.of());
    }

    private static Row parameter(String key, String value) {
        return new Row(MisconfigurationTests.ConfiguredTestCases.class, "`junit-platform.properties`", "`" + key + "`",
                "`" + value + "`", Map.of(key, value));
    }

    private static final String TERMINAL = "`@ForceResetAfter`, `@ForceCloseAfter`, `@ForceHalfCloseAfter`,"
            + " `@StallAfter`, `@SendGarbageAfter`";
    private static final String SHAPING = "`@Delay`, `@Throttle`, `@Slice`";
    /** The annotations that take a trigger. */
    private static final String WITH_TRIGGER = TERMINAL + ", " + SHAPING;

    /** Every misconfiguration the extension detects, in the page's order. */
    static final List<Row> ROWS = List.of(
            // the trigger of a terminal fault
            row(MisconfigurationTests.NoTriggerTestCases.class, TERMINAL, "`bytes`, `pattern`, `idleMillis`,"
                    + " `millis`, `exchanges`", "none set"),
            row(MisconfigurationTests.TwoTriggersTestCases.class, WITH_TRIGGER, "two of the triggers",
                    "`bytes = 4, pattern = \"\\r\\n\"`"),
            row(MisconfigurationTests.ThreeTriggersTestCases.class, WITH_TRIGGER, "three of the triggers",
                    "`idleMillis = 10, millis = 20, exchanges = 1`"),
            row(MisconfigurationTests.NegativeBytesTestCases.class, TERMINAL, "`bytes`", "`-5` (negative)"),
            row(MisconfigurationTests.NegativeDownstreamTestCases.class, TERMINAL, "`bytes` with `direction ="
                    + " DOWNSTREAM`", "`-2` (negative)"),
            row(MisconfigurationTests.OccurrenceWithoutPatternTestCases.class, WITH_TRIGGER, "`occurrence`",
                    "`2` without `pattern`"),
            row(MisconfigurationTests.OccurrenceZeroTestCases.class, WITH_TRIGGER, "`occurrence`", "`0` (less than 1)"),
            row(MisconfigurationTests.IdleZeroTestCases.class, WITH_TRIGGER, "`idleMillis`", "`0` (less than 1)"),
            row(MisconfigurationTests.MillisZeroTestCases.class, TERMINAL, "`millis`", "`0` (less than 1)"),
            row(MisconfigurationTests.ExchangesZeroTestCases.class, TERMINAL, "`exchanges`", "`0` (less than 1)"),
            row(MisconfigurationTests.DirectionWithMillisTestCases.class, TERMINAL, "`direction`",
                    "`DOWNSTREAM` with a `millis` trigger"),
            row(MisconfigurationTests.NegativeOnClassTestCases.class, TERMINAL + " on a class", "`bytes`",
                    "`-5` (negative)"),
            row(MisconfigurationTests.BadComposedTestCases.class, TERMINAL + " in a composed annotation", "`bytes`",
                    "`-2` (negative)"),
            // the trigger of a shaping fault (none: it shapes from the accept on)
            row(NegativeShapingBytesTestCases.class, SHAPING, "`bytes`", "`-1` (negative)"),
            row(ShapingMillisZeroTestCases.class, SHAPING, "`millis`, `exchanges`", "`0` (less than 1)"),
            // a trigger the peer's script can never reach
            row(MisconfigurationTests.ExchangesWithSilentScriptTestCases.class, TERMINAL, "`exchanges`",
                    "any, on a peer that does not respond"),
            row(MisconfigurationTests.DownstreamOnSilentPeerTestCases.class, TERMINAL, "`bytes` with `direction ="
                    + " DOWNSTREAM`", "any above 0, on a peer that sends nothing"),
            row(MisconfigurationTests.DelayOnSilentPeerTestCases.class, "`@Delay`, `@Throttle`, `@Slice`",
                    "`direction`", "`DOWNSTREAM` (the default), on a peer that sends nothing"),
            row(ProxyToTests.ExchangesTestCases.class, TERMINAL, "`exchanges`",
                    "any, on a `@ProxyTo` without `requestEndsWith`"),
            // garbage
            row(MisconfigurationTests.NoGarbageTestCases.class, "`@SendGarbageAfter`", "`text`, `randomBytes`",
                    "neither set"),
            row(MisconfigurationTests.BothGarbageTestCases.class, "`@SendGarbageAfter`", "`text`, `randomBytes`",
                    "both set"),
            row(MisconfigurationTests.NegativeRandomTestCases.class, "`@SendGarbageAfter`", "`randomBytes`",
                    "`-3` (negative)"),
            row(ZeroRandomTestCases.class, "`@SendGarbageAfter`", "`randomBytes`", "`0` (less than 1)"),
            row(TooMuchRandomTestCases.class, "`@SendGarbageAfter`", "`randomBytes`",
                    "`16777217` (more than 16 MiB)"),
            row(MisconfigurationTests.SeedWithTextTestCases.class, "`@SendGarbageAfter`", "`seed`",
                    "`7` with `text`"),
            // schedules
            row(MisconfigurationTests.TwoSchedulesTestCases.class, "every fault", "`connections`",
                    "`@Connections(first = 1, every = 2)`"),
            row(MisconfigurationTests.NegativeScheduleTestCases.class, "every fault", "`connections`",
                    "`@Connections(only = -1)`"),
            row(ZeroScheduleTestCases.class, "every fault", "`connections`",
                    "`@Connections(first = 0)` (connections are counted from 1)"),
            row(MisconfigurationTests.RefuseWithScheduleTestCases.class, "`@RefuseConnections`", "`connections`",
                    "any schedule"),
            row(MisconfigurationTests.NeverAcceptWithScheduleTestCases.class, "`@NeverAccept`", "`connections`",
                    "any schedule"),
            // shaping
            row(MisconfigurationTests.DelayNothingTestCases.class, "`@Delay`", "`firstMillis`, `perChunkMillis`",
                    "both `0`"),
            row(MisconfigurationTests.NegativeDelayTestCases.class, "`@Delay`", "`firstMillis`, `perChunkMillis`",
                    "`-1` (negative)"),
            row(MisconfigurationTests.ThrottleZeroTestCases.class, "`@Throttle`", "`bytesPerSecond`",
                    "`0` (less than 1)"),
            row(SliceOldBytesTestCases.class, "`@Slice`", "`bytes`",
                    "`1000` without `pieceBytes` (`bytes` was the piece size; it is the trigger now)"),
            row(SliceNoPieceTestCases.class, "`@Slice`", "`pieceBytes`", "not set"),
            row(MisconfigurationTests.SliceZeroTestCases.class, "`@Slice`", "`pieceBytes`", "`0` (less than 1)"),
            row(MisconfigurationTests.NegativeGapTestCases.class, "`@Slice`", "`gapMillis`", "`-5` (negative)"),
            // @PeerScript
            row(MisconfigurationTests.ResponseWithoutEndTestCases.class, "`@PeerScript`", "`response`",
                    "set without `requestEndsWith` or `requestLength`"),
            row(MisconfigurationTests.EndWithoutResponseTestCases.class, "`@PeerScript`", "`requestEndsWith`",
                    "set without a response"),
            row(MisconfigurationTests.LengthWithoutResponseTestCases.class, "`@PeerScript`", "`requestLength`",
                    "set without a response"),
            row(MisconfigurationTests.TwoEndsTestCases.class, "`@PeerScript`", "`requestEndsWith`, `requestLength`",
                    "both set"),
            row(MisconfigurationTests.LengthFieldAloneTestCases.class, "`@PeerScript`", "`lengthField`",
                    "set without `requestEndsWith`"),
            row(MisconfigurationTests.BlankLengthFieldTestCases.class, "`@PeerScript`", "`lengthField`",
                    "`\" \"` (blank)"),
            row(MisconfigurationTests.LengthZeroTestCases.class, "`@PeerScript`", "`requestLength`",
                    "`0` (less than 1)"),
            row(NegativeLengthTestCases.class, "`@PeerScript`", "`requestLength`", "`-1` (negative)"),
            row(MisconfigurationTests.EchoAndResponseTestCases.class, "`@PeerScript`", "`echo`",
                    "`true` with `response`"),
            row(MisconfigurationTests.ResponseAndResourceTestCases.class, "`@PeerScript`",
                    "`response`, `responseResource`", "both set"),
            row(MisconfigurationTests.MissingResourceTestCases.class, "`@PeerScript`", "`responseResource`",
                    "not on the class path"),
            row(MisconfigurationTests.EmptyResourceTestCases.class, "`@PeerScript`", "`responseResource`",
                    "an empty file"),
            row(DirectoryResourceTestCases.class, "`@PeerScript`", "`responseResource`", "a directory"),
            row(CertificateWithoutTlsTestCases.class, "`@PeerScript`", "`certificate`", "set without `tls = true`"),
            row(ClientCertificateWithoutTlsTestCases.class, "`@PeerScript`", "`clientCertificateRequired`",
                    "`true` without `tls = true`"),
            row(TruncationWithoutTlsTestCases.class, "`@ForceCloseAfter`", "`closeNotify`",
                    "`false`, on a peer without `tls = true`"),
            row(HandshakeWithoutTlsTestCases.class, WITH_TRIGGER, "`handshake`", "any stage, on a peer without"
                    + " `tls = true`"),
            row(AlertWithoutHelloTestCases.class, "`@ForceCloseAfter`", "`alert`", "with a trigger other than"
                    + " `handshake = CLIENT_HELLO`"),
            row(AlertAndTruncationTestCases.class, "`@ForceCloseAfter`", "`alert`, `closeNotify`",
                    "an alert with `closeNotify = false`"),
            row(CorruptRecordWithoutTlsTestCases.class, "`@SendGarbageAfter`", "`corruptRecord`",
                    "`true`, on a peer without `tls = true`"),
            row(CorruptRecordWithTextTestCases.class, "`@SendGarbageAfter`", "`corruptRecord`, `text`",
                    "both set (or with `randomBytes`, `seed`, `thenClose`)"),
            row(CorruptRecordAtHandshakeTestCases.class, "`@SendGarbageAfter`", "`corruptRecord`, `handshake`",
                    "any stage"),
            row(ShapingAtHandshakeTestCases.class, "`@ForceHalfCloseAfter`, `@Delay`, `@Throttle`, `@Slice`",
                    "`handshake`", "any stage"),
            // @ProxyTo
            row(ProxyToTests.BothTestCases.class, "`@ProxyTo`", "`value`, `port`", "both set"),
            row(ProxyToTests.NeitherTestCases.class, "`@ProxyTo`", "`value`, `port`", "neither set"),
            row(HostWithValueTestCases.class, "`@ProxyTo`", "`host`", "set with `value`"),
            row(BlankValueTestCases.class, "`@ProxyTo`", "`value`", "`\" \"` (blank)"),
            row(ProxyToTests.BadPortTestCases.class, "`@ProxyTo`", "`port`", "`70000` (not 1 to 65535)"),
            row(NegativePortTestCases.class, "`@ProxyTo`", "`port`", "`-1` (negative)"),
            row(UnknownHostTestCases.class, "`@ProxyTo`", "`host`", "a name that does not resolve"),
            row(ProxyToTests.LengthFieldTestCases.class, "`@ProxyTo`", "`lengthField`",
                    "set without `requestEndsWith`"),
            row(BlankProxyLengthFieldTestCases.class, "`@ProxyTo`", "`lengthField`", "`\" \"` (blank)"),
            row(ProxyToTests.NoSuchMemberTestCases.class, "`@ProxyTo`", "`value`", "names no field or method"),
            row(ProxyToTests.WrongTypeTestCases.class, "`@ProxyTo`", "`value`",
                    "names a member of a type that gives no address"),
            row(ProxyToTests.InstanceMemberStaticPeerTestCases.class, "`@ProxyTo` on a static field", "`value`",
                    "names an instance member"),
            // more than one per peer
            row(MisconfigurationTests.ResetAndStallTestCases.class, "two fault annotations", "`peer`",
                    "the same on one element"),
            row(MisconfigurationTests.DuplicateTestCases.class, "a fault, directly and through a composed annotation",
                    "`peer`", "the same on one element"),
            row(MisconfigurationTests.SameNameTestCases.class, "a repeated fault annotation", "`peer`",
                    "`\"db\"` twice on one element"),
            row(MisconfigurationTests.TwoScriptsTestCases.class, "a repeated `@PeerScript`", "`peer`",
                    "the same on one element"),
            row(ProxyToTests.ScriptAndProxyTestCases.class, "`@PeerScript` and `@ProxyTo`", "`peer`",
                    "the same on one element"),
            // fields
            row(MisconfigurationTests.PeerOnFieldTestCases.class, "any, on a field", "`peer`", "`\"db\"` (not empty)"),
            row(MisconfigurationTests.WrongTypeFieldTestCases.class, "any, on a field", "the field's type",
                    "`String`"),
            row(MisconfigurationTests.WrongTypeStaticFieldTestCases.class, "any, on a static field", "the field's type",
                    "`Object`"),
            row(MisconfigurationTests.FinalFieldTestCases.class, "any, on a field", "the field's modifiers", "`final`"),
            row(MisconfigurationTests.NameTwiceTestCases.class, "any, on a field and on the test", "the field's name,"
                    + " `peer`", "the same name"),
            // MisbehavingPeer parameters
            row(MisconfigurationTests.RegisteredByHandTestCases.class, "none (the extension registered by hand)",
                    "a `MisbehavingPeer` parameter", "no annotation declares a peer"),
            row(MisconfigurationTests.UnknownNameTestCases.class, "`@PeerName`", "`value`",
                    "`\"dbb\"` (no such peer)"),
            row(MisconfigurationTests.OnlyNamedPeersTestCases.class, "`@PeerName`", "`value`",
                    "missing, when only named peers exist"),
            row(MisconfigurationTests.BeforeAllTestCases.class, "a `MisbehavingPeer` parameter", "the method",
                    "`@BeforeAll`"),
            // configuration parameters
            parameter(Settings.QUIET_PERIOD, "fast"),
            parameter(Settings.CLOSE_TIMEOUT, "0"),
            parameter(Settings.BIND_ADDRESS, "no-such-host.invalid"),
            parameter(Settings.BIND_ADDRESS, "203.0.113.7"));

    @Test
    @DisplayName("each row's fixture fails with a configuration or parameter error; the table is captured for the page")
    void pageMatchesTheEngine() {
        String table = table(failures());
        assertThat(table.lines()).as("the table's lines: a header, its rule, one per row").hasSize(ROWS.size() + 2);
        DocOutputs.capture("misconfiguration-table", table);
    }

    @Test
    @DisplayName("no fixture appears twice, so each row is a different misconfiguration")
    void fixturesUnique() {
        assertThat(ROWS.stream().filter(r -> r.configuration().isEmpty()).map(Row::fixture))
                .doesNotHaveDuplicates();
        assertThat(ROWS.stream().map(Row::configuration).filter(c -> !c.isEmpty())).doesNotHaveDuplicates();
    }

    /** The failure of each row: one engine run per configuration, every fixture of it at once, in parallel. */
    private static Map<Row, Throwable> failures() {
        Map<Map<String, String>, List<Row>> byConfiguration = new LinkedHashMap<>();
        ROWS.forEach(row -> byConfiguration.computeIfAbsent(row.configuration(), c -> new ArrayList<>()).add(row));
        Map<Row, Throwable> failures = new LinkedHashMap<>();
        byConfiguration.forEach((configuration, rows) -> {
            EngineTestKit.Builder kit = EngineTestKit.engine("junit-jupiter")
                    .configurationParameters(configuration)
                    .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                    .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                    .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent");
            rows.forEach(row -> kit.selectors(selectClass(row.fixture())));
            List<Event> failed = kit.execute().allEvents().failed().list();
            for (Row row : rows) {
                List<Throwable> thrown = failed.stream()
                        .filter(event -> row.fixture().equals(classOf(event.getTestDescriptor().getSource())))
                        .map(event -> event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
                        .toList();
                assertThat(thrown).as("failures of %s", row.fixture().getName()).hasSize(1);
                failures.put(row, thrown.get(0));
            }
        });
        return failures;
    }

    private static Class<?> classOf(Optional<TestSource> source) {
        if (source.isPresent() && source.get() instanceof MethodSource method) {
            return method.getJavaClass();
        }
        if (source.isPresent() && source.get() instanceof ClassSource type) {
            return type.getJavaClass();
        }
        return null;
    }

    private static String table(Map<Row, Throwable> failures) {
        StringBuilder table = new StringBuilder()
                .append("| Annotation | Attribute | Bad value | Fails as | Message |\n")
                .append("|---|---|---|---|---|\n");
        for (Row row : ROWS) {
            Throwable thrown = failures.get(row);
            String type;
            if (thrown instanceof ExtensionConfigurationException) {
                type = "configuration";
            } else if (thrown instanceof ParameterResolutionException) {
                type = "parameter";
            } else {
                throw new AssertionError(row.fixture().getName() + " failed with " + thrown, thrown);
            }
            String message = thrown.getMessage().replace(row.fixture().getName(), USER_CLASS);
            table.append("| ").append(row.annotation())
                    .append(" | ").append(row.attribute())
                    .append(" | ").append(row.value())
                    .append(" | ").append(type)
                    .append(" | ").append(cell(message))
                    .append(" |\n");
        }
        return table.toString();
    }

    /** A message as a table cell: pipes escaped, nothing else changed. */
    private static String cell(String message) {
        assertThat(message).doesNotContain("\n");
        return message.replace("|", "\\|");
    }

    // ---- fixtures that MisconfigurationTests and ProxyToTests do not have ----

    private static void mustNotRun() {
        throw new AssertionError("must not run");
    }

    static class NegativeShapingBytesTestCases {
        @Test @PeerScript(echo = true) @Delay(bytes = -1, firstMillis = 100) void test() { mustNotRun(); }
    }

    static class ShapingMillisZeroTestCases {
        @Test @PeerScript(echo = true) @Throttle(millis = 0, bytesPerSecond = 1000) void test() { mustNotRun(); }
    }

    static class ZeroScheduleTestCases {
        @Test @ForceResetAfter(bytes = 0, connections = @Connections(first = 0)) void test() { mustNotRun(); }
    }

    static class CertificateWithoutTlsTestCases {
        @Test @PeerScript(certificate = dev.misbehave.Tls.Certificate.EXPIRED) void test() { mustNotRun(); }
    }

    static class ClientCertificateWithoutTlsTestCases {
        @Test @PeerScript(clientCertificateRequired = true) void test() { mustNotRun(); }
    }

    static class TruncationWithoutTlsTestCases {
        @Test @dev.misbehave.ForceCloseAfter(bytes = 10, closeNotify = false) void test() { mustNotRun(); }
    }

    static class HandshakeWithoutTlsTestCases {
        @Test @ForceResetAfter(handshake = dev.misbehave.HandshakeStage.CLIENT_HELLO) void test() { mustNotRun(); }
    }

    static class AlertWithoutHelloTestCases {
        @Test @PeerScript(tls = true)
        @dev.misbehave.ForceCloseAfter(bytes = 0, alert = dev.misbehave.TlsAlert.HANDSHAKE_FAILURE)
        void test() { mustNotRun(); }
    }

    static class AlertAndTruncationTestCases {
        @Test @PeerScript(tls = true)
        @dev.misbehave.ForceCloseAfter(handshake = dev.misbehave.HandshakeStage.CLIENT_HELLO,
                alert = dev.misbehave.TlsAlert.HANDSHAKE_FAILURE, closeNotify = false)
        void test() { mustNotRun(); }
    }

    static class CorruptRecordWithoutTlsTestCases {
        @Test @PeerScript(requestEndsWith = "\n", response = "ok")
        @SendGarbageAfter(bytes = 2, direction = dev.misbehave.Direction.DOWNSTREAM, corruptRecord = true)
        void test() { mustNotRun(); }
    }

    static class CorruptRecordWithTextTestCases {
        @Test @PeerScript(tls = true, requestEndsWith = "\n", response = "ok")
        @SendGarbageAfter(bytes = 2, direction = dev.misbehave.Direction.DOWNSTREAM, corruptRecord = true, text = "x")
        void test() { mustNotRun(); }
    }

    static class CorruptRecordAtHandshakeTestCases {
        @Test @PeerScript(tls = true, echo = true)
        @SendGarbageAfter(handshake = dev.misbehave.HandshakeStage.COMPLETED, corruptRecord = true)
        void test() { mustNotRun(); }
    }

    static class ShapingAtHandshakeTestCases {
        @Test @PeerScript(tls = true, echo = true)
        @dev.misbehave.Delay(handshake = dev.misbehave.HandshakeStage.COMPLETED, firstMillis = 100)
        void test() { mustNotRun(); }
    }

    static class ZeroRandomTestCases {
        @Test @SendGarbageAfter(bytes = 0, randomBytes = 0) void test() { mustNotRun(); }
    }

    /** What @Slice(bytes = N) meant before `bytes` became the trigger: a message says what to write now. */
    static class SliceOldBytesTestCases {
        @Test @PeerScript(echo = true) @Slice(bytes = 1000) void test() { mustNotRun(); }
    }

    static class SliceNoPieceTestCases {
        @Test @PeerScript(echo = true) @Slice(gapMillis = 5) void test() { mustNotRun(); }
    }

    static class NegativeLengthTestCases {
        @Test @PeerScript(requestLength = -1, response = "ok") void test() { mustNotRun(); }
    }

    static class NegativePortTestCases {
        @Test @ProxyTo(port = -1) void test() { mustNotRun(); }
    }

    /** Regression: the bytes were made at once, gigabytes of them for a large value. */
    static class TooMuchRandomTestCases {
        @Test @SendGarbageAfter(bytes = 0, randomBytes = 16 * 1024 * 1024 + 1) void test() { mustNotRun(); }
    }

    /** Regression: the class loader's listing of the directory was sent as the response. */
    static class DirectoryResourceTestCases {
        @Test @PeerScript(requestEndsWith = "\n", responseResource = "misbehave") void test() { mustNotRun(); }
    }

    static class HostWithValueTestCases {
        static int server;

        @Test @ProxyTo(value = "server", host = "localhost") void test() { mustNotRun(); }
    }

    static class BlankValueTestCases {
        @Test @ProxyTo(" ") void test() { mustNotRun(); }
    }

    static class UnknownHostTestCases {
        @Test @ProxyTo(host = "no-such-host.invalid", port = 80) void test() { mustNotRun(); }
    }

    static class BlankProxyLengthFieldTestCases {
        @Test @ProxyTo(port = 80, requestEndsWith = "\r\n\r\n", lengthField = " ") void test() { mustNotRun(); }
    }
}
