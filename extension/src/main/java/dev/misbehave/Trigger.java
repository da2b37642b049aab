package dev.misbehave;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * When the {@link Effect} of a {@link Fault} fires on a connection.
 *
 * <p>Triggers are plain immutable values; they know nothing of Netty or JUnit. A trigger fires at
 * most once per connection, and the journal records it ({@link ConnectionRecord#firedTrigger()})
 * before the effect runs. The static factories read as a sentence: {@code new Fault(Effect.reset(),
 * Trigger.onPattern(UPSTREAM, "\r\n\r\n"))}.
 */
public sealed interface Trigger {

    /**
     * Fires as soon as the connection is accepted; see {@link OnAccept}.
     *
     * @return the trigger
     */
    static OnAccept onAccept() {
        return new OnAccept();
    }

    /**
     * Fires once exactly {@code bytes} bytes of {@code direction} have passed; see {@link AfterBytes}.
     *
     * @param direction which bytes are counted
     * @param bytes how many bytes, 0 or more
     * @return the trigger
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    static AfterBytes afterBytes(Direction direction, long bytes) {
        return new AfterBytes(direction, bytes);
    }

    /**
     * Fires after the first occurrence of a text pattern, encoded as UTF-8; see {@link OnPattern}.
     *
     * @param direction which bytes are searched
     * @param pattern the text to find, not empty
     * @return the trigger
     * @throws IllegalArgumentException if {@code pattern} is empty
     */
    static OnPattern onPattern(Direction direction, String pattern) {
        return OnPattern.of(direction, pattern);
    }

    /**
     * Fires after the {@code occurrence}-th occurrence of {@code pattern}; see {@link OnPattern}.
     *
     * @param direction which bytes are searched
     * @param pattern the bytes to find, 1 or more
     * @param occurrence which occurrence fires, 1 or more
     * @return the trigger
     * @throws IllegalArgumentException if {@code pattern} is empty or {@code occurrence} is less
     *     than 1
     */
    static OnPattern onPattern(Direction direction, byte[] pattern, int occurrence) {
        return new OnPattern(direction, pattern, occurrence);
    }

    /**
     * Fires when the client has sent nothing for {@code idle}; see {@link AfterIdle}.
     *
     * @param idle positive
     * @return the trigger
     * @throws IllegalArgumentException if {@code idle} is zero or negative
     */
    static AfterIdle afterIdle(Duration idle) {
        return new AfterIdle(idle);
    }

    /**
     * Fires {@code delay} after the connection was accepted; see {@link AfterDuration}.
     *
     * @param delay positive
     * @return the trigger
     * @throws IllegalArgumentException if {@code delay} is zero or negative
     */
    static AfterDuration afterDuration(Duration delay) {
        return new AfterDuration(delay);
    }

    /**
     * Fires when the client starts the request after {@code exchanges} answered ones; see {@link
     * AfterExchanges}.
     *
     * @param exchanges how many request/response exchanges succeed first, 1 or more
     * @return the trigger
     * @throws IllegalArgumentException if {@code exchanges} is less than 1
     */
    static AfterExchanges afterExchanges(int exchanges) {
        return new AfterExchanges(exchanges);
    }

    /**
     * Fires at a stage of the TLS handshake; see {@link OnHandshake}.
     *
     * @param stage the stage
     * @return the trigger
     * @throws IllegalArgumentException if {@code stage} is {@link HandshakeStage#NONE}
     */
    static OnHandshake onHandshake(HandshakeStage stage) {
        return new OnHandshake(stage);
    }

    /** Fires as soon as the peer accepts the connection, before it reads or sends anything. */
    record OnAccept() implements Trigger {
        @Override
        public String toString() {
            return "on accept";
        }
    }

    /**
     * Fires at a stage of the TLS handshake, for a peer that terminates TLS ({@link
     * Script#withTls(Tls)}); see {@link HandshakeStage}. The fault's effect then acts on the TLS
     * bytes, below the handshake: a reset is an RST, a close a bare FIN, a stall stops the
     * handshake, garbage is written as it is, and {@link Effect.Alert} (at {@link
     * HandshakeStage#CLIENT_HELLO} only) sends a TLS alert record. Only terminal effects act at a
     * stage, and not {@link Effect.HalfClose} or {@link Effect.Truncate}.
     *
     * @param stage the stage, not {@link HandshakeStage#NONE}
     */
    record OnHandshake(HandshakeStage stage) implements Trigger {
        /**
         * Checks the stage.
         *
         * @param stage the stage
         * @throws IllegalArgumentException if {@code stage} is {@link HandshakeStage#NONE}
         */
        public OnHandshake {
            Objects.requireNonNull(stage, "stage");
            if (stage == HandshakeStage.NONE) {
                throw new IllegalArgumentException("HandshakeStage.NONE is not a stage: give CLIENT_HELLO, SERVER_FLIGHT"
                        + " or COMPLETED");
            }
        }

        @Override
        public String toString() {
            return stage.toString();
        }
    }

    /**
     * Fires once exactly {@code bytes} bytes of the given direction have passed: for {@link
     * Direction#UPSTREAM} the peer consumes exactly that many bytes of the client's and never byte
     * {@code bytes + 1}; for {@link Direction#DOWNSTREAM} the peer sends exactly that many bytes of
     * its {@link Script} and no more, and fires once its kernel has taken the last of them (a client
     * that stops reading before then holds the trigger back, as it would hold back a real server
     * blocked in its write). {@code bytes = 0} fires as soon as the connection is accepted.
     *
     * @param direction which bytes are counted
     * @param bytes how many bytes, 0 or more
     */
    record AfterBytes(Direction direction, long bytes) implements Trigger {
        /**
         * Validates the values.
         *
         * @param direction which bytes are counted
         * @param bytes how many bytes, 0 or more
         * @throws NullPointerException if {@code direction} is null
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public AfterBytes {
            Objects.requireNonNull(direction, "direction");
            if (bytes < 0) {
                throw new IllegalArgumentException(
                        "bytes must be 0 or more, was " + bytes
                                + ". Use 0 to fire as soon as the connection is accepted.");
            }
        }

        @Override
        public String toString() {
            return "after " + bytes + " " + direction + " bytes";
        }
    }

    /**
     * Fires right after the {@code occurrence}-th occurrence of {@code pattern} in the given
     * direction: upstream, the peer consumes the pattern's last byte and nothing after it;
     * downstream, the peer sends up to and including the pattern's last byte and nothing after it.
     * Occurrences do not overlap. Example: {@code "\r\n\r\n"} upstream fires at the end of an HTTP
     * request's headers, before its body.
     *
     * @param direction which bytes are searched
     * @param pattern the bytes to find, 1 or more
     * @param occurrence which occurrence fires, 1 or more
     */
    record OnPattern(Direction direction, byte[] pattern, int occurrence) implements Trigger {
        /**
         * Validates and copies the values.
         *
         * @param direction which bytes are searched
         * @param pattern the bytes to find, 1 or more
         * @param occurrence which occurrence fires, 1 or more
         * @throws NullPointerException if {@code direction} or {@code pattern} is null
         * @throws IllegalArgumentException if {@code pattern} is empty or {@code occurrence} is less
         *     than 1
         */
        public OnPattern {
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(pattern, "pattern");
            if (pattern.length == 0) {
                throw new IllegalArgumentException("pattern must not be empty; give the bytes to wait for");
            }
            if (occurrence < 1) {
                throw new IllegalArgumentException("occurrence must be 1 or more, was " + occurrence);
            }
            pattern = pattern.clone();
        }

        /**
         * Fires after the first occurrence of a text pattern, encoded as UTF-8.
         *
         * @param direction which bytes are searched
         * @param pattern the text to find, not empty
         * @return the trigger
         */
        public static OnPattern of(Direction direction, String pattern) {
            return new OnPattern(direction, pattern.getBytes(StandardCharsets.UTF_8), 1);
        }

        /**
         * The bytes to find.
         *
         * @return a copy of the pattern
         */
        @Override
        public byte[] pattern() {
            return pattern.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof OnPattern that
                    && direction == that.direction
                    && occurrence == that.occurrence
                    && Arrays.equals(pattern, that.pattern);
        }

        @Override
        public int hashCode() {
            return Objects.hash(direction, occurrence, Arrays.hashCode(pattern));
        }

        @Override
        public String toString() {
            return "on " + direction + " pattern \"" + Script.escape(pattern) + "\""
                    + (occurrence == 1 ? "" : " (occurrence " + occurrence + ")");
        }
    }

    /**
     * Fires when the client has sent nothing for {@code idle} (counted from the accept, then from
     * each byte the peer consumes): a server's idle timeout.
     *
     * @param idle how long the client must be silent, positive
     */
    record AfterIdle(Duration idle) implements Trigger {
        /**
         * Validates the value.
         *
         * @param idle positive
         * @throws IllegalArgumentException if {@code idle} is zero or negative
         */
        public AfterIdle {
            requirePositive("idle", idle);
        }

        @Override
        public String toString() {
            return "after " + Millis.text(idle) + " idle";
        }
    }

    /**
     * Fires {@code delay} after the connection was accepted, whatever has passed on it.
     *
     * @param delay positive
     */
    record AfterDuration(Duration delay) implements Trigger {
        /**
         * Validates the value.
         *
         * @param delay positive
         * @throws IllegalArgumentException if {@code delay} is zero or negative
         */
        public AfterDuration {
            requirePositive("delay", delay);
        }

        @Override
        public String toString() {
            return "after " + Millis.text(delay);
        }
    }

    /**
     * Fires when the client starts request {@code exchanges + 1} on a kept-alive connection, after
     * the peer has answered {@code exchanges} requests: the peer consumes the first byte of the next
     * request and nothing more. This is a pooled connection gone stale: the first request on it
     * succeeds, the next one meets the fault. Needs a {@link Script} that responds, which says where
     * a request ends.
     *
     * @param exchanges how many request/response exchanges succeed first, 1 or more
     */
    record AfterExchanges(int exchanges) implements Trigger {
        /**
         * Validates the value.
         *
         * @param exchanges 1 or more
         * @throws IllegalArgumentException if {@code exchanges} is less than 1
         */
        public AfterExchanges {
            if (exchanges < 1) {
                throw new IllegalArgumentException(
                        "exchanges must be 1 or more, was " + exchanges
                                + ". To act on the first request, use AfterBytes(UPSTREAM, 1).");
            }
        }

        @Override
        public String toString() {
            return "after " + exchanges + (exchanges == 1 ? " exchange" : " exchanges");
        }
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
