package dev.misbehave.internal;

import static dev.misbehave.testing.Sockets.readAll;
import static dev.misbehave.testing.Sockets.readExactly;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Delivery;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.RequestEnd;
import dev.misbehave.Schedule;
import dev.misbehave.Script;
import dev.misbehave.Trigger;
import dev.misbehave.Unreachable;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.UpstreamRecord;
import dev.misbehave.testing.Sockets.Read;
import dev.misbehave.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

@Timeout(30)
@DisplayName("Proxy mode: a peer in front of a real server")
class ProxyTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int SERVER_READ_TIMEOUT = 10_000;

    /** Everything the server's side reads until end-of-stream; a reset or timeout is thrown. */
    static byte[] readToEnd(Socket socket) throws IOException {
        socket.setSoTimeout(SERVER_READ_TIMEOUT);
        return socket.getInputStream().readAllBytes();
    }

    static byte[] letters(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    static Object outcome(TestServer server) throws Exception {
        try {
            return server.firstOutcome().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    static UpstreamRecord upstreamOf(ConnectionRecord record) {
        assertThat(record.upstream()).as("upstream leg of %s", record).isPresent();
        return record.upstream().orElseThrow();
    }

    static NettyPeer proxy(TestServer server, Fault fault) {
        return NettyPeer.start(Script.forwardTo(server.address()), fault, PeerSettings.DEFAULTS);
    }

    @Nested
    @DisplayName("a well-behaved proxy")
    class WellBehaved {

        @Test
        @DisplayName("forwards both ways and journals both legs")
        void forwardsBothWays() throws Exception {
            try (TestServer server = TestServer.start(socket -> {
                        byte[] request = readExactlyFrom(socket, 5);
                        socket.getOutputStream().write(("echo:" + new String(request, UTF_8)).getBytes(UTF_8));
                        return readToEnd(socket).length;
                    });
                    MisbehavingPeer peer = proxy(server, null);
                    Socket client = new Socket(peer.host(), peer.port())) {
                client.getOutputStream().write("hello".getBytes(UTF_8));
                assertThat(new String(readExactly(client, 10), UTF_8)).isEqualTo("echo:hello");
                client.shutdownOutput();
                assertThat(readAll(client).bytes()).isEmpty();
                assertThat(outcome(server)).isEqualTo(0);
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.received()).asString(UTF_8).isEqualTo("hello");
                assertThat(record.sent()).asString(UTF_8).isEqualTo("echo:hello");
                assertThat(record.ending()).isEqualTo(Ending.CLIENT_CLOSED);
                UpstreamRecord upstream = upstreamOf(record);
                assertThat(upstream.address()).contains(server.address());
                assertThat(upstream.sentCount()).isEqualTo(5);
                assertThat(upstream.receivedCount()).isEqualTo(10);
                assertThat(upstream.ending()).isEqualTo(UpstreamEnding.PEER_CLOSED);
                assertThat(upstream.failure()).isEmpty();
                assertThat(record.toString()).contains("upstream 127.0.0.1:" + server.port());
            }
        }

        @Test
        @DisplayName("passes the server's FIN on as a half-close: the client reads the end, and can still send")
        void serverFinIsAHalfClose() throws Exception {
            try (TestServer server = TestServer.start(socket -> {
                        socket.getOutputStream().write("bye".getBytes(UTF_8));
                        socket.shutdownOutput();
                        return new String(readToEnd(socket), UTF_8);
                    });
                    MisbehavingPeer peer = proxy(server, null);
                    Socket client = new Socket(peer.host(), peer.port())) {
                Read read = readAll(client);
                assertThat(read.text()).isEqualTo("bye");
                assertThat(read.failure()).isNull();
                client.getOutputStream().write("late words".getBytes(UTF_8));
                client.shutdownOutput();
                assertThat(outcome(server)).isEqualTo("late words");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.ending()).isEqualTo(Ending.PEER_CLOSED);
                assertThat(upstreamOf(record).ending()).isEqualTo(UpstreamEnding.SERVER_CLOSED);
                assertThat(upstreamOf(record).sentCount()).isEqualTo(10);
            }
        }

        @Test
        @DisplayName("awaitJournal sees the server's close while the client keeps its side open; it fails with the journal on timeout")
        void awaitJournalSeesTheServerLeg() throws Exception {
            try (TestServer server = TestServer.start(socket -> {
                        socket.shutdownOutput();
                        return new String(readToEnd(socket), UTF_8);
                    });
                    MisbehavingPeer peer = proxy(server, null);
                    Socket client = new Socket(peer.host(), peer.port())) {
                List<ConnectionRecord> journal = peer.awaitJournal(records -> !records.isEmpty()
                        && records.get(0).upstream().map(leg -> leg.ending() == UpstreamEnding.SERVER_CLOSED)
                                .orElse(false), WAIT);
                assertThat(journal.get(0).ending()).isEqualTo(Ending.OPEN); // the client has not closed
                assertThat(upstreamOf(journal.get(0)).ending()).isEqualTo(UpstreamEnding.SERVER_CLOSED);
                assertThatThrownBy(() -> peer.awaitJournal(records -> records.size() > 1, Duration.ofMillis(50)))
                        .isInstanceOf(AssertionError.class)
                        .hasMessageStartingWith("Expected the journal to satisfy the condition within PT0.05S")
                        .hasMessageContaining("SERVER_CLOSED");
                client.shutdownOutput();
                assertThat(outcome(server)).isEqualTo("");
            }
        }

        @Test
        @DisplayName("passes the client's FIN on as a half-close: the server reads the end, and can still answer")
        void clientFinIsAHalfClose() throws Exception {
            try (TestServer server = TestServer.start(socket -> {
                        byte[] request = readToEnd(socket);
                        socket.getOutputStream().write(("got " + request.length).getBytes(UTF_8));
                        return new String(request, UTF_8);
                    });
                    MisbehavingPeer peer = proxy(server, null);
                    Socket client = new Socket(peer.host(), peer.port())) {
                client.getOutputStream().write("whole request".getBytes(UTF_8));
                client.shutdownOutput();
                Read read = readAll(client);
                assertThat(read.text()).isEqualTo("got 13");
                assertThat(read.failure()).isNull();
                assertThat(outcome(server)).isEqualTo("whole request");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.ending()).isEqualTo(Ending.CLIENT_CLOSED);
                assertThat(upstreamOf(record).ending()).isEqualTo(UpstreamEnding.PEER_CLOSED);
            }
        }

        @Test
        @DisplayName("passes the server's RST on as an RST, after the bytes the server sent before it")
        void serverResetIsAReset() throws Exception {
            byte[] body = letters(100_000);
            try (TestServer server = TestServer.start(socket -> {
                        socket.getOutputStream().write(body);
                        socket.getOutputStream().flush();
                        readExactlyFrom(socket, 2); // the client's "ok": it has every byte
                        socket.setSoLinger(true, 0);
                        return "reset";
                    });
                    MisbehavingPeer peer = proxy(server, null);
                    Socket client = new Socket(peer.host(), peer.port())) {
                assertThat(readExactly(client, body.length)).isEqualTo(body);
                client.getOutputStream().write("ok".getBytes(UTF_8));
                Read read = readAll(client);
                assertThat(read.bytes()).isEmpty();
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
                assertThat(record.sentCount()).isEqualTo(body.length);
                assertThat(upstreamOf(record).ending()).isEqualTo(UpstreamEnding.SERVER_RESET);
            }
        }

        @Test
        @DisplayName("delivers what the server sent before its RST, then resets the client")
        void serverResetAfterDataDeliversTheData() throws Exception {
            byte[] body = letters(300_000);
            try (TestServer server = TestServer.start(socket -> {
                        socket.getOutputStream().write(body);
                        socket.setSoLinger(true, 0); // the bytes are in the peer's buffers or on the way
                        return "reset";
                    });
                    MisbehavingPeer peer = proxy(server, null);
                    Socket client = new Socket(peer.host(), peer.port())) {
                Read read = readAll(client);
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                // the kernel may drop what the peer had not read when the RST came: never more than sent
                assertThat(record.sentCount()).isEqualTo(read.bytes().length);
                assertThat(read.bytes()).isEqualTo(java.util.Arrays.copyOf(body, read.bytes().length));
                assertThat(record.delivery()).isIn(Delivery.CONFIRMED, Delivery.NOT_CHECKED);
                assertThat(upstreamOf(record).ending()).as("%s", record).isEqualTo(UpstreamEnding.SERVER_RESET);
            }
        }

        @Test
        @DisplayName("passes the client's RST on to the server as an RST")
        void clientResetIsAReset() throws Exception {
            CompletableFuture<Void> gotByte = new CompletableFuture<>();
            try (TestServer server = TestServer.start(socket -> {
                        readExactlyFrom(socket, 1);
                        gotByte.complete(null);
                        return readToEnd(socket);
                    });
                    MisbehavingPeer peer = proxy(server, null)) {
                Socket client = new Socket(peer.host(), peer.port());
                client.getOutputStream().write("x".getBytes(UTF_8));
                gotByte.get(10, TimeUnit.SECONDS);
                client.setSoLinger(true, 0);
                client.close();
                assertThat(outcome(server)).isInstanceOf(SocketException.class)
                        .hasFieldOrPropertyWithValue("message", "Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.ending()).isEqualTo(Ending.CLIENT_RESET);
                assertThat(upstreamOf(record).ending()).isEqualTo(UpstreamEnding.PEER_RESET);
            }
        }

        @Test
        @DisplayName("gives each connection the address its supplier gives at accept")
        void supplierPerConnection() throws Exception {
            try (TestServer first = TestServer.start(socket -> {
                        socket.getOutputStream().write('1');
                        return "first";
                    });
                    TestServer second = TestServer.start(socket -> {
                        socket.getOutputStream().write('2');
                        return "second";
                    })) {
                ArrayDeque<InetSocketAddress> addresses = new ArrayDeque<>(List.of(first.address(), second.address()));
                try (MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(addresses::poll))) {
                    for (String expected : List.of("1", "2")) {
                        try (Socket client = new Socket(peer.host(), peer.port())) {
                            assertThat(readAll(client).text()).isEqualTo(expected);
                        }
                    }
                    List<ConnectionRecord> records = peer.awaitConnections(2, WAIT);
                    assertThat(upstreamOf(records.get(0)).address()).contains(first.address());
                    assertThat(upstreamOf(records.get(1)).address()).contains(second.address());
                }
            }
        }
    }

    @Nested
    @DisplayName("faults between the client and the server")
    class Faults {

        @Test
        @DisplayName("a reset after K of the server's bytes: the client reads exactly K, then \"Connection reset\"; the server's leg is reset too")
        void resetAfterDownstreamBytes() throws Exception {
            byte[] body = letters(1 << 20);
            try (TestServer server = TestServer.start(socket -> {
                        socket.getOutputStream().write(body);
                        return "wrote";
                    });
                    MisbehavingPeer peer = proxy(server, Fault.resetAfter(Direction.DOWNSTREAM, 300_000));
                    Socket client = new Socket(peer.host(), peer.port())) {
                Read read = readAll(client);
                assertThat(read.bytes()).isEqualTo(java.util.Arrays.copyOf(body, 300_000));
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.sentCount()).isEqualTo(300_000);
                assertThat(record.delivery()).isEqualTo(Delivery.CONFIRMED);
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
                assertThat(upstreamOf(record).receivedCount()).isGreaterThanOrEqualTo(300_000);
                assertThat(upstreamOf(record).ending()).isEqualTo(UpstreamEnding.PEER_RESET);
            }
        }

        @Test
        @DisplayName("a reset after N of the client's bytes: the server gets exactly N, then a reset; so does the client")
        void resetAfterUpstreamBytes() throws Exception {
            try (TestServer server = TestServer.start(ProxyTests::readToEnd);
                    MisbehavingPeer peer = proxy(server, Fault.resetAfter(Direction.UPSTREAM, 100));
                    Socket client = new Socket(peer.host(), peer.port())) {
                client.getOutputStream().write(letters(1000));
                Read read = readAll(client);
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
                Object served = outcome(server);
                assertThat(served).isInstanceOf(SocketException.class)
                        .hasFieldOrPropertyWithValue("message", "Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.receivedCount()).isEqualTo(100);
                assertThat(upstreamOf(record).sentCount()).isEqualTo(100);
                assertThat(upstreamOf(record).ending()).isEqualTo(UpstreamEnding.PEER_RESET);
            }
        }

        @Test
        @DisplayName("a close after K of the server's bytes: the client reads K, then the end; the server's leg is closed")
        void closeAfterDownstreamBytes() throws Exception {
            try (TestServer server = TestServer.start(socket -> {
                        socket.getOutputStream().write(letters(1000));
                        return readToEnd(socket).length;
                    });
                    MisbehavingPeer peer = proxy(server, Fault.closeAfter(Direction.DOWNSTREAM, 500));
                    Socket client = new Socket(peer.host(), peer.port())) {
                Read read = readAll(client);
                assertThat(read.bytes()).isEqualTo(letters(500));
                assertThat(read.failure()).isNull();
                assertThat(outcome(server)).isEqualTo(0); // the server read the end of its stream
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.ending()).isEqualTo(Ending.PEER_CLOSED);
                assertThat(upstreamOf(record).ending()).isEqualTo(UpstreamEnding.PEER_CLOSED);
            }
        }

        @Test
        @DisplayName("a reset on accept of the first connection only: it never reaches the server; the second does")
        void resetOnAcceptFirstOnly() throws Exception {
            try (TestServer server = TestServer.start(socket -> {
                        socket.getOutputStream().write("hi".getBytes(UTF_8));
                        return "served";
                    });
                    MisbehavingPeer peer = proxy(server, new Fault(new Effect.Reset(), new Trigger.OnAccept(),
                            Schedule.first(1)))) {
                try (Socket client = new Socket(peer.host(), peer.port())) {
                    assertThat(readAll(client).failure()).isInstanceOf(SocketException.class);
                }
                try (Socket client = new Socket(peer.host(), peer.port())) {
                    assertThat(readAll(client).text()).isEqualTo("hi");
                }
                List<ConnectionRecord> records = peer.awaitConnections(2, WAIT);
                assertThat(upstreamOf(records.get(0)).ending()).isEqualTo(UpstreamEnding.NOT_CONNECTED);
                assertThat(upstreamOf(records.get(1)).ending()).isEqualTo(UpstreamEnding.SERVER_CLOSED);
                assertThat(server.accepted()).isEqualTo(1);
            }
        }

        @Test
        @DisplayName("a reset at the 2nd request counts requests where the script says they end; the server sees one")
        void resetAtSecondExchange() throws Exception {
            AtomicInteger requests = new AtomicInteger();
            try (TestServer server = TestServer.start(socket -> {
                        var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), UTF_8));
                        socket.setSoTimeout(SERVER_READ_TIMEOUT);
                        for (String line; (line = in.readLine()) != null; ) {
                            requests.incrementAndGet();
                            socket.getOutputStream().write(("PONG " + line + "\n").getBytes(UTF_8));
                        }
                        return requests.get();
                    });
                    MisbehavingPeer peer = NettyPeer.start(
                            Script.forwardTo(server.address()).withRequestEnd(RequestEnd.delimiter("\n")),
                            new Fault(new Effect.Reset(), new Trigger.AfterExchanges(1)), PeerSettings.DEFAULTS);
                    Socket client = new Socket(peer.host(), peer.port())) {
                client.getOutputStream().write("PING 1\n".getBytes(UTF_8));
                assertThat(new String(readExactly(client, 12), UTF_8)).isEqualTo("PONG PING 1\n");
                client.getOutputStream().write("PING 2\n".getBytes(UTF_8));
                assertThat(readAll(client).failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(upstreamOf(record).sentCount()).isEqualTo(7); // not a byte of the 2nd request
                assertThat(outcome(server)).isInstanceOf(SocketException.class);
                assertThat(requests).hasValue(1);
            }
        }

        @Test
        @DisplayName("an exchanges trigger without a request end is rejected when the peer starts, with the fix")
        void exchangesNeedARequestEnd() {
            assertThatThrownBy(() -> MisbehavingPeer.start(Script.forwardTo("127.0.0.1", 9),
                            new Fault(new Effect.Reset(), new Trigger.AfterExchanges(1))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not know where a request ends")
                    .hasMessageContaining("withRequestEnd(RequestEnd.delimiter(");
        }

        @Test
        @DisplayName("closing the peer resets both legs of an open connection")
        void closingThePeerResetsBothLegs() throws Exception {
            CompletableFuture<Void> connected = new CompletableFuture<>();
            try (TestServer server = TestServer.start(socket -> {
                        readExactlyFrom(socket, 1); // forwarded: the peer's leg is connected
                        connected.complete(null);
                        return readToEnd(socket);
                    })) {
                MisbehavingPeer peer = proxy(server, null);
                try (Socket client = new Socket(peer.host(), peer.port())) {
                    client.getOutputStream().write('x');
                    connected.get(10, TimeUnit.SECONDS);
                    peer.close();
                    assertThat(readAll(client).failure()).isInstanceOf(SocketException.class)
                            .hasMessage("Connection reset");
                    assertThat(outcome(server)).isInstanceOf(SocketException.class)
                            .hasFieldOrPropertyWithValue("message", "Connection reset");
                    ConnectionRecord record = peer.connections().get(0);
                    assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
                    assertThat(upstreamOf(record).ending()).isEqualTo(UpstreamEnding.PEER_RESET);
                }
            }
        }

        @Test
        @DisplayName("a slow client slows the server: at most 1 MiB (and one read) waits in the peer")
        void backpressure() throws Exception {
            int total = 16 << 20;
            try (TestServer server = TestServer.start(socket -> {
                        OutputStream out = socket.getOutputStream();
                        byte[] chunk = letters(64 * 1024);
                        for (int sent = 0; sent < total; sent += chunk.length) {
                            out.write(chunk);
                        }
                        return "wrote";
                    });
                    NettyPeer peer = proxy(server, new Fault(new Effect.Throttle(Direction.DOWNSTREAM, 64L << 20),
                            new Trigger.OnAccept()));
                    Socket client = new Socket(peer.host(), peer.port())) {
                Read read = readAll(client);
                assertThat(read.failure()).isNull();
                assertThat(read.bytes()).hasSize(total);
                assertThat(outcome(server)).isEqualTo("wrote");
                // the throttle makes the client slower than the server, so the bound is reached
                assertThat(peer.maxPendingBytes()).isBetween(PlanHandler.MAX_PENDING / 2,
                        PlanHandler.MAX_PENDING + 64 * 1024);
            }
        }
    }

    @Nested
    @DisplayName("the buffers a proxied connection reads")
    // It counts the buffers of the one pool every proxy in the JVM shares: no other test may run
    // beside it, even in parallel mode.
    @Isolated
    class Buffers {

        private static final int DOWNLOAD = 4 << 20;

        private TestServer downloadServer() {
            return TestServer.start(socket -> {
                OutputStream out = socket.getOutputStream();
                byte[] chunk = letters(64 * 1024);
                for (int sent = 0; sent < DOWNLOAD; sent += chunk.length) {
                    out.write(chunk);
                }
                return "wrote";
            });
        }

        /** Runs a task on each event loop, twice: what the closes queued there has run by then. */
        private void settleEventLoops() throws Exception {
            for (int round = 0; round < 2; round++) {
                for (io.netty.util.concurrent.EventExecutor loop : EventLoops.shared()) {
                    loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
                }
            }
        }

        @Test
        @DisplayName("every buffer is released, whether the download completes, is reset, stalls, or the client aborts")
        void released() throws Exception {
            int before = ProxyBuffers.SHARED.outstanding();
            try (TestServer server = downloadServer(); NettyPeer peer = proxy(server, null)) {
                try (Socket client = new Socket(peer.host(), peer.port())) {
                    assertThat(readAll(client).bytes()).hasSize(DOWNLOAD);
                }
                peer.awaitConnections(1, WAIT);
            }
            settleEventLoops();
            assertThat(ProxyBuffers.SHARED.outstanding()).as("after a whole download").isEqualTo(before);

            try (TestServer server = downloadServer();
                    NettyPeer peer = proxy(server, Fault.resetAfter(Direction.DOWNSTREAM, 100_000));
                    Socket client = new Socket(peer.host(), peer.port())) {
                peer.awaitTriggered(1, WAIT); // the client reads nothing until then: bytes wait in the peer
                assertThat(readAll(client).failure()).isInstanceOf(SocketException.class);
                peer.awaitConnections(1, WAIT);
            }
            settleEventLoops();
            assertThat(ProxyBuffers.SHARED.outstanding()).as("after a reset mid-download").isEqualTo(before);

            try (TestServer server = downloadServer();
                    NettyPeer peer = proxy(server, Fault.stallAfter(Direction.DOWNSTREAM, 100_000));
                    Socket client = new Socket(peer.host(), peer.port())) {
                assertThat(readExactly(client, 100_000)).hasSize(100_000);
                peer.awaitTriggered(1, WAIT);
            } // closing the peer resets both legs of the stalled connection
            settleEventLoops();
            assertThat(ProxyBuffers.SHARED.outstanding()).as("after a stall and the peer's close").isEqualTo(before);

            try (TestServer server = downloadServer(); NettyPeer peer = proxy(server, null)) {
                try (Socket client = new Socket(peer.host(), peer.port())) {
                    assertThat(readExactly(client, 1_000)).hasSize(1_000);
                    client.setSoLinger(true, 0); // the client aborts while the server's bytes flow
                }
                peer.awaitConnections(1, WAIT);
            }
            settleEventLoops();
            assertThat(ProxyBuffers.SHARED.outstanding()).as("after the client's abort").isEqualTo(before);
        }
    }

    @Nested
    @DisplayName("the other effects")
    class OtherEffects {

        @Test
        @DisplayName("a half-close after K of the server's bytes: the client reads K, then the end, and can still send to the server")
        void halfClose() throws Exception {
            try (TestServer server = TestServer.start(socket -> {
                        socket.getOutputStream().write("hello world".getBytes(UTF_8));
                        return new String(readToEnd(socket), UTF_8);
                    });
                    MisbehavingPeer peer = proxy(server, Fault.halfCloseAfter(Direction.DOWNSTREAM, 5));
                    Socket client = new Socket(peer.host(), peer.port())) {
                Read read = readAll(client);
                assertThat(read.text()).isEqualTo("hello");
                assertThat(read.failure()).isNull();
                client.getOutputStream().write("more".getBytes(UTF_8));
                client.shutdownOutput();
                assertThat(outcome(server)).isEqualTo("more");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.sentCount()).isEqualTo(5);
                assertThat(upstreamOf(record).sentCount()).isEqualTo(4);
            }
        }

        @Test
        @DisplayName("a stall after K of the server's bytes: the client gets K and nothing more while the test runs")
        void stall() throws Exception {
            try (TestServer server = TestServer.start(socket -> {
                        socket.getOutputStream().write(letters(10_000));
                        return readToEnd(socket);
                    });
                    MisbehavingPeer peer = proxy(server, Fault.stallAfter(Direction.DOWNSTREAM, 100));
                    Socket client = new Socket(peer.host(), peer.port())) {
                assertThat(readExactly(client, 100)).isEqualTo(letters(100));
                peer.awaitTriggered(1, WAIT);
                client.setSoTimeout(300); // a stall shows as silence: this bound is the test's only wait
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(java.net.SocketTimeoutException.class);
                assertThat(peer.connections().get(0).ending()).isEqualTo(Ending.OPEN);
                assertThat(upstreamOf(peer.connections().get(0)).ending()).isEqualTo(UpstreamEnding.OPEN);
            }
        }

        @Test
        @DisplayName("garbage on accept: the client gets noise instead of the server's answer; the server is never asked")
        void garbageOnAccept() throws Exception {
            try (TestServer server = TestServer.start(socket -> "never"); 
                    MisbehavingPeer peer = proxy(server, new Fault(
                            new Effect.Garbage("SSH-2.0-OpenSSH\r\n".getBytes(UTF_8), new Effect.Close()),
                            new Trigger.OnAccept()));
                    Socket client = new Socket(peer.host(), peer.port())) {
                Read read = readAll(client);
                assertThat(read.text()).isEqualTo("SSH-2.0-OpenSSH\r\n");
                assertThat(read.failure()).isNull();
                assertThat(upstreamOf(peer.awaitConnections(1, WAIT).get(0)).ending())
                        .isEqualTo(UpstreamEnding.NOT_CONNECTED);
                assertThat(server.accepted()).isZero();
            }
        }

        @Test
        @DisplayName("refuses while told to, then forwards again on the same port")
        void refuseThenBehave() throws Exception {
            try (TestServer server = TestServer.start(socket -> {
                        socket.getOutputStream().write("up".getBytes(UTF_8));
                        return "served";
                    });
                    MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(server.address()), Fault.refuse())) {
                assertThatThrownBy(() -> new Socket(peer.host(), peer.port()).close())
                        .isInstanceOf(java.net.ConnectException.class).hasMessageContaining("Connection refused");
                peer.behave();
                try (Socket client = new Socket(peer.host(), peer.port())) {
                    assertThat(readAll(client).text()).isEqualTo("up");
                }
                assertThat(peer.awaitConnections(1, WAIT)).singleElement()
                        .satisfies(record -> assertThat(upstreamOf(record).ending()).isEqualTo(UpstreamEnding.SERVER_CLOSED));
            }
        }
    }

    @Nested
    @DisplayName("an unreachable server")
    class UnreachableServer {

        @Test
        @DisplayName("resets the client, and the journal says why")
        void resetsTheClient() throws Exception {
            try (Socket nothingListens = closedPort();
                    MisbehavingPeer peer = MisbehavingPeer.start(
                            Script.forwardTo("127.0.0.1", nothingListens.getLocalPort()));
                    Socket client = new Socket(peer.host(), peer.port())) {
                int closedPort = nothingListens.getLocalPort();
                Read read = readAll(client);
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
                UpstreamRecord upstream = upstreamOf(record);
                assertThat(upstream.ending()).isEqualTo(UpstreamEnding.NOT_CONNECTED);
                assertThat(upstream.failure()).hasValueSatisfying(why -> assertThat(why)
                        .startsWith("connect to 127.0.0.1:" + closedPort + " failed: ")
                        .contains("Connection refused"));
                assertThat(record.toString()).contains("Connection refused");
            }
        }

        @Test
        @DisplayName("closes the client (end-of-stream) when told to")
        void closesTheClient() throws Exception {
            try (Socket nothingListens = closedPort();
                    MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo("127.0.0.1",
                            nothingListens.getLocalPort()).whenUnreachable(Unreachable.CLOSE));
                    Socket client = new Socket(peer.host(), peer.port())) {
                Read read = readAll(client);
                assertThat(read.failure()).isNull();
                assertThat(read.bytes()).isEmpty();
                assertThat(peer.awaitConnections(1, WAIT).get(0).ending()).isEqualTo(Ending.PEER_CLOSED);
            }
        }

        @Test
        @DisplayName("treats a supplier that throws as unreachable, and records what it threw")
        void supplierThrows() throws Exception {
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(() -> {
                        throw new IllegalStateException("server not started yet");
                    }));
                    Socket client = new Socket(peer.host(), peer.port())) {
                assertThat(readAll(client).failure()).isInstanceOf(SocketException.class);
                UpstreamRecord upstream = upstreamOf(peer.awaitConnections(1, WAIT).get(0));
                assertThat(upstream.address()).isEmpty();
                assertThat(upstream.failure()).hasValueSatisfying(why -> assertThat(why)
                        .contains("IllegalStateException: server not started yet"));
            }
        }

        @Test
        @DisplayName("the reset can already reach a client still in connect(): every trial is a reset, in connect() or the first read")
        void resetMayReachConnect() throws Exception {
            int trials = 200;
            java.util.Map<String, Integer> where = new java.util.TreeMap<>();
            try (Socket nothingListens = closedPort();
                    MisbehavingPeer peer = MisbehavingPeer.start(
                            Script.forwardTo("127.0.0.1", nothingListens.getLocalPort()))) {
                for (int i = 0; i < trials; i++) {
                    try (Socket client = new Socket()) {
                        // with a timeout, the JDK connects without blocking, then polls: the reset can
                        // arrive between the handshake and the poll's return
                        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
                                () -> client.connect(peer.address(), (int) WAIT.toMillis()));
                        String step = "connect()";
                        if (failure == null) {
                            step = "read()";
                            failure = readAll(client).failure();
                        }
                        assertThat(failure).as("trial %d, in %s", i + 1, step)
                                .is(dev.misbehave.assertj.ConnectionConditions.connectionReset());
                        where.merge(step + ": " + failure.getMessage(), 1, Integer::sum);
                    }
                }
                assertThat(peer.awaitConnections(trials, WAIT)).hasSize(trials)
                        .allSatisfy(record -> assertThat(record.ending()).isEqualTo(Ending.PEER_RESET));
            }
            System.out.printf("ProxyTests: an unreachable upstream, %d connects with a timeout: %s%n", trials, where);
        }

        /**
         * A loopback port where nothing listens, held for the test: a socket bound to it but not
         * listening, so a connect to it is refused, and no peer started meanwhile is given the port
         * (a port only freed could be: then the peer would forward to itself).
         */
        static Socket closedPort() throws IOException {
            Socket bound = new Socket();
            bound.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            return bound;
        }
    }

    @Nested
    @DisplayName("a forwarding script")
    class ForwardingScript {

        @Test
        @DisplayName("is the only kind of script with the proxy's settings; on the base type they are deprecated")
        void settingsOnForwardOnly() throws NoSuchMethodException {
            assertThat(Script.class.getPermittedSubclasses()).containsExactlyInAnyOrder(Script.Silent.class,
                    Script.Echo.class, Script.Respond.class, Script.Forward.class);
            for (String setting : new String[] {"withRequestEnd", "whenUnreachable"}) {
                Class<?> type = setting.equals("withRequestEnd") ? RequestEnd.class : Unreachable.class;
                assertThat(Script.class.getMethod(setting, type).isAnnotationPresent(Deprecated.class))
                        .as("Script.%s", setting).isTrue();
                assertThat(Script.Forward.class.getMethod(setting, type).isAnnotationPresent(Deprecated.class))
                        .as("Script.Forward.%s", setting).isFalse();
                assertThat(Script.Forward.class.getMethod(setting, type).getReturnType())
                        .isEqualTo(Script.Forward.class);
            }
        }

        @Test
        @DisplayName("rejects what it cannot do, with the fix")
        @SuppressWarnings("deprecation") // the deprecated settings on the base type still say what to do
        void rejects() {
            assertThatThrownBy(() -> Script.forwardTo("127.0.0.1", 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("port 0 is not a TCP port");
            assertThatThrownBy(() -> Script.forwardTo(InetSocketAddress.createUnresolved("no.such.host", 80)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
            assertThatThrownBy(() -> Script.forwardTo("127.0.0.1", 80).withGreeting("hi"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot greet");
            assertThatThrownBy(() -> Script.echo().withRequestEnd(RequestEnd.delimiter("\n")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("Script.forwardTo");
            assertThatThrownBy(() -> Script.silent().whenUnreachable(Unreachable.CLOSE))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("no server to reach");
        }

        @Test
        @DisplayName("describes itself")
        void describes() {
            Script script = Script.forwardTo("127.0.0.1", 5432).withRequestEnd(RequestEnd.delimiter("\n"))
                    .whenUnreachable(Unreachable.CLOSE);
            assertThat(script.forwards()).isTrue();
            assertThat(script.unreachable()).isEqualTo(Unreachable.CLOSE);
            assertThat(script.upstream()).hasValueSatisfying(s -> assertThat(s.get().getPort()).isEqualTo(5432));
            assertThat(script.toString()).startsWith("forward to 127.0.0.1:5432 (requests: ")
                    .endsWith(", close when unreachable");
            assertThat(Script.echo().forwards()).isFalse();
            assertThat(Script.echo().upstream()).isEmpty();
        }
    }

    static byte[] readExactlyFrom(Socket socket, int n) throws IOException {
        socket.setSoTimeout(SERVER_READ_TIMEOUT);
        byte[] bytes = socket.getInputStream().readNBytes(n);
        if (bytes.length < n) {
            throw new IOException("end of stream after " + bytes.length + " of " + n + " bytes");
        }
        return bytes;
    }
}
