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
import dev.misbehave.junit.MisbehaveExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The misbehaving client against a server the application owns: the JDK HttpServer's UploadService. */
@DisplayName("A misbehaving client against the upload service")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
// tag::client-extension[]
@ExtendWith(MisbehaveExtension.class)
class MisbehavingClientExamples {
    // end::client-extension[]

    private static final Duration WAIT = Duration.ofSeconds(10);

    private UploadService service;

    @BeforeEach
    void startService() throws Exception {
        service = UploadService.start(64 * 1024 * 1024);
    }

    @AfterEach
    void stopService() {
        service.close();
    }

    private static String upload(int bodyBytes) {
        return "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + bodyBytes + "\r\n\r\n"
                + "x".repeat(bodyBytes);
    }

    @DisplayName("an upload reset after 8 KiB of its 64 KiB body: the handler sees an IOException, commits nothing, answers nothing, logs one warning")
    // tag::aborted-upload[]
    @Test
    void abortedUploadCommitsNothing(MisbehavingClients clients) throws Exception {
        String request = upload(64 * 1024);
        int head = request.indexOf("\r\n\r\n") + 4;

        MisbehavingClient client = clients.to(service.address())
                .sending(request)
                .with(Fault.resetAfter(Direction.UPSTREAM, head + 8 * 1024))
                .open();

        assertThat(service.nextOutcome(10)).isEqualTo("aborted: SocketException: Connection reset");
        assertThat(service.committed()).isEmpty();
        assertThat(service.statuses()).isEmpty(); // no 500, no response at all
        assertThat(service.warnings()).hasSize(1);
        ClientRecord record = client.awaitEnded(WAIT).get(0);
        assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_RESET);
        assertThat(record.sentCount()).isEqualTo(head + 8 * 1024);
    }
    // end::aborted-upload[]

    @DisplayName("a client that half-closes after its request still gets the whole response, then the server closes")
    // tag::half-close[]
    @Test
    void halfClosingClientGetsItsResponse(MisbehavingClients clients) throws Exception {
        String request = upload(1000);

        MisbehavingClient client = clients.to(service.address())
                .sending(request)
                .with(Fault.halfCloseAfter(Direction.UPSTREAM, request.length()))
                .open();

        assertThat(service.nextOutcome(10)).isEqualTo("committed 1000 bytes");
        ClientRecord record = client.awaitEnded(WAIT).get(0);
        assertThat(record.receivedText()).startsWith("HTTP/1.1 201 Created").endsWith("stored 1000 bytes\n");
        assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
    }
    // end::half-close[]

    @DisplayName("a client that stops reading after 16 KiB of a 64 MiB export holds the worker (HttpServer has no write timeout) until it goes away")
    // tag::never-reads[]
    @Test
    void clientThatNeverReads(MisbehavingClients clients) throws Exception {
        MisbehavingClient client = clients.to(service.address())
                .sending("GET /export HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .with(Fault.stallAfter(Direction.DOWNSTREAM, 16 * 1024))
                .open();

        ClientRecord stalled = client.awaitJournal(
                journal -> journal.get(0).firedTrigger().isPresent(), WAIT).get(0);
        assertThat(stalled.receivedCount()).isEqualTo(16 * 1024); // not a byte more
        assertThat(stalled.ending()).isEqualTo(ClientEnding.OPEN);
        assertThat(service.statuses()).containsExactly(200);

        client.close(); // the client goes away: only now does the handler's blocked write fail
        assertThat(service.nextOutcome(10)) // "export failed after 4259840 bytes: IOException: Broken pipe" (measured)
                .matches("export failed after \\d+ bytes: IOException: (Broken pipe|Connection reset by peer)");
    }
    // end::never-reads[]

    @DisplayName("200 connections that never speak beside one upload: the upload is served, and the probe reports its latency")
    // tag::beside-silent[]
    @Test
    void servesBesideSilentConnections(MisbehavingClients clients) throws Exception {
        MisbehavingClient silent = clients.to(service.address())
                .with(new Fault(Effect.stall(), Trigger.onAccept()))
                .connections(200)
                .open();
        silent.awaitJournal(journal -> journal.size() == 200
                && journal.stream().allMatch(record -> record.firedTrigger().isPresent()), WAIT);

        ClientRecord upload = clients.to(service.address()).sending(upload(10)).probe(WAIT);

        assertThat(upload.receivedText()).startsWith("HTTP/1.1 201 Created");
        assertThat(upload.firstReceivedAfter()).hasValueSatisfying( // the latency to the first byte
                latency -> assertThat(latency).isLessThan(WAIT));
        assertThat(silent.connections()).allSatisfy(record -> assertThat(record.ending()).isEqualTo(ClientEnding.OPEN));
    }
    // end::beside-silent[]

    @DisplayName("an upload whose client hangs up (FIN) after 8 KiB of its 64 KiB body: the handler sees the body end early")
    // tag::hang-up-mid-upload[]
    @Test
    void hangUpMidUpload(MisbehavingClients clients) throws Exception {
        String request = upload(64 * 1024);
        int head = request.indexOf("\r\n\r\n") + 4;

        MisbehavingClient client = clients.to(service.address())
                .sending(request)
                .with(Fault.closeAfter(Direction.UPSTREAM, head + 8 * 1024))
                .open();

        assertThat(service.nextOutcome(10)).isEqualTo("aborted: IOException: connection closed before all data received");
        assertThat(service.committed()).isEmpty();
        assertThat(client.awaitEnded(WAIT).get(0).ending()).isEqualTo(ClientEnding.CLIENT_CLOSED);
    }
    // end::hang-up-mid-upload[]

    @DisplayName("an upload that stalls after 1 KiB of its body: the handler waits in its read until the client goes away")
    // tag::stall-mid-upload[]
    @Test
    void stallMidUpload(MisbehavingClients clients) throws Exception {
        String request = upload(64 * 1024);
        int head = request.indexOf("\r\n\r\n") + 4;

        MisbehavingClient client = clients.to(service.address())
                .sending(request)
                .with(Fault.stallAfter(Direction.UPSTREAM, head + 1024))
                .open();

        ClientRecord stalled = client.awaitJournal(journal -> journal.get(0).firedTrigger().isPresent(), WAIT).get(0);
        assertThat(stalled.sentCount()).isEqualTo(head + 1024);
        assertThat(stalled.ending()).isEqualTo(ClientEnding.OPEN); // HttpServer has no read timeout
        client.close();
        assertThat(service.nextOutcome(10)).isEqualTo("aborted: IOException: connection closed before all data received");
        assertThat(service.committed()).isEmpty();
    }
    // end::stall-mid-upload[]

    @DisplayName("an upload throttled to 64 KiB/s: it arrives whole, later, and is committed")
    // tag::throttled-upload[]
    @Test
    void throttledUpload(MisbehavingClients clients) throws Exception {
        String request = upload(32 * 1024);

        MisbehavingClient client = clients.to(service.address())
                .sending(request)
                .with(new Fault(Effect.throttle(Direction.UPSTREAM, 64 * 1024), Trigger.onAccept()))
                .open();

        assertThat(service.nextOutcome(10)).isEqualTo("committed 32768 bytes");
        ClientRecord record = client.awaitJournal(journal -> journal.get(0).receivedCount() > 0, WAIT).get(0);
        assertThat(record.receivedText()).startsWith("HTTP/1.1 201 Created");
        // the head and 32 KiB at 64 KiB/s go in 11 pieces of 1/20 s, 50 ms apart: 10 gaps before the last
        assertThat(record.firstReceivedAfter().orElseThrow()).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }
    // end::throttled-upload[]

    @DisplayName("noise instead of a request line, then a close: no handler runs")
    // tag::garbage-request[]
    @Test
    void garbageInsteadOfARequest(MisbehavingClients clients) throws Exception {
        MisbehavingClient client = clients.to(service.address())
                .with(new Fault(Effect.garbage("\u0016\u0003\u0001 not HTTP\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                        Effect.close()), Trigger.onAccept()))
                .open();

        ClientRecord record = client.awaitEnded(WAIT).get(0);
        assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_CLOSED);
        assertThat(record.receivedCount()).isZero(); // the client closed at once: no answer can reach it
        assertThat(service.statuses()).isEmpty(); // and no handler ran
    }
    // end::garbage-request[]

    @DisplayName("50 connections reset right after their connect: no handler runs, and an upload after them is served")
    // tag::reset-on-connect[]
    @Test
    void resetsRightAfterConnect(MisbehavingClients clients) throws Exception {
        MisbehavingClient resets = clients.to(service.address())
                .with(new Fault(Effect.reset(), Trigger.onAccept()))
                .connections(50)
                .open();
        assertThat(resets.awaitEnded(WAIT)).allSatisfy(record -> {
            assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_RESET);
            assertThat(record.sentCount()).isZero();
        });

        ClientRecord upload = clients.to(service.address()).sending(upload(10)).probe(WAIT);

        assertThat(upload.receivedText()).startsWith("HTTP/1.1 201 Created");
        assertThat(service.statuses()).containsExactly(201); // only the upload's
    }
    // end::reset-on-connect[]

    @DisplayName("an upload that starts 300 ms after its connect: HttpServer waits for it and commits it")
    // tag::delayed-upload[]
    @Test
    void delayedUpload(MisbehavingClients clients) throws Exception {
        MisbehavingClient client = clients.to(service.address())
                .sending(upload(1000))
                .with(new Fault(Effect.delay(Direction.UPSTREAM, Duration.ofMillis(300), Duration.ZERO), Trigger.onAccept()))
                .open();

        assertThat(service.nextOutcome(10)).isEqualTo("committed 1000 bytes");
        ClientRecord record = client.awaitJournal(journal -> journal.get(0).receivedCount() > 0, WAIT).get(0);
        assertThat(record.receivedText()).startsWith("HTTP/1.1 201 Created");
        assertThat(record.firstReceivedAfter().orElseThrow())
                .isGreaterThanOrEqualTo(record.connectedAfter().orElseThrow().plusMillis(300));
    }
    // end::delayed-upload[]
}
