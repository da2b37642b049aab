package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.testing.DocOutputs;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The settings of peers started outside JUnit, from system properties. The tests set system
 * properties that every programmatic peer of the JVM reads, so no other test runs beside them.
 */
@Isolated
@Timeout(60)
@DisplayName("Settings of a programmatic peer")
class PeerSettingsTests {

    @AfterEach
    void clearProperties() {
        System.clearProperty(PeerSettings.AWAIT_TIMEOUT_KEY);
        System.clearProperty(PeerSettings.CLOSE_TIMEOUT_KEY);
        System.clearProperty(PeerSettings.QUIET_PERIOD_KEY);
    }

    @Test
    @DisplayName("are the defaults without system properties: waits without a timeout wait 10 s, close 2 s")
    void defaults() {
        assertThat(PeerSettings.fromSystemProperties()).isSameAs(PeerSettings.DEFAULTS);
        assertThat(PeerSettings.DEFAULTS.awaitTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(PeerSettings.DEFAULTS.closeTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    @DisplayName("-Dmisbehave.awaitTimeoutMillis bounds awaitConnections(count): it throws after the bound, saying how to raise it")
    void awaitBoundFromSystemProperty() {
        System.setProperty(PeerSettings.AWAIT_TIMEOUT_KEY, "250");
        System.setProperty(PeerSettings.CLOSE_TIMEOUT_KEY, "1500");

        assertThat(PeerSettings.fromSystemProperties().closeTimeout()).isEqualTo(Duration.ofMillis(1500));
        try (MisbehavingPeer peer = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 5))) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> peer.awaitConnections(1))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("Expected at least 1 ended connection(s) within PT0.25S but 0 of 0 accepted"
                            + " had ended. That is the default bound of waits without a timeout argument: to raise it,"
                            + " set misbehave.awaitTimeoutMillis (milliseconds) in junit-platform.properties, or as a"
                            + " system property (-Dmisbehave.awaitTimeoutMillis=30000) for a peer started with"
                            + " MisbehavingPeer.start, or pass a timeout.");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            assertThatThrownBy(() -> peer.awaitTriggered(1, Duration.ofMillis(20)))
                    .hasMessageStartingWith("Expected the trigger to fire on at least 1 connection(s) within PT0.02S but"
                            + " it fired on 0. To wait longer, pass a longer timeout. Journal so far:");
        }
    }

    @Test
    @DisplayName("parses positive whole milliseconds that fit the waits' nanosecond clock, and nothing else")
    void parsesMillis() {
        assertThat(PeerSettings.parseMillis(" 250 ")).contains(Duration.ofMillis(250));
        assertThat(PeerSettings.parseMillis(String.valueOf(Long.MAX_VALUE / 1_000_000)))
                .contains(Duration.ofMillis(Long.MAX_VALUE / 1_000_000));
        for (String bad : new String[] {"0", "-1", "1.5", "", "10s", String.valueOf(Long.MAX_VALUE / 1_000_000 + 1),
                "99999999999999999999"}) {
            assertThat(PeerSettings.parseMillis(bad)).as("'%s'", bad).isEmpty();
        }
    }

    @Test
    @DisplayName("one reader for every source: a key read from any lookup has the same bounds, and the source words the error")
    void oneReader() {
        String tooLarge = String.valueOf(Long.MAX_VALUE / 1_000_000 + 1);
        java.util.Map<String, String> given = java.util.Map.of(PeerSettings.CLOSE_TIMEOUT_KEY, tooLarge);

        assertThatThrownBy(() -> PeerSettings.read(key -> java.util.Optional.ofNullable(given.get(key)),
                (key, value, example) -> new IllegalStateException(key + "=" + value + ", e.g. " + example.toMillis())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(PeerSettings.CLOSE_TIMEOUT_KEY + "=" + tooLarge + ", e.g. 2000");
        assertThat(PeerSettings.read(key -> java.util.Optional.ofNullable(
                        java.util.Map.of(PeerSettings.QUIET_PERIOD_KEY, "7").get(key)), (key, value, example) -> null)
                .quietPeriod()).isEqualTo(Duration.ofMillis(7));
    }

    @Test
    @DisplayName("a bad system property fails the start, naming the property, the value and the fix")
    void badSystemProperty() {
        System.setProperty(PeerSettings.AWAIT_TIMEOUT_KEY, "-5");

        assertThatThrownBy(() -> MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("System property misbehave.awaitTimeoutMillis = '-5' is not a positive whole number of"
                        + " milliseconds. Set it to, for example, -Dmisbehave.awaitTimeoutMillis=10000, or remove it to"
                        + " use the default.");
    }

    @Test
    @DisplayName("docs/configuration.md shows the message of a system property that is not a number of milliseconds")
    void documentedMessage() {
        System.setProperty(PeerSettings.AWAIT_TIMEOUT_KEY, "soon");

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 5)));

        assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
        DocOutputs.capture("configuration-bad-system-property", thrown.getMessage());
    }
}
