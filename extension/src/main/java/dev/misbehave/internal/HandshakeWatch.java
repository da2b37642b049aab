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
import io.netty.util.ReferenceCountUtil;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.ArrayDeque;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * Sits below the TLS handler of every TLS connection, on its TLS bytes: it tells which stage of the
 * handshake the connection reached ({@link #reached()}, for the journal), and runs a fault whose
 * trigger is a stage ({@link Trigger.OnHandshake}). It acts there as a server that fails at that
 * stage would: at {@link HandshakeStage#CLIENT_HELLO} the ClientHello never reaches the TLS handler;
 * at {@link HandshakeStage#SERVER_FLIGHT} the peer's first flight goes out whole and nothing the
 * client sends after it is processed; at {@link HandshakeStage#COMPLETED} the plan gets no
 * application byte. The trigger is journalled before the effect acts.
 */
final class HandshakeWatch extends ChannelDuplexHandler {

    /** The TLS record type of a handshake message. */
    private static final int HANDSHAKE_RECORD = 22;
    private static final int RECORD_HEADER = 5;

    /** The fault at a stage; null if the connection has none. */
    private final Fault fault;
    /** The fault's stage; {@link HandshakeStage#NONE} without one. */
    private final HandshakeStage stage;
    private final Journal.Entry entry;
    private final SslHandler ssl;
    private final PlaintextGate gate;
    private ChannelHandlerContext ctx;

    /** The last stage the handshake reached. */
    private HandshakeStage reached = HandshakeStage.NONE;
    /** The client's bytes seen until its first record was whole, and that record's header. */
    private long seen;
    private final byte[] header = new byte[RECORD_HEADER];
    /** The client's first bytes are no TLS handshake record. */
    private boolean notTls;
    /** The peer has written since the ClientHello arrived. */
    private boolean answering;
    private ChannelFuture lastWrite;

    /** At CLIENT_HELLO: the client's first bytes, held until its first record is whole. */
    private ByteBuf hello;
    /** Nothing the client sends is read or processed any more. */
    private boolean cut;
    private boolean fired;
    /** After a stall: the peer's writes, held until the connection ends. */
    private final ArrayDeque<Object> held = new ArrayDeque<>();

    /** After garbage at a stage, the most the peer waits for the client to hang up before its own close. */
    private final Duration closeTimeout;
    /** Garbage has gone out; the peer reads (and drops) until the client hangs up or the bound passes. */
    private boolean awaitingClientEnd;
    private ScheduledFuture<?> closeLater;

    HandshakeWatch(Fault fault, Journal.Entry entry, SslHandler ssl, PlaintextGate gate, Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
        this.fault = fault;
        this.stage = fault == null ? HandshakeStage.NONE : ((Trigger.OnHandshake) fault.trigger()).stage();
        this.entry = entry;
        this.ssl = ssl;
        this.gate = gate;
    }

    /** The last stage of the handshake the connection reached: NONE before its ClientHello arrived whole. */
    HandshakeStage reached() {
        return reached;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ssl.handshakeFuture().addListener(done -> {
            if (done.isSuccess()) {
                reached = HandshakeStage.COMPLETED;
                if (stage == HandshakeStage.COMPLETED) {
                    gate.hold(); // application bytes decrypted with the client's Finished stay unconsumed
                    fire();
                }
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        if (cut) {
            bytes.release(); // after the trigger, nothing the client sends is processed
            if (awaitingClientEnd) {
                ctx.read(); // until the client hangs up
            }
            return;
        }
        countFirstRecord(bytes);
        if (stage != HandshakeStage.CLIENT_HELLO) {
            ctx.fireChannelRead(bytes);
            return;
        }
        hello = hello == null ? bytes : Unpooled.wrappedBuffer(hello, bytes);
        if (notTls) {
            ByteBuf notHello = hello;
            hello = null;
            ctx.fireChannelRead(notHello); // not TLS: the TLS handler says so
            return;
        }
        if (reached == HandshakeStage.NONE) {
            ctx.read(); // the rest of the ClientHello
            return;
        }
        fire();
    }

    /** Counts the client's first bytes until its first record (the ClientHello) is whole. */
    private void countFirstRecord(ByteBuf bytes) {
        if (reached != HandshakeStage.NONE || notTls) {
            return;
        }
        int i = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (seen < RECORD_HEADER && i < end) {
            header[(int) seen++] = bytes.getByte(i++);
        }
        seen += end - i;
        if (seen >= RECORD_HEADER && header[0] != HANDSHAKE_RECORD) {
            notTls = true;
        } else if (seen >= RECORD_HEADER + ((header[3] & 0xff) << 8 | header[4] & 0xff)) {
            reached = HandshakeStage.CLIENT_HELLO;
        }
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
        if (reached == HandshakeStage.CLIENT_HELLO) {
            answering = true;
            lastWrite = promise;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        // the first flight is whole once the peer waits for the client's answer
        if (reached == HandshakeStage.CLIENT_HELLO && answering
                && ssl.engine().getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
            reached = HandshakeStage.SERVER_FLIGHT;
            if (stage == HandshakeStage.SERVER_FLIGHT) {
                cut = true; // from now on, nothing more is read or processed
                lastWrite.addListener(written -> fire());
            }
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
            ctx.writeAndFlush(bytes).addListener(written -> {
                if (garbage.then() instanceof Effect.Close) {
                    closeAfterClient();
                } else {
                    act(garbage.then());
                }
            });
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

    /**
     * After garbage, closes once the client has hung up, or after {@link #closeTimeout} at most. A
     * client whose TLS layer runs apart from its socket reads (the JDK {@code HttpClient}) can meet
     * a FIN that arrives with the garbage before its TLS layer has judged the garbage, and then
     * report an empty response instead of the TLS error ("HTTP/1.1 header parser received no
     * bytes" in 2 of 1,000 trials of the determinism run). Every client hangs up once its TLS layer
     * has rejected the garbage; the journal then says so.
     */
    private void closeAfterClient() {
        if (!ctx.channel().isActive()) {
            return;
        }
        awaitingClientEnd = true;
        closeLater = ctx.executor().schedule(this::closeBare, closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        ctx.read();
    }

    /** The client hung up while the peer waited for it after garbage. */
    private void clientEnded(Ending how) {
        awaitingClientEnd = false;
        if (closeLater != null) {
            closeLater.cancel(false);
        }
        entry.end(how);
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (awaitingClientEnd && event instanceof ChannelInputShutdownEvent) {
            clientEnded(Ending.CLIENT_CLOSED);
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (awaitingClientEnd && cause instanceof java.io.IOException) {
            clientEnded(Ending.CLIENT_RESET);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** A FIN, with nothing of TLS before it. */
    private void closeBare() {
        awaitingClientEnd = false;
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
        if (awaitingClientEnd) {
            clientEnded(Ending.CLIENT_CLOSED); // without half-closure, the client's FIN closes the channel
        }
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
                promise.tryFailure(new ClosedChannelException());
            } else {
                ReferenceCountUtil.release(item);
            }
        }
    }
}
