package dev.misbehave;

import java.time.Duration;

/** A duration as the value types print it, "250 ms"; one too long for a long of milliseconds in seconds. */
final class Millis {

    private Millis() {}

    static String text(Duration duration) {
        if (duration.getSeconds() >= Long.MAX_VALUE / 1000 || duration.getSeconds() <= Long.MIN_VALUE / 1000) {
            return duration.getSeconds() + " s";
        }
        return duration.toMillis() + " ms";
    }
}
