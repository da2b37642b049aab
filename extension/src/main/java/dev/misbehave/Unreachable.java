package dev.misbehave;

/**
 * What a client gets when a forwarding peer ({@link Script#forwardTo(java.net.InetSocketAddress)})
 * cannot reach its server, or must not: an upstream that is the peer's own address, or a peer the
 * connection already came through, is never forwarded to (it would loop without end). The client's
 * connection is already accepted by then, so it cannot be refused; to model a server that refuses
 * connections, use {@link Effect.Refuse}. The reset can reach a client still in its {@code
 * connect()} (docs/proxy-mode.md).
 */
public enum Unreachable {
    /** The client's connection is reset (RST): what a load balancer with no healthy backend often does. */
    RESET,
    /** The client's connection is closed (FIN) without a byte: the client reads end-of-stream. */
    CLOSE
}
