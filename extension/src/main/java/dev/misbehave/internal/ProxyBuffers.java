package dev.misbehave.internal;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The buffers of a forwarded connection's two legs: direct buffers of at most {@link #SIZE} bytes,
 * recycled through a small shared set, so a byte read from one leg is written to the other from
 * the same memory: no copy into the heap and back, no allocation (and zeroing) of a direct buffer
 * per read. A buffer is never larger than asked for, so a read sized not to pass a trigger cannot
 * pass it, and never grows (its maximum capacity is its capacity).
 *
 * <p>Not Netty's pooled allocator: that one initialises the JDK's Flight Recorder on its first
 * chunk, on the event loop (see docs/performance.md, "The first read in a JVM"). Released buffers
 * go back to the set, up to {@link #KEPT} of them; beyond that the garbage collector frees them.
 */
final class ProxyBuffers extends AbstractByteBufAllocator {

    static final ProxyBuffers SHARED = new ProxyBuffers();

    /** The size of every recycled buffer: the largest read of a proxy's server leg. */
    static final int SIZE = 256 * 1024;
    /** How many released buffers are kept for reuse (4 MiB). */
    static final int KEPT = 16;
    /**
     * A read of fewer bytes than this is copied into a buffer of its own size (see {@link #fit}), so
     * the memory a connection holds stays within 4 times the bytes it holds.
     */
    static final int FIT_BELOW = SIZE / 4;

    private final ArrayBlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(KEPT);
    /** Recycled buffers handed out and not yet released: 0 whenever no proxied byte is in flight. */
    private final AtomicInteger outstanding = new AtomicInteger();

    private ProxyBuffers() {
        super(true);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        if (initialCapacity > SIZE || initialCapacity == 0) {
            return new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity); // rare: not recycled
        }
        ByteBuffer whole = free.poll();
        if (whole == null) {
            whole = ByteBuffer.allocateDirect(SIZE);
        }
        return new Recycled(this, whole, initialCapacity);
    }

    /**
     * {@code buf}, or, if it holds few bytes for the recycled buffer it takes, a copy of them in a
     * heap buffer of their size (and {@code buf} released). Call on every buffer read before keeping
     * it waiting.
     */
    static ByteBuf fit(ByteBuf buf) {
        if (buf.readableBytes() >= FIT_BELOW || !buf.isDirect()) {
            return buf;
        }
        try {
            return Unpooled.wrappedBuffer(ByteBufUtil.getBytes(buf));
        } finally {
            buf.release();
        }
    }

    @Override
    public boolean isDirectBufferPooled() {
        return true; // so Netty copies an outgoing heap buffer into one of these, not into a new one
    }

    /** The number of buffers waiting for reuse (for tests). */
    int kept() {
        return free.size();
    }

    /** The number of recycled buffers handed out and not released yet (for tests: a leak shows here). */
    int outstanding() {
        return outstanding.get();
    }

    /** A view of {@code capacity} bytes of a recycled buffer, given back to the set when released. */
    private static final class Recycled extends UnpooledDirectByteBuf {
        private final ProxyBuffers owner;
        private final ByteBuffer whole;

        Recycled(ProxyBuffers owner, ByteBuffer whole, int capacity) {
            // Netty wraps a slice of exactly capacity bytes, and never frees it itself
            super(owner, whole.duplicate().clear().limit(capacity), capacity);
            this.owner = owner;
            this.whole = whole;
            owner.outstanding.incrementAndGet();
            clear(); // a wrapped buffer starts out full of its old bytes: this one starts empty
        }

        @Override
        protected void deallocate() {
            super.deallocate();
            owner.outstanding.decrementAndGet();
            owner.free.offer(whole);
        }
    }
}
