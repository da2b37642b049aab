package dev.misbehave.internal;

import java.time.Duration;

/**
 * A fault's duration as nanoseconds for the event loop's timers. {@link Duration#toNanos()} throws
 * beyond about 292 years, and a deadline of "now" plus nearly {@code Long.MAX_VALUE} overflows; a
 * duration longer than 100 years is taken as 100 years, which no test outlives.
 */
final class Nanos {

    private static final Duration MAX = Duration.ofDays(36_500);

    private Nanos() {}

    static long of(Duration duration) {
        return duration.compareTo(MAX) > 0 ? MAX.toNanos() : duration.toNanos();
    }
}
