package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.Trigger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@link FaultTrigger} on its own: how far reads and writes may go, and when it fires. */
@DisplayName("The fault's trigger")
class FaultTriggerTests {

    private static final PeerSettings SETTINGS = new PeerSettings(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(2), 1 << 20);
    private static final long NO_LIMIT = Long.MAX_VALUE;

    private final Journal journal = new Journal(1 << 20);
    /** What the journal said each time the effect was applied: record, then act. */
    private final List<ConnectionRecord> seenByEffect = new ArrayList<>();

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private Journal.Entry entry;

    /** A trigger for {@code fault} (null: none) on a new journal entry, {@link #entry}. */
    private FaultTrigger trigger(Fault fault) {
        entry = journal.open(new InetSocketAddress("127.0.0.1", 1), fault, false);
        return new FaultTrigger(fault, entry, SETTINGS, null, null,
                (effect, clientMaySend) -> seenByEffect.add(journal.snapshot().get(0)));
    }

    @Test
    @DisplayName("fires on accept for OnAccept and for 0 bytes, and not for 1 byte")
    void firesOnAccept() {
        assertThat(FaultTrigger.firesOnAccept(Trigger.onAccept())).isTrue();
        assertThat(FaultTrigger.firesOnAccept(Trigger.afterBytes(Direction.UPSTREAM, 0))).isTrue();
        assertThat(FaultTrigger.firesOnAccept(Trigger.afterBytes(Direction.DOWNSTREAM, 0))).isTrue();
        assertThat(FaultTrigger.firesOnAccept(Trigger.afterBytes(Direction.UPSTREAM, 1))).isFalse();
    }

    @Test
    @DisplayName("without a fault, limits nothing and never fires")
    void noFault() {
        FaultTrigger trigger = trigger(null);
        assertThat(trigger.armed()).isFalse();
        assertThat(trigger.readLimit(NO_LIMIT)).isEqualTo(NO_LIMIT);
        assertThat(trigger.upstreamReached(ascii("anything"))).isFalse();
        assertThat(trigger.lookingAhead()).isFalse();
    }

    @Test
    @DisplayName("records the trigger in the journal before the effect is applied")
    void recordThenAct() {
        FaultTrigger trigger = trigger(Fault.resetAfter(Direction.UPSTREAM, 4));
        trigger.fire(true);
        assertThat(trigger.armed()).isFalse();
        assertThat(seenByEffect).singleElement()
                .satisfies(record -> assertThat(record.firedTrigger()).contains(Trigger.afterBytes(Direction.UPSTREAM, 4)));
    }

    @Nested
    @DisplayName("after N client bytes")
    class UpstreamBytes {

        @Test
        @DisplayName("lets reads take only the bytes still wanted, and is reached at exactly N")
        void exact() {
            FaultTrigger trigger = trigger(Fault.resetAfter(Direction.UPSTREAM, 10));
            assertThat(trigger.readLimit(NO_LIMIT)).isEqualTo(10);
            assertThat(trigger.readLimit(4)).isEqualTo(4);
            entry.received(ascii("0123456"), 0, 7);
            assertThat(trigger.upstreamReached(ascii("0123456"))).isFalse();
            assertThat(trigger.readLimit(NO_LIMIT)).isEqualTo(3);
            entry.received(ascii("789"), 0, 3);
            assertThat(trigger.upstreamReached(ascii("789"))).isTrue();
        }

        @Test
        @DisplayName("never cuts a write")
        void writesPass() {
            FaultTrigger trigger = trigger(Fault.resetAfter(Direction.UPSTREAM, 1));
            ByteBuf head = Unpooled.wrappedBuffer(ascii("response"));
            assertThat(trigger.cutAtDownstream(head, 0, 8)).isEqualTo(8);
            assertThat(trigger.downstreamReached(head, 0, 8)).isFalse();
        }
    }

    @Nested
    @DisplayName("after N bytes to the client")
    class DownstreamBytes {

        @Test
        @DisplayName("cuts the write at N and is reached once N bytes are sent")
        void exact() {
            FaultTrigger trigger = trigger(Fault.resetAfter(Direction.DOWNSTREAM, 5));
            ByteBuf head = Unpooled.wrappedBuffer(ascii("0123456789"));
            assertThat(trigger.readLimit(NO_LIMIT)).isEqualTo(NO_LIMIT);
            assertThat(trigger.cutAtDownstream(head, 0, 10)).isEqualTo(5);
            entry.sent(head, 0, 5);
            assertThat(trigger.downstreamReached(head, 0, 5)).isTrue();
        }
    }

    @Nested
    @DisplayName("on a pattern")
    class Pattern {

        @Test
        @DisplayName("lets reads go at most to where the next occurrence could end, and counts occurrences")
        void upstream() {
            FaultTrigger trigger = trigger(new Fault(Effect.reset(),
                    Trigger.onPattern(Direction.UPSTREAM, ascii("\r\n"), 2)));
            assertThat(trigger.matchesPattern()).isTrue();
            assertThat(trigger.readLimit(NO_LIMIT)).isEqualTo(2);
            assertThat(trigger.upstreamReached(ascii("a\r"))).isFalse();
            assertThat(trigger.readLimit(NO_LIMIT)).isEqualTo(1);
            assertThat(trigger.upstreamReached(ascii("\n"))).isFalse(); // the first occurrence
            assertThat(trigger.upstreamReached(ascii("b\r\n"))).isTrue();
        }

        @Test
        @DisplayName("cuts a write just after the occurrence, without consuming it")
        void downstream() {
            FaultTrigger trigger = trigger(new Fault(Effect.reset(),
                    Trigger.onPattern(Direction.DOWNSTREAM, "END")));
            ByteBuf head = Unpooled.wrappedBuffer(ascii("xxENDyy"));
            assertThat(trigger.cutAtDownstream(head, 0, 7)).isEqualTo(5);
            assertThat(trigger.cutAtDownstream(head, 0, 7)).isEqualTo(5); // a peek: nothing consumed
            assertThat(trigger.downstreamReached(head, 0, 5)).isTrue();
        }
    }
}
