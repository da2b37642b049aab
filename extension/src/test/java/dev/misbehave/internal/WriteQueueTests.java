package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Fault;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteQueue} on an {@link EmbeddedChannel} whose writes the test completes itself, so each
 * piece in flight is visible.
 */
@DisplayName("The write queue")
class WriteQueueTests {

    private static final PeerSettings SETTINGS = new PeerSettings(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(2), 1 << 20);

    private final Journal journal = new Journal(1 << 20);
    private final List<String> events = new ArrayList<>();
    /** The writes handed to the channel, not yet completed. */
    private final List<ChannelPromise> inFlight = new ArrayList<>();
    private final List<String> written = new ArrayList<>();
    private EmbeddedChannel channel;
    private WriteQueue queue;

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static ByteBuf buffer(String text) {
        return Unpooled.wrappedBuffer(ascii(text));
    }

    /** Starts a queue for a connection with {@code fault} (null: none). */
    private void start(Fault fault) {
        Journal.Entry entry = journal.open(new InetSocketAddress("127.0.0.1", 1), fault, false);
        FaultTrigger trigger = new FaultTrigger(fault, entry, SETTINGS, null, null, (effect, clientMaySend) -> {
            ConnectionRecord record = journal.snapshot().get(0);
            events.add("fired after " + record.sentCount() + " sent");
        });
        queue = new WriteQueue(entry, trigger, new WriteQueue.Owner() {
            @Override
            public void bufferSent() {
                events.add("buffer sent");
            }

            @Override
            public void writeFailed(Throwable cause) {
                events.add("failed");
            }
        });
        channel = new EmbeddedChannel(new HeldWrites(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                queue.start(ctx);
                trigger.start(ctx);
            }
        });
    }

    /** Holds each write until the test completes it. */
    private final class HeldWrites extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ByteBuf piece = (ByteBuf) msg;
            written.add(piece.toString(StandardCharsets.ISO_8859_1));
            piece.release();
            inFlight.add(promise);
        }
    }

    /** Completes the oldest write in flight. */
    private void completeWrite() {
        inFlight.remove(0).setSuccess();
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("sends one piece at a time, in order")
    void onePieceAtATime() {
        start(null);
        queue.add(buffer("one"));
        queue.add(buffer("two"));
        assertThat(written).containsExactly("one");
        assertThat(queue.pendingBytes()).isEqualTo(6);
        completeWrite();
        assertThat(written).containsExactly("one", "two");
        completeWrite();
        assertThat(queue.pendingBytes()).isZero();
        assertThat(events).containsExactly("buffer sent", "buffer sent");
        assertThat(journal.snapshot().get(0).sent()).isEqualTo(ascii("onetwo"));
    }

    @Test
    @DisplayName("records a piece in the journal before it is written")
    void recordThenWrite() {
        start(null);
        queue.add(buffer("abc"));
        assertThat(inFlight).hasSize(1);
        assertThat(journal.snapshot().get(0).sent()).isEqualTo(ascii("abc"));
    }

    @Test
    @DisplayName("cuts at a downstream trigger, records it, then sends on only what the effect leaves")
    void cutAtTrigger() {
        start(Fault.resetAfter(Direction.DOWNSTREAM, 4));
        queue.add(buffer("0123456789"));
        assertThat(written).containsExactly("0123");
        completeWrite();
        assertThat(events).containsExactly("fired after 4 sent");
        assertThat(written).containsExactly("0123", "456789"); // the effect here dropped nothing
    }

    @Test
    @DisplayName("drops what is unsent, lets the piece in flight complete, then runs what waits for the writes")
    void dropUnsentKeepsPieceInFlight() {
        start(null);
        ByteBuf first = buffer("first");
        ByteBuf second = buffer("second");
        queue.add(first);
        queue.add(second);
        queue.dropUnsent();
        assertThat(second.refCnt()).isZero();
        assertThat(first.refCnt()).isOne();
        queue.whenWritten(() -> events.add("written"));
        assertThat(events).isEmpty();
        completeWrite();
        assertThat(first.refCnt()).isZero();
        assertThat(written).containsExactly("first");
        assertThat(events).containsExactly("written");
    }

    @Test
    @DisplayName("sends bytes queued last (garbage) once asked to run after the writes")
    void addLast() {
        start(null);
        queue.addLast(ascii("junk"));
        assertThat(written).isEmpty();
        queue.whenWritten(() -> events.add("written"));
        assertThat(written).containsExactly("junk");
        completeWrite();
        assertThat(events).containsExactly("buffer sent", "written");
    }

    @Test
    @DisplayName("releases everything queued when the connection is gone, and queues nothing more")
    void closeReleases() {
        start(null);
        ByteBuf first = buffer("first");
        ByteBuf second = buffer("second");
        queue.add(first);
        queue.add(second);
        queue.close();
        assertThat(second.refCnt()).isZero();
        ByteBuf late = buffer("late");
        queue.add(late);
        assertThat(late.refCnt()).isZero();
        completeWrite(); // the piece in flight held its own reference
        assertThat(events).isEmpty();
        assertThat(queue.pendingBytes()).isZero();
    }
}
