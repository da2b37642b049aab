package dev.misbehave.internal;

import dev.misbehave.ClientEnding;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.Trigger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One connection of a misbehaving client: it sends the request, reads what the server answers, and
 * runs its fault when the trigger fires. Everything runs on the connection's event loop.
 *
 * <p>The roles of the peer turned round: an {@link Direction#UPSTREAM} trigger counts request bytes
 * the kernel took (the write completed), a {@link Direction#DOWNSTREAM} one counts response bytes
 * read, and the reads never go past it (the receive allocator asks for exactly the bytes still
 * wanted). A stall on {@code DOWNSTREAM} stops reading, so the server's writes meet a full window;
 * any other stall stops sending and goes on reading, so the server's reaction is journalled.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

    private static final int PIECE = 64 * 1024;

    private final ClientEntry entry;
    private final byte[] request;
    private final Effect effect;
    private final Trigger trigger;
    private final Duration deliveryTimeout;
    private ChannelHandlerContext ctx;
    private int offset;
    private boolean fired;
    private boolean writing;
    private boolean writingStopped;
    private boolean readingStopped;
    /** Bytes per write and the gap after each once a shaping effect runs; 0 while unshaped. */
    private int piece;
    private long gapNanos;

    ClientConnection(ClientEntry entry, byte[] request, Duration deliveryTimeout) {
        this.entry = entry;
        this.request = request;
        Fault fault = entry.fault();
        this.effect = fault == null ? null : fault.effect();
        this.trigger = fault == null ? null : fault.trigger();
        this.deliveryTimeout = deliveryTimeout;
    }

    /** How many bytes the next read may take: never past a downstream trigger. */
    int wanted() {
        long left = downstreamBytes() - entry.receivedCount();
        return left > 0 ? (int) Math.min(PIECE, left) : PIECE;
    }

    private long downstreamBytes() {
        return !fired && trigger instanceof Trigger.AfterBytes after && after.direction() == Direction.DOWNSTREAM
                ? after.bytes() : Long.MAX_VALUE;
    }

    private long upstreamBytes() {
        return !fired && trigger instanceof Trigger.AfterBytes after && after.direction() == Direction.UPSTREAM
                ? after.bytes() : Long.MAX_VALUE;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        entry.connected((InetSocketAddress) ctx.channel().localAddress());
        ctx.read();
        if (trigger instanceof Trigger.OnAccept || upstreamBytes() == 0) {
            fire();
        } else if (trigger instanceof Trigger.AfterDuration after) {
            ctx.executor().schedule(this::fire, after.delay().toNanos(), TimeUnit.NANOSECONDS);
        }
        sendMore();
    }

    private void sendMore() {
        if (writing || writingStopped || !ctx.channel().isActive()) {
            return;
        }
        int end = (int) Math.min(request.length, upstreamBytes());
        if (offset >= end) {
            return;
        }
        int length = Math.min(end - offset, piece > 0 ? piece : PIECE);
        int from = offset;
        offset += length;
        writing = true;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(request, from, length)).addListener(written -> {
            writing = false;
            if (!written.isSuccess()) {
                serverReset(written.cause());
                return;
            }
            entry.sent(request, from, length);
            if (offset >= upstreamBytes()) {
                fire();
            }
            if (gapNanos > 0) {
                ctx.executor().schedule(this::sendMore, gapNanos, TimeUnit.NANOSECONDS);
            } else {
                sendMore();
            }
        });
    }

    private void fire() {
        if (fired || !ctx.channel().isActive()) {
            return;
        }
        fired = true;
        entry.fired(trigger);
        apply(effect);
    }

    private void apply(Effect effect) {
        if (effect instanceof Effect.Reset) {
            writingStopped = true;
            resetAfterDelivery();
        } else if (effect instanceof Effect.Close) {
            writingStopped = true;
            if (entry.end(ClientEnding.CLIENT_CLOSED, null)) {
                ctx.close();
            }
        } else if (effect instanceof Effect.HalfClose) {
            writingStopped = true;
            ((SocketChannel) ctx.channel()).shutdownOutput();
        } else if (effect instanceof Effect.Stall) {
            if (trigger instanceof Trigger.AfterBytes after && after.direction() == Direction.DOWNSTREAM) {
                readingStopped = true;
            } else {
                writingStopped = true;
            }
        } else if (effect instanceof Effect.Garbage garbage) {
            writingStopped = true;
            byte[] bytes = garbage.bytes();
            writeThen(bytes, () -> apply(garbage.then()));
        } else if (effect instanceof Effect.Slice slice) {
            shape(slice.bytes(), slice.gap().toNanos(), 0);
        } else if (effect instanceof Effect.Throttle throttle) {
            long perSecond = throttle.bytesPerSecond();
            int bytes = (int) Math.max(1, Math.min(PIECE, perSecond / 20));
            shape(bytes, bytes * 1_000_000_000L / perSecond, 0);
        } else if (effect instanceof Effect.Delay delay) {
            shape(PIECE, delay.perChunk().toNanos(), delay.first().toNanos());
        } else {
            throw new IllegalStateException("not a client's effect: " + effect);
        }
    }

    private void shape(int bytes, long gap, long firstNanos) {
        piece = bytes;
        gapNanos = gap;
        if (firstNanos > 0) {
            writingStopped = true;
            ctx.executor().schedule(() -> {
                writingStopped = false;
                sendMore();
            }, firstNanos, TimeUnit.NANOSECONDS);
        }
        // otherwise the write in flight, or the one that fired the trigger, sends on at the new pace
    }

    private void writeThen(byte[] bytes, Runnable then) {
        if (bytes.length == 0) {
            then.run();
            return;
        }
        ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(written -> {
            if (!written.isSuccess()) {
                serverReset(written.cause());
                return;
            }
            entry.sent(bytes, 0, bytes.length);
            then.run();
        });
    }

    /** Resets, after waiting (bounded) until the server's kernel holds every byte sent. */
    private void resetAfterDelivery() {
        if (entry.sentCount() == 0) {
            reset();
            return;
        }
        SocketChannel channel = (SocketChannel) ctx.channel();
        SendQueues.shared().whenDrained(channel.localAddress(), channel.remoteAddress(), deliveryTimeout,
                ctx.executor(), drained -> reset());
    }

    private void reset() {
        if (entry.end(ClientEnding.CLIENT_RESET, null)) {
            Connections.abort(ctx.channel());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        try {
            entry.received(bytes);
        } finally {
            bytes.release();
        }
        if (entry.receivedCount() >= downstreamBytes()) {
            fire();
        }
        if (!readingStopped && ctx.channel().isActive()) {
            ctx.read();
        }
    }

    private void serverReset(Throwable cause) {
        String why = cause == null ? null : String.valueOf(cause.getMessage());
        entry.end(ClientEnding.SERVER_RESET, why);
        Connections.abort(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            serverReset(cause);
        } else {
            entry.end(ClientEnding.CLIENT_RESET, String.valueOf(cause));
            Connections.abort(ctx.channel());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        entry.end(ClientEnding.SERVER_CLOSED, null); // no-op when an ending was recorded first
        ctx.fireChannelInactive();
    }

    /** Closes the connection when the test ends, if it is still open. */
    static ChannelFuture closeByTest(ClientEntry entry, io.netty.channel.Channel channel) {
        entry.end(ClientEnding.CLOSED_BY_TEST, null);
        return channel.close();
    }
}
