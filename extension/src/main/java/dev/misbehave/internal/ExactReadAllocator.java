package dev.misbehave.internal;

import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import java.util.function.IntSupplier;

/**
 * A receive allocator that never reads more than the connection still wants: each read gets a
 * buffer of exactly {@code wanted.getAsInt()} bytes (at most 64 KiB, unless told otherwise), one
 * read per read request, so the peer never consumes a byte past its trigger. A proxy's server leg
 * uses it with larger reads, several per wake-up, sized so the bytes waiting for the client never
 * pass their bound.
 */
final class ExactReadAllocator extends DefaultMaxMessagesRecvByteBufAllocator {

    static final int MAX_READ = 64 * 1024;

    private final IntSupplier wanted;

    private final int maxRead;

    ExactReadAllocator(IntSupplier wanted) {
        this(wanted, MAX_READ, 1);
    }

    /**
     * Reads of at most {@code maxRead} bytes, and at most {@code readsPerWakeUp} of them each time
     * the event loop finds the socket readable (more than one only with auto-read).
     */
    ExactReadAllocator(IntSupplier wanted, int maxRead, int readsPerWakeUp) {
        super(readsPerWakeUp);
        this.wanted = wanted;
        this.maxRead = maxRead;
    }

    @Override
    public MaxMessageHandle newHandle() {
        return new MaxMessageHandle() {
            @Override
            public int guess() {
                return Math.max(1, Math.min(maxRead, wanted.getAsInt()));
            }
        };
    }
}
