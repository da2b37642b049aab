package dev.misbehave.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.misbehave.testing.Sockets.readAll;
import static dev.misbehave.testing.Sockets.readExactly;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.RequestEnd;
import dev.misbehave.Schedule;
import dev.misbehave.Script;
import dev.misbehave.Trigger;
import dev.misbehave.testing.Sockets.Read;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
@DisplayName("The peer's plan: script, triggers, effects and schedules")
class PlanTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Script LINES = Script.respond(RequestEnd.delimiter("\n"), "PONG\n");

    static byte[] body(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    @Nested
    @DisplayName("the script")
    class TheScript {

        @Test
        @DisplayName("answers each delimited request with the response, on one connection")
        void respondsPerRequest() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
                socket.getOutputStream().write("PI".getBytes(UTF_8));
                socket.getOutputStream().write("NG\nPING\n".getBytes(UTF_8));
                assertThat(new String(readExactly(socket, 10), UTF_8)).isEqualTo("PONG\nPONG\n");
                socket.shutdownOutput();
                assertThat(readAll(socket).bytes()).isEmpty();
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(new String(record.sent(), UTF_8)).isEqualTo("PONG\nPONG\nPONG\n");
                assertThat(record.receivedCount()).isEqualTo(15);
                assertThat(record.fault()).isEmpty();
                assertThat(record.ending()).isEqualTo(Ending.CLIENT_CLOSED);
            }
        }

        @Test
        @DisplayName("greets on accept, then echoes")
        void greetsThenEchoes() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.echo().withGreeting("220 ready\r\n"));
                    Socket socket = new Socket(peer.host(), peer.port())) {
                assertThat(new String(readExactly(socket, 11), UTF_8)).isEqualTo("220 ready\r\n");
                socket.getOutputStream().write("hello".getBytes(UTF_8));
                assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("hello");
            }
        }

        @Test
        @DisplayName("frames an HTTP request by its head and Content-Length body")
        void framesHeadersThenBody() throws IOException {
            Script http = Script.respond(RequestEnd.headersThenLength("\r\n\r\n", "Content-Length"),
                    "HTTP/1.1 204 No Content\r\n\r\n");
            String post = "POST /x HTTP/1.1\r\nHost: a\r\ncontent-length: 5\r\n\r\nhello";
            String get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
            try (MisbehavingPeer peer = MisbehavingPeer.start(http);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write((post + get).getBytes(UTF_8));
                String twice = "HTTP/1.1 204 No Content\r\n\r\n".repeat(2);
                assertThat(new String(readExactly(socket, twice.length()), UTF_8)).isEqualTo(twice);
            }
        }
    }

    @Nested
    @DisplayName("downstream triggers")
    class Downstream {

        @ParameterizedTest(name = "a reset after {0} response bytes reaches a reading client as exactly {0} bytes, then a reset")
        @ValueSource(ints = {1, 100, 4096, 262_144, 1 << 20, 4 << 20})
        void resetAfterResponseBytes(int k) throws IOException {
            Script big = Script.respond(RequestEnd.delimiter("\n"), body(k + 5000));
            try (MisbehavingPeer peer = MisbehavingPeer.start(big, Fault.resetAfter(Direction.DOWNSTREAM, k));
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("GET\n".getBytes(UTF_8));
                Read read = readAll(socket);
                assertThat(read.bytes()).isEqualTo(Arrays.copyOf(body(k + 5000), k));
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.sentCount()).isEqualTo(k);
                assertThat(record.delivery()).isEqualTo(dev.misbehave.Delivery.CONFIRMED);
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
            }
        }

        @Test
        @DisplayName("a client that never reads: the reset comes after the bounded wait, delivery unconfirmed")
        void unconfirmedDelivery() throws IOException {
            Script big = Script.respond(RequestEnd.delimiter("\n"), body(8 << 20));
            PeerSettings quick = new PeerSettings(Duration.ofMillis(50), Duration.ofSeconds(5), Duration.ofSeconds(2),
                    Duration.ofMillis(200), 1024);
            try (NettyPeer peer = NettyPeer.start(big, Fault.resetAfter(Direction.DOWNSTREAM, 65_536), quick);
                    Socket socket = new Socket()) {
                socket.setReceiveBufferSize(4096);
                socket.connect(peer.address());
                socket.getOutputStream().write("GET\n".getBytes(UTF_8));
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.delivery()).isEqualTo(dev.misbehave.Delivery.UNCONFIRMED);
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
            }
        }

        @Test
        @DisplayName("a close after K response bytes gives a truncated response and end-of-stream")
        void closeAfterResponseBytes() throws IOException {
            Script big = Script.respond(RequestEnd.delimiter("\n"), body(10_000));
            try (MisbehavingPeer peer = MisbehavingPeer.start(big, Fault.closeAfter(Direction.DOWNSTREAM, 2500));
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("GET\n".getBytes(UTF_8));
                Read read = readAll(socket);
                assertThat(read.failure()).isNull();
                assertThat(read.bytes()).hasSize(2500);
                assertThat(peer.awaitConnections(1, WAIT).get(0).ending()).isEqualTo(Ending.PEER_CLOSED);
            }
        }

        @Test
        @DisplayName("a pattern trigger cuts the response right after the second occurrence")
        void patternDownstream() throws IOException {
            Script script = Script.respond(RequestEnd.delimiter("\n"), "a;b;c;d;");
            Fault fault = new Fault(new Effect.Close(), new Trigger.OnPattern(Direction.DOWNSTREAM, ";".getBytes(UTF_8), 2));
            try (MisbehavingPeer peer = MisbehavingPeer.start(script, fault);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("x\n".getBytes(UTF_8));
                assertThat(readAll(socket).text()).isEqualTo("a;b;");
            }
        }

        @Test
        @DisplayName("a half-close after K bytes ends the client's input while the peer keeps reading")
        void halfClose() throws IOException {
            Script script = Script.respond(RequestEnd.delimiter("\n"), "0123456789");
            try (MisbehavingPeer peer = MisbehavingPeer.start(script, Fault.halfCloseAfter(Direction.DOWNSTREAM, 4));
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("x\n".getBytes(UTF_8));
                assertThat(readAll(socket).text()).isEqualTo("0123");
                socket.getOutputStream().write("still here".getBytes(UTF_8));
                socket.shutdownOutput();
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(new String(record.received(), UTF_8)).isEqualTo("x\nstill here");
                assertThat(record.ending()).isEqualTo(Ending.CLIENT_CLOSED);
            }
        }

        @Test
        @DisplayName("a stall after K response bytes consumes nothing the client sends afterwards")
        void stallDownstreamStopsReading() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES, Fault.stallAfter(Direction.DOWNSTREAM, 5));
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("one\n".getBytes(UTF_8));
                assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
                peer.awaitTriggered(1, WAIT);
                socket.getOutputStream().write("two\n".getBytes(UTF_8));
                socket.setSoTimeout(200);
                assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(java.net.SocketTimeoutException.class);
                ConnectionRecord record = peer.connections().get(0);
                assertThat(new String(record.received(), UTF_8)).isEqualTo("one\n");
                assertThat(record.ending()).isEqualTo(Ending.OPEN);
            }
        }

        @Test
        @DisplayName("garbage replaces the response, then the connection is reset")
        void garbageThenReset() throws IOException {
            Fault fault = new Fault(new Effect.Garbage("%%%".getBytes(UTF_8), new Effect.Reset()),
                    new Trigger.AfterBytes(Direction.UPSTREAM, 2));
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES, fault);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("x\n".getBytes(UTF_8));
                Read read = readAll(socket);
                assertThat(read.text()).isEqualTo("%%%");
                assertThat(read.failure()).hasMessage("Connection reset");
            }
        }
    }

    @Nested
    @DisplayName("other triggers")
    class OtherTriggers {

        @Test
        @DisplayName("an upstream pattern consumes exactly through the end of the HTTP head")
        void patternUpstream() throws IOException {
            Fault fault = new Fault(new Effect.Reset(), Trigger.OnPattern.of(Direction.UPSTREAM, "\r\n\r\n"));
            String head = "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n";
            try (MisbehavingPeer peer = MisbehavingPeer.start(fault);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write((head + "x".repeat(100)).getBytes(UTF_8));
                assertThat(readAll(socket).failure()).hasMessage("Connection reset");
                assertThat(new String(peer.awaitConnections(1, WAIT).get(0).received(), UTF_8)).isEqualTo(head);
            }
        }

        @Test
        @DisplayName("after one exchange, the next request on the kept-alive connection is reset")
        void afterExchanges() throws IOException {
            Fault fault = new Fault(new Effect.Reset(), new Trigger.AfterExchanges(1));
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES, fault);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("one\n".getBytes(UTF_8));
                assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
                socket.getOutputStream().write("two\n".getBytes(UTF_8));
                Read read = readAll(socket);
                assertThat(read.bytes()).isEmpty();
                assertThat(read.failure()).hasMessage("Connection reset");
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(new String(record.received(), UTF_8)).isEqualTo("one\nt");
                assertThat(record.firedTrigger()).contains(new Trigger.AfterExchanges(1));
            }
        }

        @Test
        @DisplayName("an idle timeout closes a connection the client left silent")
        void idle() throws IOException {
            Fault fault = new Fault(new Effect.Close(), new Trigger.AfterIdle(Duration.ofMillis(100)));
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES, fault);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("one\n".getBytes(UTF_8));
                Read read = readAll(socket);
                assertThat(read.text()).isEqualTo("PONG\n");
                assertThat(read.failure()).isNull();
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.firedTrigger()).contains(new Trigger.AfterIdle(Duration.ofMillis(100)));
                assertThat(record.ending()).isEqualTo(Ending.PEER_CLOSED);
            }
        }

        @Test
        @DisplayName("a duration trigger resets a connection that keeps talking")
        void duration() throws IOException {
            Fault fault = new Fault(new Effect.Reset(), new Trigger.AfterDuration(Duration.ofMillis(150)));
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.echo(), fault);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                IOException failure = null;
                for (int i = 0; i < 10_000 && failure == null; i++) {
                    try {
                        socket.getOutputStream().write('x');
                        socket.getInputStream().read();
                    } catch (IOException e) {
                        failure = e;
                    }
                }
                assertThat(failure).isInstanceOf(SocketException.class);
                ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
                assertThat(Duration.between(record.acceptedAt(), java.time.Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            }
        }
    }

    @Nested
    @DisplayName("schedules and changes")
    class Schedules {

        @Test
        @DisplayName("the first two connections are reset, the third is served")
        void firstTwo() throws IOException {
            Fault fault = Fault.resetAfter(Direction.UPSTREAM, 1).on(Schedule.first(2));
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES, fault)) {
                for (int i = 0; i < 2; i++) {
                    try (Socket socket = new Socket(peer.host(), peer.port())) {
                        socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                        assertThat(readAll(socket).failure()).hasMessage("Connection reset");
                    }
                }
                try (Socket socket = new Socket(peer.host(), peer.port())) {
                    socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                    assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
                }
                List<ConnectionRecord> journal = peer.awaitConnections(3, WAIT);
                assertThat(journal).extracting(r -> r.fault().isPresent()).containsExactly(true, true, false);
                assertThat(journal).extracting(ConnectionRecord::ending)
                        .containsExactly(Ending.PEER_RESET, Ending.PEER_RESET, Ending.CLIENT_CLOSED);
            }
        }

        @Test
        @DisplayName("behave() and misbehave() apply to connections accepted afterwards")
        void changeMidTest() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES)) {
                try (Socket socket = new Socket(peer.host(), peer.port())) {
                    socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                    assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
                }
                peer.misbehave(Fault.resetAfter(Direction.UPSTREAM, 1));
                try (Socket socket = new Socket(peer.host(), peer.port())) {
                    socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                    assertThat(readAll(socket).failure()).hasMessage("Connection reset");
                }
                peer.behave();
                assertThat(peer.fault()).isEmpty();
                try (Socket socket = new Socket(peer.host(), peer.port())) {
                    socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                    assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
                }
                assertThat(peer.awaitConnections(3, WAIT)).extracting(r -> r.fault().isPresent())
                        .containsExactly(false, true, false);
            }
        }

        @Test
        @DisplayName("a closed peer refuses changes")
        void closedPeer() {
            MisbehavingPeer peer = MisbehavingPeer.start(LINES);
            peer.close();
            assertThatThrownBy(peer::behave).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
        }
    }

    @Nested
    @DisplayName("the port")
    class ThePort {

        static void expectServed(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
            }
        }

        static void expectRefused(MisbehavingPeer peer) {
            assertThatThrownBy(() -> new Socket(peer.host(), peer.port()).close())
                    .isInstanceOf(java.net.ConnectException.class);
        }

        static void expectConnectTimeout(MisbehavingPeer peer) {
            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(peer.address(), 300);
                }
            }).isInstanceOf(java.net.SocketTimeoutException.class);
        }

        @Test
        @DisplayName("refuses, then serves on the same port after behave()")
        void refuseThenServe() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES, Fault.refuse())) {
                int port = peer.port();
                expectRefused(peer);
                peer.behave();
                assertThat(peer.port()).isEqualTo(port);
                expectServed(peer);
                assertThat(peer.connections()).singleElement().satisfies(r -> assertThat(r.fault()).isEmpty());
            }
        }

        @Test
        @DisplayName("never accepts: a client's connect times out; then serves after behave()")
        void neverAcceptThenServe() throws IOException {
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES, Fault.neverAccept())) {
                expectConnectTimeout(peer);
                expectConnectTimeout(peer);
                peer.behave();
                expectServed(peer);
                assertThat(peer.connections()).hasSize(1);
            }
        }

        @Test
        @DisplayName("moves between serving, refusing and never accepting, and releases the port on close")
        void cycle() throws IOException {
            MisbehavingPeer peer = MisbehavingPeer.start(LINES);
            try {
                expectServed(peer);
                peer.misbehave(Fault.refuse());
                expectRefused(peer);
                peer.misbehave(Fault.neverAccept());
                expectConnectTimeout(peer);
                peer.misbehave(Fault.refuse());
                expectRefused(peer);
                peer.misbehave(Fault.resetAfter(Direction.UPSTREAM, 1));
                try (Socket socket = new Socket(peer.host(), peer.port())) {
                    socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                    assertThat(readAll(socket).failure()).hasMessage("Connection reset");
                }
                peer.behave();
                expectServed(peer);
            } finally {
                peer.close();
            }
            // released: bound again (not connected to: another test's peer may have the port by now)
            try (java.net.ServerSocket again = new java.net.ServerSocket(peer.port(), 1, java.net.InetAddress.getLoopbackAddress())) {
                assertThat(again.getLocalPort()).isEqualTo(peer.port());
            }
        }
    }

    @Nested
    @DisplayName("shaping")
    class Shaping {

        @Test
        @DisplayName("a downstream delay holds back the answer, not the read: the request is consumed at once,"
                + " nothing is sent")
        void delay() throws IOException {
            Fault fault = new Fault(Effect.delay(Direction.DOWNSTREAM, Duration.ofSeconds(30), Duration.ZERO),
                    Trigger.onAccept());
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES, fault);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                ConnectionRecord record = peer.awaitJournal(
                        journal -> !journal.isEmpty() && journal.get(0).receivedCount() == 5, WAIT).get(0);
                assertThat(record.sentCount()).as("bytes sent while the answer is held back 30 s").isZero();
            }
        }

        @Test
        @DisplayName("an upstream delay holds back the read, not the answer: the request is consumed only after"
                + " the delay, then answered")
        void delayUpstream() throws IOException {
            Fault fault = new Fault(Effect.delay(Direction.UPSTREAM, Duration.ofMillis(200), Duration.ZERO),
                    Trigger.onAccept());
            long start = System.nanoTime(); // before the accept, where the delay may start
            try (MisbehavingPeer peer = MisbehavingPeer.start(LINES, fault);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("PING\n".getBytes(UTF_8));
                peer.awaitJournal(journal -> !journal.isEmpty() && journal.get(0).receivedCount() == 5, WAIT);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time until the peer read the request")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
                assertThat(new String(readExactly(socket, 5), UTF_8)).isEqualTo("PONG\n");
            }
        }

        @Test
        @DisplayName("upstream slicing reads 20,000 bytes in 1,000-byte pieces 5 ms apart, exactly")
        void sliceUpstream() throws IOException {
            Script ack = Script.respond(RequestEnd.length(20_000), "OK\n");
            Fault fault = new Fault(new Effect.Slice(Direction.UPSTREAM, 1_000, Duration.ofMillis(5)), new Trigger.OnAccept());
            try (MisbehavingPeer peer = MisbehavingPeer.start(ack, fault);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                long start = System.nanoTime();
                socket.getOutputStream().write(body(20_000));
                assertThat(new String(readExactly(socket, 3), UTF_8)).isEqualTo("OK\n");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(95));
                assertThat(peer.connections().get(0).received()).isEqualTo(body(20_000));
            }
        }

        @Test
        @DisplayName("slicing makes the client's first read return one small piece")
        void slice() throws IOException {
            Script script = Script.respond(RequestEnd.delimiter("\n"), body(1000));
            Fault fault = new Fault(new Effect.Slice(Direction.DOWNSTREAM, 10, Duration.ofMillis(300)), new Trigger.OnAccept());
            try (MisbehavingPeer peer = MisbehavingPeer.start(script, fault);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                socket.getOutputStream().write("x\n".getBytes(UTF_8));
                byte[] buffer = new byte[1000];
                int n = socket.getInputStream().read(buffer);
                assertThat(n).isEqualTo(10);
            }
        }

        @Test
        @DisplayName("a throttle to 20 KB/s spreads 10 KB over at least 400 ms")
        void throttle() throws IOException {
            Script script = Script.respond(RequestEnd.delimiter("\n"), body(10_000));
            Fault fault = new Fault(new Effect.Throttle(Direction.DOWNSTREAM, 20_000), new Trigger.OnAccept());
            try (MisbehavingPeer peer = MisbehavingPeer.start(script, fault);
                    Socket socket = new Socket(peer.host(), peer.port())) {
                long start = System.nanoTime();
                socket.getOutputStream().write("x\n".getBytes(UTF_8));
                assertThat(readExactly(socket, 10_000)).isEqualTo(body(10_000));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
            }
        }
    }
}
