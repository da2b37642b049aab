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
 * @param awaitTimeout how long the peer's waits without a timeout argument ({@code
 *     awaitConnections(count)} ...) wait at most
 */
public record PeerSettings(
        Duration quietPeriod, Duration maxQuietWait, Duration closeTimeout, Duration deliveryTimeout,
        int captureCap, Duration awaitTimeout) {

    /** The configuration key (JUnit configuration parameter, or system property) of {@link #quietPeriod}. */
    public static final String QUIET_PERIOD_KEY = "misbehave.quietPeriodMillis";
    /** The configuration key of {@link #closeTimeout}. */
    public static final String CLOSE_TIMEOUT_KEY = "misbehave.closeTimeoutMillis";
    /** The configuration key of {@link #awaitTimeout}. */
    public static final String AWAIT_TIMEOUT_KEY = "misbehave.awaitTimeoutMillis";

    /** The default of {@link #awaitTimeout}. */
    public static final Duration DEFAULT_AWAIT_TIMEOUT = Duration.ofSeconds(10);

    /** The defaults. */
    public static final PeerSettings DEFAULTS =
            new PeerSettings(
                    Duration.ofMillis(50),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2),
                    ConnectionRecord.DEFAULT_CAPTURE_CAP,
                    DEFAULT_AWAIT_TIMEOUT);

    /** The settings with the default {@link #awaitTimeout}. */
    public PeerSettings(
            Duration quietPeriod, Duration maxQuietWait, Duration closeTimeout, Duration deliveryTimeout,
            int captureCap) {
        this(quietPeriod, maxQuietWait, closeTimeout, deliveryTimeout, captureCap, DEFAULT_AWAIT_TIMEOUT);
    }

    /** Validates the values. */
    public PeerSettings {
        requirePositive("quietPeriod", quietPeriod);
        requirePositive("maxQuietWait", maxQuietWait);
        requirePositive("closeTimeout", closeTimeout);
        requirePositive("deliveryTimeout", deliveryTimeout);
        requirePositive("awaitTimeout", awaitTimeout);
        if (captureCap < 0) {
            throw new IllegalArgumentException("captureCap must be 0 or more, was " + captureCap);
        }
    }

    /**
     * The settings of a peer started outside JUnit ({@code MisbehavingPeer.start}): the defaults,
     * with each key that is set as a system property ({@code -Dmisbehave.awaitTimeoutMillis=30000}).
     *
     * @throws IllegalArgumentException if a property is not a positive whole number of
     *     milliseconds; the message names the property, its value and the fix
     */
    public static PeerSettings fromSystemProperties() {
        String quiet = System.getProperty(QUIET_PERIOD_KEY);
        String close = System.getProperty(CLOSE_TIMEOUT_KEY);
        String await = System.getProperty(AWAIT_TIMEOUT_KEY);
        if (quiet == null && close == null && await == null) {
            return DEFAULTS;
        }
        return new PeerSettings(
                systemMillis(QUIET_PERIOD_KEY, quiet, DEFAULTS.quietPeriod()),
                DEFAULTS.maxQuietWait(),
                systemMillis(CLOSE_TIMEOUT_KEY, close, DEFAULTS.closeTimeout()),
                DEFAULTS.deliveryTimeout(),
                DEFAULTS.captureCap(),
                systemMillis(AWAIT_TIMEOUT_KEY, await, DEFAULTS.awaitTimeout()));
    }

    private static Duration systemMillis(String key, String value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        return parseMillis(value).orElseThrow(() -> new IllegalArgumentException(
                "System property " + key + " = '" + value + "' is not a positive whole number of milliseconds."
                        + " Set it to, for example, -D" + key + "=" + fallback.toMillis() + ", or remove it to use"
                        + " the default."));
    }

    /**
     * {@code value} as a positive whole number of milliseconds, or empty if it is not one (or is so
     * large, over 292 years, that it does not fit a {@code long} of nanoseconds, which the waits use).
     */
    static java.util.Optional<Duration> parseMillis(String value) {
        try {
            long millis = Long.parseLong(value.trim());
            return millis > 0 && millis <= Long.MAX_VALUE / 1_000_000
                    ? java.util.Optional.of(Duration.ofMillis(millis)) : java.util.Optional.empty();
        } catch (NumberFormatException notANumber) {
            return java.util.Optional.empty();
        }
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
