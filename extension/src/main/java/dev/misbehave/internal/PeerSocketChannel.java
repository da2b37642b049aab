package dev.misbehave.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelId;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SocketChannel;

/**
 * An accepted connection that can tell how many bytes wait unread in its kernel receive queue (and,
 * over TLS, in the TLS layer), for the peer's "has the client stopped sending?" check.
 */
final class PeerSocketChannel extends NioSocketChannel {

    private InputStream unreadBytes;
    /** The TLS connection's plaintext gate; null for plain TCP. */
    private PlaintextGate tls;

    PeerSocketChannel(Channel parent, SocketChannel socket) {
        super(parent, socket);
    }

    /** A counted id instead of Netty's default, whose first use costs a network-interface lookup. */
    @Override
    protected ChannelId newId() {
        return PeerChannelId.next();
    }

    /**
     * The bytes the client has sent that the peer has not consumed ({@code FIONREAD}; about a
     * microsecond, no data is read), or -1 if the socket cannot say.
     */
    int bytesQueued() {
        int kernel;
        try {
            if (unreadBytes == null) {
                unreadBytes = javaChannel().socket().getInputStream();
            }
            kernel = unreadBytes.available();
        } catch (IOException | RuntimeException closedOrUnsupported) {
            return -1;
        }
        return tls == null ? kernel : kernel + tls.pendingBytes(); // over TLS, also what was read and not consumed
    }

    /** Makes this a TLS connection whose plan reads through {@code gate}. */
    void tls(PlaintextGate gate) {
        this.tls = gate;
    }

    /**
     * Withdraws a read requested earlier and not yet served, so no byte the client sends from now on
     * is consumed. Call on the event loop.
     */
    void stopReading() {
        clearReadPending();
        if (tls != null) {
            tls.stopReading();
        }
    }
}
