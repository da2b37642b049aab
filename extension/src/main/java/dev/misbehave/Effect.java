package dev.misbehave;

/**
 * What the peer does to a connection when the {@link Trigger} of its {@link Fault} fires.
 *
 * <p>Effects are plain immutable values; they know nothing of Netty or JUnit.
 */
public sealed interface Effect {

    /**
     * Abort the connection with a TCP RST: the peer sets {@code SO_LINGER} to 0 and closes, so the
     * client sees "Connection reset", never an orderly end-of-stream.
     */
    record Reset() implements Effect {
        @Override
        public String toString() {
            return "reset";
        }
    }
}
