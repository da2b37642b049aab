package dev.misbehave;

import java.util.Objects;

/**
 * When the {@link Effect} of a {@link Fault} fires on a connection.
 *
 * <p>Triggers are plain immutable values; they know nothing of Netty or JUnit.
 */
public sealed interface Trigger {

    /**
     * Fires once the peer has consumed exactly {@code bytes} bytes of the given direction. The peer
     * never consumes byte {@code bytes + 1}. {@code bytes = 0} fires as soon as the connection is
     * accepted.
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
}
