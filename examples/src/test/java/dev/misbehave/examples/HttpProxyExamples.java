package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.ProxyTo;
import dev.misbehave.RequestEnd;
import dev.misbehave.Schedule;
import dev.misbehave.Script;
import dev.misbehave.Trigger;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.UpstreamRecord;
import dev.misbehave.assertj.ConnectionFailure;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real HTTP server (the JDK's {@code HttpServer}, started by the test class) behind the
 * misbehaving peer in proxy mode, and the application's artifact store client written with each of
 * four HTTP clients. Every test runs once per client.
 */
@DisplayName("An artifact store client, through a misbehaving proxy, against a real HTTP server")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
// The tests assert what the class's one artifact server counted (forgotten before each test), so
// they run one at a time under parallel execution (-Pparallel); the class runs beside the others.
@Execution(ExecutionMode.SAME_THREAD)
class HttpProxyExamples {

    /** The application's client, one implementation per HTTP client library. */
    enum Client {
        JDK_HTTP_CLIENT(JdkArtifactStore::new, Optional.of(ConnectionFailure.CLOSED), false),
        /** JDK 17 ends the body silently at the FIN (the application's length check catches it); later JDKs say "Premature EOF". */
        URL_CONNECTION(UrlConnectionArtifactStore::new, Optional.of(ConnectionFailure.CLOSED), false),
        /** Repeats a request that failed on a reused pooled connection, a POST too (its body can be sent again). */
        OKHTTP(OkHttpArtifactStore::new, Optional.of(ConnectionFailure.CLOSED), true),
        /**
         * {@code ConnectionClosedException: Premature end of Content-Length delimited message body
         * (expected: 524288; received: 102400)}, with no cause.
         */
        APACHE(ApacheArtifactStore::new, Optional.of(ConnectionFailure.CLOSED), false);

        final Function<URI, ArtifactStore> open;
        /** What {@link ConnectionFailure#classify} makes of a download the server cut short with a FIN. */
        final Optional<ConnectionFailure> closeMidBody;
        /** Whether it sends a POST again by itself when its pooled connection turns out stale. */
        final boolean resendsPost;

        Client(Function<URI, ArtifactStore> open, Optional<ConnectionFailure> closeMidBody, boolean resendsPost) {
            this.open = open;
            this.closeMidBody = closeMidBody;
            this.resendsPost = resendsPost;
        }

        /**
         * Asserts that the application read the {@code arrived} body bytes before the failure. The
         * JDK HttpClient's {@code BodyHandlers.ofInputStream()} may report the failure before the
         * application has read every buffered byte (measured: 6 trials in 100 read 98,184 of
         * 102,400 bytes before a FIN), so for it the exact count is in its own message.
         */
        void assertBodyBytesRead(DownloadFailedException failed, long arrived) {
            if (this == JDK_HTTP_CLIENT) {
                assertThat(failed.bytesReceived()).isBetween(0L, arrived);
                assertThat(failed).hasStackTraceContaining("bytes received: " + arrived);
            } else {
                assertThat(failed.bytesReceived()).isEqualTo(arrived);
            }
        }

        /**
         * How many of {@code connections} end when the application closes its client: JDK 17's
         * HttpClient cannot be closed, and HttpURLConnection's keep-alive cache belongs to the JVM
         * (it closes an idle connection after 5 s), so their last pooled connection stays open.
         */
        int ended(int connections) {
            return this == JDK_HTTP_CLIENT || this == URL_CONNECTION ? connections - 1 : connections;
        }

        ArtifactStore open(MisbehavingPeer proxy) {
            return open.apply(URI.create("http://" + proxy.host() + ":" + proxy.port()));
        }
    }

    static final Duration WAIT = Duration.ofSeconds(10);

    // tag::server[]
    static ArtifactServer server; // the JDK's HttpServer on an ephemeral loopback port

    @BeforeAll
    static void startServer() {
        server = ArtifactServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }
    // end::server[]

    @BeforeEach
    void forgetCounts() {
        server.forget();
    }

    @DisplayName("a download the server stops with a reset after 200,000 response bytes fails, and is never accepted short")
    // tag::crash-mid-download[]
    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void crashMidDownload(Client client) throws Exception {
        try (MisbehavingPeer proxy = MisbehavingPeer.start(Script.forwardTo(server.address()),
                        Fault.resetAfter(Direction.DOWNSTREAM, 200_000));
                ArtifactStore store = client.open(proxy)) {
            DownloadFailedException failed = catchThrowableOfType(DownloadFailedException.class,
                    () -> store.download("/artifacts/app.bin"));

            assertThat(failed).is(connectionReset());
            assertThat(proxy.awaitConnections(1, WAIT)).singleElement().satisfies(download -> {
                assertThat(download.sentCount()).isEqualTo(200_000); // to the client
                client.assertBodyBytesRead(failed, 200_000 - headLength(download.sent())); // none accepted
                assertThat(download.ending()).isEqualTo(Ending.PEER_RESET);
                UpstreamRecord server = download.upstream().orElseThrow();
                assertThat(server.receivedCount()).isGreaterThanOrEqualTo(200_000);
                assertThat(server.ending()).isEqualTo(UpstreamEnding.PEER_RESET); // both legs
            });
        }
    }
    // end::crash-mid-download[]

    @DisplayName("an upload a middlebox resets after 300,000 request bytes fails, and never reaches the server whole")
    // tag::reset-mid-upload[]
    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void middleboxResetsMidUpload(Client client) throws Exception {
        byte[] upload = ArtifactServer.letters(1 << 20);
        try (MisbehavingPeer proxy = MisbehavingPeer.start(Script.forwardTo(server.address()),
                        Fault.resetAfter(Direction.UPSTREAM, 300_000));
                ArtifactStore store = client.open(proxy)) {
            assertThatThrownBy(() -> store.upload("/uploads/app.bin", upload)).is(connectionReset());
            assertThat(proxy.awaitConnections(1, WAIT)) // no client sent it twice
                    .singleElement().satisfies(attempt -> {
                        assertThat(attempt.receivedCount()).isEqualTo(300_000);
                        assertThat(attempt.ending()).isEqualTo(Ending.PEER_RESET);
                        assertThat(attempt.upstream().orElseThrow().ending()).isEqualTo(UpstreamEnding.PEER_RESET);
                    });
            server.awaitUploadsEnded(1, WAIT);
            assertThat(server.uploadsBegun()).isEqualTo(1); // the request reached the server...
            assertThat(server.uploadsWhole()).isZero(); // ...but never whole
        }
    }
    // end::reset-mid-upload[]

    @DisplayName("a download the server itself cuts short with a close (FIN) reaches the client as a close, and fails")
    // tag::server-fin-mid-body[]
    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void serverClosesMidBody(Client client) throws Exception {
        try (MisbehavingPeer proxy = MisbehavingPeer.start(Script.forwardTo(server.address())); // no fault
                ArtifactStore store = client.open(proxy)) {
            DownloadFailedException failed = catchThrowableOfType(DownloadFailedException.class,
                    () -> store.download("/artifacts/cut.bin"));

            client.assertBodyBytesRead(failed, ArtifactServer.CUT_AFTER);
            if (failed.getCause() == null) { // the body just ended: only the application's length check saw it
                assertThat(client).isEqualTo(Client.URL_CONNECTION);
                assertThat(failed).hasMessage("Body cut short: 102400 of 524288 bytes");
            } else {
                assertThat(ConnectionFailure.classify(failed)).isEqualTo(client.closeMidBody);
            }
            assertThat(proxy.awaitConnections(1, WAIT)).singleElement().satisfies(download -> {
                UpstreamRecord server = download.upstream().orElseThrow();
                assertThat(server.ending()).isEqualTo(UpstreamEnding.SERVER_CLOSED); // the server's FIN...
                assertThat(download.ending()).isEqualTo(Ending.PEER_CLOSED); // ...passed on as a FIN
                assertThat(download.sentCount()).isEqualTo(server.receivedCount()); // every byte
            });
        }
    }
    // end::server-fin-mid-body[]

    @DisplayName("two catalog requests (the proxy declared with @ProxyTo), when the first pooled connection is reset at its 2nd request, both succeed: every client retries a GET on a fresh connection")
    // tag::stale-connection-get[]
    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    @ProxyTo(value = "artifactServer", requestEndsWith = "\r\n\r\n", lengthField = "Content-Length") // counts requests
    @ForceResetAfter(exchanges = 1, connections = @Connections(first = 1))
    void staleConnectionGet(Client client, MisbehavingPeer proxy) throws Exception {
        try (ArtifactStore store = client.open(proxy)) {
            String first = store.catalog();
            String second = store.catalog(); // the pooled connection is reset as this request starts
            store.close(); // closes the pooled connection, so the journal settles

            assertThat(List.of(first, second)).containsOnly(ArtifactServer.CATALOG);
            assertThat(proxy.awaitConnections(client.ended(2), WAIT)).satisfiesExactly(
                    stale -> {
                        assertThat(stale.firedTrigger()).isPresent();
                        assertThat(stale.ending()).isEqualTo(Ending.PEER_RESET);
                    },
                    retry -> assertThat(retry.fault()).isEmpty()); // the retry went on a fresh connection
            assertThat(server.catalogRequests()).isEqualTo(2); // the cut request never reached it
        }
    }
    // end::stale-connection-get[]

    // tag::proxy-to[]
    static InetSocketAddress artifactServer() {
        return server.address(); // @ProxyTo("artifactServer") reads this at each connection
    }
    // end::proxy-to[]

    @DisplayName("two uploads, when the first pooled connection is reset at its 2nd request: which clients send the POST again")
    // tag::stale-connection-post[]
    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void staleConnectionPost(Client client) throws Exception {
        Script proxied = Script.forwardTo(server.address())
                .withRequestEnd(RequestEnd.headersThenLength("\r\n\r\n", "Content-Length"));
        Fault staleOnce = new Fault(new Effect.Reset(), new Trigger.AfterExchanges(1)).on(Schedule.first(1));
        byte[] upload = ArtifactServer.letters(10 * 1024);
        try (MisbehavingPeer proxy = MisbehavingPeer.start(proxied, staleOnce);
                ArtifactStore store = client.open(proxy)) {
            int first = store.upload("/uploads/a.bin", upload);
            Throwable second = catchThrowable(() -> store.upload("/uploads/b.bin", upload));
            store.close();

            assertThat(first).isEqualTo(201);
            List<ConnectionRecord> journal = proxy.awaitConnections(client.resendsPost ? client.ended(2) : 1, WAIT);
            if (client.resendsPost) { // the client sent the POST again, on a fresh connection, by itself
                assertThat(second).isNull();
                assertThat(journal).hasSize(2);
            } else {
                assertThat(second).is(connectionReset());
                assertThat(journal).hasSize(1);
            }
            assertThat(journal.get(0).ending()).isEqualTo(Ending.PEER_RESET);
            assertThat(server.uploadsWhole()).isEqualTo(client.resendsPost ? 2 : 1);
        }
    }
    // end::stale-connection-post[]

    /** The length of an HTTP response head: up to and including the blank line. */
    static int headLength(byte[] response) {
        String text = new String(response, StandardCharsets.ISO_8859_1);
        int blank = text.indexOf("\r\n\r\n");
        assertThat(blank).as("the end of the response head").isPositive();
        return blank + 4;
    }
}
