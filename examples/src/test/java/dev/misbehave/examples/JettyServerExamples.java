package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ClientEnding;
import dev.misbehave.ClientRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingClient;
import dev.misbehave.MisbehavingClients;
import dev.misbehave.Trigger;
import dev.misbehave.examples.JettyUploadService.Completion;
import dev.misbehave.examples.JettyUploadService.Kind;
import dev.misbehave.examples.JettyUploadService.Outcome;
import dev.misbehave.junit.MisbehaveExtension;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.EofException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The misbehaving client against a Jetty 12 server with servlets, the application's {@link
 * JettyUploadService}, whose connector has an idle timeout of 500 ms. Each example states what the
 * servlet sees (measured) and asserts it.
 */
@DisplayName("A misbehaving client against a Jetty 12 servlet")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(MisbehaveExtension.class)
class JettyServerExamples {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration IDLE_TIMEOUT = JettyUploadService.IDLE_TIMEOUT;

    private JettyUploadService service;

    /**
     * Jetty's first request in a JVM loads Jetty's classes. On a busy 2-core machine that took longer
     * than the 500 ms idle timeout, and Jetty closed that connection unanswered (the client saw
     * SERVER_CLOSED after 1.5 s, no byte); so one upload and one download first, with a long idle timeout.
     */
    @BeforeAll
    static void warmUpJetty() throws Exception {
        try (JettyUploadService warm = JettyUploadService.start(1024, Duration.ofSeconds(30));
                MisbehavingClient upload = MisbehavingClient.to(warm.address())
                        .sending(upload(10).replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")).open();
                MisbehavingClient download = MisbehavingClient.to(warm.address())
                        .sending("GET /download HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").open()) {
            assertThat(upload.awaitEnded(WAIT).get(0).receivedText()).startsWith("HTTP/1.1 201 Created");
            assertThat(download.awaitEnded(WAIT).get(0).receivedText()).startsWith("HTTP/1.1 200 OK");
        }
    }

    @BeforeEach
    void startService() throws Exception {
        service = JettyUploadService.start(64L * 1024 * 1024); // GET /download: 64 MiB
    }

    @AfterEach
    void stopService() {
        service.close();
    }

    private static String upload(int bodyBytes) {
        return "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + bodyBytes + "\r\n\r\n"
                + "x".repeat(bodyBytes);
    }

    @DisplayName("an upload reset after 8 KiB of its 64 KiB body: the servlet reads 8 KiB, then an EofException 'Early EOF'; it commits nothing and no 500 is written")
    // tag::jetty-reset-upload[]
    @Test
    void uploadResetMidBody(MisbehavingClients clients) throws Exception {
        String request = upload(64 * 1024);
        int head = request.indexOf("\r\n\r\n") + 4;

        MisbehavingClient client = clients.to(service.address())
                .sending(request)
                .with(Fault.resetAfter(Direction.UPSTREAM, head + 8 * 1024))
                .open();

        Outcome outcome = service.nextOutcome(WAIT);
        assertThat(outcome.kind()).isEqualTo(Kind.ABORTED);
        assertThat(outcome.bytes()).isEqualTo(8 * 1024); // every byte sent before the reset
        // Jetty turns the reset into its end-of-stream exception: no "Connection reset" in sight
        assertThat(outcome.failure()).isInstanceOf(EofException.class).hasMessage("Early EOF").hasNoCause();
        assertThat(service.committed()).isEmpty();
        assertThat(service.warnings()).hasSize(1);
        // no 500: Jetty ends the exchange with the servlet's untouched response, an empty 200,
        // which cannot reach a client that is gone
        Completion completion = service.nextCompletion(WAIT);
        assertThat(service.statuses()).containsExactly(200);
        assertThat(completion.failure()).hasRootCauseInstanceOf(EofException.class);

        ClientRecord record = client.awaitEnded(WAIT).get(0);
        assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_RESET);
        assertThat(record.sentCount()).isEqualTo(head + 8 * 1024);
        assertThat(record.receivedCount()).isZero();
    }
    // end::jetty-reset-upload[]

    @DisplayName("a client that connects and never speaks: the connector's idle timeout closes it after 500 ms, with no byte sent (no 408)")
    // tag::jetty-never-speaks[]
    @Test
    void connectionThatNeverSpeaksIsClosedByTheIdleTimeout(MisbehavingClients clients) {
        MisbehavingClient client = clients.to(service.address())
                .with(new Fault(Effect.stall(), Trigger.onAccept()))
                .open();

        ClientRecord record = client.awaitEnded(WAIT).get(0);
        assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
        assertThat(record.sentCount()).isZero();
        assertThat(record.receivedCount()).isZero(); // a plain FIN, no 408
        assertThat(record.endedAfter()).hasValueSatisfying(after -> assertThat(after)
                .isGreaterThanOrEqualTo(IDLE_TIMEOUT)
                .isLessThan(IDLE_TIMEOUT.multipliedBy(10)));
        assertThat(service.statuses()).isEmpty(); // no request reached a servlet
    }
    // end::jetty-never-speaks[]

    @DisplayName("a slowloris upload, 1 byte every 100 ms: the idle timeout restarts on every byte, so it outlives 10 idle timeouts and is committed and answered 201")
    // tag::jetty-slowloris[]
    @Test
    void slowlorisOutlivesTheIdleTimeout(MisbehavingClients clients) throws Exception {
        String request = upload(4); // 65 bytes: 6.4 s at 1 byte per 100 ms

        MisbehavingClient client = clients.to(service.address())
                .sending(request)
                .with(new Fault(Effect.slice(Direction.UPSTREAM, 1, Duration.ofMillis(100)), Trigger.onAccept()))
                .open();

        Outcome outcome = service.nextOutcome(Duration.ofSeconds(20));
        assertThat(outcome.kind()).isEqualTo(Kind.COMMITTED);
        assertThat(outcome.bytes()).isEqualTo(4);
        ClientRecord record = client.awaitEnded(WAIT).get(0);
        assertThat(record.sentCount()).isEqualTo(request.length());
        assertThat(record.receivedText()).startsWith("HTTP/1.1 201 Created").endsWith("stored 4 bytes\n");
        // served, then closed by the idle timeout once the kept-alive connection went quiet
        assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
        assertThat(record.endedAfter()).hasValueSatisfying(after ->
                assertThat(after).isGreaterThan(IDLE_TIMEOUT.multipliedBy(10)));
    }
    // end::jetty-slowloris[]

    @DisplayName("200 slowloris connections trickling their headers: an upload beside them is served well under a second")
    // tag::jetty-beside-slowloris[]
    @Test
    void servesBesideSlowlorisConnections(MisbehavingClients clients, TestReporter reporter) throws Exception {
        MisbehavingClient slow = clients.to(service.address())
                .sending(upload(4).replace("\r\n\r\n", "\r\nX-Padding: " + "p".repeat(300) + "\r\n\r\n"))
                .with(new Fault(Effect.slice(Direction.UPSTREAM, 1, Duration.ofMillis(100)), Trigger.onAccept()))
                .connections(200)
                .open();
        slow.awaitJournal(journal -> journal.size() == 200
                && journal.stream().allMatch(record -> record.firedTrigger().isPresent()), WAIT);

        ClientRecord beside = clients.to(service.address())
                .sending(upload(10).replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"))
                .open().awaitEnded(WAIT).get(0);
        assertThat(beside.receivedText()).startsWith("HTTP/1.1 201 Created").endsWith("stored 10 bytes\n");
        assertThat(beside.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
        // its latency, from the connect to Jetty's close after the response ("Connection: close")
        Duration latency = beside.endedAfter().orElseThrow();
        reporter.publishEntry("latency beside 200 slowloris connections", latency.toMillis() + " ms");
        assertThat(latency).isLessThan(Duration.ofSeconds(1));
        assertThat(service.committed()).hasSize(1);
        // the slowloris connections are still trickling their headers: no servlet has seen them
        assertThat(slow.connections()).allSatisfy(record -> assertThat(record.ending()).isEqualTo(ClientEnding.OPEN));
    }
    // end::jetty-beside-slowloris[]

    @DisplayName("a client that stops reading after 16 KiB of a 64 MiB download: the idle timeout fails the servlet's blocked write (an IOException caused by a TimeoutException) and frees its thread")
    // tag::jetty-never-reads[]
    @Test
    void clientThatNeverReadsIsEndedByTheIdleTimeout(MisbehavingClients clients) throws Exception {
        MisbehavingClient client = clients.to(service.address())
                .sending("GET /download HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .with(Fault.stallAfter(Direction.DOWNSTREAM, 16 * 1024))
                .open();

        ClientRecord stalled = client.awaitJournal(
                journal -> journal.get(0).firedTrigger().isPresent(), WAIT).get(0);
        assertThat(stalled.receivedCount()).isEqualTo(16 * 1024); // not a byte more

        Outcome outcome = service.nextOutcome(WAIT);
        assertThat(outcome.kind()).isEqualTo(Kind.DOWNLOAD_FAILED);
        assertThat(outcome.bytes()).isBetween(16L * 1024, 64L * 1024 * 1024 - 1); // what the buffers took
        assertThat(outcome.failure()).isExactlyInstanceOf(IOException.class)
                .cause().isInstanceOf(TimeoutException.class)
                .hasMessageMatching("Idle timeout expired: \\d+/500 ms");
        // the servlet returned: Jetty completed the request with the timeout, its thread is free
        Completion completion = service.nextCompletion(WAIT);
        assertThat(completion.status()).isEqualTo(200);
        assertThat(completion.failure()).isInstanceOf(TimeoutException.class);

        ClientRecord record = client.connections().get(0);
        assertThat(record.receivedCount()).isEqualTo(16 * 1024); // still not a byte more
        assertThat(record.ending()).isEqualTo(ClientEnding.OPEN); // it reads nothing, so it sees no FIN
    }
    // end::jetty-never-reads[]

    @DisplayName("a client that half-closes after its request still gets the whole response, then Jetty closes")
    // tag::jetty-half-close[]
    @Test
    void halfClosingClientGetsItsResponse(MisbehavingClients clients) throws Exception {
        String request = upload(1000);

        MisbehavingClient client = clients.to(service.address())
                .sending(request)
                .with(Fault.halfCloseAfter(Direction.UPSTREAM, request.length()))
                .open();

        Outcome outcome = service.nextOutcome(WAIT);
        assertThat(outcome.kind()).isEqualTo(Kind.COMMITTED);
        assertThat(outcome.bytes()).isEqualTo(1000);
        ClientRecord record = client.awaitEnded(WAIT).get(0);
        assertThat(record.receivedText()).startsWith("HTTP/1.1 201 Created").endsWith("stored 1000 bytes\n");
        assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
    }
    // end::jetty-half-close[]
}
