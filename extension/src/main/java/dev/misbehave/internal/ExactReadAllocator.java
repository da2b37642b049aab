package dev.misbehave.internal;

import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import java.util.function.IntSupplier;

/**
 * A receive allocator that never reads more than the connection still wants: each read gets a
 * buffer of exactly {@code wanted.getAsInt()} bytes (at most 64 KiB), one read per read request, so
 * the peer never consumes a byte past its trigger.
 */
final class ExactReadAllocator extends DefaultMaxMessagesRecvByteBufAllocator {

    static final int MAX_READ = 64 * 1024;

    private final IntSupplier wanted;

    ExactReadAllocator(IntSupplier wanted) {
        super(1);
        this.wanted = wanted;
    }

    @Override
    public MaxMessageHandle newHandle() {
        return new MaxMessageHandle() {
            @Override
            public int guess() {
                return Math.max(1, Math.min(MAX_READ, wanted.getAsInt()));
            }
        };
    }
}
