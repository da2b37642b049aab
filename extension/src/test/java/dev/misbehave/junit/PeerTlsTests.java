package dev.misbehave.junit;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Ending;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.HttpsURLConnection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.testkit.engine.EngineExecutionResults;

@Timeout(60)
@DisplayName("@PeerScript(tls = true) through the Jupiter engine")
// one test at a time: the fixtures report through SEEN, and two of them use the key "served" (in
// parallel mode the terminating proxy's record overwrote the plain one's, CI 2026-12-07)
@org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.SAME_THREAD)
class PeerTlsTests {

    static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    static final Duration WAIT = Duration.ofSeconds(10);

    /** What each fixture's peer journalled, by fixture name. */
    static final Map<String, ConnectionRecord> SEEN = new ConcurrentHashMap<>();

    @Test
    @DisplayName("serves HTTPS that the JDK HttpClient and HttpsURLConnection verify, host name included, "
            + "and a reset or close after N bytes reaches them as a reset or a clean end")
    void throughTheEngine() {
        EngineExecutionResults results = EngineRunner.run(HttpsTestCases.class);
        results.testEvents().assertStatistics(stats -> stats.started(4).succeeded(4));

        assertThat(new String(SEEN.get("served").received(), UTF_8)).startsWith("GET /hello HTTP/1.1\r\n");
        assertThat(new String(SEEN.get("served").sent(), UTF_8)).isEqualTo(OK);
        assertThat(SEEN.get("reset").receivedCount()).isEqualTo(10);
        assertThat(new String(SEEN.get("reset").received(), UTF_8)).isEqualTo("GET /hello");
        assertThat(SEEN.get("reset").ending()).isEqualTo(Ending.PEER_RESET);
        assertThat(SEEN.get("resetUrlConnection").ending()).isEqualTo(Ending.PEER_RESET);
        assertThat(SEEN.get("closed").sentCount()).isEqualTo(20);
        assertThat(SEEN.get("closed").ending()).isEqualTo(Ending.PEER_CLOSED);
    }

    @Test
    @DisplayName("closeNotify = false truncates a TLS connection, and on a plain peer fails before any socket opens")
    void truncation() {
        EngineRunner.run(TruncationTestCases.class).testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        assertThat(SEEN.get("truncated").ending()).isEqualTo(Ending.PEER_CLOSED);
        assertThat(SEEN.get("truncated").sentCount()).isEqualTo(20);
        EngineRunner.run(PlainTruncationTestCases.class).testEvents().assertThatEvents().haveExactly(1,
                org.junit.platform.testkit.engine.EventConditions.finishedWithFailure(
                        org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf(
                                org.junit.jupiter.api.extension.ExtensionConfigurationException.class),
                        org.junit.platform.testkit.engine.TestExecutionResultConditions.message(message -> message.endsWith(
                                "`closeNotify` = false ends a TLS connection without close_notify, but the peer is"
                                        + " plain TCP. Add @PeerScript(tls = true) for the peer, or remove closeNotify."))));
    }

    @Test
    @DisplayName("handshake = a stage: a reset on the ClientHello and an alert reach the JDK HttpClient as they would"
            + " from a real server, and the journal records the stage")
    void handshakeStages() {
        EngineExecutionResults results = EngineRunner.run(HandshakeTestCases.class);
        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
        assertThat(SEEN.get("helloReset").firedTrigger()).hasValue(
                dev.misbehave.Trigger.onHandshake(dev.misbehave.HandshakeStage.CLIENT_HELLO));
        assertThat(SEEN.get("helloReset").ending()).isEqualTo(Ending.PEER_RESET);
        assertThat(SEEN.get("alert").ending()).isEqualTo(Ending.PEER_CLOSED);
        assertThat(SEEN.get("alert").fault().orElseThrow().effect())
                .isEqualTo(dev.misbehave.Effect.alert(dev.misbehave.TlsAlert.UNRECOGNIZED_NAME));
    }

    /** One client for every fixture: each HttpClient keeps a selector thread until it is collected. */
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(Tls.generated().clientContext())
            .connectTimeout(WAIT)
            .build();

    static HttpClient client() {
        return CLIENT;
    }

    static HttpRequest get(MisbehavingPeer peer) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + peer.port() + "/hello")).timeout(WAIT).build();
    }

    @Test
    @DisplayName("corruptRecord = true: the client reads the bytes before it, then its TLS layer fails with 'Tag mismatch'")
    void corruptRecord() {
        EngineRunner.run(CorruptRecordTestCases.class).testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        assertThat(SEEN.get("corrupted").sentCount()).isEqualTo(20);
        assertThat(SEEN.get("corrupted").ending()).isEqualTo(Ending.PEER_CLOSED);
        assertThat(SEEN.get("corrupted").fault().orElseThrow().effect()).isEqualTo(dev.misbehave.Effect.corruptRecord());
    }

    @Test
    @DisplayName("@ProxyTo(tls = true, upstreamTls = TRUSTING_GENERATED) in front of a JDK HttpsServer: a reset"
            + " after 1,000 plaintext bytes of its answer")
    void terminatingProxy() {
        EngineRunner.run(TerminatingProxyTestCases.class).testEvents()
                .assertStatistics(stats -> stats.started(2).succeeded(2));
        assertThat(SEEN.get("terminated").sentCount()).isEqualTo(1_000);
        assertThat(SEEN.get("terminated").ending()).isEqualTo(Ending.PEER_RESET);
        assertThat(SEEN.get("terminated").tls().orElseThrow().handshakeCompleted()).isTrue();
        assertThat(SEEN.get("terminated").upstream().orElseThrow().receivedCount()).isGreaterThanOrEqualTo(1_000);
        assertThat(SEEN.get("served").upstream().orElseThrow().failure()).isEmpty();
    }

    static class TerminatingProxyTestCases {
        static com.sun.net.httpserver.HttpsServer server;

        @org.junit.jupiter.api.BeforeAll
        static void startServer() throws IOException {
            server = com.sun.net.httpserver.HttpsServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(Tls.generated().serverContext()));
            server.createContext("/", exchange -> {
                byte[] body = new byte[100_000];
                exchange.sendResponseHeaders(200, body.length);
                try (var out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }

        @org.junit.jupiter.api.AfterAll
        static void stopServer() {
            server.stop(0);
        }

        static java.net.InetSocketAddress server() {
            return new java.net.InetSocketAddress("localhost", server.getAddress().getPort());
        }

        @Test
        @dev.misbehave.ProxyTo(value = "server", tls = true, upstreamTls = dev.misbehave.ProxyTo.UpstreamTrust.TRUSTING_GENERATED)
        @ForceResetAfter(bytes = 1_000, direction = dev.misbehave.Direction.DOWNSTREAM)
        void terminated(MisbehavingPeer peer) throws Exception {
            HttpClient client = HttpClient.newBuilder().sslContext(Tls.generated().clientContext()).build();
            assertThatThrownBy(() -> client.send(get(peer), HttpResponse.BodyHandlers.ofByteArray()))
                    .is(connectionReset());
            SEEN.put("terminated", peer.awaitConnections(1, WAIT).get(0));
        }

        @Test
        @dev.misbehave.ProxyTo(value = "server", tls = true, upstreamTls = dev.misbehave.ProxyTo.UpstreamTrust.TRUSTING_GENERATED)
        void served(MisbehavingPeer peer) throws Exception {
            HttpClient client = HttpClient.newBuilder().sslContext(Tls.generated().clientContext()).build();
            assertThat(client.send(get(peer), HttpResponse.BodyHandlers.ofByteArray()).body()).hasSize(100_000);
            SEEN.put("served", peer.connections().get(0)); // still open: the client pools it
        }
    }

    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", response = OK)
    static class CorruptRecordTestCases {

        @Test
        @dev.misbehave.SendGarbageAfter(bytes = 20, direction = dev.misbehave.Direction.DOWNSTREAM, corruptRecord = true)
        void corrupted(MisbehavingPeer peer) throws Exception {
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) Tls.generated().clientContext()
                    .getSocketFactory().createSocket("localhost", peer.port())) {
                socket.setSoTimeout((int) WAIT.toMillis());
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(UTF_8));
                byte[] head = socket.getInputStream().readNBytes(20);
                assertThat(new String(head, UTF_8)).isEqualTo(OK.substring(0, 20));
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> socket.getInputStream().read()))
                        .isInstanceOf(javax.net.ssl.SSLException.class).hasMessageContaining("Tag mismatch");
            }
            SEEN.put("corrupted", peer.awaitConnections(1, WAIT).get(0));
        }
    }

    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", response = OK)
    static class TruncationTestCases {

        @Test
        @ForceCloseAfter(bytes = 20, direction = dev.misbehave.Direction.DOWNSTREAM, closeNotify = false)
        void truncated(MisbehavingPeer peer) throws Exception {
            // the JDK's SSLSocket reads a truncation as an end of stream, as it reads a close_notify
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) Tls.generated().clientContext()
                    .getSocketFactory().createSocket("localhost", peer.port())) {
                socket.setSoTimeout((int) WAIT.toMillis());
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(UTF_8));
                assertThat(new String(socket.getInputStream().readAllBytes(), UTF_8)).isEqualTo(OK.substring(0, 20));
            }
            SEEN.put("truncated", peer.awaitConnections(1, WAIT).get(0));
        }
    }

    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", response = OK)
    static class HandshakeTestCases {

        @Test
        @ForceResetAfter(handshake = dev.misbehave.HandshakeStage.CLIENT_HELLO)
        void helloReset(MisbehavingPeer peer) {
            assertThatThrownBy(() -> client().send(get(peer), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class)
                    .is(connectionReset());
            SEEN.put("helloReset", peer.awaitConnections(1, WAIT).get(0));
        }

        @Test
        @ForceCloseAfter(handshake = dev.misbehave.HandshakeStage.CLIENT_HELLO,
                alert = dev.misbehave.TlsAlert.UNRECOGNIZED_NAME)
        void alert(MisbehavingPeer peer) {
            assertThatThrownBy(() -> client().send(get(peer), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(javax.net.ssl.SSLHandshakeException.class)
                    .is(dev.misbehave.assertj.ConnectionConditions.tlsHandshakeFailed())
                    .hasMessageContaining("Received fatal alert: unrecognized_name");
            SEEN.put("alert", peer.awaitConnections(1, WAIT).get(0));
        }
    }

    static class PlainTruncationTestCases {

        @Test
        @PeerScript(requestEndsWith = "\r\n\r\n", response = OK)
        @ForceCloseAfter(bytes = 20, direction = dev.misbehave.Direction.DOWNSTREAM, closeNotify = false)
        void plain(MisbehavingPeer peer) {
            // never runs: the peer cannot be planned
        }
    }

    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", response = OK)
    static class HttpsTestCases {

        @Test
        void served(MisbehavingPeer peer) throws Exception {
            HttpResponse<String> response = client().send(get(peer), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("ok");
            SEEN.put("served", peer.connections().get(0)); // still open: the client pools it
        }

        @Test
        @ForceResetAfter(bytes = 10)
        void reset(MisbehavingPeer peer) {
            assertThatThrownBy(() -> client().send(get(peer), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class)
                    .is(connectionReset());
            SEEN.put("reset", peer.awaitConnections(1, WAIT).get(0));
        }

        @Test
        @ForceResetAfter(bytes = 10)
        void resetUrlConnection(MisbehavingPeer peer) throws Exception {
            HttpsURLConnection connection = (HttpsURLConnection) URI.create("https://localhost:" + peer.port() + "/hello")
                    .toURL().openConnection();
            connection.setSSLSocketFactory(Tls.generated().clientContext().getSocketFactory());
            connection.setReadTimeout((int) WAIT.toMillis());
            assertThatThrownBy(connection::getResponseCode).isInstanceOf(IOException.class).is(connectionReset());
            SEEN.put("resetUrlConnection", peer.awaitConnections(1, WAIT).get(0));
        }

        @Test
        @ForceCloseAfter(bytes = 20, direction = dev.misbehave.Direction.DOWNSTREAM)
        void closed(MisbehavingPeer peer) throws Exception {
            // a close_notify, then a FIN, after 20 bytes of the head: the client's read ends cleanly, mid-head
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) Tls.generated().clientContext()
                    .getSocketFactory().createSocket("localhost", peer.port())) {
                socket.setSoTimeout((int) WAIT.toMillis());
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(UTF_8));
                InputStream in = socket.getInputStream();
                assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo(OK.substring(0, 20));
            }
            SEEN.put("closed", peer.awaitConnections(1, WAIT).get(0));
        }
    }
}
