package dev.misbehave;

/**
 * What a client gets when a forwarding peer ({@link Script#forwardTo(java.net.InetSocketAddress)})
 * cannot reach its server. The client's connection is already accepted by then, so it cannot be
 * refused; to model a server that refuses connections, use {@link Effect.Refuse}.
 */
public enum Unreachable {
    /** The client's connection is reset (RST): what a load balancer with no healthy backend often does. */
    RESET,
    /** The client's connection is closed (FIN) without a byte: the client reads end-of-stream. */
    CLOSE
}
