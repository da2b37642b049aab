package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static dev.misbehave.assertj.ConnectionConditions.tlsHandshakeFailed;
import static dev.misbehave.examples.DownloadExamples.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;


import dev.misbehave.Delivery;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.HandshakeStage;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.Script;
import dev.misbehave.Tls;
import dev.misbehave.TlsAlert;
import dev.misbehave.Trigger;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JDK {@code HttpClient} over HTTPS, against a collector whose TLS connection misbehaves. */
@DisplayName("An event published over HTTPS")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TlsExamples {

    @BeforeAll
    static void warmUpTls() throws Exception {
        TlsWarmUp.once(); // a cold JVM's first handshake can outlast the clients' 2 s connect timeout
    }

    static final int HEAD = DownloadExamples.HEAD;
    static final Duration WAIT = Duration.ofSeconds(10);

    @DisplayName("to a collector that resets after 100 plaintext bytes fails with a reset")
    // tag::tls-reset[]
    @Test
    @PeerScript(tls = true) // the peer terminates TLS; its certificate is for localhost, 127.0.0.1 and ::1
    @ForceResetAfter(bytes = 100) // 100 bytes of the request's plaintext, whatever the TLS records
    void postIsResetMidRequest(MisbehavingPeer peer) {
        var collector = URI.create("https://localhost:" + peer.port() + "/events");
        var publisher = new EventPublisher(collector, Tls.generated().clientContext()); // trusts the peer

        assertThatThrownBy(() -> publisher.publish("{\"type\":\"order-shipped\",\"id\":42}"))
                .isInstanceOf(IOException.class)
                .is(connectionReset()); // no close_notify: the TLS layer reports the reset
        assertThat(peer.connections()).singleElement().satisfies(connection -> {
            assertThat(connection.tls()).hasValueSatisfying(tls -> assertThat(tls.handshakeCompleted()).isTrue());
            assertThat(connection.receivedCount()).isEqualTo(100);
            assertThat(new String(connection.received(), StandardCharsets.US_ASCII)).startsWith("POST /events ");
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::tls-reset[]

    @DisplayName("a download truncated after 100,000 body bytes (a FIN, no close_notify): the short body is caught")
    // tag::tls-truncation[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @ForceCloseAfter(bytes = HEAD + 100_000, direction = Direction.DOWNSTREAM, closeNotify = false)
    void truncatedDownload(MisbehavingPeer peer) {
        var report = URI.create("https://localhost:" + peer.port() + "/report.csv");
        var downloader = new ReportDownloader(report, Duration.ofSeconds(5), Tls.generated().clientContext());

        var failed = catchThrowableOfType(DownloadFailedException.class, downloader::download);

        // the JDK's TLS reads the missing close_notify as a plain end of stream; the length check catches it
        assertThat(failed).isNotNull().isNot(connectionReset());
        assertThat(messages(failed)).contains("fixed content-length: 300000, bytes received: 100000");
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.fault()).hasValueSatisfying(f -> assertThat(f.effect()).isEqualTo(Effect.truncate()));
            assertThat(connection.sentCount()).isEqualTo(HEAD + 100_000);
            assertThat(connection.ending()).isEqualTo(Ending.PEER_CLOSED);
        });
    }
    // end::tls-truncation[]

    @DisplayName("to a collector whose certificate has expired fails the handshake, before any request byte")
    // tag::tls-expired[]
    @Test
    @PeerScript(tls = true, certificate = Tls.Certificate.EXPIRED) // expired yesterday, same test authority
    void expiredCertificate(MisbehavingPeer peer) {
        var collector = URI.create("https://localhost:" + peer.port() + "/events");
        var publisher = new EventPublisher(collector, Tls.generated().clientContext());

        assertThatThrownBy(() -> publisher.publish("{}"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasRootCauseInstanceOf(CertificateExpiredException.class);
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.tls()).hasValueSatisfying(tls -> assertThat(tls.handshakeCompleted()).isFalse());
            assertThat(connection.receivedCount()).isZero();
        });
    }
    // end::tls-expired[]

    @DisplayName("to a collector that hangs up on the ClientHello fails with a reset, before any request byte")
    // tag::tls-hello-reset[]
    @Test
    @PeerScript(tls = true)
    @ForceResetAfter(handshake = HandshakeStage.CLIENT_HELLO) // the server crashed as the client said hello
    void resetMidHandshake(MisbehavingPeer peer) {
        var collector = URI.create("https://localhost:" + peer.port() + "/events");
        var publisher = new EventPublisher(collector, Tls.generated().clientContext());

        assertThatThrownBy(() -> publisher.publish("{}"))
                .isInstanceOf(IOException.class)
                .is(connectionReset());
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.firedTrigger()).hasValue(Trigger.onHandshake(HandshakeStage.CLIENT_HELLO));
            assertThat(connection.tls()).hasValueSatisfying(tls -> assertThat(tls.handshakeCompleted()).isFalse());
            assertThat(connection.receivedCount()).isZero();
        });
    }
    // end::tls-hello-reset[]

    @DisplayName("to a collector that refuses the handshake with an alert fails with the alert's name")
    // tag::tls-alert[]
    @Test
    @PeerScript(tls = true)
    @ForceCloseAfter(handshake = HandshakeStage.CLIENT_HELLO, alert = TlsAlert.PROTOCOL_VERSION)
    void refusedWithAnAlert(MisbehavingPeer peer) {
        var collector = URI.create("https://localhost:" + peer.port() + "/events");
        var publisher = new EventPublisher(collector, Tls.generated().clientContext());

        assertThatThrownBy(() -> publisher.publish("{}"))
                .isInstanceOf(SSLHandshakeException.class)
                .is(tlsHandshakeFailed())
                .hasMessageEndingWith("Received fatal alert: protocol_version"); // JDK 25 puts "(protocol_version) " first
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.fault()).hasValueSatisfying(fault -> assertThat(fault.effect())
                    .isEqualTo(Effect.alert(TlsAlert.PROTOCOL_VERSION)));
            assertThat(connection.ending()).isEqualTo(Ending.PEER_CLOSED);
        });
    }
    // end::tls-alert[]

    @DisplayName("a handshake cut at a stage, by a reset or a close: the event is not published, and no request byte left")
    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"reset, CLIENT_HELLO", "reset, SERVER_FLIGHT", "reset, COMPLETED",
            "close, CLIENT_HELLO", "close, SERVER_FLIGHT", "close, COMPLETED"})
    void cutAtEachStage(String how, HandshakeStage stage) throws Exception {
        Effect cut = how.equals("reset") ? Effect.reset() : Effect.close();
        try (var peer = MisbehavingPeer.start(Script.silent().withTls(Tls.generated()),
                new Fault(cut, Trigger.onHandshake(stage)))) {
            var collector = URI.create("https://localhost:" + peer.port() + "/events");
            var publisher = new EventPublisher(collector, Tls.generated().clientContext());

            assertThatThrownBy(() -> publisher.publish("{}")).isInstanceOf(IOException.class);
            assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
                assertThat(connection.firedTrigger()).hasValue(Trigger.onHandshake(stage));
                assertThat(connection.receivedCount()).isZero(); // the request never got through
                assertThat(connection.ending()).isEqualTo(how.equals("reset") ? Ending.PEER_RESET : Ending.PEER_CLOSED);
            });
        }
    }

    @DisplayName("an HTTPS download reset after 256 KiB of body: exactly 256 KiB reached the client's TLS, then the reset")
    // tag::tls-download-reset[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @ForceResetAfter(bytes = HEAD + 262_144, direction = Direction.DOWNSTREAM) // plaintext: head + 256 KiB
    void resetMidDownload(MisbehavingPeer peer) {
        var report = URI.create("https://localhost:" + peer.port() + "/report.csv");
        var downloader = new ReportDownloader(report, Duration.ofSeconds(5), Tls.generated().clientContext());

        var failed = catchThrowableOfType(DownloadFailedException.class, downloader::download);

        assertThat(failed).is(connectionReset());
        // over TLS, HttpClient drops records it read but had not decrypted when the reset came,
        // so the body it counted varies; the peer's side is exact
        assertThat(failed.bytesReceived()).isBetween(0L, 262_144L);
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.sentCount()).isEqualTo(HEAD + 262_144);
            assertThat(connection.delivery()).isEqualTo(Delivery.CONFIRMED); // every record, in the client's kernel
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::tls-download-reset[]

    @DisplayName("OkHttp over HTTPS: a download reset after 256 KiB of body fails with a reset")
    // tag::tls-okhttp-reset[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @ForceResetAfter(bytes = HEAD + 262_144, direction = Direction.DOWNSTREAM)
    void okHttpResetMidDownload(MisbehavingPeer peer) {
        Tls tls = Tls.generated();
        try (var store = new OkHttpArtifactStore(URI.create("https://localhost:" + peer.port()),
                tls.clientContext(), tls.trustManager())) {
            var failed = catchThrowableOfType(DownloadFailedException.class, () -> store.download("/report.csv"));

            assertThat(failed).is(connectionReset());
        }
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.sentCount()).isEqualTo(HEAD + 262_144);
            assertThat(connection.delivery()).isEqualTo(Delivery.CONFIRMED);
        });
    }
    // end::tls-okhttp-reset[]

    @DisplayName("Apache HttpClient 5 over HTTPS: a download reset after 256 KiB of body fails with a reset")
    // tag::tls-apache-reset[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @ForceResetAfter(bytes = HEAD + 262_144, direction = Direction.DOWNSTREAM)
    void apacheResetMidDownload(MisbehavingPeer peer) {
        try (var store = new ApacheArtifactStore(URI.create("https://localhost:" + peer.port()),
                Tls.generated().clientContext())) {
            var failed = catchThrowableOfType(DownloadFailedException.class, () -> store.download("/report.csv"));

            assertThat(failed).is(connectionReset());
        }
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.sentCount()).isEqualTo(HEAD + 262_144);
            assertThat(connection.delivery()).isEqualTo(Delivery.CONFIRMED);
        });
    }
    // end::tls-apache-reset[]

    @DisplayName("with the JVM's default trust store fails the handshake, and the journal says why")
    // tag::tls-untrusted[]
    @Test
    @PeerScript(tls = true)
    void untrustedCertificate(MisbehavingPeer peer) throws Exception {
        var collector = URI.create("https://localhost:" + peer.port() + "/events");
        var publisher = new EventPublisher(collector, SSLContext.getDefault()); // does not trust a test CA

        assertThatThrownBy(() -> publisher.publish("{}"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("PKIX path building failed");
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.tls()).hasValueSatisfying(tls -> assertThat(tls.handshakeCompleted()).isFalse());
            assertThat(connection.receivedCount()).isZero(); // no request was sent
            assertThat(connection.ending()).isEqualTo(Ending.CLIENT_CLOSED); // the client gave up
        });
    }
    // end::tls-untrusted[]
}
