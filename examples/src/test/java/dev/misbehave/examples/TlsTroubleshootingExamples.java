package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionClosed;
import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static dev.misbehave.assertj.ConnectionConditions.tlsHandshakeFailed;
import static dev.misbehave.examples.DownloadExamples.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.HandshakeStage;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import dev.misbehave.Tls;
import dev.misbehave.Trigger;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The causes of the troubleshooting guide in their TLS forms: the application's own HTTPS clients
 * (the JDK {@code HttpClient}) against a service that terminates TLS and misbehaves.
 */
@DisplayName("The troubleshooting guide's causes over TLS")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TlsTroubleshootingExamples {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final String CREATED = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";

    @BeforeAll
    static void warmUpTls() throws Exception {
        TlsWarmUp.once(); // a cold JVM's first handshake can outlast the clients' 2 s connect timeout
    }

    static URI service(MisbehavingPeer peer) {
        return URI.create("https://localhost:" + peer.port());
    }

    static InventoryClient inventory(MisbehavingPeer peer) {
        return new InventoryClient(service(peer), 3, Tls.generated().clientContext());
    }

    static String text(ConnectionRecord connection) {
        return new String(connection.received(), StandardCharsets.US_ASCII);
    }

    @DisplayName("a server that hangs up on the ClientHello: the HttpClient's SSLHandshakeException says nothing was sent")
    // tag::tls-hang-up-reported[]
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reset", "close"})
    void handshakeHangUpIsReported(String how) throws Exception {
        Effect hangUp = how.equals("reset") ? Effect.reset() : Effect.close(); // an RST, or a bare FIN
        try (var peer = MisbehavingPeer.start(Script.silent().withTls(Tls.generated()),
                new Fault(hangUp, Trigger.onHandshake(HandshakeStage.CLIENT_HELLO)))) {
            var publisher = new EventPublisher(service(peer).resolve("/events"), Tls.generated().clientContext());

            var failed = catchThrowableOfType(SSLHandshakeException.class, () -> publisher.publish("{}"));

            assertThat(failed).hasMessage("Remote host terminated the handshake")
                    .hasRootCauseInstanceOf(how.equals("reset") ? SocketException.class : SSLHandshakeException.class)
                    .is(how.equals("reset") ? connectionReset() : tlsHandshakeFailed());
            assertThat(RequestSafety.certainlyNotSent(failed)).isTrue(); // no TLS session, no request
            assertThat(peer.awaitConnections(1, WAIT)).singleElement()
                    .satisfies(connection -> assertThat(connection.receivedCount()).isZero());
        }
    }
    // end::tls-hang-up-reported[]

    @DisplayName("a server that hangs up mid-handshake: even a POST is retried, because it was certainly not sent")
    // tag::tls-hang-up-retried[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", lengthField = "Content-Length", response = CREATED)
    @ForceResetAfter(handshake = HandshakeStage.CLIENT_HELLO, connections = @Connections(first = 1))
    void postRetriedAfterHandshakeHangUp(MisbehavingPeer peer) throws Exception {
        var reserved = inventory(peer).reserve("SKU-42", 2); // a POST: retried only when certainly not sent

        assertThat(reserved).isEqualTo(new InventoryClient.Outcome(2, 201));
        assertThat(peer.awaitConnections(1, WAIT)).satisfiesExactly(
                hungUp -> {
                    assertThat(hungUp.firedTrigger()).hasValue(Trigger.onHandshake(HandshakeStage.CLIENT_HELLO));
                    assertThat(hungUp.receivedCount()).isZero(); // the request never left the client
                    assertThat(hungUp.ending()).isEqualTo(Ending.PEER_RESET);
                },
                retry -> assertThat(text(retry)).startsWith("POST /reservations ")
                        .endsWith("{\"sku\":\"SKU-42\",\"quantity\":2}"));
    }
    // end::tls-hang-up-retried[]

    @DisplayName("a pooled TLS connection closed as the next GET goes out: HttpClient repeats the GET by itself")
    // tag::tls-stale-get-repeated[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @ForceCloseAfter(exchanges = 1, connections = @Connections(first = 1)) // close_notify, FIN: the idle timer
    void stalePooledConnectionGetIsRepeated(MisbehavingPeer peer) throws Exception {
        var downloader = new ReportDownloader(service(peer).resolve("/report.csv"), Duration.ofSeconds(5),
                Tls.generated().clientContext()); // one HttpClient, one pool

        assertThat(downloader.download()).hasSize(300_000); // connection 1
        assertThat(downloader.download()).hasSize(300_000); // closed as the GET went out, repeated on connection 2

        assertThat(peer.awaitConnections(1, WAIT)).satisfiesExactly(
                stale -> {
                    assertThat(stale.firedTrigger()).hasValue(Trigger.afterExchanges(1));
                    assertThat(stale.ending()).isEqualTo(Ending.PEER_CLOSED);
                },
                fresh -> assertThat(text(fresh)).startsWith("GET /report.csv "));
    }
    // end::tls-stale-get-repeated[]

    @DisplayName("a pooled TLS connection closed as the next POST goes out: the POST fails, and is not retried")
    // tag::tls-stale-post-fails[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", lengthField = "Content-Length", response = CREATED)
    @ForceCloseAfter(exchanges = 1, connections = @Connections(first = 1)) // close_notify, FIN: the idle timer
    void stalePooledConnectionFailsAPost(MisbehavingPeer peer) throws Exception {
        var inventory = inventory(peer); // one HttpClient, one pool

        assertThat(inventory.reserve("SKU-42", 1)).isEqualTo(new InventoryClient.Outcome(1, 201));
        var failed = catchThrowableOfType(CallFailedException.class, () -> inventory.reserve("SKU-42", 2));

        assertThat(failed.attempts()).isEqualTo(1); // the POST may have reached the service: not retried
        assertThat(failed).is(connectionClosed());
        assertThat(messages(failed)).contains("HTTP/1.1 header parser received no bytes", "EOF reached while reading");
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(stale -> {
            assertThat(stale.firedTrigger()).hasValue(Trigger.afterExchanges(1));
            assertThat(text(stale)).endsWith("{\"sku\":\"SKU-42\",\"quantity\":1}P"); // 1 byte of the 2nd POST
            assertThat(stale.ending()).isEqualTo(Ending.PEER_CLOSED);
        });
    }
    // end::tls-stale-post-fails[]

    @DisplayName("a pooled TLS connection closed as the next charge goes out: the idempotency key makes the retry safe")
    // tag::tls-stale-charge-retried[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", lengthField = "Content-Length", response = CREATED)
    @ForceCloseAfter(exchanges = 1, connections = @Connections(first = 1))
    void stalePooledConnectionRetriedWithIdempotencyKey(MisbehavingPeer peer) throws Exception {
        var payments = new PaymentsClient(service(peer).resolve("/charges"), 3, Tls.generated().clientContext());

        assertThat(payments.charge(4_200)).isEqualTo(new PaymentsClient.Receipt(1, 201)); // connection 1
        assertThat(payments.charge(1_300)).isEqualTo(new PaymentsClient.Receipt(2, 201)); // stale, then connection 2

        assertThat(peer.awaitConnections(1, WAIT)).satisfiesExactly(
                stale -> {
                    assertThat(stale.firedTrigger()).hasValue(Trigger.afterExchanges(1));
                    assertThat(stale.ending()).isEqualTo(Ending.PEER_CLOSED);
                },
                fresh -> {
                    assertThat(fresh.fault()).isEmpty();
                    assertThat(text(fresh)).startsWith("POST /charges ").endsWith("{\"amount\":1300}");
                    assertThat(text(fresh).toLowerCase()).contains("idempotency-key: ");
                });
    }
    // end::tls-stale-charge-retried[]

    @DisplayName("a middlebox resets once the handshake completed: the POST is not retried, the PUT is")
    // tag::tls-reset-after-handshake[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", lengthField = "Content-Length", response = CREATED)
    @ForceResetAfter(handshake = HandshakeStage.COMPLETED, connections = @Connections(first = 2))
    void resetAfterHandshake(MisbehavingPeer peer) throws Exception {
        var inventory = inventory(peer);

        var failed = catchThrowableOfType(CallFailedException.class, () -> inventory.reserve("SKU-42", 2));
        assertThat(failed.attempts()).isEqualTo(1); // the request may have gone out: a POST is not repeated
        assertThat(failed).is(connectionReset());
        assertThat(messages(failed)).contains("HTTP/1.1 header parser received no bytes");

        assertThat(inventory.setLevel("SKU-42", 40)).isEqualTo(new InventoryClient.Outcome(2, 201)); // idempotent

        assertThat(peer.awaitConnections(2, WAIT)).satisfiesExactly(
                post -> assertThat(post.ending()).isEqualTo(Ending.PEER_RESET),
                put -> {
                    assertThat(put.tls()).hasValueSatisfying(tls -> assertThat(tls.handshakeCompleted()).isTrue());
                    assertThat(put.firedTrigger()).hasValue(Trigger.onHandshake(HandshakeStage.COMPLETED));
                    assertThat(put.receivedCount()).isZero(); // the peer read no request byte before its reset
                    assertThat(put.ending()).isEqualTo(Ending.PEER_RESET);
                },
                retried -> assertThat(text(retried)).startsWith("PUT /stock/SKU-42 ").endsWith("{\"level\":40}"));
    }
    // end::tls-reset-after-handshake[]

    static final String CLOSE_DELIMITED = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"; // no length: the end is the close

    @DisplayName("a response without a length, cut after 100,000 body bytes: the same short body with close_notify or without")
    // tag::tls-truncation-unframed[]
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"truncate", "close"})
    void unframedResponseCutShort(String how) throws Exception {
        Effect end = how.equals("truncate") ? Effect.truncate() : Effect.close(); // a bare FIN, or close_notify first
        var report = CLOSE_DELIMITED + "x".repeat(300_000);
        try (var peer = MisbehavingPeer.start(Script.respond(RequestEnd.delimiter("\r\n\r\n"), report)
                        .withTls(Tls.generated()),
                new Fault(end, Trigger.afterBytes(Direction.DOWNSTREAM, CLOSE_DELIMITED.length() + 100_000)))) {
            var downloader = new ReportDownloader(service(peer).resolve("/report.csv"), Duration.ofSeconds(5),
                    Tls.generated().clientContext());

            byte[] body = downloader.download(); // no exception: nothing says the body is short

            assertThat(body).hasSize(100_000);
            assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
                assertThat(connection.fault()).hasValueSatisfying(f -> assertThat(f.effect()).isEqualTo(end));
                assertThat(connection.ending()).isEqualTo(Ending.PEER_CLOSED);
            });
        }
    }
    // end::tls-truncation-unframed[]
}
