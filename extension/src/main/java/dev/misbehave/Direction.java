package dev.misbehave;

/**
 * Which bytes of a connection a fault counts: the ones the client sends or the ones it receives.
 *
 * <p>The names are the ones Toxiproxy users know: the client sits "down", the server "up".
 */
public enum Direction {
    /** Bytes the client sends to the peer (the request, an upload). */
    UPSTREAM,
    /** Bytes the client receives from the peer (the response, a download). */
    DOWNSTREAM
}
