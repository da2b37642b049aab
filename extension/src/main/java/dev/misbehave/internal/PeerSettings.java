package dev.misbehave.internal;

import dev.misbehave.ConnectionRecord;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

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
     * Makes the exception for a key whose value is not a positive whole number of milliseconds, in
     * the words of where the value came from (a JUnit configuration parameter, a system property).
     */
    @FunctionalInterface
    public interface Invalid {
        /**
         * The exception to throw.
         *
         * @param key the key
         * @param value its value as given
         * @param example a valid value, the default
         * @return the exception
         */
        RuntimeException of(String key, String value, Duration example);
    }

    /**
     * The one reader of the keys: the defaults, with each key that {@code lookup} finds, each parsed
     * with the same bounds wherever it is read: a positive whole number of milliseconds that fits the
     * waits' nanosecond clock (at most 9,223,372,036,854 ms, about 292 years).
     *
     * @param lookup a key's value, if set
     * @param invalid the exception for a value out of bounds
     * @return the settings
     */
    public static PeerSettings read(Function<String, Optional<String>> lookup, Invalid invalid) {
        Optional<String> quiet = lookup.apply(QUIET_PERIOD_KEY);
        Optional<String> close = lookup.apply(CLOSE_TIMEOUT_KEY);
        Optional<String> await = lookup.apply(AWAIT_TIMEOUT_KEY);
        if (quiet.isEmpty() && close.isEmpty() && await.isEmpty()) {
            return DEFAULTS;
        }
        return new PeerSettings(
                millis(QUIET_PERIOD_KEY, quiet, DEFAULTS.quietPeriod(), invalid),
                DEFAULTS.maxQuietWait(),
                millis(CLOSE_TIMEOUT_KEY, close, DEFAULTS.closeTimeout(), invalid),
                DEFAULTS.deliveryTimeout(),
                DEFAULTS.captureCap(),
                millis(AWAIT_TIMEOUT_KEY, await, DEFAULTS.awaitTimeout(), invalid));
    }

    /**
     * The settings of a peer started outside JUnit ({@code MisbehavingPeer.start}): the defaults,
     * with each key that is set as a system property ({@code -Dmisbehave.awaitTimeoutMillis=30000}).
     *
     * @throws IllegalArgumentException if a property is not a positive whole number of
     *     milliseconds; the message names the property, its value and the fix
     */
    public static PeerSettings fromSystemProperties() {
        return read(key -> Optional.ofNullable(System.getProperty(key)), (key, value, example) ->
                new IllegalArgumentException("System property " + key + " = '" + value + "' is not a positive whole"
                        + " number of milliseconds. Set it to, for example, -D" + key + "=" + example.toMillis()
                        + ", or remove it to use the default."));
    }

    private static Duration millis(String key, Optional<String> value, Duration fallback, Invalid invalid) {
        if (value.isEmpty()) {
            return fallback;
        }
        return parseMillis(value.get()).orElseThrow(() -> invalid.of(key, value.get(), fallback));
    }

    /**
     * {@code value} as a positive whole number of milliseconds, or empty if it is not one (or is so
     * large, over 292 years, that it does not fit a {@code long} of nanoseconds, which the waits use).
     */
    static Optional<Duration> parseMillis(String value) {
        try {
            long millis = Long.parseLong(value.trim());
            return millis > 0 && millis <= Long.MAX_VALUE / 1_000_000
                    ? Optional.of(Duration.ofMillis(millis)) : Optional.empty();
        } catch (NumberFormatException notANumber) {
            return Optional.empty();
        }
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
