package dev.misbehave;

/**
 * How a {@link MisbehavingClient}'s connection ended, seen from the client: by the server (its FIN
 * or RST), by the client's own fault, or by the test.
 */
public enum ClientEnding {
    /** The connection is still open (a record taken while it lives). */
    OPEN,
    /** The connection was never made: the server refused it, or the connect timed out; see {@link ClientRecord#failure()}. */
    CONNECT_FAILED,
    /** The server closed the connection (its FIN reached the client). */
    SERVER_CLOSED,
    /** The server reset the connection (its RST reached the client, on a read or a write). */
    SERVER_RESET,
    /** The client's fault closed the connection (FIN). */
    CLIENT_CLOSED,
    /** The client's fault reset the connection (RST). */
    CLIENT_RESET,
    /** The connection was still open when the test closed the client, which closed it (FIN). */
    CLOSED_BY_TEST
}
