package dev.misbehave;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("The misbehaving client against real servers: each effect, what the server sees, and the journal")
@Timeout(60)
class MisbehavingClientTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] UPLOAD = upload(1000);

    private static byte[] upload(int bytes) {
        byte[] body = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }

    /** Reads until the end of the stream or an error; says which, and how many bytes came first. */
    private static String readToEnd(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                total += n;
            }
            return "EOF after " + total;
        } catch (SocketException e) {
            return e.getMessage() + " after " + total;
        }
    }

    /** Reads until a deadline from the accept passes (a header timeout that trickling cannot defeat), then closes. */
    private static String readUntilDeadline(Socket socket, long millis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        InputStream in = socket.getInputStream();
        long total = 0;
        while (true) {
            long leftNanos = deadline - System.nanoTime();
            if (leftNanos <= 0) {
                return "deadline after " + total;
            }
            // rounded up: a timeout rounded down fired up to 1 ms before the deadline (299.9 ms of 300 in CI)
            socket.setSoTimeout((int) Math.max(1, (leftNanos + 999_999) / 1_000_000));
            try {
                int n = in.read();
                if (n == -1) {
                    return "EOF after " + total;
                }
                total++;
            } catch (SocketTimeoutException timedOut) {
                // the loop's top decides: the deadline has passed, or the wait woke early
            }
        }
    }

    @Test
    @DisplayName("a reset after N request bytes: the server reads exactly N, then 'Connection reset'")
    void resetMidUpload() throws Exception {
        try (TestServer server = TestServer.start(MisbehavingClientTests::readToEnd);
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .sending(UPLOAD)
                        .with(Fault.resetAfter(Direction.UPSTREAM, 100))
                        .open()) {
            assertThat(server.firstOutcome().get(10, TimeUnit.SECONDS)).isEqualTo("Connection reset after 100");
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_RESET);
            assertThat(record.sentCount()).isEqualTo(100);
            assertThat(record.sent()).isEqualTo(Arrays.copyOf(UPLOAD, 100));
            assertThat(record.firedTrigger()).contains(Trigger.afterBytes(Direction.UPSTREAM, 100));
            assertThat(record.fault()).contains(Fault.resetAfter(Direction.UPSTREAM, 100));
            assertThat(record.localAddress()).isPresent();
            assertThat(record.connectedAfter()).isPresent();
            assertThat(record.firedAfter().orElseThrow()).isLessThanOrEqualTo(record.endedAfter().orElseThrow());
        }
    }

    @Test
    @DisplayName("a close after the request: the server reads it all, then the end of the stream")
    void closeAfterRequest() throws Exception {
        try (TestServer server = TestServer.start(MisbehavingClientTests::readToEnd);
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .sending(UPLOAD)
                        .with(Fault.closeAfter(Direction.UPSTREAM, UPLOAD.length))
                        .open()) {
            assertThat(server.firstOutcome().get(10, TimeUnit.SECONDS)).isEqualTo("EOF after 1000");
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_CLOSED);
            assertThat(record.sentCount()).isEqualTo(UPLOAD.length);
        }
    }

    @Test
    @DisplayName("a half-close after the request: the server sees the end of the request, and the client still reads the whole response")
    void halfCloseGetsTheResponse() throws Exception {
        byte[] response = upload(300_000);
        try (TestServer server = TestServer.start(socket -> {
                    String read = readToEnd(socket);
                    socket.getOutputStream().write(response);
                    return read;
                });
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .sending(UPLOAD)
                        .with(Fault.halfCloseAfter(Direction.UPSTREAM, UPLOAD.length))
                        .open()) {
            assertThat(server.firstOutcome().get(10, TimeUnit.SECONDS)).isEqualTo("EOF after 1000");
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
            assertThat(record.received()).isEqualTo(response);
        }
    }

    @Test
    @DisplayName("a stall after K response bytes: the client reads exactly K and no more, and the connection stays open")
    void stopsReading() throws Exception {
        AtomicLong written = new AtomicLong();
        try (TestServer server = TestServer.start(socket -> {
                    OutputStream out = socket.getOutputStream();
                    byte[] chunk = new byte[8192];
                    for (int i = 0; i < 8192; i++) { // 64 MiB at most: far more than the windows hold
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                    return written.get();
                });
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .with(Fault.stallAfter(Direction.DOWNSTREAM, 5000))
                        .open()) {
            List<ClientRecord> journal = client.awaitJournal(
                    records -> records.get(0).firedTrigger().isPresent(), WAIT);
            assertThat(journal.get(0).receivedCount()).isEqualTo(5000);
            assertThat(journal.get(0).ending()).isEqualTo(ClientEnding.OPEN);
            // once stalled, a later snapshot still holds exactly K: the client reads nothing more
            assertThat(client.connections().get(0).receivedCount()).isEqualTo(5000);
            assertThat(server.firstOutcome()).isNotDone();
            client.close();
            assertThat(client.connections().get(0).ending()).isEqualTo(ClientEnding.CLOSED_BY_TEST);
            assertThat(client.connections().get(0).receivedCount()).isEqualTo(5000);
        }
    }

    @Test
    @DisplayName("a trickle (1 byte per 100 ms) meets a server's 300 ms header deadline: the server closes it, the journal says when")
    void slowlorisMeetsADeadline() throws Exception {
        byte[] request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (TestServer server = TestServer.start(socket -> readUntilDeadline(socket, 300));
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .sending(request)
                        .with(new Fault(Effect.slice(Direction.UPSTREAM, 1, Duration.ofMillis(100)), Trigger.onAccept()))
                        .open()) {
            assertThat((String) server.firstOutcome().get(10, TimeUnit.SECONDS)).startsWith("deadline after ");
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isIn(ClientEnding.SERVER_CLOSED, ClientEnding.SERVER_RESET);
            assertThat(record.endedAfter().orElseThrow()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(record.sentCount()).isPositive().isLessThan(request.length);
            assertThat(record.firedTrigger()).contains(Trigger.onAccept());
        }
    }

    @Test
    @DisplayName("connect and never speak: the server's idle deadline closes it; nothing was sent")
    void neverSpeaks() throws Exception {
        try (TestServer server = TestServer.start(socket -> readUntilDeadline(socket, 200));
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .sending(UPLOAD)
                        .with(new Fault(Effect.stall(), Trigger.onAccept()))
                        .open()) {
            assertThat(server.firstOutcome().get(10, TimeUnit.SECONDS)).isEqualTo("deadline after 0");
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
            assertThat(record.endedAfter().orElseThrow()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThat(record.sentCount()).isZero();
        }
    }

    @Test
    @DisplayName("a reset right after connect: the server's first read is 'Connection reset'")
    void resetOnConnect() throws Exception {
        try (TestServer server = TestServer.start(MisbehavingClientTests::readToEnd);
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .sending(UPLOAD)
                        .with(new Fault(Effect.reset(), Trigger.onAccept()))
                        .open()) {
            assertThat(server.firstOutcome().get(10, TimeUnit.SECONDS)).isEqualTo("Connection reset after 0");
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_RESET);
            assertThat(record.sentCount()).isZero();
        }
    }

    @Test
    @DisplayName("garbage instead of the request, then a close: the server reads the garbage")
    void garbage() throws Exception {
        byte[] garbage = {0x16, 0x03, 0x01, 0x00, 0x00, (byte) 0xff};
        try (TestServer server = TestServer.start(socket -> new String(socket.getInputStream().readAllBytes(),
                        StandardCharsets.ISO_8859_1));
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .sending(UPLOAD)
                        .with(new Fault(Effect.garbage(garbage, Effect.close()), Trigger.afterBytes(Direction.UPSTREAM, 10)))
                        .open()) {
            String expected = new String(UPLOAD, 0, 10, StandardCharsets.ISO_8859_1)
                    + new String(garbage, StandardCharsets.ISO_8859_1);
            assertThat(server.firstOutcome().get(10, TimeUnit.SECONDS)).isEqualTo(expected);
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_CLOSED);
            assertThat(record.sentCount()).isEqualTo(10 + garbage.length);
        }
    }

    @Test
    @DisplayName("a throttle: the request arrives whole, paced (200 bytes at 1,000 B/s: 50 every 50 ms, so the server waits at least 100 ms after its first byte)")
    void throttle() throws Exception {
        byte[] request = upload(200);
        try (TestServer server = TestServer.start(socket -> {
                    socket.getInputStream().read(); // the first byte: the pace shows after it
                    long start = System.nanoTime();
                    byte[] got = socket.getInputStream().readNBytes(request.length - 1);
                    return got.length + " bytes in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                });
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .sending(request)
                        .with(new Fault(Effect.throttle(Direction.UPSTREAM, 1000), Trigger.onAccept()))
                        .open()) {
            String outcome = (String) server.firstOutcome().get(10, TimeUnit.SECONDS);
            assertThat(outcome).startsWith("199 bytes in ");
            assertThat(Long.parseLong(outcome.substring("199 bytes in ".length()))).isGreaterThanOrEqualTo(100);
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_CLOSED);
            assertThat(record.sent()).isEqualTo(request);
        }
    }

    @Test
    @DisplayName("a delay: the request's first byte leaves 200 ms after the connect, so an echo comes no sooner")
    void delay() throws Exception {
        try (TestServer server = TestServer.start(socket -> {
                    int first = socket.getInputStream().read();
                    socket.getOutputStream().write(first);
                    return readToEnd(socket);
                });
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .sending("x")
                        .with(new Fault(Effect.delay(Direction.UPSTREAM, Duration.ofMillis(200), Duration.ZERO),
                                Trigger.onAccept()))
                        .open()) {
            ClientRecord echoed = client.awaitJournal(journal -> journal.get(0).receivedCount() == 1, WAIT).get(0);
            assertThat(echoed.receivedText()).isEqualTo("x");
            assertThat(echoed.firstReceivedAfter().orElseThrow())
                    .isGreaterThanOrEqualTo(echoed.connectedAfter().orElseThrow().plusMillis(200));
        }
    }

    @Test
    @DisplayName("after a duration: a reset 200 ms after the connect, whatever was sent")
    void afterDuration() throws Exception {
        try (TestServer server = TestServer.start(MisbehavingClientTests::readToEnd);
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .sending("hello")
                        .with(new Fault(Effect.reset(), Trigger.afterDuration(Duration.ofMillis(200))))
                        .open()) {
            assertThat(server.firstOutcome().get(10, TimeUnit.SECONDS)).isEqualTo("Connection reset after 5");
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_RESET);
            assertThat(record.firedAfter().orElseThrow())
                    .isGreaterThanOrEqualTo(record.connectedAfter().orElseThrow().plusMillis(200));
        }
    }

    @Test
    @DisplayName("garbage then a reset: the server reads the garbage, then 'Connection reset'")
    void garbageThenReset() throws Exception {
        try (TestServer server = TestServer.start(MisbehavingClientTests::readToEnd);
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .with(new Fault(Effect.garbage(new byte[] {1, 2, 3}, Effect.reset()), Trigger.onAccept()))
                        .open()) {
            assertThat(server.firstOutcome().get(10, TimeUnit.SECONDS)).isEqualTo("Connection reset after 3");
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_RESET);
            assertThat(record.sent()).containsExactly(1, 2, 3);
        }
    }

    @Test
    @DisplayName("the server's reset reaches the journal as SERVER_RESET, with the words of the error")
    void serverReset() throws Exception {
        try (TestServer server = TestServer.start(socket -> {
                    socket.getInputStream().readNBytes(5);
                    socket.setSoLinger(true, 0);
                    return "reset";
                });
                MisbehavingClient client = MisbehavingClient.to(server.address()).sending("hello").open()) {
            assertThat(server.firstOutcome().get(10, TimeUnit.SECONDS)).isEqualTo("reset");
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isEqualTo(ClientEnding.SERVER_RESET);
            assertThat(record.failure()).hasValueSatisfying(text -> assertThat(text).containsIgnoringCase("reset"));
            assertThat(record.fault()).isEmpty();
            assertThat(record.firedTrigger()).isEmpty();
        }
    }

    @Test
    @DisplayName("a port no one listens on: CONNECT_FAILED, with the reason")
    void connectRefused() throws IOException {
        int port;
        try (ServerSocket released = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = released.getLocalPort();
        }
        try (MisbehavingClient client = MisbehavingClient.to("127.0.0.1", port).sending("hello").open()) {
            ClientRecord record = client.awaitEnded(WAIT).get(0);
            assertThat(record.ending()).isEqualTo(ClientEnding.CONNECT_FAILED);
            assertThat(record.failure()).hasValueSatisfying(text -> assertThat(text).containsIgnoringCase("refused"));
            assertThat(record.localAddress()).isEmpty();
            assertThat(record.connectedAfter()).isEmpty();
        }
    }

    @Test
    @DisplayName("a schedule picks the connections: only the 2nd of 3 resets, the others send their request whole")
    void schedule() throws Exception {
        try (TestServer server = TestServer.start(socket -> readUntilDeadline(socket, 200));
                MisbehavingClient client = MisbehavingClient.to(server.address())
                        .sending("0123456789")
                        .with(Fault.resetAfter(Direction.UPSTREAM, 3).on(Schedule.only(2)))
                        .oneAfterAnother(3)
                        .open()) {
            List<ClientRecord> journal = client.awaitEnded(WAIT);
            assertThat(journal).extracting(ClientRecord::ending)
                    .containsExactly(ClientEnding.SERVER_CLOSED, ClientEnding.CLIENT_RESET, ClientEnding.SERVER_CLOSED);
            assertThat(journal).extracting(ClientRecord::sentCount).containsExactly(10L, 3L, 10L);
            assertThat(journal).extracting(ClientRecord::index).containsExactly(0, 1, 2);
            assertThat(server.accepted()).isEqualTo(3);
        }
    }

    @Test
    @DisplayName("1,000 connections at once that never speak: all connected, all closed (FIN) when the client closes, every socket released when close() returns")
    // alone: it counts this JVM's open files
    @org.junit.jupiter.api.parallel.ResourceLock(value = org.junit.jupiter.api.parallel.Resources.GLOBAL,
            mode = org.junit.jupiter.api.parallel.ResourceAccessMode.READ_WRITE)
    void manyAtOnce() throws IOException {
        int connections = 1_000;
        long filesBefore = openFiles();
        // a server whose accept queue holds them all (a peer's holds 128: the rest would wait for SYN retries)
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2 * connections);
            try (MisbehavingClient client = MisbehavingClient.to((InetSocketAddress) server.getLocalAddress())
                    .sending("never sent")
                    .with(new Fault(Effect.stall(), Trigger.onAccept()))
                    .connections(connections)
                    .open()) {
                client.awaitJournal(journal -> journal.size() == connections
                        && journal.stream().allMatch(record -> record.firedTrigger().isPresent()), WAIT);
                assertThat(client.connections()).allSatisfy(record -> {
                    assertThat(record.ending()).isEqualTo(ClientEnding.OPEN);
                    assertThat(record.sentCount()).isZero();
                });

                client.close();

                assertThat(client.connections()).hasSize(connections)
                        .allSatisfy(record -> assertThat(record.ending()).isEqualTo(ClientEnding.CLOSED_BY_TEST));
                // the listener is the one file more than before
                if (filesBefore >= 0) {
                    assertThat(openFiles()).as("open files right after close()").isLessThanOrEqualTo(filesBefore + 1);
                }
            }
            for (int i = 0; i < connections; i++) { // each queued connection holds just the client's FIN
                try (SocketChannel accepted = server.accept()) {
                    assertThat(accepted.read(ByteBuffer.allocate(16))).as("connection %d", i).isEqualTo(-1);
                }
            }
        }
    }

    /** This JVM's open files, or -1 where there is no /proc/self/fd to count them. */
    private static long openFiles() throws IOException {
        if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/fd"))) {
            return -1;
        }
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return files.count();
        }
    }

    @Test
    @DisplayName("a churn: 50 connections one after another, each closed after its request; the peer sees 50, in order")
    void churn() {
        try (MisbehavingPeer peer = MisbehavingPeer.start(Script.silent());
                MisbehavingClient client = MisbehavingClient.to(peer.address())
                        .sending("ping")
                        .with(Fault.closeAfter(Direction.UPSTREAM, 4))
                        .oneAfterAnother(50)
                        .open()) {
            List<ClientRecord> journal = client.awaitEnded(WAIT);
            assertThat(journal).hasSize(50).allSatisfy(record -> {
                assertThat(record.ending()).isEqualTo(ClientEnding.CLIENT_CLOSED);
                assertThat(record.sentCount()).isEqualTo(4);
            });
            for (int i = 1; i < journal.size(); i++) { // each opened after the one before had ended
                assertThat(journal.get(i).startedAt()).isAfterOrEqualTo(journal.get(i - 1).startedAt());
            }
            assertThat(peer.awaitConnections(50, WAIT)).hasSize(50)
                    .allSatisfy(record -> assertThat(record.received()).asString().isEqualTo("ping"));
        }
    }

    @Test
    @DisplayName("probe: one well-behaved exchange, its latency to the first byte, then closed")
    void probe() throws Exception {
        try (TestServer server = TestServer.start(socket -> {
                    byte[] request = socket.getInputStream().readNBytes(4);
                    socket.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
                    return readToEnd(socket);
                })) {
            ClientRecord record = MisbehavingClient.to(server.address()).sending("ping").probe(WAIT);

            assertThat(record.receivedText()).isEqualTo("pong");
            assertThat(record.firstReceivedAfter()).hasValueSatisfying(latency -> assertThat(latency)
                    .isGreaterThanOrEqualTo(record.connectedAfter().orElseThrow())
                    .isLessThanOrEqualTo(record.endedAfter().orElseThrow()));
            assertThat(record.ending()).isIn(ClientEnding.CLOSED_BY_TEST, ClientEnding.SERVER_CLOSED);
            assertThat(server.firstOutcome().get(10, TimeUnit.SECONDS)).isEqualTo("EOF after 0"); // the probe's close
        }
    }

    @Test
    @DisplayName("probe: refused with faults; a server that never answers fails it with the journal")
    void probeRefusesAndTimesOut() {
        try (MisbehavingPeer silent = MisbehavingPeer.start(Script.silent())) {
            assertThatThrownBy(() -> MisbehavingClient.to(silent.address()).with(Fault.stallAfter(Direction.UPSTREAM, 0))
                            .probe(WAIT))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("probe() runs one well-behaved exchange");
            assertThatThrownBy(() -> MisbehavingClient.to(silent.address()).sending("ping").probe(Duration.ofMillis(100)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("waited 100 ms").hasMessageContaining("#0 from 127.0.0.1:")
                    .hasMessageContaining("well-behaved, trigger none, OPEN"); // a JVM's first connect may take longer than 100 ms
            assertThat(silent.awaitConnections(1, WAIT)).singleElement()
                    .satisfies(record -> assertThat(record.ending()).isEqualTo(Ending.CLIENT_CLOSED));
        }
    }

    @Test
    @DisplayName("a fault a client cannot run is refused before any connection, naming the fault and what to do")
    void refusesPeerFaults() {
        MisbehavingClient.Builder builder = MisbehavingClient.to("127.0.0.1", 9).sending("abc");
        assertThatThrownBy(() -> MisbehavingClient.to("127.0.0.1", 9).with(Fault.refuse()).open())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only a peer can run").hasMessageContaining("a client can reset, close");
        assertThatThrownBy(() -> MisbehavingClient.to("127.0.0.1", 9)
                        .with(new Fault(Effect.throttle(Direction.DOWNSTREAM, 10), Trigger.onAccept())).open())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use Direction.UPSTREAM");
        assertThatThrownBy(() -> MisbehavingClient.to("127.0.0.1", 9)
                        .with(new Fault(Effect.reset(), Trigger.onPattern(Direction.DOWNSTREAM, "x"))).open())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Trigger.onAccept()");
        assertThatThrownBy(() -> builder.with(Fault.resetAfter(Direction.UPSTREAM, 4)).open())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the request has 3 bytes, so it would never fire");
        assertThatThrownBy(() -> MisbehavingClient.to("127.0.0.1", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port must be 1 to 65535, was 0");
        assertThatThrownBy(() -> MisbehavingClient.to("127.0.0.1", 9).connections(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connections must be 1 to 10000, was 0");
        assertThatThrownBy(() -> MisbehavingClient.to("127.0.0.1", 9).connectTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout must be 1 ms or more");
    }

    @Test
    @DisplayName("a group closes every client opened through it, and refuses new ones afterwards")
    void groupCloses() {
        try (MisbehavingPeer peer = MisbehavingPeer.start(Script.silent())) {
            MisbehavingClients clients = new MisbehavingClients();
            MisbehavingClient first = clients.to(peer.address()).with(new Fault(Effect.stall(), Trigger.onAccept())).open();
            MisbehavingClient second = clients.to(peer.host(), peer.port()).sending("x").open();
            first.awaitJournal(journal -> journal.get(0).firedTrigger().isPresent(), WAIT);
            second.awaitJournal(journal -> journal.get(0).sentCount() == 1, WAIT);
            assertThat(clients.opened()).containsExactly(first, second);

            clients.close();

            assertThat(first.connections().get(0).ending()).isEqualTo(ClientEnding.CLOSED_BY_TEST);
            assertThat(second.connections().get(0).ending()).isEqualTo(ClientEnding.CLOSED_BY_TEST);
            assertThatThrownBy(() -> clients.to(peer.address()).open())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("this group is closed");
        }
    }
}
