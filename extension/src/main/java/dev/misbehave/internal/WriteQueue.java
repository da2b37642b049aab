package dev.misbehave.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * What waits to be sent to one connection's client, and the sending: one piece at a time, each
 * recorded in the journal before it is written (record, then act), cut so that no byte passes a
 * downstream trigger, and paced by a downstream shaping effect once one applies.
 *
 * <p>The queue owns its buffers and releases each once it is sent or dropped. A piece in flight
 * holds its own reference (a slice), so dropping the queue never frees bytes the kernel has not
 * taken yet. Used only on the connection's event loop.
 */
final class WriteQueue {

    /** What the connection's handler does when the queue moves. */
    interface Owner {
        /** A queued buffer has been sent whole: there is room for more. */
        void bufferSent();

        /** A write failed; the queue sends nothing more. */
        void writeFailed(Throwable cause);
    }

    private final Journal.Entry entry;
    private final FaultTrigger trigger;
    private final Owner owner;
    private ChannelHandlerContext ctx;

    /** What waits to be sent, in order. */
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private long pendingBytes;
    /** How much of the head buffer has been sent. */
    private int offset;
    private boolean writeInFlight;
    private boolean writeScheduled;
    private Runnable afterWrites;
    private boolean dropHeadAfterWrite;
    /** The connection is gone: nothing more is queued. */
    private boolean inactive;
    /** Paces the writes once a downstream shaping effect applies; null before. */
    private Shaper shaper;
    /** The most bytes that waited to be sent at once (recorded in the journal for tests). */
    private long maxPendingBytes;

    WriteQueue(Journal.Entry entry, FaultTrigger trigger, Owner owner) {
        this.entry = entry;
        this.trigger = trigger;
        this.owner = owner;
    }

    /** The connection is active: the queue writes through {@code ctx} from now on. */
    void start(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** How many bytes wait to be sent. */
    long pendingBytes() {
        return pendingBytes;
    }

    /** Paces the writes from now on. */
    void shape(Shaper downstream) {
        this.shaper = downstream;
    }

    /** Queues the readable bytes of {@code bytes}, taking over the buffer, and sends what it can. */
    void add(ByteBuf bytes) {
        if (!bytes.isReadable() || inactive) {
            bytes.release();
            return;
        }
        pending.add(bytes);
        pendingBytes += bytes.readableBytes();
        if (pendingBytes > maxPendingBytes) {
            maxPendingBytes = pendingBytes;
            entry.pendingPeak(pendingBytes);
        }
        pump();
    }

    /**
     * Queues {@code bytes} last, after the effect stopped the script's writes (garbage); the next
     * {@link #whenWritten} sends them.
     */
    void addLast(byte[] bytes) {
        pending.add(Unpooled.wrappedBuffer(bytes));
        pendingBytes += bytes.length;
    }

    /** Runs {@code then} once every queued byte has been handed to the kernel. */
    void whenWritten(Runnable then) {
        afterWrites = then;
        pump();
    }

    /** Forgets queued bytes not yet handed to the kernel; the piece in flight still completes. */
    void dropUnsent() {
        ByteBuf inFlight = writeInFlight ? pending.poll() : null;
        releasePending();
        if (inFlight != null) {
            pending.add(inFlight);
            dropHeadAfterWrite = true;
        } else {
            offset = 0;
        }
    }

    /** The connection is gone: releases every queued buffer and queues nothing more. */
    void close() {
        inactive = true;
        releasePending();
    }

    /** Sends the next piece, unless one is in flight, cut at a downstream trigger and shaped. */
    private void pump() {
        if (writeInFlight || writeScheduled || !ctx.channel().isActive()) {
            return;
        }
        if (pending.isEmpty()) {
            Runnable then = afterWrites;
            afterWrites = null;
            if (then != null) {
                then.run();
            }
            return;
        }
        ByteBuf head = pending.peek();
        int length = head.readableBytes() - offset;
        if (trigger.armed()) {
            length = trigger.cutAtDownstream(head, offset, length);
        }
        if (shaper != null) {
            length = (int) Math.min(length, shaper.pieceSize());
            long delay = shaper.delayBeforeNext(length, offset == 0);
            if (delay > 0) {
                writeScheduled = true;
                ctx.executor().schedule(() -> {
                    writeScheduled = false;
                    pump();
                }, delay, TimeUnit.NANOSECONDS);
                return;
            }
        }
        write(head, length);
    }

    private void write(ByteBuf head, int length) {
        int from = offset;
        entry.sent(head, head.readerIndex() + from, length); // record, then act
        writeInFlight = true;
        // a slice of its own, so the write's progress never moves the queued buffer's indexes
        ctx.writeAndFlush(head.retainedSlice(head.readerIndex() + from, length)).addListener((ChannelFuture f) -> {
            writeInFlight = false;
            if (!f.isSuccess()) {
                owner.writeFailed(f.cause());
                return;
            }
            if (inactive) {
                return; // the queue, this piece's buffer with it, is released already
            }
            boolean reached = trigger.downstreamReached(head, from, length);
            offset += length;
            if (dropHeadAfterWrite) {
                dropHeadAfterWrite = false;
                pending.poll();
                head.release();
                offset = 0;
            } else if (offset == head.readableBytes()) {
                pending.poll();
                pendingBytes -= head.readableBytes();
                head.release();
                offset = 0;
                owner.bufferSent();
            }
            if (reached) {
                trigger.fire(false);
            }
            pump();
        });
    }

    /** Releases every queued buffer (a piece in flight holds its own reference until its write ends). */
    private void releasePending() {
        for (ByteBuf buf; (buf = pending.poll()) != null; ) {
            buf.release();
        }
        pendingBytes = 0;
    }
}
