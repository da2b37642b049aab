package dev.misbehave.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.Trigger;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One example per bug the property tests (AnnotationPropertyTests, ApiPropertyTests) found. */
@DisplayName("Inputs that once broke the peer")
class BadInputRegressionTests {

    private static final Duration FOREVER = Duration.ofMillis(Long.MAX_VALUE);

    static Stream<Arguments> longestDurations() {
        return Stream.of(
                Arguments.of("a reset after Long.MAX_VALUE ms", new Fault(new Effect.Reset(), new Trigger.AfterDuration(FOREVER))),
                Arguments.of("a close after Long.MAX_VALUE ms of silence",
                        new Fault(new Effect.Close(), new Trigger.AfterIdle(FOREVER))),
                Arguments.of("a delay of Long.MAX_VALUE ms before the first chunk the peer sends", new Fault(
                        new Effect.Delay(Direction.DOWNSTREAM, FOREVER, Duration.ZERO), new Trigger.OnAccept())),
                Arguments.of("a gap of Long.MAX_VALUE ms between the pieces the peer sends", new Fault(
                        new Effect.Slice(Direction.DOWNSTREAM, 1, FOREVER), new Trigger.OnAccept())));
    }

    /**
     * Was: the engine turned the duration into nanoseconds with {@code Duration.toNanos()}, which
     * throws ArithmeticException beyond 292 years; the exception ended the connection on the event
     * loop instead of the fault waiting (for ever).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("longestDurations")
    @Timeout(30)
    @DisplayName("the longest durations wait as long as the client stays: the peer reads, and the client's close ends the connection")
    void longestDurations(String name, Fault fault) throws IOException {
        try (MisbehavingPeer peer = MisbehavingPeer.start(Script.echo(), fault)) {
            try (Socket client = new Socket(peer.host(), peer.port())) {
                client.getOutputStream().write("ping".getBytes(UTF_8));
            }
            List<ConnectionRecord> journal = peer.awaitJournal(
                    records -> records.size() == 1 && records.get(0).ending() != Ending.OPEN, Duration.ofSeconds(10));
            assertThat(journal.get(0).ending()).isEqualTo(Ending.CLIENT_CLOSED);
            assertThat(journal.get(0).receivedCount()).isEqualTo(4);
            if (fault.trigger() instanceof Trigger.OnAccept) {
                assertThat(journal.get(0).sentCount()).as("bytes sent through the endless wait").isLessThan(4);
            } else {
                assertThat(journal.get(0).firedTrigger()).as("the trigger that never comes").isEmpty();
            }
        }
    }

    /** Was: the bytes were made at once, so a large length took seconds and gigabytes, or failed with OutOfMemoryError. */
    @Test
    @DisplayName("random garbage is bounded at 16 MiB, with a message that says so")
    void randomGarbageBounded() {
        assertThat(Effect.Garbage.random(16 * 1024 * 1024, 1, new Effect.Reset()).bytes()).hasSize(16 * 1024 * 1024);
        assertThatThrownBy(() -> Effect.Garbage.random(16 * 1024 * 1024 + 1, 1, new Effect.Reset()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("length must be 1 to 16777216 (16 MiB), was 16777217");
        assertThatThrownBy(() -> Effect.Garbage.random(Integer.MAX_VALUE, 1, new Effect.Reset()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Was: toString turned the duration into milliseconds with Duration.toMillis(), which throws beyond 292 million years. */
    @Test
    @DisplayName("the longest durations print, in seconds, where a fault's message or the journal names them")
    void longestDurationsPrint() {
        Duration longest = Duration.ofSeconds(Long.MAX_VALUE);
        assertThat(new Trigger.AfterIdle(longest)).hasToString("after 9223372036854775807 s idle");
        assertThat(new Trigger.AfterDuration(longest)).hasToString("after 9223372036854775807 s");
        assertThat(new Effect.Delay(Direction.DOWNSTREAM, longest, Duration.ofMillis(5)))
                .hasToString("delay DOWNSTREAM 9223372036854775807 s first, 5 ms per chunk");
        assertThat(new Effect.Slice(Direction.UPSTREAM, 1, longest))
                .hasToString("slice UPSTREAM into 1 B pieces, 9223372036854775807 s apart");
        assertThatThrownBy(() -> new Fault(new Effect.Refuse(), new Trigger.AfterIdle(longest)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'after 9223372036854775807 s idle'");
    }

    /** Was: the journal's waits turned the timeout into nanoseconds with Duration.toNanos(), which throws beyond 292 years. */
    @Test
    @DisplayName("a wait on the journal with the longest timeout returns as soon as its condition holds")
    void longestTimeout() {
        try (MisbehavingPeer peer = MisbehavingPeer.start(Script.silent())) {
            assertThat(peer.awaitJournal(List::isEmpty, Duration.ofSeconds(Long.MAX_VALUE))).isEmpty();
        }
    }
}
