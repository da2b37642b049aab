package dev.misbehave.internal;

import dev.misbehave.ConnectionRecord;
import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a peer that no test normally needs to change.
 *
 * @param quietPeriod after an upstream trigger fires, how long the client must have sent nothing
 *     more before the peer resets (so a client that sends one request in several writes has made
 *     all of them, and sees the reset on its read)
 * @param maxQuietWait the most the peer waits for that quiet before it resets anyway
 * @param closeTimeout the most {@code close()} waits for the sockets to close
 * @param deliveryTimeout before a reset that follows sent bytes, the most the peer waits for the
 *     client's kernel to hold them all
 * @param captureCap how many bytes per direction a journal entry keeps
 */
public record PeerSettings(
        Duration quietPeriod, Duration maxQuietWait, Duration closeTimeout, Duration deliveryTimeout,
        int captureCap) {

    /** The defaults. */
    public static final PeerSettings DEFAULTS =
            new PeerSettings(
                    Duration.ofMillis(50),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2),
                    ConnectionRecord.DEFAULT_CAPTURE_CAP);

    /** Validates the values. */
    public PeerSettings {
        requirePositive("quietPeriod", quietPeriod);
        requirePositive("maxQuietWait", maxQuietWait);
        requirePositive("closeTimeout", closeTimeout);
        requirePositive("deliveryTimeout", deliveryTimeout);
        if (captureCap < 0) {
            throw new IllegalArgumentException("captureCap must be 0 or more, was " + captureCap);
        }
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
