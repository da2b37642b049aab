package dev.misbehave.junit;

import dev.misbehave.internal.PeerSettings;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Reads peer tuning from JUnit configuration parameters ({@code junit-platform.properties} or
 * {@code -D} system properties).
 *
 * <ul>
 *   <li>{@value #QUIET_PERIOD}: milliseconds the client must have sent nothing more, after an
 *       upstream trigger, before the peer resets (default 50).
 *   <li>{@value #CLOSE_TIMEOUT}: milliseconds a peer waits for its sockets to close at the end of a
 *       test (default 2000).
 * </ul>
 */
final class Settings {

    static final String QUIET_PERIOD = "misbehave.quietPeriodMillis";
    static final String CLOSE_TIMEOUT = "misbehave.closeTimeoutMillis";

    private Settings() {}

    static PeerSettings from(ExtensionContext context) {
        PeerSettings defaults = PeerSettings.DEFAULTS;
        return new PeerSettings(
                millis(context, QUIET_PERIOD, defaults.quietPeriod()),
                defaults.maxQuietWait(),
                millis(context, CLOSE_TIMEOUT, defaults.closeTimeout()),
                defaults.deliveryTimeout(),
                defaults.captureCap());
    }

    private static Duration millis(ExtensionContext context, String key, Duration fallback) {
        return context.getConfigurationParameter(key)
                .map(value -> parseMillis(key, value, fallback))
                .orElse(fallback);
    }

    private static Duration parseMillis(String key, String value, Duration example) {
        try {
            long millis = Long.parseLong(value.trim());
            if (millis > 0) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new ExtensionConfigurationException(
                "Configuration parameter " + key + " = '" + value + "' is not a positive whole number of"
                        + " milliseconds. Set it to, for example, " + key + "=" + example.toMillis() + ", or remove"
                        + " it to use the default.");
    }
}
