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

    /**
     * Close the connection in order, as a server's {@code close()} does: the client reads
     * end-of-stream, not a reset. The peer does not read the rest of the client's request, so its
     * kernel follows the FIN with an RST (data was left unread); a client that reads sees
     * end-of-stream, and one of its later writes fails with "Broken pipe".
     */
    record Close() implements Effect {
        @Override
        public String toString() {
            return "close";
        }
    }

    /**
     * Stall the connection: the peer stops reading and never writes, and keeps the connection open
     * until the peer is closed (in a JUnit test: when the test ends, with a reset). A client waiting
     * for a response runs into its read timeout; a client with more to send than the kernel buffers
     * hold blocks in its write.
     */
    record Stall() implements Effect {
        @Override
        public String toString() {
            return "stall";
        }
    }
}
