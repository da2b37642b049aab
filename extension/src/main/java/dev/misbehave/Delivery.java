package dev.misbehave;

/**
 * Whether the client's kernel held every byte the peer sent before the peer reset the connection.
 *
 * <p>A write that completed only means the peer's kernel took the bytes; an RST sent while some are
 * still queued discards them. Before a reset that follows sent bytes, the peer waits (bounded) until
 * the connection's send queue is empty, and records the result here. Linux exposes the send queue
 * (the {@code tx_queue} column of {@code /proc/net/tcp}); where it cannot be read, the result is
 * {@link #UNCONFIRMED}.
 */
public enum Delivery {
    /** No reset followed bytes the peer sent on this connection, so nothing was checked. */
    NOT_CHECKED,
    /** The send queue was empty before the reset: the client's kernel held every byte sent. */
    CONFIRMED,
    /**
     * The peer could not confirm delivery before resetting: the platform gives no send-queue count,
     * or the queue did not drain within the bound (the client stopped reading).
     */
    UNCONFIRMED
}
