package dev.misbehave.internal;

import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * A misbehaving client's channel, which can tell when the JDK has let go of its socket: a closed
 * channel's socket stays open until the event loop's selector has deregistered it, at its next
 * select, so the client's {@code close()} waits for that before it returns.
 */
final class ClientSocketChannel extends NioSocketChannel {

    /** Whether the JDK has closed the socket: it has left the selector. */
    boolean released() {
        return !javaChannel().isRegistered();
    }
}
