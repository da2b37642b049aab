package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static dev.misbehave.examples.DownloadExamples.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.misbehave.Connections;
import dev.misbehave.Delivery;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.HandshakeStage;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.Script;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.StallAfter;
import dev.misbehave.Tls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** More clients over TLS: {@code HttpsURLConnection}, a corrupted record, and HTTP/2 chosen by ALPN. */
@DisplayName("More HTTPS clients")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsClientExamples {

    @BeforeAll
    static void warmUpTls() throws Exception {
        TlsWarmUp.once(); // a cold JVM's first handshake can outlast the clients' 2 s connect timeout
    }

    static final int HEAD = DownloadExamples.HEAD;
    static final Duration WAIT = Duration.ofSeconds(10);

    @DisplayName("HttpsURLConnection: a download reset after 256 KiB of body fails with a reset")
    // tag::tls-urlconnection-reset[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @ForceResetAfter(bytes = HEAD + 262_144, direction = Direction.DOWNSTREAM)
    void urlConnectionResetMidDownload(MisbehavingPeer peer) {
        var store = new UrlConnectionArtifactStore(URI.create("https://localhost:" + peer.port()),
                Tls.generated().clientContext()); // HttpsURLConnection with its socket factory

        var failed = catchThrowableOfType(DownloadFailedException.class, () -> store.download("/report.csv"));

        assertThat(failed).is(connectionReset());
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.sentCount()).isEqualTo(HEAD + 262_144);
            assertThat(connection.delivery()).isEqualTo(Delivery.CONFIRMED);
        });
    }
    // end::tls-urlconnection-reset[]

    @DisplayName("a raw SSLSocket: a pooled TLS connection reset as the next request arrives is retried once")
    // tag::tls-sslsocket[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\n", response = "12.34\n")
    @ForceResetAfter(exchanges = 1, connections = @Connections(first = 1))
    void sslSocketStaleConnectionIsRetried(MisbehavingPeer peer) throws Exception {
        var server = new InetSocketAddress("localhost", peer.port());
        try (var quotes = new QuoteClient(server, 2_000, Tls.generated().clientContext().getSocketFactory())) {
            assertThat(quotes.quote("ACME")).isEqualTo("12.34"); // connection 1
            assertThat(quotes.quote("ACME")).isEqualTo("12.34"); // reset, then connection 2
        }
        assertThat(peer.awaitConnections(2, WAIT)).satisfiesExactly(
                stale -> {
                    assertThat(new String(stale.received(), StandardCharsets.US_ASCII)).isEqualTo("QUOTE ACME\nQ");
                    assertThat(stale.ending()).isEqualTo(Ending.PEER_RESET);
                },
                fresh -> assertThat(fresh.fault()).isEmpty());
    }
    // end::tls-sslsocket[]

    @DisplayName("a server that stalls the handshake: the HttpClient's connect timeout (2 s) ends it, nothing sent")
    // tag::tls-hello-stall[]
    @Test
    @PeerScript(tls = true)
    @StallAfter(handshake = HandshakeStage.CLIENT_HELLO) // an overloaded server that accepts and never answers
    void stalledHandshake(MisbehavingPeer peer) {
        var collector = URI.create("https://localhost:" + peer.port() + "/events");
        var publisher = new EventPublisher(collector, Tls.generated().clientContext());

        // the JDK HttpClient's connect timeout covers the TLS handshake, not only the TCP connect
        assertThatThrownBy(() -> publisher.publish("{}")).isInstanceOf(HttpConnectTimeoutException.class);
        assertThat(peer.awaitTriggered(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.tls()).isEmpty(); // the handshake never got past the ClientHello
            assertThat(connection.receivedCount()).isZero();
        });
    }
    // end::tls-hello-stall[]

    @DisplayName("a plain HTTP server on the HTTPS port: the handshake meets bytes that are no TLS record")
    // tag::tls-hello-garbage[]
    @Test
    @PeerScript(tls = true)
    @SendGarbageAfter(handshake = HandshakeStage.CLIENT_HELLO, text = "HTTP/1.1 400 Bad Request\r\n\r\n", thenClose = true)
    void plainHttpOnTheTlsPort(MisbehavingPeer peer) {
        var collector = URI.create("https://localhost:" + peer.port() + "/events");
        var publisher = new EventPublisher(collector, Tls.generated().clientContext());

        // the JDK's TLS recognizes an HTTP answer where a ServerHello should be
        assertThatThrownBy(() -> publisher.publish("{}")).isInstanceOf(SSLException.class)
                .hasMessageContaining("Unrecognized SSL message, plaintext connection?");
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.receivedCount()).isZero(); // the request never left the client
            assertThat(new String(connection.sent(), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 400");
        });
    }
    // end::tls-hello-garbage[]

    @DisplayName("a corrupted record after 100,000 body bytes: the download fails in TLS, not with a reset")
    // tag::tls-corrupt-record[]
    @Test
    @PeerScript(tls = true, requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @SendGarbageAfter(bytes = HEAD + 100_000, direction = Direction.DOWNSTREAM, corruptRecord = true)
    void corruptedRecord(MisbehavingPeer peer) {
        var report = URI.create("https://localhost:" + peer.port() + "/report.csv");
        var downloader = new ReportDownloader(report, Duration.ofSeconds(5), Tls.generated().clientContext());

        var failed = catchThrowableOfType(DownloadFailedException.class, downloader::download);

        // a record whose authentication tag fails: the client's TLS layer rejects it (bad_record_mac)
        assertThat(failed).isNotNull().isNot(connectionReset());
        assertThat(messages(failed)).anySatisfy(m -> assertThat(m).startsWith("Tag mismatch")); // JDK 17 adds "!"
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.fault()).hasValueSatisfying(
                    f -> assertThat(f.effect()).isEqualTo(Effect.corruptRecord()));
            assertThat(connection.sentCount()).isEqualTo(HEAD + 100_000); // every byte before it arrived intact
            assertThat(connection.ending()).isEqualTo(Ending.PEER_CLOSED);
        });
    }
    // end::tls-corrupt-record[]

    @DisplayName("HTTP/2 by ALPN: the JDK HttpClient starts h2, and meets a reset right after its preface")
    // tag::tls-h2[]
    @Test
    void http2ResetAfterPreface() throws IOException {
        Tls h2 = Tls.generated().withApplicationProtocols("h2"); // the peer chooses h2 when offered
        try (var peer = MisbehavingPeer.start(Script.silent().withTls(h2), Fault.resetAfter(Direction.UPSTREAM, 24))) {
            HttpClient client = HttpClient.newBuilder().sslContext(h2.clientContext()).build(); // HTTP/2 by default
            HttpRequest get = HttpRequest.newBuilder(URI.create("https://localhost:" + peer.port() + "/"))
                    .timeout(Duration.ofSeconds(5)).build();

            assertThatThrownBy(() -> client.send(get, HttpResponse.BodyHandlers.ofString())).is(connectionReset());
            assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
                assertThat(connection.tls()).hasValueSatisfying(
                        tls -> assertThat(tls.applicationProtocol()).hasValue("h2"));
                assertThat(new String(connection.received(), StandardCharsets.US_ASCII))
                        .isEqualTo("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"); // the connection preface, exactly
                assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
            });
        }
    }
    // end::tls-h2[]
}
