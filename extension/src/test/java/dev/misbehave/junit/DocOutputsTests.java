package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.testing.DocOutputs;
import dev.misbehave.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Producers of the docs' output blocks that the extension can show: each runs the real code (a
 * fixture through the Jupiter engine, or a programmatic peer), checks that the output is the kind
 * the doc describes, and captures it with {@link DocOutputs} for the docs module, which compares it
 * with the block {@code <!-- output: ID -->} of the same ID. Client ports are shown as PORT.
 */
@Timeout(60)
@DisplayName("The outputs the docs show, as the extension prints them")
class DocOutputsTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    @DisplayName("docs/reset-after-n-bytes.md, 'When a test fails': the failure report with the journal")
    void failureReport() {
        EngineExecutionResults results = EngineRunner.run(RetriedUploadTestCases.class);
        Throwable thrown = results.testEvents().failed().list().get(0)
                .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();

        assertThat(thrown).isInstanceOf(AssertionError.class);
        assertThat(thrown.getSuppressed()).singleElement()
                .isInstanceOf(MisbehaveExtension.JournalReport.class);
        // what the report says is the extension's text: the docs check compares it, whatever it is
        String report = DocOutputs.ports(DocOutputs.stackTrace(thrown));
        assertThat(report).contains("\tSuppressed: " + MisbehaveExtension.JournalReport.class.getName());
        DocOutputs.capture("reset-failure-report", report);
    }

    /** A user's test that expected one connection; its client tried twice. */
    static class RetriedUploadTestCases {
        @Test
        @ForceResetAfter(bytes = 16)
        void uploadIsNotRetried(MisbehavingPeer peer) throws Exception {
            for (int attempt = 1; attempt <= 2; attempt++) {
                try (Socket socket = new Socket(peer.host(), peer.port())) {
                    socket.setSoTimeout((int) WAIT.toMillis());
                    socket.getOutputStream().write("hello, this is an upload\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getInputStream().read();
                } catch (SocketException reset) {
                    // the client gives up on this connection and tries again
                }
            }
            assertThat(peer.connections()).hasSize(1);
        }
    }

    @Test
    @DisplayName("docs/proxy-mode.md: the journal line of a forwarded connection, with its leg to the server")
    void proxyJournalLine() throws Exception {
        try (TestServer server = TestServer.start(socket -> {
                    var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                    String request = in.readLine();
                    socket.getOutputStream().write("12.34\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    return in.read() < 0 ? request : "more";
                });
                MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(server.address()),
                        Fault.resetAfter(Direction.DOWNSTREAM, 3));
                Socket client = new Socket(peer.host(), peer.port())) {
            client.setSoTimeout((int) WAIT.toMillis());
            client.getOutputStream().write("QUOTE ACME\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = client.getInputStream().readNBytes(3);
            assertThat(new String(answer, StandardCharsets.US_ASCII)).isEqualTo("12.");
            assertThat(catchThrowable(() -> client.getInputStream().read())).isInstanceOf(SocketException.class);

            ConnectionRecord connection = peer.awaitConnections(1, WAIT).get(0);
            assertThat(connection.upstream()).hasValueSatisfying(leg -> assertThat(leg.sentCount()).isEqualTo(11));
            DocOutputs.capture("proxy-journal-line", DocOutputs.ports(connection.toString()));
        }
    }

    @Test
    @DisplayName("docs/configuration.md: a configuration parameter that is not a number of milliseconds")
    void badConfigurationParameter() {
        EngineExecutionResults results = EngineRunner.run(AnyPeerTestCases.class,
                Map.of("misbehave.awaitTimeoutMillis", "soon"));
        Throwable thrown = results.testEvents().failed().list().get(0)
                .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();

        assertThat(thrown).isInstanceOf(ExtensionConfigurationException.class);
        DocOutputs.capture("configuration-bad-parameter", thrown.getMessage());
    }

    static class AnyPeerTestCases {
        @Test
        @ForceResetAfter(bytes = 0)
        void test(MisbehavingPeer peer) {
            throw new AssertionError("must not run: the configuration is wrong");
        }
    }
}
