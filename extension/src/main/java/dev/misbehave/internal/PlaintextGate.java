package dev.misbehave.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayDeque;
import java.util.function.IntSupplier;

/**
 * Sits between the {@link SslHandler} and the plan of a TLS connection, and gives the plan the
 * client's plaintext as a plain connection gives it the client's bytes: one read at a time, never
 * more than the plan wants ({@link PlanHandler#wanted()}), so that "after N bytes" consumes exactly N
 * bytes of plaintext. A TLS record decrypts whole, so the plaintext past what the plan wanted waits
 * here, unconsumed and unjournalled, for the plan's next read; only when none waits does a read go
 * on to the socket.
 */
final class PlaintextGate extends ChannelDuplexHandler {

    private final IntSupplier wanted;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private final SslHandler ssl;
    private int heldBytes;
    /** The plan asked for bytes and has not had them yet. */
    private boolean readWanted;
    private boolean deliveryScheduled;
    /** The plan gets nothing more (a fault at the end of the handshake acts instead). */
    private boolean holding;
    private ChannelHandlerContext ctx;

    PlaintextGate(IntSupplier wanted, SslHandler ssl) {
        this.wanted = wanted;
        this.ssl = ssl;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        readWanted = true;
        if (heldBytes > 0) {
            if (!deliveryScheduled) {
                deliveryScheduled = true; // not from inside the plan's own call
                ctx.executor().execute(this::deliver);
            }
            return;
        }
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf plaintext = (ByteBuf) msg;
        if (!plaintext.isReadable()) {
            plaintext.release();
            return;
        }
        held.addLast(plaintext);
        heldBytes += plaintext.readableBytes();
        deliver();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // the plan reads through read(), piece by piece; a read completed below says nothing to it
    }

    /** Passes the plan at most what it wants of the held plaintext, if it asked. */
    private void deliver() {
        deliveryScheduled = false;
        if (holding || !readWanted || heldBytes == 0 || !ctx.channel().isActive()) {
            return;
        }
        readWanted = false;
        ByteBuf first = held.peekFirst();
        int n = Math.min(Math.max(1, wanted.getAsInt()), first.readableBytes());
        ByteBuf piece = n == first.readableBytes() ? held.pollFirst() : first.readRetainedSlice(n);
        heldBytes -= n;
        ctx.fireChannelRead(piece);
    }

    /** Gives the plan nothing more from now on; what arrives stays unconsumed. */
    void hold() {
        holding = true;
    }

    /** Withdraws the plan's read, as {@link PeerSocketChannel#stopReading()} withdraws the socket's. */
    void stopReading() {
        readWanted = false;
    }

    /**
     * The client's bytes received and not yet consumed by the plan: plaintext held here, and the
     * ciphertext of a record not yet complete in the TLS handler.
     */
    int pendingBytes() {
        return heldBytes + PeerSslHandler.undecoded(ssl);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    private void release() {
        for (ByteBuf buf; (buf = held.pollFirst()) != null; ) {
            buf.release();
        }
        heldBytes = 0;
    }
}
