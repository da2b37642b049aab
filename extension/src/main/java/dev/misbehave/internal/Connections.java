package dev.misbehave.internal;

import dev.misbehave.Ending;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;

/** Socket-level actions shared by the handlers. */
final class Connections {

    private Connections() {}

    /** Copies a buffer that was read into a new array, and releases it. */
    static byte[] drain(ByteBuf buf) {
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /**
     * Records {@link Ending#PEER_RESET}, then aborts the connection: the journal shows the reset
     * before the client can observe it. A connection whose ending is recorded already ends the way
     * it was recorded: a close stays a close (its FIN is being sent), a reset a reset.
     */
    static ChannelFuture reset(Journal.Entry entry, Channel channel) {
        if (entry.end(Ending.PEER_RESET)) {
            return abort(channel);
        }
        Ending ended = entry.ending();
        return ended == Ending.PEER_RESET || ended == Ending.CLIENT_RESET ? abort(channel) : channel.close();
    }

    /**
     * Aborts the connection with a TCP RST: {@code SO_LINGER} 0, set just before the close, makes
     * the kernel discard the send queue and send RST instead of FIN. Over TLS, the TLS handler is
     * taken out first, so that no {@code close_notify} goes before the RST.
     */
    static ChannelFuture abort(Channel channel) {
        if (channel.pipeline().get(TlsEngines.HANDLER) != null) {
            try {
                channel.pipeline().remove(TlsEngines.HANDLER); // its close would send close_notify first
            } catch (java.util.NoSuchElementException removedMeanwhile) {
                // another abort took it out
            }
        }
        if (channel.isOpen()) {
            try {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException alreadyClosed) {
                // the socket closed under us; close() below is then a no-op
            }
        }
        return channel.close();
    }

    /** Aborts a connection that has no Netty channel yet, with a TCP RST as {@link #abort(Channel)} does. */
    static void abort(java.nio.channels.SocketChannel socket) {
        try {
            socket.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
        } catch (java.io.IOException | RuntimeException alreadyReset) {
            // the client reset first; close() below still releases the socket
        }
        try {
            socket.close();
        } catch (java.io.IOException ignored) {
            // nothing more to release
        }
    }
}
