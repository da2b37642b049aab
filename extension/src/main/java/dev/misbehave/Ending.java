package dev.misbehave;

/** How a connection that the peer accepted ended, as recorded in its {@link ConnectionRecord}. */
public enum Ending {
    /** The connection has not ended yet. */
    OPEN,
    /** The peer aborted the connection with a TCP RST (SO_LINGER 0, then close). */
    PEER_RESET,
    /** The peer closed the connection with a TCP FIN. */
    PEER_CLOSED,
    /** The client closed the connection (the peer read end-of-stream). */
    CLIENT_CLOSED,
    /** The client aborted the connection with a TCP RST. */
    CLIENT_RESET;

    /**
     * Whether the connection has ended.
     *
     * @return {@code false} for {@link #OPEN}, {@code true} otherwise
     */
    public boolean ended() {
        return this != OPEN;
    }
}
