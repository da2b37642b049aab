package dev.misbehave.junit;

import static dev.misbehave.Direction.DOWNSTREAM;
import static dev.misbehave.Direction.UPSTREAM;
import static dev.misbehave.testing.Sockets.readAll;
import static dev.misbehave.junit.Clients.readText;
import static dev.misbehave.junit.Clients.send;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.Delay;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceHalfCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.NeverAccept;
import dev.misbehave.PeerName;
import dev.misbehave.PeerScript;
import dev.misbehave.RefuseConnections;
import dev.misbehave.RequestEnd;
import dev.misbehave.Schedule;
import dev.misbehave.Script;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.Slice;
import dev.misbehave.StallAfter;
import dev.misbehave.Throttle;
import dev.misbehave.Trigger;
import dev.misbehave.testing.Sockets.Read;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each annotation of the catalogue, through the Jupiter engine: the fault (and script) it is a
 * shorthand for, written with the model's factories. What the engine does with each fault is
 * stated once, in {@code internal.PlanTests}; here only what no model value shows runs against a
 * client: garbage then a close, and two peers side by side.
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
        @DisplayName("alone declares a well-behaved peer: a response per delimited, HTTP-framed or"
                + " fixed-length request (from text or a resource), or a greeting and an echo")
        void wellBehaved() {
            assertAllSucceed(ScriptTestCases.class, 4);
        }
    }

    @Nested
    @DisplayName("triggers")
    class Triggers {
        @Test
        @DisplayName("bytes and pattern in either direction, exchanges, idleMillis and millis are the"
                + " model's triggers")
        void triggers() {
            assertAllSucceed(TriggerTestCases.class, 7);
        }
    }

    @Nested
    @DisplayName("terminal effects")
    class Effects {
        @Test
        @DisplayName("@ForceHalfCloseAfter is a half-close; @SendGarbageAfter sends text (then a reset) or"
                + " seeded bytes, then closes")
        void effects() {
            assertAllSucceed(EffectTestCases.class, 3);
        }
    }

    @Nested
    @DisplayName("@Connections")
    class Schedules {
        @Test
        @DisplayName("first = 2 is Schedule.first(2)")
        void firstTwo() {
            assertAllSucceed(ScheduleTestCases.class, 1);
        }
    }

    @Nested
    @DisplayName("the port")
    class ThePort {
        @Test
        @DisplayName("@RefuseConnections is Fault.refuse(), @NeverAccept Fault.neverAccept()")
        void port() {
            assertAllSucceed(PortTestCases.class, 2);
        }
    }

    @Nested
    @DisplayName("shaping")
    class Shaping {
        @Test
        @DisplayName("@Delay, @Slice and @Throttle shape the responses (DOWNSTREAM) from the accept on")
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

    static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    static class ScriptTestCases {
        @Test
        @PeerScript(requestEndsWith = "\n", response = "PONG\n")
        void respondsToEachRequest(MisbehavingPeer peer) {
            assertThat(peer.fault()).isEmpty();
            assertThat(peer.script()).isInstanceOf(Script.Respond.class);
            assertThat(peer.script().requestEnd()).contains(RequestEnd.delimiter("\n"));
            assertThat(peer.script().response()).hasValueSatisfying(r -> assertThat(r).isEqualTo(bytes("PONG\n")));
        }

        @Test
        @PeerScript(greeting = "220 ready\r\n", echo = true)
        void greetsThenEchoes(MisbehavingPeer peer) {
            assertThat(peer.script()).isInstanceOf(Script.Echo.class);
            assertThat(peer.script().greeting()).isEqualTo(bytes("220 ready\r\n"));
        }

        @Test
        @PeerScript(requestEndsWith = "\r\n\r\n", lengthField = "Content-Length", responseResource = "misbehave/ok.http")
        void respondsFromAResourceAfterTheBody(MisbehavingPeer peer) {
            assertThat(peer.script().requestEnd()).contains(RequestEnd.headersThenLength("\r\n\r\n", "Content-Length"));
            assertThat(peer.script().response()).hasValueSatisfying(r -> assertThat(r)
                    .isEqualTo(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")));
        }

        @Test
        @PeerScript(requestLength = 3, response = "ok")
        void respondsToFixedLengthRequests(MisbehavingPeer peer) {
            assertThat(peer.script().requestEnd()).contains(RequestEnd.length(3));
            assertThat(peer.script().response()).hasValueSatisfying(r -> assertThat(r).isEqualTo(bytes("ok")));
        }
    }

    @PeerScript(requestEndsWith = "\n", response = "0123456789")
    static class TriggerTestCases {
        @Test
        @ForceResetAfter(bytes = 4, direction = Direction.DOWNSTREAM)
        void resetAfterResponseBytes(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.reset(), Trigger.afterBytes(DOWNSTREAM, 4)));
        }

        @Test
        @PeerScript(requestEndsWith = "\n", response = "a;b;c;d;")
        @ForceCloseAfter(pattern = ";", occurrence = 2, direction = Direction.DOWNSTREAM)
        void closeOnSecondPatternInTheResponse(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.close(), Trigger.onPattern(DOWNSTREAM, bytes(";"), 2)));
        }

        @Test
        @ForceResetAfter(pattern = "\r\n\r\n")
        void resetAtTheEndOfAnHttpHead(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.reset(), Trigger.onPattern(UPSTREAM, "\r\n\r\n")));
        }

        @Test
        @PeerScript(requestEndsWith = "\n", response = "PONG\n")
        @ForceResetAfter(exchanges = 1)
        void resetOnTheSecondRequestOfAKeptAliveConnection(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.reset(), Trigger.afterExchanges(1)));
        }

        @Test
        @ForceCloseAfter(idleMillis = 100)
        void closeAfterIdle(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.close(), Trigger.afterIdle(Duration.ofMillis(100))));
        }

        @Test
        @PeerScript(echo = true)
        @ForceResetAfter(millis = 150)
        void resetAfterADuration(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.reset(), Trigger.afterDuration(Duration.ofMillis(150))));
        }

        @Test
        @StallAfter(bytes = 2, direction = Direction.DOWNSTREAM)
        void stallAfterResponseBytes(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.stall(), Trigger.afterBytes(DOWNSTREAM, 2)));
        }
    }

    @PeerScript(requestEndsWith = "\n", response = "0123456789")
    static class EffectTestCases {
        @Test
        @ForceHalfCloseAfter(bytes = 4, direction = Direction.DOWNSTREAM)
        void halfClose(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.halfClose(), Trigger.afterBytes(DOWNSTREAM, 4)));
        }

        @Test
        @SendGarbageAfter(bytes = 2, text = "%%%")
        void garbageTextThenReset(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(
                    new Fault(Effect.garbage(bytes("%%%"), Effect.reset()), Trigger.afterBytes(UPSTREAM, 2)));
        }

        /** Garbage then a close is in no engine test: the client reads the seeded bytes, then end-of-stream. */
        @Test
        @SendGarbageAfter(bytes = 2, randomBytes = 16, seed = 42, thenClose = true)
        void seededGarbageThenClose(MisbehavingPeer peer) throws IOException {
            byte[] expected = new byte[16];
            new Random(42).nextBytes(expected);
            assertThat(peer.fault()).contains(new Fault(Effect.garbage(expected, Effect.close()),
                    Trigger.afterBytes(UPSTREAM, 2)));
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
        void firstTwo(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.reset(), Trigger.afterBytes(UPSTREAM, 1), Schedule.first(2)));
        }
    }

    @PeerScript(requestEndsWith = "\n", response = "PONG\n")
    static class PortTestCases {
        @Test
        @RefuseConnections
        void refusesThenServes(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.refuse(), Trigger.onAccept()));
        }

        @Test
        @NeverAccept
        void connectTimesOut(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.neverAccept(), Trigger.onAccept()));
        }
    }

    static class ShapingTestCases {
        @Test
        @PeerScript(requestEndsWith = "\n", response = "PONG\n")
        @Delay(firstMillis = 200)
        void delay(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.delay(DOWNSTREAM, Duration.ofMillis(200), Duration.ZERO),
                    Trigger.onAccept()));
        }

        @Test
        @PeerScript(requestEndsWith = "\n", responseResource = "misbehave/ok.http")
        @Slice(pieceBytes = 10, gapMillis = 300)
        void slice(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.slice(DOWNSTREAM, 10, Duration.ofMillis(300)),
                    Trigger.onAccept()));
        }

        @Test
        @PeerScript(requestEndsWith = "\n", responseResource = "misbehave/10k.txt")
        @Throttle(bytesPerSecond = 20_000)
        void throttle(MisbehavingPeer peer) {
            assertThat(peer.fault()).contains(new Fault(Effect.throttle(DOWNSTREAM, 20_000), Trigger.onAccept()));
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
