package dev.misbehave.internal;

import static dev.misbehave.testing.Sockets.readAll;
import static dev.misbehave.testing.Sockets.readExactly;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import dev.misbehave.Tls;
import dev.misbehave.Trigger;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.UpstreamTls;
import dev.misbehave.testing.Sockets.Read;
import java.io.IOException;
import java.net.SocketException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
@DisplayName("A terminating proxy: the client's TLS ends at the peer, which opens its own to the server")
class TerminatingProxyTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Tls TLS = Tls.generated();
    private static final byte[] BODY = PlanTests.body(64 * 1024);
    /** An HTTPS-like server: answers each line with 64 KiB over TLS. */
    private static final Script SERVER = Script.respond(RequestEnd.delimiter("\n"), BODY).withTls(TLS);
    private static final UpstreamTls TRUSTING_TLS = UpstreamTls.trusting(TLS.trustStore());

    private static Script.Forward proxyTo(MisbehavingPeer server) {
        return Script.forwardTo("localhost", server.port()).withTls(TLS).withUpstreamTls(TRUSTING_TLS);
    }

    @Test
    @DisplayName("forwards plaintext both ways, and counts plaintext on both legs")
    void forwardsPlaintext() throws IOException {
        try (MisbehavingPeer server = MisbehavingPeer.start(Script.respond(RequestEnd.delimiter("\n"), "PONG\n")
                        .withTls(TLS));
                MisbehavingPeer proxy = MisbehavingPeer.start(proxyTo(server));
                SSLSocket socket = TlsTests.connect(proxy)) {
            socket.getOutputStream().write("PING\n".getBytes(UTF_8));
            assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
            socket.close();
            ConnectionRecord atProxy = proxy.awaitConnections(1, WAIT).get(0);
            assertThat(new String(atProxy.received(), UTF_8)).isEqualTo("PING\n");
            assertThat(new String(atProxy.sent(), UTF_8)).isEqualTo("PONG\n");
            assertThat(atProxy.tls().orElseThrow().handshakeCompleted()).isTrue();
            assertThat(atProxy.upstream().orElseThrow().failure()).isEmpty();
            assertThat(atProxy.upstream().orElseThrow().receivedCount()).isEqualTo(5); // plaintext
            assertThat(server.awaitConnections(1, WAIT).get(0).receivedCount()).isEqualTo(5);
        }
    }

    @Test
    @DisplayName("a reset after 10,000 plaintext bytes of the server's answer reaches the client after exactly those")
    void resetCountsPlaintext() throws IOException {
        try (MisbehavingPeer server = MisbehavingPeer.start(SERVER);
                MisbehavingPeer proxy = MisbehavingPeer.start(proxyTo(server),
                        Fault.resetAfter(Direction.DOWNSTREAM, 10_000));
                SSLSocket socket = TlsTests.connect(proxy)) {
            socket.getOutputStream().write("GET\n".getBytes(UTF_8));
            Read read = readAll(socket);
            assertThat(read.bytes()).isEqualTo(Arrays.copyOf(BODY, 10_000));
            assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
            ConnectionRecord atProxy = proxy.awaitConnections(1, WAIT).get(0);
            assertThat(atProxy.sentCount()).isEqualTo(10_000);
            assertThat(atProxy.ending()).isEqualTo(Ending.PEER_RESET);
            assertThat(atProxy.upstream().orElseThrow().ending()).isEqualTo(UpstreamEnding.PEER_RESET);
        }
    }

    @Nested
    @DisplayName("the server's own TLS ending reaches the client as it was")
    class ServerEndings {

        private TlsTests.EngineClient.Read through(Fault atServer) throws IOException {
            try (MisbehavingPeer server = MisbehavingPeer.start(SERVER, atServer);
                    MisbehavingPeer proxy = MisbehavingPeer.start(proxyTo(server))) {
                return TlsTests.EngineClient.get(proxy, "GET\n");
            }
        }

        @Test
        @DisplayName("close_notify as close_notify")
        void closeNotify() throws IOException {
            TlsTests.EngineClient.Read read = through(Fault.closeAfter(Direction.DOWNSTREAM, 1_000));
            assertThat(read.plaintext()).isEqualTo(Arrays.copyOf(BODY, 1_000));
            assertThat(read.end()).isEqualTo("close_notify");
        }

        @Test
        @DisplayName("the server closes first, then the client with close_notify: both legs end")
        void serverFirstThenClient() throws IOException {
            try (MisbehavingPeer server = MisbehavingPeer.start(SERVER, Fault.closeAfter(Direction.DOWNSTREAM, 1_000));
                    MisbehavingPeer proxy = MisbehavingPeer.start(proxyTo(server))) {
                try (SSLSocket socket = TlsTests.connect(proxy)) {
                    socket.getOutputStream().write("GET\n".getBytes(UTF_8));
                    Read read = readAll(socket);
                    assertThat(read.bytes()).isEqualTo(Arrays.copyOf(BODY, 1_000));
                    assertThat(read.failure()).isNull();
                } // close_notify, then the FIN
                ConnectionRecord atProxy = proxy.awaitConnections(1, WAIT).get(0);
                assertThat(atProxy.ending()).isEqualTo(Ending.PEER_CLOSED); // the server's side closed first
                assertThat(atProxy.upstream().orElseThrow().ending()).isEqualTo(UpstreamEnding.SERVER_CLOSED);
            }
        }

        @Test
        @DisplayName("a FIN without close_notify as a FIN without close_notify")
        void truncation() throws IOException {
            TlsTests.EngineClient.Read read = through(new Fault(Effect.truncate(),
                    Trigger.afterBytes(Direction.DOWNSTREAM, 1_000)));
            assertThat(read.plaintext()).isEqualTo(Arrays.copyOf(BODY, 1_000));
            assertThat(read.end()).startsWith("truncated: ");
        }

        @Test
        @DisplayName("a reset as a reset, after what the server sent before it")
        void reset() throws IOException {
            try (MisbehavingPeer server = MisbehavingPeer.start(SERVER, Fault.resetAfter(Direction.DOWNSTREAM, 1_000));
                    MisbehavingPeer proxy = MisbehavingPeer.start(proxyTo(server));
                    SSLSocket socket = TlsTests.connect(proxy)) {
                socket.getOutputStream().write("GET\n".getBytes(UTF_8));
                Read read = readAll(socket);
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
                assertThat(read.bytes()).isEqualTo(Arrays.copyOf(BODY, read.bytes().length));
                ConnectionRecord atProxy = proxy.awaitConnections(1, WAIT).get(0);
                assertThat(atProxy.upstream().orElseThrow().ending()).isEqualTo(UpstreamEnding.SERVER_RESET);
                assertThat(atProxy.ending()).isEqualTo(Ending.PEER_RESET);
            }
        }

        @Test
        @DisplayName("a plain server's FIN as close_notify: the proxy is the TLS end the client talks to")
        void plainServer() throws IOException {
            try (MisbehavingPeer server = MisbehavingPeer.start(Script.respond(RequestEnd.delimiter("\n"), BODY),
                            Fault.closeAfter(Direction.DOWNSTREAM, 1_000));
                    MisbehavingPeer proxy = MisbehavingPeer.start(Script.forwardTo(server.address()).withTls(TLS))) {
                TlsTests.EngineClient.Read read = TlsTests.EngineClient.get(proxy, "GET\n");
                assertThat(read.plaintext()).isEqualTo(Arrays.copyOf(BODY, 1_000));
                assertThat(read.end()).isEqualTo("close_notify");
            }
        }
    }

    @Nested
    @DisplayName("which servers it trusts")
    class Trust {

        @Test
        @DisplayName("a server it does not trust is unreachable: the client is reset, the journal says why")
        void untrusted() throws IOException {
            try (MisbehavingPeer server = MisbehavingPeer.start(Script.respond(RequestEnd.delimiter("\n"), "PONG\n")
                            .withTls(Tls.generated(Tls.Certificate.UNTRUSTED_ISSUER)));
                    MisbehavingPeer proxy = MisbehavingPeer.start(proxyTo(server));
                    SSLSocket socket = TlsTests.connect(proxy)) {
                // the reset can meet the client's own handshake, or its first read
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> {
                    socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                    readExactly(socket, 5);
                })).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
                ConnectionRecord atProxy = proxy.awaitConnections(1, WAIT).get(0);
                assertThat(atProxy.upstream().orElseThrow().failure().orElseThrow())
                        .startsWith("the TLS handshake with 127.0.0.1:" + server.port() + " failed: ")
                        .contains("PKIX path");
                assertThat(atProxy.ending()).isEqualTo(Ending.PEER_RESET);
            }
        }

        @Test
        @DisplayName("a server whose certificate names another host is unreachable; trustingAll() takes it")
        void wrongHost() throws IOException {
            Script server = Script.respond(RequestEnd.delimiter("\n"), "PONG\n")
                    .withTls(Tls.generated(Tls.Certificate.WRONG_HOST));
            try (MisbehavingPeer wrong = MisbehavingPeer.start(server);
                    MisbehavingPeer checking = MisbehavingPeer.start(proxyTo(wrong));
                    MisbehavingPeer trustingAll = MisbehavingPeer.start(Script.forwardTo("localhost", wrong.port())
                            .withTls(TLS).withUpstreamTls(UpstreamTls.trustingAll()))) {
                try (SSLSocket socket = TlsTests.connect(checking)) {
                    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> {
                        socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                        readExactly(socket, 5);
                    })).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
                }
                assertThat(checking.awaitConnections(1, WAIT).get(0).upstream().orElseThrow().failure().orElseThrow())
                        .contains("No subject alternative DNS name matching localhost");
                try (SSLSocket socket = TlsTests.connect(trustingAll)) {
                    socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                    assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
                }
            }
        }

        @Test
        @DisplayName("an empty or unloaded trust store is refused with the fix")
        void badStores() throws Exception {
            KeyStore empty = KeyStore.getInstance("PKCS12");
            empty.load(null, null);
            assertThatThrownBy(() -> UpstreamTls.trusting(empty)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the trust store holds no trusted certificate entry, so the proxy would trust no"
                            + " server. Put the server's certificate or its authority in it"
                            + " (KeyStore.setCertificateEntry), or use UpstreamTls.trustingAll().");
            assertThatThrownBy(() -> UpstreamTls.trusting(KeyStore.getInstance("PKCS12")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the trust store cannot be read: ")
                    .hasMessageEndingWith(". Load it (KeyStore.load) before giving it.");
            assertThat(UpstreamTls.trusting(TLS.trustStore())).hasToString(
                    "upstream TLS (trusting 1 certificate, host name checked)");
            assertThat(Script.forwardTo("localhost", 1).withTls(TLS).withUpstreamTls(TRUSTING_TLS)).hasToString("forward to 127.0.0.1:1, terminating TLS,"
                    + " upstream TLS (trusting 1 certificate, host name checked)");
        }
    }

    @Nested
    @DisplayName("ALPN")
    class Alpn {

        private SSLSocket offering(MisbehavingPeer peer, String... protocols) throws IOException {
            SSLSocket socket = TlsTests.connect(peer);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(protocols);
            socket.setSSLParameters(parameters);
            return socket;
        }

        @Test
        @DisplayName("the peer chooses the first of its protocols the client offers, and journals it")
        void chooses() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.echo().withTls(TLS.withApplicationProtocols("h2")));
                    SSLSocket socket = offering(peer, "h2", "http/1.1")) {
                socket.startHandshake();
                assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
                socket.close();
                assertThat(peer.awaitConnections(1, WAIT).get(0).tls().orElseThrow().applicationProtocol()).hasValue("h2");
            }
        }

        @Test
        @DisplayName("a client that offers none of them gets no_application_protocol; one that offers no ALPN is served")
        void noOverlap() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.echo().withTls(TLS.withApplicationProtocols("h2")))) {
                try (SSLSocket socket = offering(peer, "http/1.1")) {
                    assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLException.class)
                            .hasMessageContaining("no_application_protocol");
                }
                try (SSLSocket socket = TlsTests.connect(peer)) {
                    socket.startHandshake();
                    assertThat(socket.getApplicationProtocol()).isEmpty();
                }
            }
        }

        @Test
        @DisplayName("a terminating proxy offers its protocols to the server too")
        void offeredUpstream() throws IOException {
            Tls postgres = TLS.withApplicationProtocols("postgresql");
            try (MisbehavingPeer server = MisbehavingPeer.start(Script.echo().withTls(postgres));
                    MisbehavingPeer proxy = MisbehavingPeer.start(Script.forwardTo("localhost", server.port())
                            .withTls(postgres).withUpstreamTls(TRUSTING_TLS));
                    SSLSocket socket = offering(proxy, "postgresql")) {
                socket.getOutputStream().write("ping".getBytes(UTF_8));
                assertThat(new String(readExactly(socket, 4), UTF_8)).isEqualTo("ping");
                socket.close();
                assertThat(server.awaitConnections(1, WAIT).get(0).tls().orElseThrow().offeredApplicationProtocols())
                        .containsExactly("postgresql");
            }
        }

        @Test
        @DisplayName("names are checked")
        void names() {
            assertThatThrownBy(() -> TLS.withApplicationProtocols(" ")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("an ALPN protocol name is blank: give names such as \"h2\" or \"http/1.1\"");
            assertThatThrownBy(() -> TLS.withApplicationProtocols("h2", "h2")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ALPN protocol names [h2, h2] repeat one: give each once");
            assertThat(TLS.withApplicationProtocols("h2").authorityPem()).as("one PEM file per authority")
                    .isEqualTo(TLS.authorityPem()).content().startsWith("-----BEGIN CERTIFICATE-----");
            assertThat(TLS.withApplicationProtocols("h2", "http/1.1").requiringClientCertificate()).hasToString(
                    "TLS (generated for localhost, 127.0.0.1, ::1, client certificate required, ALPN h2 http/1.1)");
        }
    }
}
