package dev.misbehave.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import dev.misbehave.Trigger;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shaping effect, in either direction, with every kind of trigger: the connection is served
 * normally until the trigger fires, and shaped from then on.
 *
 * <p>The shaping is made so slow (a minute's delay or gap, one byte a second) that "not served
 * within 200 ms" is certain once it applies, and "served" is waited for with a bound (10 s) far
 * below what a shaped answer would take.
 */
@Timeout(60)
@DisplayName("Shaping starts when its trigger fires, whichever the trigger and the directions")
class ShapingTriggerTests {

    private static final Script PING_PONG = Script.respond(RequestEnd.delimiter("\n"), "PONG\n");
    private static final Duration SERVED_WITHIN = Duration.ofSeconds(10);
    private static final Duration NOT_SERVED_WITHIN = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration A_MINUTE = Duration.ofMinutes(1);

    /** Each shaping effect, so slow in {@code direction} that a shaped exchange takes seconds. */
    static List<Effect> slowShapings() {
        List<Effect> effects = new ArrayList<>();
        for (Direction direction : Direction.values()) {
            effects.add(new Effect.Delay(direction, A_MINUTE, A_MINUTE));
            effects.add(new Effect.Throttle(direction, 1));
            effects.add(new Effect.Slice(direction, 1, A_MINUTE));
        }
        return effects;
    }

    /**
     * Triggers that fire between the first exchange and the end of the second request, counted in
     * either direction: the first exchange is served normally, the second is shaped. (Upstream
     * triggers fire on the second request's first byte: a throttle or a slice lets its first piece
     * through at once, and the four bytes after it are what it holds back.)
     */
    static Stream<Arguments> afterTheFirstExchange() {
        List<Trigger> triggers = List.of(
                new Trigger.AfterBytes(Direction.UPSTREAM, 6), // the first byte of the second request
                new Trigger.AfterBytes(Direction.DOWNSTREAM, 5), // the end of the first response
                new Trigger.OnPattern(Direction.UPSTREAM, "P".getBytes(UTF_8), 2), // the same byte
                Trigger.OnPattern.of(Direction.DOWNSTREAM, "PONG\n"),
                new Trigger.AfterExchanges(1));
        return slowShapings().stream().flatMap(effect -> triggers.stream().map(t -> Arguments.of(effect, t)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("afterTheFirstExchange")
    @DisplayName("a trigger counted in bytes, a pattern or exchanges: served normally until it fires, then shaped")
    void shapedFromTheTrigger(Effect effect, Trigger trigger) throws IOException {
        try (MisbehavingPeer peer = MisbehavingPeer.start(PING_PONG, new Fault(effect, trigger));
                Socket socket = new Socket(peer.host(), peer.port())) {
            assertServed(socket);
            assertNotServed(socket);
            assertThat(peer.awaitTriggered(1, WAIT)).singleElement()
                    .satisfies(c -> assertThat(c.firedTrigger()).contains(trigger));
        }
    }

    static Stream<Arguments> afterATime() {
        List<Trigger> triggers = List.of(
                new Trigger.AfterIdle(Duration.ofMillis(50)), new Trigger.AfterDuration(Duration.ofMillis(50)));
        return slowShapings().stream().flatMap(effect -> triggers.stream().map(t -> Arguments.of(effect, t)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("afterATime")
    @DisplayName("an idle time or a duration: shaped once it has fired, the first request after it included")
    void shapedOnceTheTimeHasPassed(Effect effect, Trigger trigger) throws IOException {
        try (MisbehavingPeer peer = MisbehavingPeer.start(PING_PONG, new Fault(effect, trigger));
                Socket socket = new Socket(peer.host(), peer.port())) {
            assertThat(peer.awaitTriggered(1, WAIT)).singleElement()
                    .satisfies(c -> assertThat(c.firedTrigger()).contains(trigger));
            assertNotServed(socket);
        }
    }

    @Test
    @DisplayName("a delay fired in the middle of a response holds back the rest of that response")
    void delayMidResponse() throws IOException {
        Fault fault = new Fault(new Effect.Delay(Direction.DOWNSTREAM, A_MINUTE, Duration.ZERO),
                new Trigger.AfterBytes(Direction.DOWNSTREAM, 2));
        try (MisbehavingPeer peer = MisbehavingPeer.start(PING_PONG, fault);
                Socket socket = new Socket(peer.host(), peer.port())) {
            socket.getOutputStream().write("PING\n".getBytes(UTF_8));
            socket.setSoTimeout((int) SERVED_WITHIN.toMillis());
            assertThat(new String(socket.getInputStream().readNBytes(2), UTF_8)).isEqualTo("PO");
            socket.setSoTimeout((int) NOT_SERVED_WITHIN.toMillis());
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            ConnectionRecord record = peer.awaitTriggered(1, WAIT).get(0);
            assertThat(record.sentCount()).isEqualTo(2);
        }
    }

    /** Sends a request and reads the whole response within {@link #SERVED_WITHIN}. */
    private static void assertServed(Socket socket) throws IOException {
        socket.getOutputStream().write("PING\n".getBytes(UTF_8));
        socket.setSoTimeout((int) SERVED_WITHIN.toMillis());
        assertThat(new String(socket.getInputStream().readNBytes(5), UTF_8)).isEqualTo("PONG\n");
    }

    /** Sends a request, and its whole response does not come within {@link #NOT_SERVED_WITHIN}. */
    private static void assertNotServed(Socket socket) throws IOException {
        socket.getOutputStream().write("PING\n".getBytes(UTF_8));
        socket.setSoTimeout((int) NOT_SERVED_WITHIN.toMillis());
        assertThatThrownBy(() -> socket.getInputStream().readNBytes(5))
                .as("the whole response came although the connection is shaped")
                .isInstanceOf(SocketTimeoutException.class);
    }
}
