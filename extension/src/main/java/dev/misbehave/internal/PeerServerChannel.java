package dev.misbehave.internal;

import io.netty.channel.ChannelId;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * The listening channel of a peer: Netty's NIO server channel around a socket the peer has already
 * bound, accepting {@link PeerSocketChannel}s.
 */
final class PeerServerChannel extends NioServerSocketChannel {

    /** Decides, for a connection just accepted, whether the peer ends it at once, without Netty. */
    interface Admission {
        /**
         * Called on the listener's event loop for each accepted socket. Returns true if it has
         * journaled and ended the connection itself, false to serve it through a Netty channel.
         */
        boolean endedAtAccept(SocketChannel socket);
    }

    private final Admission admission;

    PeerServerChannel(ServerSocketChannel bound, Admission admission) {
        super(bound);
        this.admission = admission;
    }

    /** A counted id instead of Netty's default, whose first use costs a network-interface lookup. */
    @Override
    protected ChannelId newId() {
        return PeerChannelId.next();
    }

    @Override
    protected int doReadMessages(List<Object> accepted) throws Exception {
        SocketChannel socket;
        do {
            socket = javaChannel().accept();
            if (socket == null) {
                return 0;
            }
        } while (endedAtAccept(socket));
        try {
            accepted.add(new PeerSocketChannel(this, socket));
            return 1;
        } catch (RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private boolean endedAtAccept(SocketChannel socket) {
        try {
            return admission.endedAtAccept(socket);
        } catch (RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }
}
