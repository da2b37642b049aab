package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.Connections;
import dev.misbehave.Delay;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceHalfCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.PeerScript;
import dev.misbehave.ProxyTo;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.Slice;
import dev.misbehave.StallAfter;
import dev.misbehave.Throttle;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.Event;

/**
 * The values that once stood for "unset" ({@code -1} for a trigger, a request length or a port,
 * {@code 0} for a schedule or a number of random bytes) are values like any other now: written, each
 * is reported as what it is, with its value. The defaults that stand for "unset" are values no one
 * writes ({@code AnnotationConsistencyTests} checks that).
 */
@DisplayName("A value that once meant \"unset\" is reported like any other bad value")
class UnsetDefaultsTests {

    private static final String ON = " on [method void " + FormerSentinelTestCases.class.getName() + ".";

    @Test
    @DisplayName("-1 for a trigger, a request length or a port, 0 for a schedule or random bytes: each named with its value")
    void eachIsReportedWithItsValue() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("resetBytes", "@ForceResetAfter(bytes = -1)" + ON + "resetBytes()]: `bytes` = -1 is negative. Use 0"
                + " to reset as soon as the connection is accepted, or N to reset after the client has sent N bytes.");
        expected.put("closeIdle", "@ForceCloseAfter(idleMillis = -1)" + ON + "closeIdle()]: `idleMillis` = -1 is"
                + " negative. Use 1 or more: how many milliseconds the client must have sent nothing before the"
                + " fault fires.");
        expected.put("stallMillis", "@StallAfter(millis = -1)" + ON + "stallMillis()]: `millis` = -1 is negative. Use"
                + " 1 or more: how many milliseconds after the accept the fault fires. Use bytes = 0 to stall as soon"
                + " as the connection is accepted.");
        expected.put("halfCloseExchanges", "@ForceHalfCloseAfter(exchanges = -1)" + ON + "halfCloseExchanges()]:"
                + " `exchanges` = -1 is negative. Use 1 or more: how many requests the peer answers before the"
                + " fault fires. Use bytes = 1 to half-close on the first byte of the first request.");
        expected.put("garbageRandomBytes", "@SendGarbageAfter(bytes = 0, randomBytes = 0)" + ON
                + "garbageRandomBytes()]: `randomBytes` = 0 must be 1 or more, or set `text` instead.");
        expected.put("delayBytes", "@Delay(bytes = -1, firstMillis = 100)" + ON + "delayBytes()]: `bytes` = -1 is"
                + " negative. Use N to delay after the client has received N bytes, or remove bytes to delay from"
                + " the accept on.");
        expected.put("throttleIdle", "@Throttle(idleMillis = -1, bytesPerSecond = 1000)" + ON + "throttleIdle()]:"
                + " `idleMillis` = -1 is negative. Use 1 or more: how many milliseconds the client must have sent"
                + " nothing before the fault fires.");
        expected.put("sliceMillis", "@Slice(millis = -1, pieceBytes = 10)" + ON + "sliceMillis()]: `millis` = -1 is"
                + " negative. Use 1 or more: how many milliseconds after the accept the fault fires. Remove millis"
                + " to slice from the accept on.");
        expected.put("sliceExchanges", "@Slice(exchanges = -1, pieceBytes = 10)" + ON + "sliceExchanges()]:"
                + " `exchanges` = -1 is negative. Use 1 or more: how many requests the peer answers before the"
                + " fault fires. Remove exchanges to slice from the accept on.");
        for (String name : new String[] {"first", "only", "every", "allButFirst"}) {
            expected.put("connections" + name, "@ForceResetAfter(bytes = 0, connections = @Connections(" + name
                    + " = 0))" + ON + "connections" + name + "()]: `connections." + name + "` = 0 must be 1 or"
                    + " more: connections are counted from 1 (the journal's index 0 is connection 1). Remove "
                    + name + " to apply the fault to every connection.");
        }
        expected.put("requestLength", "@PeerScript(requestLength = -1, response = \"ok\")" + ON + "requestLength()]:"
                + " `requestLength` = -1 is negative. Use 1 or more: the length of every request, in bytes. For"
                + " requests that end with a delimiter, set requestEndsWith instead.");
        expected.put("proxyPort", "@ProxyTo(port = -1)" + ON + "proxyPort()]: `port` = -1 is negative, not a TCP"
                + " port. Give the port the server listens on, 1 to 65535.");

        Map<String, String> failures = new LinkedHashMap<>();
        for (Event event : EngineRunner.run(FormerSentinelTestCases.class).testEvents().failed().list()) {
            Throwable thrown = event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
            assertThat(thrown).isInstanceOf(ExtensionConfigurationException.class);
            String method = ((MethodSource) event.getTestDescriptor().getSource().orElseThrow()).getMethodName();
            failures.put(method, thrown.getMessage());
        }
        assertThat(failures).containsExactlyInAnyOrderEntriesOf(expected);
    }

    private static void mustNotRun() {
        throw new AssertionError("must not run");
    }

    static class FormerSentinelTestCases {
        @Test @ForceResetAfter(bytes = -1) void resetBytes() { mustNotRun(); }
        @Test @ForceCloseAfter(idleMillis = -1) void closeIdle() { mustNotRun(); }
        @Test @StallAfter(millis = -1) void stallMillis() { mustNotRun(); }
        @Test @ForceHalfCloseAfter(exchanges = -1) void halfCloseExchanges() { mustNotRun(); }
        @Test @SendGarbageAfter(bytes = 0, randomBytes = 0) void garbageRandomBytes() { mustNotRun(); }
        @Test @Delay(bytes = -1, firstMillis = 100) void delayBytes() { mustNotRun(); }
        @Test @Throttle(idleMillis = -1, bytesPerSecond = 1000) void throttleIdle() { mustNotRun(); }
        @Test @Slice(millis = -1, pieceBytes = 10) void sliceMillis() { mustNotRun(); }
        @Test @Slice(exchanges = -1, pieceBytes = 10) void sliceExchanges() { mustNotRun(); }
        @Test @ForceResetAfter(bytes = 0, connections = @Connections(first = 0)) void connectionsfirst() { mustNotRun(); }
        @Test @ForceResetAfter(bytes = 0, connections = @Connections(only = 0)) void connectionsonly() { mustNotRun(); }
        @Test @ForceResetAfter(bytes = 0, connections = @Connections(every = 0)) void connectionsevery() { mustNotRun(); }
        @Test @ForceResetAfter(bytes = 0, connections = @Connections(allButFirst = 0))
        void connectionsallButFirst() { mustNotRun(); }
        @Test @PeerScript(requestLength = -1, response = "ok") void requestLength() { mustNotRun(); }
        @Test @ProxyTo(port = -1) void proxyPort() { mustNotRun(); }
    }
}
