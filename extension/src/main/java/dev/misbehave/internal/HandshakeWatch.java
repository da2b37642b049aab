package dev.misbehave.internal;

import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.HandshakeStage;
import dev.misbehave.Trigger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayDeque;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * Runs a fault whose trigger is a stage of the TLS handshake ({@link Trigger.OnHandshake}). It sits
 * below the TLS handler, on the connection's TLS bytes, and acts there as a server that fails at
 * that stage would: at {@link HandshakeStage#CLIENT_HELLO} the ClientHello never reaches the TLS
 * handler; at {@link HandshakeStage#SERVER_FLIGHT} the peer's first flight goes out whole and
 * nothing the client sends after it is processed; at {@link HandshakeStage#COMPLETED} the plan gets
 * no application byte. The trigger is journalled before the effect acts.
 */
final class HandshakeWatch extends ChannelDuplexHandler {

    /** The TLS record type of a handshake message. */
    private static final int HANDSHAKE_RECORD = 22;
    private static final int RECORD_HEADER = 5;

    private final Fault fault;
    private final HandshakeStage stage;
    private final Journal.Entry entry;
    private final SslHandler ssl;
    private final PlaintextGate gate;
    private ChannelHandlerContext ctx;
    /** The client's first bytes, until its first record is whole (at CLIENT_HELLO). */
    private ByteBuf hello;
    /** The peer has written bytes of its first flight (at SERVER_FLIGHT). */
    private boolean flightStarted;
    private ChannelFuture lastWrite;
    /** Nothing the client sends is read or processed any more. */
    private boolean cut;
    private boolean fired;
    /** After a stall: the peer's writes, held until the connection ends. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();

    HandshakeWatch(Fault fault, Journal.Entry entry, SslHandler ssl, PlaintextGate gate) {
        this.fault = fault;
        this.stage = ((Trigger.OnHandshake) fault.trigger()).stage();
        this.entry = entry;
        this.ssl = ssl;
        this.gate = gate;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (stage == HandshakeStage.COMPLETED) {
            ssl.handshakeFuture().addListener(done -> {
                if (done.isSuccess()) {
                    gate.hold(); // application bytes decrypted with the client's Finished stay unconsumed
                    fire();
                }
            });
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        if (cut) {
            bytes.release(); // after the trigger, nothing the client sends is processed
            return;
        }
        if (stage == HandshakeStage.CLIENT_HELLO) {
            hello = hello == null ? bytes : Unpooled.wrappedBuffer(hello, bytes);
            if (!wholeRecord(hello)) {
                ctx.read(); // the rest of the ClientHello
                return;
            }
            if (hello.getUnsignedByte(hello.readerIndex()) != HANDSHAKE_RECORD) {
                ByteBuf notTls = hello;
                hello = null;
                ctx.fireChannelRead(notTls); // not TLS: the TLS handler says so
                return;
            }
            fire();
            return;
        }
        ctx.fireChannelRead(bytes);
    }

    private static boolean wholeRecord(ByteBuf bytes) {
        return bytes.readableBytes() >= RECORD_HEADER
                && bytes.readableBytes() >= RECORD_HEADER + bytes.getUnsignedShort(bytes.readerIndex() + 3);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!cut) {
            ctx.read();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (fired) {
            held.add(msg);
            held.add(promise);
            return;
        }
        if (stage == HandshakeStage.SERVER_FLIGHT) {
            flightStarted = true;
            lastWrite = promise;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        // the flight is whole once the peer waits for the client's answer
        if (stage == HandshakeStage.SERVER_FLIGHT && !cut && flightStarted
                && ssl.engine().getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
            cut = true; // from now on, nothing more is read or processed
            lastWrite.addListener(written -> fire());
        }
    }

    /** Records the trigger, then acts. */
    private void fire() {
        if (fired || entry.ended() || !ctx.channel().isActive()) {
            return;
        }
        fired = true;
        cut = true;
        entry.fired(fault.trigger());
        act(fault.effect());
    }

    private void act(Effect effect) {
        if (effect instanceof Effect.Stall) {
            return; // nothing is read, processed or written any more
        }
        if (effect instanceof Effect.Garbage garbage) {
            ByteBuf bytes = Unpooled.wrappedBuffer(garbage.bytes());
            entry.sent(bytes, bytes.readerIndex(), bytes.readableBytes());
            ctx.writeAndFlush(bytes).addListener(written -> act(garbage.then()));
            return;
        }
        if (effect instanceof Effect.Alert alert) {
            byte[] record = {21, 3, 3, 0, 2, 2, (byte) alert.alert().code()}; // a fatal alert, in the clear
            ctx.writeAndFlush(Unpooled.wrappedBuffer(record)).addListener(written -> closeBare());
            return;
        }
        if (effect instanceof Effect.Close) {
            closeBare();
            return;
        }
        Connections.reset(entry, ctx.channel()); // records the reset, then sends it
    }

    /** A FIN, with nothing of TLS before it. */
    private void closeBare() {
        if (entry.end(Ending.PEER_CLOSED)) {
            TlsEngines.closeWithoutCloseNotify(ctx.channel());
        }
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
        if (hello != null) {
            hello.release();
            hello = null;
        }
        for (Object item; (item = held.poll()) != null; ) {
            if (item instanceof ChannelPromise promise) {
                promise.tryFailure(new java.nio.channels.ClosedChannelException());
            } else {
                io.netty.util.ReferenceCountUtil.release(item);
            }
        }
    }
}
