package dev.misbehave;

/**
 * Whether the client's kernel held every byte the peer sent before the peer reset the connection.
 *
 * <p>A write that completed only means the peer's kernel took the bytes; an RST sent while some are
 * still queued discards them. Before a reset that follows sent bytes, the peer waits (bounded) until
 * the connection's send queue is empty, and records the result here. On Linux the peer asks the
 * kernel for that connection's send queue through netlink ({@code sock_diag}) where it can load its
 * native library for that (x86-64; on JDK 24 and later only with native access enabled), and reads
 * the {@code tx_queue} column of {@code /proc/net/tcp} otherwise; where neither can be had, the
 * result is {@link #UNCONFIRMED}. See docs/configuration.md, "Native access".
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
