package dev.misbehave.junit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.Delay;
import dev.misbehave.Direction;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.Slice;
import dev.misbehave.Throttle;
import dev.misbehave.Trigger;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.Events;

/**
 * {@code @Delay}, {@code @Throttle} and {@code @Slice} with a trigger and a schedule, through the
 * Jupiter engine: each connection the schedule picks is served normally until the trigger fires and
 * shaped from then on. The shaping is made so slow (a minute, one byte a second) that "not served
 * within 200 ms" is certain once it applies.
 */
@Timeout(60)
@DisplayName("The shaping annotations take a trigger and a schedule")
class ShapingAnnotationTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    @DisplayName("slow down after the first exchange, on the 2nd connection only; bytes and a pattern count the"
            + " shaped direction; a duration; what was written before still works")
    void shapedFromTheTrigger() {
        Events events = EngineRunner.run(ShapingTestCases.class).testEvents();
        assertThat(events.failed().stream().map(e -> e.getTestDescriptor().getDisplayName() + ": "
                + e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
                        .map(String::valueOf).orElse("?")))
                .as("the shaping test cases that failed").isEmpty();
        events.assertStatistics(stats -> stats.started(6).succeeded(6));
    }

    @PeerScript(requestEndsWith = "\n", response = "PONG\n")
    static class ShapingTestCases {

        @Test
        @Delay(exchanges = 1, firstMillis = 60_000, connections = @Connections(only = 2))
        void afterTheFirstExchangeOnTheSecondConnection(MisbehavingPeer peer) throws IOException {
            try (Socket first = new Socket(peer.host(), peer.port())) {
                assertServed(first);
                assertServed(first);
            }
            try (Socket second = new Socket(peer.host(), peer.port())) {
                assertServed(second);
                assertNotServed(second);
            }
            List<ConnectionRecord> journal = peer.awaitTriggered(1, WAIT);
            assertThat(journal).hasSize(2);
            assertThat(journal.get(0).fault()).isEmpty();
            assertThat(journal.get(1).firedTrigger()).contains(new Trigger.AfterExchanges(1));
        }

        @Test
        @Slice(bytes = 5, pieceBytes = 1, gapMillis = 60_000)
        void afterTheFirstResponseBytes(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                assertServed(socket);
                assertNotServed(socket);
            }
            assertThat(peer.awaitTriggered(1, WAIT).get(0).firedTrigger())
                    .contains(new Trigger.AfterBytes(Direction.DOWNSTREAM, 5));
        }

        @Test
        @Throttle(pattern = "PONG\n", bytesPerSecond = 1)
        void afterAPatternInTheResponses(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                assertServed(socket);
                assertNotServed(socket);
            }
        }

        @Test
        @Throttle(direction = Direction.UPSTREAM, bytes = 6, bytesPerSecond = 1)
        void upstreamAfterTheClientsBytes(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                assertServed(socket);
                assertNotServed(socket); // 6 bytes in, the rest of the request is read a byte a second
            }
            assertThat(peer.awaitTriggered(1, WAIT).get(0).firedTrigger())
                    .contains(new Trigger.AfterBytes(Direction.UPSTREAM, 6));
        }

        @Test
        @Delay(millis = 50, firstMillis = 60_000)
        void afterADuration(MisbehavingPeer peer) throws IOException {
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                peer.awaitTriggered(1, WAIT);
                assertNotServed(socket);
            }
        }

        @Test
        @Delay(direction = Direction.UPSTREAM, firstMillis = 200)
        void withoutATriggerFromTheAccept(MisbehavingPeer peer) throws IOException {
            long start = System.nanoTime(); // before the connect: the peer's 200 ms start after its accept
            try (Socket socket = new Socket(peer.host(), peer.port())) {
                assertServed(socket);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            }
            assertThat(peer.awaitTriggered(1, WAIT).get(0).firedTrigger()).contains(new Trigger.OnAccept());
        }
    }

    /** Sends a request and reads the whole response, within 10 s. */
    private static void assertServed(Socket socket) throws IOException {
        socket.getOutputStream().write("PING\n".getBytes(UTF_8));
        socket.setSoTimeout((int) WAIT.toMillis());
        assertThat(new String(socket.getInputStream().readNBytes(5), UTF_8)).isEqualTo("PONG\n");
    }

    /** Sends a request, and its whole response does not come within 200 ms. */
    private static void assertNotServed(Socket socket) throws IOException {
        socket.getOutputStream().write("PING\n".getBytes(UTF_8));
        socket.setSoTimeout(200);
        assertThatThrownBy(() -> socket.getInputStream().readNBytes(5)).isInstanceOf(SocketTimeoutException.class);
    }
}
