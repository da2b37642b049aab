package dev.misbehave.junit;

import static dev.misbehave.testing.Sockets.readAll;
import static dev.misbehave.junit.Clients.readText;
import static dev.misbehave.junit.Clients.send;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.Delay;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceHalfCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.NeverAccept;
import dev.misbehave.PeerName;
import dev.misbehave.PeerScript;
import dev.misbehave.RefuseConnections;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.Slice;
import dev.misbehave.StallAfter;
import dev.misbehave.Throttle;
import dev.misbehave.Trigger;
import dev.misbehave.testing.Sockets.Read;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each annotation of the catalogue, through the Jupiter engine, against a raw socket client: what
 * the client sees and what the journal records.
 */
@Timeout(60)
@DisplayName("The fault catalogue through the Jupiter engine")
class CatalogueTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static void assertAllSucceed(Class<?> fixture, int tests) {
        EngineRunner.run(fixture).testEvents().assertStatistics(stats -> stats.started(tests).succeeded(tests));
    }

    @Nested
    @DisplayName("@PeerScript")
    class Scripts {
        @Test
        @DisplayName("alone declares a well-behaved peer: it answers every request, greets, echoes,"
                + " and serves a response from a resource")
        void wellBehaved() {
            assertAllSucceed(ScriptTestCases.class, 4);
        }
    }

    @Nested
    @DisplayName("triggers")
    class Triggers {
        @Test
        @DisplayName("DOWNSTREAM bytes and patterns count what the script sends; an UPSTREAM pattern,"
                + " exchanges, idle time and a duration fire as documented")
        void triggers() {
            assertAllSucceed(TriggerTestCases.class, 7);
        }
    }

    @Nested
    @DisplayName("terminal effects")
    class Effects {
        @Test
        @DisplayName("@ForceHalfCloseAfter ends the client's input and keeps reading; @SendGarbageAfter"
                + " sends text or seeded bytes, then resets or closes")
        void effects() {
            assertAllSucceed(EffectTestCases.class, 3);
        }
    }

    @Nested
    @DisplayName("@Connections")
    class Schedules {
        @Test
        @DisplayName("first = 2 resets the first two connections and serves the third")
        void firstTwo() {
            assertAllSucceed(ScheduleTestCases.class, 1);
        }
    }

    @Nested
    @DisplayName("the port")
    class ThePort {
        @Test
        @DisplayName("@RefuseConnections refuses until behave(); @NeverAccept makes connect time out")
        void port() {
            assertAllSucceed(PortTestCases.class, 2);
        }
    }

    @Nested
    @DisplayName("shaping")
    class Shaping {
        @Test
        @DisplayName("@Delay holds the response back, @Slice splits it, @Throttle spreads it out")
        void shaping() {
            assertAllSucceed(ShapingTestCases.class, 3);
        }
    }

    @Nested
    @DisplayName("several peers")
    class SeveralPeers {
        @Test
        @DisplayName("a well-behaved peer and a failing one side by side")
        void sideBySide() {
            assertAllSucceed(SideBySideTestCases.class, 1);
        }
    }

    // ---- fixtures: run only through EngineRunner ----

    static ConnectionRecord onlyConnection(MisbehavingPeer peer) {
        return peer.awaitConnections(1, WAIT).get(0);
    }

    static class ScriptTestCases {
        @Test
        @PeerScript(requestEndsWith = "\n", response = "PONG\n")
        void respondsToEachRequest(MisbehavingPeer peer) throws IOException {
            assertThat(peer.fault()).isEmpty();
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "one\n");
                assertThat(readText(socket, 5)).isEqualTo("PONG\n");
                send(socket, "two\n");
                assertThat(readText(socket, 5)).isEqualTo("PONG\n");
            }
            assertThat(new String(onlyConnection(peer).received(), UTF_8)).isEqualTo("one\ntwo\n");
        }

        @Test
        @PeerScript(greeting = "220 ready\r\n", echo = true)
        void greetsThenEchoes(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                assertThat(readText(socket, 11)).isEqualTo("220 ready\r\n");
                send(socket, "hello");
                assertThat(readText(socket, 5)).isEqualTo("hello");
            }
        }

        @Test
        @PeerScript(requestEndsWith = "\r\n\r\n", lengthField = "Content-Length", responseResource = "misbehave/ok.http")
        void respondsFromAResourceAfterTheBody(MisbehavingPeer peer) throws IOException {
            String request = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, request);
                assertThat(readText(socket, 40)).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
            assertThat(new String(onlyConnection(peer).received(), UTF_8)).isEqualTo(request);
        }

        @Test
        @PeerScript(requestLength = 3, response = "ok")
        void respondsToFixedLengthRequests(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "abcdef");
                assertThat(readText(socket, 4)).isEqualTo("okok");
            }
        }
    }

    @PeerScript(requestEndsWith = "\n", response = "0123456789")
    static class TriggerTestCases {
        @Test
        @ForceResetAfter(bytes = 4, direction = Direction.DOWNSTREAM)
        void resetAfterResponseBytes(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "x\n");
                Read read = readAll(socket);
                assertThat(read.text()).isEqualTo("0123");
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            assertThat(onlyConnection(peer).sentCount()).isEqualTo(4);
        }

        @Test
        @PeerScript(requestEndsWith = "\n", response = "a;b;c;d;")
        @ForceCloseAfter(pattern = ";", occurrence = 2, direction = Direction.DOWNSTREAM)
        void closeOnSecondPatternInTheResponse(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "x\n");
                Read read = readAll(socket);
                assertThat(read.text()).isEqualTo("a;b;");
                assertThat(read.failure()).isNull();
            }
            assertThat(onlyConnection(peer).ending()).isEqualTo(Ending.PEER_CLOSED);
        }

        @Test
        @ForceResetAfter(pattern = "\r\n\r\n")
        void resetAtTheEndOfAnHttpHead(MisbehavingPeer peer) throws IOException {
            String head = "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n";
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, head + "x".repeat(100));
                assertThat(readAll(socket).failure()).hasMessage("Connection reset");
            }
            assertThat(new String(onlyConnection(peer).received(), UTF_8)).isEqualTo(head);
        }

        @Test
        @PeerScript(requestEndsWith = "\n", response = "PONG\n")
        @ForceResetAfter(exchanges = 1)
        void resetOnTheSecondRequestOfAKeptAliveConnection(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "one\n");
                assertThat(readText(socket, 5)).isEqualTo("PONG\n");
                send(socket, "two\n");
                Read read = readAll(socket);
                assertThat(read.bytes()).isEmpty();
                assertThat(read.failure()).hasMessage("Connection reset");
            }
            ConnectionRecord record = onlyConnection(peer);
            assertThat(new String(record.received(), UTF_8)).isEqualTo("one\nt");
            assertThat(record.firedTrigger()).contains(new Trigger.AfterExchanges(1));
        }

        @Test
        @ForceCloseAfter(idleMillis = 100)
        void closeAfterIdle(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "one\n");
                Read read = readAll(socket);
                assertThat(read.text()).isEqualTo("0123456789");
                assertThat(read.failure()).isNull();
            }
            ConnectionRecord record = onlyConnection(peer);
            assertThat(record.firedTrigger()).contains(new Trigger.AfterIdle(Duration.ofMillis(100)));
            assertThat(record.ending()).isEqualTo(Ending.PEER_CLOSED);
        }

        @Test
        @PeerScript(echo = true)
        @ForceResetAfter(millis = 150)
        void resetAfterADuration(MisbehavingPeer peer) throws IOException {
            IOException failure = null;
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                socket.setSoTimeout(10_000);
                for (int i = 0; i < 100_000 && failure == null; i++) {
                    try {
                        socket.getOutputStream().write('x');
                        socket.getInputStream().read();
                    } catch (IOException e) {
                        failure = e;
                    }
                }
            }
            assertThat(failure).isInstanceOf(SocketException.class);
            ConnectionRecord record = onlyConnection(peer);
            assertThat(record.firedTrigger()).contains(new Trigger.AfterDuration(Duration.ofMillis(150)));
            assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
        }

        @Test
        @StallAfter(bytes = 2, direction = Direction.DOWNSTREAM)
        void stallAfterResponseBytes(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "x\n");
                assertThat(readText(socket, 2)).isEqualTo("01");
                socket.setSoTimeout(200);
                assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            }
            assertThat(peer.awaitTriggered(1, WAIT)).singleElement()
                    .satisfies(record -> assertThat(record.sentCount()).isEqualTo(2));
        }
    }

    @PeerScript(requestEndsWith = "\n", response = "0123456789")
    static class EffectTestCases {
        @Test
        @ForceHalfCloseAfter(bytes = 4, direction = Direction.DOWNSTREAM)
        void halfClose(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "x\n");
                assertThat(readAll(socket).text()).isEqualTo("0123");
                send(socket, "still here");
                socket.shutdownOutput();
                ConnectionRecord record = onlyConnection(peer);
                assertThat(new String(record.received(), UTF_8)).isEqualTo("x\nstill here");
                assertThat(record.ending()).isEqualTo(Ending.CLIENT_CLOSED);
            }
        }

        @Test
        @SendGarbageAfter(bytes = 2, text = "%%%")
        void garbageTextThenReset(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "x\n");
                Read read = readAll(socket);
                assertThat(read.text()).isEqualTo("%%%");
                assertThat(read.failure()).hasMessage("Connection reset");
            }
        }

        @Test
        @SendGarbageAfter(bytes = 2, randomBytes = 16, seed = 42, thenClose = true)
        void seededGarbageThenClose(MisbehavingPeer peer) throws IOException {
            byte[] expected = new byte[16];
            new Random(42).nextBytes(expected);
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "x\n");
                Read read = readAll(socket);
                assertThat(read.bytes()).isEqualTo(expected);
                assertThat(read.failure()).isNull();
            }
            assertThat(onlyConnection(peer).ending()).isEqualTo(Ending.PEER_CLOSED);
        }
    }

    static class ScheduleTestCases {
        @Test
        @PeerScript(requestEndsWith = "\n", response = "PONG\n")
        @ForceResetAfter(bytes = 1, connections = @Connections(first = 2))
        void firstTwo(MisbehavingPeer peer) throws IOException {
            for (int i = 0; i < 2; i++) {
                try (Socket socket = new Socket(peer.host(), peer.port())) {
                    send(socket, "PING\n");
                    assertThat(readAll(socket).failure()).hasMessage("Connection reset");
                }
            }
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "PING\n");
                assertThat(readText(socket, 5)).isEqualTo("PONG\n");
            }
            assertThat(peer.awaitConnections(3, WAIT)).extracting(ConnectionRecord::ending)
                    .containsExactly(Ending.PEER_RESET, Ending.PEER_RESET, Ending.CLIENT_CLOSED);
        }
    }

    @PeerScript(requestEndsWith = "\n", response = "PONG\n")
    static class PortTestCases {
        @Test
        @RefuseConnections
        void refusesThenServes(MisbehavingPeer peer) throws IOException {
            assertThatThrownBy(() -> new Socket(peer.host(), peer.port()).close()).isInstanceOf(ConnectException.class);
            peer.behave();
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                send(socket, "PING\n");
                assertThat(readText(socket, 5)).isEqualTo("PONG\n");
            }
        }

        @Test
        @NeverAccept
        void connectTimesOut(MisbehavingPeer peer) {
            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(peer.address(), 300);
                }
            }).isInstanceOf(SocketTimeoutException.class);
            assertThat(peer.connections()).isEmpty();
        }
    }

    static class ShapingTestCases {
        @Test
        @PeerScript(requestEndsWith = "\n", response = "PONG\n")
        @Delay(firstMillis = 200)
        void delay(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                long start = System.nanoTime();
                send(socket, "PING\n");
                assertThat(readText(socket, 5)).isEqualTo("PONG\n");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            }
        }

        @Test
        @PeerScript(requestEndsWith = "\n", responseResource = "misbehave/ok.http")
        @Slice(pieceBytes = 10, gapMillis = 300)
        void slice(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                socket.setSoTimeout(10_000);
                send(socket, "x\n");
                byte[] buffer = new byte[1000];
                InputStream in = socket.getInputStream();
                assertThat(in.read(buffer)).isEqualTo(10);
            }
        }

        @Test
        @PeerScript(requestEndsWith = "\n", responseResource = "misbehave/10k.txt")
        @Throttle(bytesPerSecond = 20_000)
        void throttle(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                long start = System.nanoTime();
                send(socket, "x\n");
                assertThat(readText(socket, 10_000)).hasSize(10_000).startsWith("abcdefghijklmnopqrstuvwxyzabc");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
            }
        }
    }

    @PeerScript(peer = "inventory", requestEndsWith = "\n", response = "42\n")
    @ForceResetAfter(peer = "payments", bytes = 1)
    static class SideBySideTestCases {
        @Test
        void test(@PeerName("inventory") MisbehavingPeer inventory, @PeerName("payments") MisbehavingPeer payments)
                throws IOException {
            try (Socket socket = new Socket(inventory.host(), inventory.port())) {
                send(socket, "stock?\n");
                assertThat(readText(socket, 3)).isEqualTo("42\n");
            }
            Clients.sendAndExpectReset(payments, "pay\n".getBytes(UTF_8));
            assertThat(inventory.fault()).isEmpty();
            assertThat(onlyConnection(payments).receivedCount()).isEqualTo(1);
        }
    }
}
