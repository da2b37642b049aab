package dev.misbehave;

/**
 * How the leg between a forwarding peer and its server ended, as {@link UpstreamRecord#ending()}
 * gives it.
 */
public enum UpstreamEnding {
    /** The peer never connected to the server: it was unreachable, or the fault fired on accept. */
    NOT_CONNECTED,
    /** The leg is still open. */
    OPEN,
    /** The server closed its side (FIN); the peer passed the close on to the client. */
    SERVER_CLOSED,
    /** The server reset the connection (RST); the peer passed the reset on to the client. */
    SERVER_RESET,
    /** The peer closed the leg (FIN): the client closed, or the fault closed the connection. */
    PEER_CLOSED,
    /** The peer reset the leg (RST): the client reset, the fault reset the connection, or the peer closed. */
    PEER_RESET;

    /**
     * Whether the leg has ended (or never began).
     *
     * @return false only for {@link #OPEN}
     */
    public boolean ended() {
        return this != OPEN;
    }
}
