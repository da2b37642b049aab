package dev.misbehave.examples;

import static dev.misbehave.examples.NettyHttpService.Timeouts.PATIENT;
import static dev.misbehave.examples.NettyHttpService.Timeouts.PRODUCTION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ClientEnding;
import dev.misbehave.ClientRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingClient;
import dev.misbehave.MisbehavingClients;
import dev.misbehave.Trigger;
import dev.misbehave.examples.NettyHttpService.Connection;
import dev.misbehave.examples.NettyHttpService.Timeouts;
import dev.misbehave.junit.MisbehaveExtension;
import io.netty.util.Version;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The misbehaving client against a server the application owns: {@link NettyHttpService}, an HTTP/1.1
 * server on the application's own Netty 4.1, beside the Netty 4.2 relocated inside Misbehave's jar.
 * What the service's handlers saw is asserted event by event (measured: Netty 4.1.131, NIO, Linux).
 *
 * <p>Each test runs the service with the production value of the timeout it is about and {@link
 * Timeouts#PATIENT} values for the others: on a shared machine a thread can stall for a second, and a
 * request that arrives late must not meet a timeout the test is not about.
 */
@DisplayName("A misbehaving client against the application's Netty 4.1 HTTP service")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@ExtendWith(MisbehaveExtension.class)
class NettyServerExamples {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String HELLO = "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n";
    private static final Fault SLOWLORIS =
            new Fault(Effect.slice(Direction.UPSTREAM, 1, Duration.ofMillis(100)), Trigger.onAccept());

    private static final Duration DEADLINE = PRODUCTION.requestDeadline(); // 500 ms for the whole request
    private static final Duration IDLE = PRODUCTION.idleTimeout(); // 250 ms with no request under way
    private static final Duration WRITE = PRODUCTION.writeTimeout(); // 500 ms per write

    private final List<NettyHttpService> started = new ArrayList<>();

    /** Starts the service; the test's end stops it. */
    private NettyHttpService start(Timeouts timeouts) throws InterruptedException {
        NettyHttpService service = NettyHttpService.start(timeouts);
        started.add(service);
        return service;
    }

    /** Starts the service with Netty's default ALLOW_HALF_CLOSURE (false); the test's end stops it. */
    private NettyHttpService startWithNettyDefaults(Timeouts timeouts) throws InterruptedException {
        NettyHttpService service = NettyHttpService.startWithNettyDefaults(timeouts);
        started.add(service);
        return service;
    }

    @AfterEach
    void stopServices() {
        started.forEach(NettyHttpService::close);
    }

    private static String upload(int bodyBytes) {
        return "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + bodyBytes + "\r\n\r\n"
                + "x".repeat(bodyBytes);
    }

    private static String export(int bytes) {
        return "GET /export?bytes=" + bytes + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    @DisplayName("the service runs on the application's Netty 4.1; Misbehave's own Netty is relocated and invisible")
    @Test
    void applicationNettyIs41() {
        assertThat(Version.identify()).containsKeys("netty-common", "netty-transport", "netty-codec-http")
                .allSatisfy((artifact, version) -> assertThat(version.artifactVersion()).startsWith("4.1."));
    }

    @DisplayName("an upload reset after 8 KiB of its 64 KiB body: the handler reads every byte sent, then exceptionCaught(Connection reset); nothing committed, no 500")
    // tag::netty-aborted-upload[]
    @Test
    void abortedUploadCommitsNothing(MisbehavingClients clients) throws Exception {
        NettyHttpService service = start(PATIENT);
        String request = upload(64 * 1024);
        int head = request.indexOf("\r\n\r\n") + 4;

        MisbehavingClient client = clients.to(service.address())
                .sending(request)
                .with(Fault.resetAfter(Direction.UPSTREAM, head + 8 * 1024))
                .open();

        ClientRecord record = client.awaitEnded(WAIT).get(0);
        assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_RESET);
        Connection seen = service.closed(record.localAddress().orElseThrow(), WAIT);
        assertThat(seen.bytesRead()).isEqualTo(head + 8 * 1024); // every byte sent, then the reset
        assertThat(seen.events()).containsExactly(
                "channelActive",
                "app: POST /upload",
                "exceptionCaught(SocketException: Connection reset)", // not a FIN: no ChannelInputShutdownEvent
                "close: exception",
                "userEventTriggered(ChannelInputShutdownReadComplete)", // Netty's read loop, after the close
                "channelInactive",
                "app: upload aborted");
        assertThat(service.nextOutcome(WAIT))
                .isEqualTo("upload aborted after 8192 of 65536 body bytes: SocketException: Connection reset");
        assertThat(service.committed()).isEmpty();
        assertThat(service.statuses()).isEmpty(); // no 500, no response at all
    }
    // end::netty-aborted-upload[]

    @DisplayName("a slowloris (1 byte every 100 ms) is closed by the request deadline, long before its request would end")
    // tag::netty-slowloris[]
    @Test
    void slowlorisIsClosedByTheRequestDeadline(MisbehavingClients clients) throws Exception {
        NettyHttpService service = start(PATIENT.withRequestDeadline(DEADLINE));
        MisbehavingClient slow = clients.to(service.address())
                .sending(HELLO) // 38 bytes: 3.8 s at this pace
                .with(SLOWLORIS)
                .open();

        ClientRecord record = slow.awaitEnded(WAIT).get(0);
        assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
        assertThat(record.endedAfter()).hasValueSatisfying(after -> // long before the trickle's 3.8 s
                assertThat(after).isBetween(DEADLINE, Duration.ofSeconds(3)));
        assertThat(record.sentCount()).isLessThan(HELLO.length()); // the request never finished
        Connection seen = service.closed(record.localAddress().orElseThrow(), WAIT);
        assertThat(seen.closedBy()).isEqualTo("request deadline");
        assertThat(seen.events())
                .containsExactly("channelActive", "request deadline", "close: request deadline", "channelInactive");
        assertThat(service.statuses()).isEmpty();
    }
    // end::netty-slowloris[]

    @DisplayName("200 slowloris connections: a normal request beside them is served at once; each slowloris is closed at its deadline")
    // tag::netty-slowloris-200[]
    @Test
    void servesBesideTwoHundredSlowlorisConnections(MisbehavingClients clients, TestReporter reporter)
            throws Exception {
        // 3 s: under the 3.8 s a trickle needs, and long enough that all 200 are still open when the
        // normal request comes, even on a machine that stalls for a second
        Duration deadline = Duration.ofSeconds(3);
        NettyHttpService service = start(PATIENT.withRequestDeadline(deadline));
        MisbehavingClient slowloris = clients.to(service.address())
                .sending(HELLO)
                .with(SLOWLORIS)
                .connections(200)
                .open();
        List<ClientRecord> trickling = slowloris.awaitJournal(journal -> journal.size() == 200
                && journal.stream().allMatch(record -> record.sentCount() > 0), WAIT);
        assertThat(trickling).allSatisfy(record -> assertThat(record.ending()).isEqualTo(ClientEnding.OPEN));

        MisbehavingClient normal = clients.to(service.address())
                .sending(HELLO)
                .with(Fault.halfCloseAfter(Direction.UPSTREAM, HELLO.length())) // the server closes after its answer
                .open();

        ClientRecord served = normal.awaitEnded(WAIT).get(0);
        assertThat(served.receivedText()).startsWith("HTTP/1.1 200 OK").endsWith("hello\n");
        assertThat(served.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
        Duration latency = served.endedAfter().orElseThrow(); // connect, request, whole response, close
        reporter.publishEntry("latency beside 200 slowloris connections (ms)",
                String.format(Locale.ROOT, "%.1f", latency.toNanos() / 1e6));
        assertThat(latency).isLessThan(deadline); // not queued behind the trickles
        assertThat(service.responses()).singleElement() // answered before the deadline closed any of them
                .satisfies(response -> assertThat(response.closedConnections()).isZero());

        assertThat(slowloris.awaitEnded(WAIT)).allSatisfy(record -> {
            assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
            assertThat(record.endedAfter()).hasValueSatisfying(after ->
                    assertThat(after).isBetween(deadline, deadline.plusSeconds(3)));
        });
    }
    // end::netty-slowloris-200[]

    @DisplayName("a client that stops reading after 16 KiB of a 64 MiB export: the write timeout fires and frees the channel")
    // tag::netty-never-reads[]
    @Test
    void writeTimeoutFreesAClientThatNeverReads(MisbehavingClients clients) throws Exception {
        NettyHttpService service = start(PATIENT.withWriteTimeout(WRITE));
        MisbehavingClient client = clients.to(service.address())
                .sending(export(64 * 1024 * 1024))
                .with(Fault.stallAfter(Direction.DOWNSTREAM, 16 * 1024))
                .open();

        ClientRecord stalled = client.awaitJournal(journal -> journal.get(0).firedTrigger().isPresent(), WAIT).get(0);
        Connection seen = service.closed(stalled.localAddress().orElseThrow(), WAIT);
        assertThat(seen.closedBy()).isEqualTo("write timeout");
        assertThat(seen.events()).containsExactly(
                "channelActive",
                "app: GET /export?bytes=67108864",
                "app: LastHttpContent",
                "exceptionCaught(WriteTimeoutException)", // from WriteTimeoutHandler, which closes the channel too
                "close: write timeout",
                "channelInactive",
                "app: export failed");
        assertThat(seen.openFor()).isGreaterThanOrEqualTo(WRITE);
        assertThat(service.nextOutcome(WAIT)).startsWith("export of 67108864 bytes failed after ")
                .endsWith(" response bytes: WriteTimeoutException");
        assertThat(service.openConnections()).isZero(); // the channel is freed

        ClientRecord record = client.connections().get(0);
        assertThat(record.receivedCount()).isEqualTo(16 * 1024); // exactly the bytes before the stall
        assertThat(record.ending()).isEqualTo(ClientEnding.OPEN); // the server's FIN waits behind unread bytes
    }
    // end::netty-never-reads[]

    @DisplayName("a client that connects and never speaks is closed by the idle timeout")
    // tag::netty-never-speaks[]
    @Test
    void idleTimeoutClosesASilentConnection(MisbehavingClients clients) throws Exception {
        NettyHttpService service = start(PATIENT.withIdleTimeout(IDLE));
        MisbehavingClient silent = clients.to(service.address())
                .with(new Fault(Effect.stall(), Trigger.onAccept()))
                .open();

        ClientRecord record = silent.awaitEnded(WAIT).get(0);
        assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
        assertThat(record.sentCount()).isZero();
        assertThat(record.endedAfter()).hasValueSatisfying(after ->
                assertThat(after).isBetween(IDLE, Duration.ofSeconds(3)));
        Connection seen = service.closed(record.localAddress().orElseThrow(), WAIT);
        assertThat(seen.events()).containsExactly("channelActive",
                "userEventTriggered(IdleStateEvent ALL_IDLE)", "close: idle timeout", "channelInactive");
    }
    // end::netty-never-speaks[]

    @DisplayName("a client that half-closes while its export is still being prepared gets all of it (ALLOW_HALF_CLOSURE), then the server closes")
    // tag::netty-half-close[]
    @Test
    void halfClosingClientGetsItsWholeResponse(MisbehavingClients clients) throws Exception {
        NettyHttpService service = start(PATIENT);
        String request = export(4 * 1024 * 1024);
        CompletableFuture<Void> backend = service.holdBackend(); // the export's data is not ready yet

        MisbehavingClient client = clients.to(service.address())
                .sending(request)
                .with(Fault.halfCloseAfter(Direction.UPSTREAM, request.length()))
                .open();
        InetSocketAddress from = client.awaitJournal(journal -> journal.get(0).firedTrigger().isPresent(), WAIT)
                .get(0).localAddress().orElseThrow();
        service.awaitEvent(from, "userEventTriggered(ChannelInputShutdownEvent)", WAIT); // the FIN is in
        backend.complete(null); // only now does the response start

        ClientRecord record = client.awaitEnded(WAIT).get(0);
        int head = record.receivedText().indexOf("\r\n\r\n") + 4;
        assertThat(record.receivedText()).startsWith("HTTP/1.1 200 OK");
        assertThat(record.receivedCount()).isEqualTo(head + 4 * 1024 * 1024L);
        assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
        assertThat(service.closed(from, WAIT).events()).containsSubsequence(
                "app: LastHttpContent",
                "userEventTriggered(ChannelInputShutdownEvent)",
                "close: response sent, the client had half-closed",
                "channelInactive");
        assertThat(service.nextOutcome(WAIT)).isEqualTo("exported 4194304 bytes");
    }
    // end::netty-half-close[]

    @DisplayName("with Netty's default ALLOW_HALF_CLOSURE=false, the half-closing client's FIN closes the channel: no answer at all")
    // tag::netty-default-half-close[]
    @Test
    void nettyDefaultsDropAHalfClosingClientsResponse(MisbehavingClients clients) throws Exception {
        NettyHttpService service = startWithNettyDefaults(PATIENT);
        String request = export(4 * 1024 * 1024);
        CompletableFuture<Void> backend = service.holdBackend();

        MisbehavingClient client = clients.to(service.address())
                .sending(request)
                .with(Fault.halfCloseAfter(Direction.UPSTREAM, request.length()))
                .open();

        ClientRecord record = client.awaitEnded(WAIT).get(0);
        assertThat(record.receivedCount()).isZero();
        assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
        Connection seen = service.closed(record.localAddress().orElseThrow(), WAIT);
        assertThat(seen.closedBy()).isEqualTo("not the service"); // Netty closed it on the end of stream
        assertThat(seen.events()).containsExactly("channelActive", "app: GET /export?bytes=4194304",
                "app: LastHttpContent", "channelInactive"); // no event before it

        backend.complete(null); // the data is ready: nobody to send it to
        assertThat(service.nextOutcome(WAIT))
                .isEqualTo("export of 4194304 bytes dropped: the channel closed before the backend answered");
        assertThat(service.statuses()).isEmpty();
    }
    // end::netty-default-half-close[]
}
