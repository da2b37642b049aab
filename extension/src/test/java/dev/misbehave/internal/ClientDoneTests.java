package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import dev.misbehave.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * After an upstream trigger, a reset acts as soon as the client has finished sending its request.
 * Each peer here has a quiet period of a minute: a reset that came from the quiet wait would reach
 * the client only after its 10 s read timeout, so every reset seen within it was decided by where
 * the request ends (or by the client's FIN, or a full look-ahead).
 */
@Timeout(30)
@DisplayName("A reset after N client bytes acts once the client's request has ended")
class ClientDoneTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final PeerSettings MINUTE_QUIET = new PeerSettings(Duration.ofMinutes(1), Duration.ofMinutes(1),
            Duration.ofSeconds(2), Duration.ofSeconds(2), 1 << 20);

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Socket client(NettyPeer peer) throws IOException {
        Socket socket = new Socket(peer.host(), peer.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Reads until the reset; fails on a timeout or an end of stream. */
    private static void assertReadIsReset(Socket socket) {
        assertThatThrownBy(() -> {
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // bytes the peer sent before its reset
            }
        }).isInstanceOf(SocketException.class).hasMessage("Connection reset");
    }

    private static void assertResetAfter(NettyPeer peer, String received) {
        ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
        assertThat(new String(record.received(), StandardCharsets.ISO_8859_1)).isEqualTo(received);
        peer.awaitJournal(journal -> journal.get(0).ending() != Ending.OPEN, WAIT);
        assertThat(peer.connections().get(0).ending()).isEqualTo(Ending.PEER_RESET);
    }

    @Test
    @DisplayName("an HTTP GET cut inside its request line: the reset comes once the GET has ended; the journal holds N bytes")
    void get() throws IOException {
        String get = "GET /orders/42 HTTP/1.1\r\nHost: localhost\r\n\r\n";
        try (NettyPeer peer = NettyPeer.start(Script.silent(), Fault.resetAfter(Direction.UPSTREAM, 10), MINUTE_QUIET);
                Socket socket = client(peer)) {
            socket.getOutputStream().write(ascii(get));
            assertReadIsReset(socket);
            assertResetAfter(peer, get.substring(0, 10));
        }
    }

    @Test
    @DisplayName("a POST whose head and three body pieces come in four writes: every write succeeds, then the read is reset")
    void headThenBodyPieces() throws IOException {
        try (NettyPeer peer = NettyPeer.start(Script.silent(), Fault.resetAfter(Direction.UPSTREAM, 20), MINUTE_QUIET);
                Socket socket = client(peer)) {
            OutputStream out = socket.getOutputStream();
            out.write(ascii("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 29\r\n\r\n"));
            peer.awaitTriggered(1, WAIT);
            for (String piece : new String[] {"cpu=0.93;", "mem=0.51;"}) {
                out.write(ascii(piece)); // the body is 29 bytes: the request has not ended before the last piece
                assertThat(peer.connections().get(0).ending()).as("before the body's end").isEqualTo(Ending.OPEN);
            }
            out.write(ascii("disk=0.107;"));
            assertReadIsReset(socket);
            assertResetAfter(peer, "POST /metrics HTTP/1");
        }
    }

    @Test
    @DisplayName("a chunked upload: the reset comes after its last chunk")
    void chunked() throws IOException {
        try (NettyPeer peer = NettyPeer.start(Script.silent(), Fault.resetAfter(Direction.UPSTREAM, 4), MINUTE_QUIET);
                Socket socket = client(peer)) {
            OutputStream out = socket.getOutputStream();
            out.write(ascii("PUT /files/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
            peer.awaitTriggered(1, WAIT);
            out.write(ascii("4\r\nabcd\r\n"));
            assertThat(peer.connections().get(0).ending()).isEqualTo(Ending.OPEN);
            out.write(ascii("0\r\n\r\n"));
            assertReadIsReset(socket);
            assertResetAfter(peer, "PUT ");
        }
    }

    @Test
    @DisplayName("two pipelined GETs in one write, cut inside the first: the reset comes after the second")
    void pipelined() throws IOException {
        String two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
        try (NettyPeer peer = NettyPeer.start(Script.silent(), Fault.resetAfter(Direction.UPSTREAM, 5), MINUTE_QUIET);
                Socket socket = client(peer)) {
            socket.getOutputStream().write(ascii(two));
            assertReadIsReset(socket);
            assertResetAfter(peer, "GET /");
        }
    }

    @Test
    @DisplayName("a script's request end delimits the request: a line protocol is reset after its line")
    void scriptRequestEnd() throws IOException {
        Script lines = Script.respond(RequestEnd.delimiter("\r\n"), "+OK\r\n");
        try (NettyPeer peer = NettyPeer.start(lines, Fault.resetAfter(Direction.UPSTREAM, 3), MINUTE_QUIET);
                Socket socket = client(peer)) {
            socket.getOutputStream().write(ascii("EHLO client.example\r\n"));
            assertReadIsReset(socket);
            assertResetAfter(peer, "EHL");
        }
    }

    @Test
    @DisplayName("a client that half-closes mid-request sends no more: the reset comes at its FIN")
    void halfClose() throws IOException {
        try (NettyPeer peer = NettyPeer.start(Script.silent(), Fault.resetAfter(Direction.UPSTREAM, 8), MINUTE_QUIET);
                Socket socket = client(peer)) {
            socket.getOutputStream().write(ascii("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly part"));
            socket.shutdownOutput();
            assertReadIsReset(socket);
            assertResetAfter(peer, "POST / H");
        }
    }

    @Test
    @DisplayName("an 8 MiB upload: past 64 KiB the peer stops looking, and the quiet wait resets the blocked writer, whose write fails")
    void blockedWriter() throws IOException {
        byte[] body = new byte[8 << 20];
        try (NettyPeer peer = NettyPeer.start(Script.silent(), Fault.resetAfter(Direction.UPSTREAM, 100), PeerSettings.DEFAULTS);
                Socket socket = client(peer)) {
            OutputStream out = socket.getOutputStream();
            out.write(ascii("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n"));
            assertThatThrownBy(() -> out.write(body)).isInstanceOf(SocketException.class)
                    .hasMessageContaining("Connection reset by peer");
            assertThat(peer.awaitConnections(1, WAIT).get(0).receivedCount()).isEqualTo(100);
            peer.awaitJournal(journal -> journal.get(0).ending() != Ending.OPEN, WAIT);
            assertThat(peer.connections().get(0).ending()).isEqualTo(Ending.PEER_RESET);
        }
    }

    @Test
    @DisplayName("proxy mode: what the peer looks at past the trigger never reaches the server")
    void proxyForwardsNothingPastTheTrigger() throws Exception {
        try (TestServer server = TestServer.start(socket -> {
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    try {
                        socket.getInputStream().transferTo(got);
                    } catch (IOException resetByTheProxy) {
                        // the client's reset is passed on to the server
                    }
                    return got.toString(StandardCharsets.ISO_8859_1);
                });
                NettyPeer peer = NettyPeer.start(Script.forwardTo(server.address()),
                        Fault.resetAfter(Direction.UPSTREAM, 10), MINUTE_QUIET);
                Socket socket = client(peer)) {
            socket.getOutputStream().write(ascii("GET /orders/42 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
            assertReadIsReset(socket);
            assertResetAfter(peer, "GET /order");
            assertThat(server.firstOutcome().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("GET /order");
        }
    }
}
