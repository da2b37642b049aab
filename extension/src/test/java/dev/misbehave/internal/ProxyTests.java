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
import java.net.ServerSocket;
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

    static byte[] readExactlyFrom(Socket socket, int n) throws IOException {
        socket.setSoTimeout(SERVER_READ_TIMEOUT);
        byte[] bytes = socket.getInputStream().readNBytes(n);
        if (bytes.length < n) {
            throw new IOException("end of stream after " + bytes.length + " of " + n + " bytes");
        }
        return bytes;
    }
}
