package dev.misbehave.internal;

import dev.misbehave.Effect;
import java.util.concurrent.TimeUnit;

/**
 * Paces one direction for a shaping effect: how big the next piece may be and how long to wait
 * before it. One instance per connection and direction, used only on its event loop.
 */
final class Shaper {

    private final Effect.Shaping effect;
    private final long ticksPerSecond;
    private long nextAllowed = System.nanoTime();
    private boolean first = true;

    private Shaper(Effect.Shaping effect, long ticksPerSecond) {
        this.effect = effect;
        this.ticksPerSecond = ticksPerSecond;
    }

    static Shaper of(Effect.Shaping effect, int ticksPerSecond) {
        return new Shaper(effect, ticksPerSecond);
    }

    /** The largest piece the next read or write may move. */
    long pieceSize() {
        if (effect instanceof Effect.Throttle t) {
            return Math.max(1, t.bytesPerSecond() / ticksPerSecond);
        }
        if (effect instanceof Effect.Slice s) {
            return s.bytes();
        }
        return Long.MAX_VALUE;
    }

    /** For reads: every read is a chunk. */
    long delayBeforeNext(int size) {
        return delayBeforeNext(size, true);
    }

    /**
     * How long to wait before moving {@code size} bytes now, in nanoseconds; 0 to go at once. Calling
     * it books the piece: the caller must move it when the wait is over (and call again then, which
     * returns 0). {@code newChunk} says whether the piece starts a new response (for a delay).
     */
    long delayBeforeNext(int size, boolean newChunk) {
        long now = System.nanoTime();
        if (now - nextAllowed < 0) {
            return nextAllowed - now;
        }
        if (booked) {
            booked = false; // the wait for this piece is over
            return 0;
        }
        if (effect instanceof Effect.Throttle t) {
            nextAllowed = now + TimeUnit.SECONDS.toNanos(1) * size / t.bytesPerSecond();
            return 0;
        }
        if (effect instanceof Effect.Slice s) {
            nextAllowed = now + Nanos.of(s.gap());
            return 0;
        }
        Effect.Delay d = (Effect.Delay) effect;
        if (!newChunk && !first) {
            return 0; // the first piece after the trigger is a chunk, even in the middle of a response
        }
        long wait = Nanos.of(first ? d.first() : d.perChunk());
        first = false;
        if (wait <= 0) {
            return 0;
        }
        nextAllowed = now + wait;
        booked = true;
        return wait;
    }

    private boolean booked;
}
