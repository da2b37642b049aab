package dev.misbehave.internal;

import static dev.misbehave.testing.Sockets.readAll;
import static dev.misbehave.testing.Sockets.readExactly;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Delivery;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import dev.misbehave.Tls;
import dev.misbehave.TlsRecord;
import dev.misbehave.Trigger;
import dev.misbehave.testing.Sockets.Read;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
@DisplayName("A peer that terminates TLS")
class TlsTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Tls TLS = Tls.generated();
    private static final Script LINES = Script.respond(RequestEnd.delimiter("\n"), "PONG\n").withTls(TLS);

    /** JDK 25 writes an alert's message as "(name) Received fatal alert: name"; JDK 17 without the prefix. */
    static String alertMessage(String alert) {
        return (Runtime.version().feature() >= 25 ? "(" + alert + ") " : "") + "Received fatal alert: " + alert;
    }

    /**
     * The alert a JDK client sends when it rejects a certificate: JDK 17 sends certificate_unknown
     * for every reason; JDK 25 names some reasons (measured on 17.0.15 and 25.0.3).
     */
    static String rejection(String onJdk25) {
        return alertMessage(Runtime.version().feature() >= 25 ? onJdk25 : "certificate_unknown");
    }

    /** A client that trusts the generated authority and checks the host name, as HTTPS clients do. */
    static SSLSocket connect(MisbehavingPeer peer) throws IOException {
        SSLSocket socket = (SSLSocket) TLS.clientContext().getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress(peer.host(), peer.port()), 10_000);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        return socket;
    }


    @Test
    @DisplayName("a truncation needs TLS: on plain TCP it fails before any socket opens")
    void truncationNeedsTls() {
        Fault truncate = new Fault(Effect.truncate(), Trigger.afterBytes(Direction.DOWNSTREAM, 10));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> MisbehavingPeer.start(
                        Script.respond(RequestEnd.delimiter("\n"), "PONG\n"), truncate)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'truncate (no close_notify) after 10 DOWNSTREAM bytes' ends a TLS connection without"
                        + " close_notify, but the script (respond 5 B per request (ends with \"\\n\")) is plain TCP."
                        + " Give the peer TLS, for example Script.silent().withTls(Tls.generated()), or close with"
                        + " Effect.close().");
    }

    /**
     * A client on the JDK's SSLEngine over a blocking socket, which, unlike SSLSocket, tells a
     * close_notify from a truncation: at end-of-stream without close_notify, closeInbound() throws.
     */
    static final class EngineClient {
        record Read(byte[] plaintext, String end) {}

        static Read get(MisbehavingPeer peer, String request) throws IOException {
            javax.net.ssl.SSLEngine engine = TLS.clientContext().createSSLEngine("localhost", peer.port());
            engine.setUseClientMode(true);
            try (java.net.Socket socket = new java.net.Socket(peer.host(), peer.port())) {
                socket.setSoTimeout(10_000);
                var session = engine.getSession();
                java.nio.ByteBuffer netIn = java.nio.ByteBuffer.allocate(session.getPacketBufferSize());
                java.nio.ByteBuffer appIn = java.nio.ByteBuffer.allocate(session.getApplicationBufferSize());
                java.nio.ByteBuffer netOut = java.nio.ByteBuffer.allocate(session.getPacketBufferSize());
                java.io.ByteArrayOutputStream plaintext = new java.io.ByteArrayOutputStream();
                java.nio.ByteBuffer toSend = java.nio.ByteBuffer.wrap(request.getBytes(UTF_8));
                engine.beginHandshake();
                for (int step = 0; step < 10_000; step++) { // bounded: a few dozen steps in practice
                    var status = engine.getHandshakeStatus();
                    if (status == javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_TASK) {
                        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                            task.run();
                        }
                    } else if (status == javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_WRAP
                            || status == javax.net.ssl.SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING && toSend.hasRemaining()) {
                        netOut.clear();
                        engine.wrap(toSend, netOut);
                        socket.getOutputStream().write(netOut.array(), 0, netOut.position());
                    } else {
                        netIn.flip();
                        var result = engine.unwrap(netIn, appIn);
                        netIn.compact();
                        plaintext.write(appIn.array(), 0, appIn.position());
                        appIn.clear();
                        if (result.getStatus() == javax.net.ssl.SSLEngineResult.Status.CLOSED) {
                            return new Read(plaintext.toByteArray(), "close_notify");
                        }
                        if (result.getStatus() == javax.net.ssl.SSLEngineResult.Status.BUFFER_UNDERFLOW
                                || result.bytesConsumed() == 0) {
                            int n = socket.getInputStream().read(netIn.array(), netIn.position(), netIn.remaining());
                            if (n < 0) {
                                try {
                                    engine.closeInbound();
                                    return new Read(plaintext.toByteArray(), "end of stream, no error");
                                } catch (javax.net.ssl.SSLException truncated) {
                                    return new Read(plaintext.toByteArray(), "truncated: " + truncated.getMessage());
                                }
                            }
                            netIn.position(netIn.position() + n);
                        }
                    }
                }
                throw new AssertionError("the exchange did not end in 10,000 steps");
            }
        }
    }

    @Test
    @DisplayName("serves its script on the plaintext, and journals the plaintext")
    void serves() throws IOException {
        try (MisbehavingPeer peer = MisbehavingPeer.start(LINES); SSLSocket socket = connect(peer)) {
            socket.getOutputStream().write("PING\nPI".getBytes(UTF_8));
            socket.getOutputStream().write("NG\n".getBytes(UTF_8));
            assertThat(new String(readExactly(socket, 10), UTF_8)).isEqualTo("PONG\nPONG\n");
            assertThat(socket.getSession().getPeerCertificates()[0]).isNotEqualTo(TLS.authority());
            socket.close();
            ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
            assertThat(new String(record.received(), UTF_8)).isEqualTo("PING\nPING\n");
            assertThat(new String(record.sent(), UTF_8)).isEqualTo("PONG\nPONG\n");
            assertThat(record.ending()).isEqualTo(Ending.CLIENT_CLOSED);
        }
    }

    @Nested
    @DisplayName("the journal")
    class TheJournal {

        @Test
        @DisplayName("records the protocol, the cipher suite, the SNI name and the ALPN protocols offered, none chosen")
        void handshakeFacts() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES);
                    SSLSocket socket = (SSLSocket) TLS.clientContext().getSocketFactory().createSocket("localhost", peer.port())) {
                socket.setSoTimeout(10_000);
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
                // JDK clients send SNI only for a name with a dot; a client that names its host sends it
                parameters.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName("localhost")));
                socket.setSSLParameters(parameters);
                socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
                assertThat(socket.getApplicationProtocol()).isEmpty(); // no ALPN: the client speaks HTTP/1.1
                String protocol = socket.getSession().getProtocol();
                String suite = socket.getSession().getCipherSuite();
                socket.close();
                TlsRecord tls = peer.awaitConnections(1, WAIT).get(0).tls().orElseThrow();
                assertThat(tls.handshakeCompleted()).isTrue();
                assertThat(tls.stageReached()).isEqualTo(dev.misbehave.HandshakeStage.COMPLETED);
                assertThat(tls.protocol()).hasValue(protocol);
                assertThat(tls.cipherSuite()).hasValue(suite);
                assertThat(tls.serverName()).hasValue("localhost");
                assertThat(tls.offeredApplicationProtocols()).containsExactly("h2", "http/1.1");
                assertThat(tls.applicationProtocol()).isEmpty();
                assertThat(tls.failure()).isEmpty();
                assertThat(tls).hasToString(protocol + " " + suite + ", SNI localhost, ALPN offered [h2, http/1.1]");
            }
        }

        @Test
        @DisplayName("records a handshake the client ended because it did not trust the certificate")
        void untrusted() throws Exception {
            javax.net.ssl.SSLContext trustsNothing = javax.net.ssl.SSLContext.getInstance("TLS");
            trustsNothing.init(null, new javax.net.ssl.TrustManager[] {
                Tls.of(otherIdentity(), "x".toCharArray()).trustManager()}, null);
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES);
                    SSLSocket socket = (SSLSocket) trustsNothing.getSocketFactory().createSocket("localhost", peer.port())) {
                socket.setSoTimeout(10_000);
                assertThat(org.assertj.core.api.Assertions.catchThrowable(socket::startHandshake))
                        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                TlsRecord tls = record.tls().orElseThrow();
                assertThat(tls.handshakeCompleted()).isFalse();
                assertThat(tls.protocol()).isEmpty();
                assertThat(tls.failure()).hasValue(rejection("certificate_unknown"));
                assertThat(tls.stageReached()).isEqualTo(dev.misbehave.HandshakeStage.SERVER_FLIGHT); // it had the certificate
                assertThat(tls.toString()).startsWith("TLS handshake failed (" + rejection("certificate_unknown") + ")")
                        .contains(", reached SERVER_FLIGHT");
                assertThat(record.ending()).isEqualTo(Ending.CLIENT_CLOSED);
                assertThat(record.receivedCount()).isZero();
            }
        }

        /** A key store with a self-signed identity that has nothing to do with the generated one. */
        private java.security.KeyStore otherIdentity() throws Exception {
            TestCertificates.Held self = TestCertificates.leaf(null, "other", java.util.List.of("localhost"),
                    java.time.Instant.now().minusSeconds(3600), java.time.Instant.now().plusSeconds(3600));
            java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("other", self.privateKey(), "x".toCharArray(),
                    new java.security.cert.Certificate[] {self.certificate()});
            return keys;
        }
    }

    @Test
    @DisplayName("a proxy in front of it passes the TLS through, and counts ciphertext")
    void proxyCountsCiphertext() throws IOException {
        try (MisbehavingPeer server = MisbehavingPeer.start(LINES);
                MisbehavingPeer proxy = MisbehavingPeer.start(Script.forwardTo(server.address()));
                SSLSocket socket = connect(proxy)) {
            socket.getOutputStream().write("PING\n".getBytes(UTF_8));
            assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
            socket.close();
            ConnectionRecord atServer = server.awaitConnections(1, WAIT).get(0);
            ConnectionRecord atProxy = proxy.awaitConnections(1, WAIT).get(0);
            assertThat(atServer.receivedCount()).isEqualTo(5); // plaintext
            assertThat(atProxy.receivedCount()).isGreaterThan(200); // the handshake and the records around "PING\n"
            assertThat(atProxy.received()[0]).isEqualTo((byte) 22); // a TLS handshake record: the ClientHello
            assertThat(atProxy.tls()).isEmpty();
        }
    }

    @Nested
    @DisplayName("certificates that go wrong on cue fail a client that trusts the test authority")
    class Certificates {

        /** The client's handshake failure, and the peer's record of the connection. */
        private Throwable handshake(Tls tls, java.util.List<ConnectionRecord> records) throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.respond(RequestEnd.delimiter("\n"), "PONG\n")
                    .withTls(tls)); SSLSocket socket = connect(peer)) {
                // read, not write: with TLS 1.3 the client's handshake is done before the peer rejects
                // a missing client certificate, and a write could meet the closed connection first
                Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> {
                    socket.startHandshake();
                    readExactly(socket, 5);
                });
                records.addAll(peer.awaitConnections(1, WAIT));
                return failure;
            }
        }

        @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
        @org.junit.jupiter.params.provider.EnumSource(value = Tls.Certificate.class, names = "VALID",
                mode = org.junit.jupiter.params.provider.EnumSource.Mode.EXCLUDE)
        @DisplayName("each flaw, with the JDK's own reason")
        void flawed(Tls.Certificate flaw) throws IOException {
            java.util.List<ConnectionRecord> records = new java.util.ArrayList<>();
            Throwable failure = handshake(Tls.generated(flaw), records);
            assertThat(failure).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
            switch (flaw) {
                case EXPIRED:
                    assertThat(failure).hasRootCauseInstanceOf(java.security.cert.CertificateExpiredException.class);
                    break;
                case NOT_YET_VALID:
                    assertThat(failure).hasRootCauseInstanceOf(java.security.cert.CertificateNotYetValidException.class);
                    break;
                case WRONG_HOST:
                    assertThat(failure).hasMessageContaining("No subject alternative names matching IP address 127.0.0.1");
                    break;
                default: // UNTRUSTED_ISSUER, SELF_SIGNED
                    assertThat(failure).hasMessageContaining("PKIX path building failed");
            }
            TlsRecord tls = records.get(0).tls().orElseThrow();
            assertThat(tls.handshakeCompleted()).isFalse();
            assertThat(tls.failure()).hasValue(rejection(switch (flaw) { // the client's alert
                case EXPIRED -> "certificate_expired";
                case NOT_YET_VALID -> "bad_certificate";
                default -> "certificate_unknown";
            }));
            assertThat(records.get(0).ending()).isEqualTo(Ending.CLIENT_CLOSED);
        }

        @Test
        @DisplayName("a peer that requires a client certificate fails a client without one")
        void clientCertificateRequired() throws IOException {
            java.util.List<ConnectionRecord> records = new java.util.ArrayList<>();
            Throwable failure = handshake(Tls.generated().requiringClientCertificate(), records);
            assertThat(failure).isInstanceOf(javax.net.ssl.SSLException.class)
                    .hasMessage(alertMessage(Runtime.version().feature() >= 25 ? "certificate_required" : "bad_certificate"));
            assertThat(Tls.generated().requiringClientCertificate())
                    .hasToString("TLS (generated for localhost, 127.0.0.1, ::1, client certificate required)");
            TlsRecord tls = records.get(0).tls().orElseThrow();
            assertThat(tls.handshakeCompleted()).isFalse();
            assertThat(tls.failure()).hasValue((Runtime.version().feature() >= 25 ? "(certificate_required) " : "")
                    + "Empty client certificate chain"); // the peer's own reason
            assertThat(records.get(0).ending()).isEqualTo(Ending.PEER_CLOSED);
            assertThat(records.get(0).receivedCount()).isZero();
        }
    }

    @Nested
    @DisplayName("faults at a stage of the handshake")
    class HandshakeStages {

        private Throwable handshakeFailure(Fault fault, java.util.List<ConnectionRecord> records) throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES, fault); SSLSocket socket = connect(peer)) {
                Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> {
                    socket.startHandshake();
                    socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                    readExactly(socket, 5);
                });
                records.addAll(peer.awaitConnections(1, WAIT));
                return failure;
            }
        }

        /** A real ClientHello record, as a JDK client's first flight. */
        private byte[] clientHello() throws IOException {
            try {
                javax.net.ssl.SSLEngine engine = javax.net.ssl.SSLContext.getDefault().createSSLEngine("localhost", 443);
                engine.setUseClientMode(true);
                java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
                engine.wrap(java.nio.ByteBuffer.allocate(0), out);
                out.flip();
                byte[] record = new byte[out.remaining()];
                out.get(record);
                return record;
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException(e);
            }
        }

        private Fault at(dev.misbehave.HandshakeStage stage, Effect effect) {
            return new Fault(effect, Trigger.onHandshake(stage));
        }

        @Test
        @DisplayName("a reset on the ClientHello: the client's handshake meets the reset, nothing was sent")
        void resetOnClientHello() throws IOException {
            java.util.List<ConnectionRecord> records = new java.util.ArrayList<>();
            Throwable failure = handshakeFailure(at(dev.misbehave.HandshakeStage.CLIENT_HELLO, Effect.reset()), records);
            assertThat(failure).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
            ConnectionRecord record = records.get(0);
            assertThat(record.firedTrigger()).hasValue(Trigger.onHandshake(dev.misbehave.HandshakeStage.CLIENT_HELLO));
            assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
            assertThat(record.tls()).hasValueSatisfying(tls -> {
                assertThat(tls.handshakeCompleted()).isFalse();
                assertThat(tls.stageReached()).isEqualTo(dev.misbehave.HandshakeStage.CLIENT_HELLO);
                assertThat(tls.failure()).isEmpty(); // the peer's own reset, no TLS error
            });
        }

        @Test
        @DisplayName("a close on the ClientHello: the client's handshake meets a bare FIN")
        void closeOnClientHello() throws IOException {
            java.util.List<ConnectionRecord> records = new java.util.ArrayList<>();
            Throwable failure = handshakeFailure(at(dev.misbehave.HandshakeStage.CLIENT_HELLO, Effect.close()), records);
            assertThat(failure).isInstanceOf(javax.net.ssl.SSLHandshakeException.class)
                    .hasMessageContaining("Remote host terminated the handshake");
            assertThat(records.get(0).ending()).isEqualTo(Ending.PEER_CLOSED);
        }

        @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
        @org.junit.jupiter.params.provider.EnumSource(value = dev.misbehave.TlsAlert.class, names = "NONE",
                mode = org.junit.jupiter.params.provider.EnumSource.Mode.EXCLUDE)
        @DisplayName("an alert on the ClientHello: the client reports it by name")
        void alert(dev.misbehave.TlsAlert alert) throws IOException {
            java.util.List<ConnectionRecord> records = new java.util.ArrayList<>();
            Throwable failure = handshakeFailure(at(dev.misbehave.HandshakeStage.CLIENT_HELLO, Effect.alert(alert)), records);
            assertThat(failure).isInstanceOf(javax.net.ssl.SSLHandshakeException.class)
                    .hasMessage(alertMessage(alert.toString()));
            assertThat(records.get(0).ending()).isEqualTo(Ending.PEER_CLOSED);
            assertThat(records.get(0).sentCount()).isZero();
        }

        @Test
        @DisplayName("a reset after the server flight: the client has the certificate, and meets the reset")
        void resetAfterServerFlight() throws IOException {
            java.util.List<ConnectionRecord> records = new java.util.ArrayList<>();
            Throwable failure = handshakeFailure(at(dev.misbehave.HandshakeStage.SERVER_FLIGHT, Effect.reset()), records);
            assertThat(failure).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
            assertThat(records.get(0).firedTrigger()).hasValue(Trigger.onHandshake(dev.misbehave.HandshakeStage.SERVER_FLIGHT));
            assertThat(records.get(0).tls().orElseThrow().stageReached()).isEqualTo(dev.misbehave.HandshakeStage.SERVER_FLIGHT);
            assertThat(records.get(0).receivedCount()).isZero();
            assertThat(records.get(0).ending()).isEqualTo(Ending.PEER_RESET);
        }

        @Test
        @DisplayName("a reset after the handshake: it completed, and the request is never consumed")
        void resetAfterHandshake() throws IOException {
            java.util.List<ConnectionRecord> records = new java.util.ArrayList<>();
            Throwable failure = handshakeFailure(at(dev.misbehave.HandshakeStage.COMPLETED, Effect.reset()), records);
            assertThat(failure).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
            assertThat(records.get(0).tls()).hasValueSatisfying(tls -> assertThat(tls.handshakeCompleted()).isTrue());
            assertThat(records.get(0).receivedCount()).isZero();
            assertThat(records.get(0).ending()).isEqualTo(Ending.PEER_RESET);
        }

        @Test
        @DisplayName("a stall on the ClientHello: the client's handshake runs into its read timeout")
        void stallOnClientHello() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES,
                            at(dev.misbehave.HandshakeStage.CLIENT_HELLO, Effect.stall()));
                    SSLSocket socket = connect(peer)) {
                socket.setSoTimeout(300);
                assertThat(org.assertj.core.api.Assertions.catchThrowable(socket::startHandshake))
                        .isInstanceOf(java.net.SocketTimeoutException.class);
                assertThat(peer.awaitTriggered(1, WAIT).get(0).ending()).isEqualTo(Ending.OPEN);
            }
        }

        @Test
        @DisplayName("garbage on the ClientHello reaches the client instead of a ServerHello")
        void garbageOnClientHello() throws IOException {
            java.util.List<ConnectionRecord> records = new java.util.ArrayList<>();
            Throwable failure = handshakeFailure(at(dev.misbehave.HandshakeStage.CLIENT_HELLO,
                    Effect.garbage("SSH-2.0-OpenSSH_9.6\r\n".getBytes(UTF_8), Effect.close())), records);
            assertThat(failure).isInstanceOf(javax.net.ssl.SSLException.class)
                    .hasMessageContaining("Unsupported or unrecognized SSL message");
            assertThat(new String(records.get(0).sent(), UTF_8)).isEqualTo("SSH-2.0-OpenSSH_9.6\r\n");
            // the peer's close waits for the client, which hangs up once its TLS layer has rejected the garbage
            assertThat(records.get(0).ending()).isEqualTo(Ending.CLIENT_CLOSED);
        }

        @Test
        @DisplayName("garbage then a close on the ClientHello: a client that never hangs up gets the FIN after the close timeout")
        void garbageThenCloseIsBounded() throws IOException {
            PeerSettings settings = new PeerSettings(PeerSettings.DEFAULTS.quietPeriod(), PeerSettings.DEFAULTS.maxQuietWait(),
                    Duration.ofMillis(200), PeerSettings.DEFAULTS.deliveryTimeout(), PeerSettings.DEFAULTS.captureCap());
            try (MisbehavingPeer peer = NettyPeer.start(LINES, at(dev.misbehave.HandshakeStage.CLIENT_HELLO,
                            Effect.garbage("nope".getBytes(UTF_8), Effect.close())), settings, 0);
                    java.net.Socket raw = new java.net.Socket(peer.host(), peer.port())) {
                raw.setSoTimeout(10_000);
                raw.getOutputStream().write(clientHello()); // a ClientHello the raw socket never follows up
                assertThat(raw.getInputStream().readNBytes(4)).isEqualTo("nope".getBytes(UTF_8));
                assertThat(raw.getInputStream().read()).isEqualTo(-1); // the FIN, after the 200 ms bound
                assertThat(peer.awaitConnections(1, WAIT).get(0).ending()).isEqualTo(Ending.PEER_CLOSED);
            }
        }

        @Test
        @DisplayName("the rules: a stage needs TLS, an alert needs the ClientHello, a half-close cannot act at a stage")
        void rules() {
            Script plain = Script.respond(RequestEnd.delimiter("\n"), "PONG\n");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> MisbehavingPeer.start(plain,
                            at(dev.misbehave.HandshakeStage.CLIENT_HELLO, Effect.reset()))))
                    .hasMessage("'reset on the TLS ClientHello' acts on the TLS handshake, but the script (respond 5 B"
                            + " per request (ends with \"\\n\")) is plain TCP. Give the peer TLS, for example"
                            + " Script.silent().withTls(Tls.generated()).");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> MisbehavingPeer.start(LINES,
                            at(dev.misbehave.HandshakeStage.COMPLETED, Effect.alert(dev.misbehave.TlsAlert.HANDSHAKE_FAILURE)))))
                    .hasMessage("'alert handshake_failure after the TLS handshake': a TLS alert is sent in answer to the"
                            + " ClientHello. Use the trigger Trigger.onHandshake(HandshakeStage.CLIENT_HELLO).");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> MisbehavingPeer.start(LINES,
                            at(dev.misbehave.HandshakeStage.SERVER_FLIGHT, Effect.halfClose()))))
                    .hasMessage("'half-close after the TLS server flight': at a stage of the handshake the peer can"
                            + " reset, close, stall, send garbage or an alert, not half-close. Use one of those, or a"
                            + " trigger on the plaintext (bytes, pattern, ...).");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> MisbehavingPeer.start(plain,
                            new Fault(Effect.corruptRecord(), Trigger.afterBytes(Direction.UPSTREAM, 3)))))
                    .hasMessage("'corrupt a TLS record after 3 UPSTREAM bytes' acts on a TLS record, but the script"
                            + " (respond 5 B per request (ends with \"\\n\")) is plain TCP. Give the peer TLS, for"
                            + " example Script.silent().withTls(Tls.generated()).");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> MisbehavingPeer.start(LINES,
                            at(dev.misbehave.HandshakeStage.COMPLETED, Effect.corruptRecord()))))
                    .hasMessageContaining("not corrupt a TLS record");
        }
    }

    @Nested
    @DisplayName("upstream faults count the client's plaintext")
    class Upstream {

        @Test
        @DisplayName("a reset after 10 bytes consumes exactly 10 of a 100-byte record, and sends no close_notify")
        void resetInsideARecord() throws IOException {
            byte[] request = PlanTests.body(100);
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.silent().withTls(TLS),
                            Fault.resetAfter(Direction.UPSTREAM, 10));
                    SSLSocket socket = connect(peer)) {
                socket.getOutputStream().write(request);
                Read read = readAll(socket);
                assertThat(read.bytes()).isEmpty();
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.receivedCount()).isEqualTo(10);
                assertThat(record.received()).isEqualTo(Arrays.copyOf(request, 10));
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
            }
        }

        @Test
        @DisplayName("a reset after 7 bytes of three 5-byte records consumes exactly 7")
        void resetAcrossRecords() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.echo().withTls(TLS),
                            Fault.resetAfter(Direction.UPSTREAM, 7));
                    SSLSocket socket = connect(peer)) {
                OutputStream out = socket.getOutputStream();
                out.write("abcde".getBytes(UTF_8));
                assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("abcde"); // echoed: 5 < 7
                out.write("fghij".getBytes(UTF_8));
                out.write("klmno".getBytes(UTF_8));
                Read read = readAll(socket);
                assertThat(read.bytes()).isEmpty(); // as over plain TCP: the trigger acts before the script answers
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(new String(record.received(), UTF_8)).isEqualTo("abcdefg");
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
            }
        }
    }

    @Nested
    @DisplayName("downstream faults count the peer's plaintext")
    class Downstream {

        private final Script bigAnswer = Script.respond(RequestEnd.delimiter("\n"), PlanTests.body(256 * 1024)).withTls(TLS);

        @Test
        @DisplayName("a reset after 200,000 bytes reaches the client after exactly 200,000, delivery confirmed")
        void resetAfterDelivery() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(bigAnswer, Fault.resetAfter(Direction.DOWNSTREAM, 200_000));
                    SSLSocket socket = connect(peer)) {
                socket.getOutputStream().write("GET\n".getBytes(UTF_8));
                Read read = readAll(socket);
                assertThat(read.bytes()).hasSize(200_000).isEqualTo(Arrays.copyOf(PlanTests.body(256 * 1024), 200_000));
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.sentCount()).isEqualTo(200_000);
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
                assertThat(record.delivery()).isIn(Delivery.CONFIRMED, Delivery.UNCONFIRMED);
                if (SockDiag.available()) {
                    assertThat(record.delivery()).isEqualTo(Delivery.CONFIRMED);
                }
            }
        }

        @Test
        @DisplayName("a close after 1,000 bytes sends close_notify, a truncation does not; the SSLEngine tells them apart")
        void closeNotifyOrTruncation() throws IOException {
            try (MisbehavingPeer closes = MisbehavingPeer.start(bigAnswer, Fault.closeAfter(Direction.DOWNSTREAM, 1_000));
                    MisbehavingPeer truncates = MisbehavingPeer.start(bigAnswer, new Fault(Effect.truncate(),
                            Trigger.afterBytes(Direction.DOWNSTREAM, 1_000)))) {
                EngineClient.Read clean = EngineClient.get(closes, "GET\n");
                EngineClient.Read cut = EngineClient.get(truncates, "GET\n");
                assertThat(clean.plaintext()).hasSize(1_000);
                assertThat(clean.end()).isEqualTo("close_notify");
                assertThat(cut.plaintext()).hasSize(1_000);
                assertThat(cut.end()).startsWith("truncated: ").contains("close_notify");
                ConnectionRecord record = truncates.awaitConnections(1, WAIT).get(0);
                assertThat(record.sentCount()).isEqualTo(1_000);
                assertThat(record.ending()).isEqualTo(Ending.PEER_CLOSED);
                assertThat(record.fault().orElseThrow().effect()).isEqualTo(Effect.truncate());
            }
        }

        @Test
        @DisplayName("a corrupted record after 1,000 bytes: the client reads 1,000 bytes, then its TLS layer rejects the record")
        void corruptRecord() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(bigAnswer, new Fault(Effect.corruptRecord(),
                            Trigger.afterBytes(Direction.DOWNSTREAM, 1_000)));
                    SSLSocket socket = connect(peer)) {
                socket.getOutputStream().write("GET\n".getBytes(UTF_8));
                Read read = readAll(socket);
                assertThat(read.bytes()).isEqualTo(Arrays.copyOf(PlanTests.body(256 * 1024), 1_000));
                assertThat(read.failure()).isInstanceOf(javax.net.ssl.SSLException.class)
                        .hasMessageContaining("Tag mismatch");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.sentCount()).isEqualTo(1_000); // the corrupted record's plaintext is not counted
                assertThat(record.ending()).isEqualTo(Ending.PEER_CLOSED);
                assertThat(record.fault().orElseThrow().effect()).isEqualTo(Effect.corruptRecord());
            }
        }

        @Test
        @DisplayName("a corrupted record after the client's 3 bytes: the client's next read fails, with nothing read")
        void corruptRecordUpstream() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES, new Fault(Effect.corruptRecord(),
                            Trigger.afterBytes(Direction.UPSTREAM, 3)));
                    SSLSocket socket = connect(peer)) {
                socket.getOutputStream().write("GET\n".getBytes(UTF_8));
                Read read = readAll(socket);
                assertThat(read.bytes()).isEmpty();
                assertThat(read.failure()).isInstanceOf(javax.net.ssl.SSLException.class)
                        .hasMessageContaining("Tag mismatch");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.receivedCount()).isEqualTo(3);
                assertThat(record.sentCount()).isZero();
            }
        }

        @Test
        @DisplayName("a close after 1,000 bytes sends close_notify: the client reads 1,000 bytes, then a clean end")
        void closeWithCloseNotify() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(bigAnswer, Fault.closeAfter(Direction.DOWNSTREAM, 1_000));
                    SSLSocket socket = connect(peer)) {
                socket.getOutputStream().write("GET\n".getBytes(UTF_8));
                Read read = readAll(socket);
                assertThat(read.bytes()).hasSize(1_000);
                assertThat(read.failure()).isNull();
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.ending()).isEqualTo(Ending.PEER_CLOSED);
            }
        }
    }
}
