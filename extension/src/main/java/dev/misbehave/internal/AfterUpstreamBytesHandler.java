package dev.misbehave.internal;

import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Trigger;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Runs "act after N upstream bytes" on one connection: consume exactly N bytes (reads are
 * requested one at a time and sized by {@link ExactReadAllocator}), stop reading, then apply the
 * effect.
 *
 * <ul>
 *   <li>Reset: wait until the client has sent nothing more for the quiet period, record, then reset.
 *   <li>Close: the same wait, record, then an orderly close (FIN).
 *   <li>Stall: record, then do nothing at all; the connection stays open until the peer closes.
 * </ul>
 *
 * <p>The reset's wait matters: a client that writes one request in several calls and takes the RST between
 * two of them gets the error on its next write and end-of-stream on its read. Waiting until the
 * socket's receive queue stops growing lets every write that fits the buffers complete first.
 */
final class AfterUpstreamBytesHandler extends ChannelInboundHandlerAdapter {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Effect effect;
    private final Trigger.AfterBytes trigger;
    private final Journal.Entry entry;
    private final PeerSettings settings;

    AfterUpstreamBytesHandler(
            Effect effect, Trigger.AfterBytes trigger, Journal.Entry entry, PeerSettings settings) {
        this.effect = effect;
        this.trigger = trigger;
        this.entry = entry;
        this.settings = settings;
    }

    /** How many bytes the next read may consume. */
    int wanted() {
        return (int) Math.min(Integer.MAX_VALUE, trigger.bytes() - entry.receivedCount());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (trigger.bytes() == 0) {
            fire(ctx, false);
        } else {
            ctx.read();
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
        if (entry.receivedCount() >= trigger.bytes()) {
            fire(ctx, true);
        } else {
            ctx.read();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        entry.end(cause instanceof IOException ? Ending.CLIENT_RESET : Ending.PEER_RESET);
        Connections.abort(ctx.channel());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        entry.end(Ending.CLIENT_CLOSED);
    }

    /** Applies the effect; {@code clientMaySend} says whether to wait for the client's writes first. */
    private void fire(ChannelHandlerContext ctx, boolean clientMaySend) {
        entry.fired(trigger);
        if (effect instanceof Effect.Stall) {
            return; // no read is requested and nothing is written: the connection stalls
        }
        if (clientMaySend) {
            new QuietWatch(ctx).tick();
        } else {
            act(ctx);
        }
    }

    private void act(ChannelHandlerContext ctx) {
        if (effect instanceof Effect.Close) {
            if (entry.end(Ending.PEER_CLOSED)) {
                ctx.close();
            }
        } else {
            Connections.reset(entry, ctx.channel());
        }
    }

    /** Polls the receive queue until it has not changed for the quiet period, then acts. */
    private final class QuietWatch implements Runnable {
        private final ChannelHandlerContext ctx;
        private final PeerSocketChannel channel;
        private final long quietNanos = settings.quietPeriod().toNanos();
        private final long maxWaitNanos = settings.maxQuietWait().toNanos();
        private final long started = System.nanoTime();
        private long lastChange = started;
        private long lastQueued = -1;

        QuietWatch(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            this.channel = (PeerSocketChannel) ctx.channel();
        }

        @Override
        public void run() {
            tick();
        }

        void tick() {
            if (entry.ended() || !ctx.channel().isActive()) {
                return;
            }
            long now = System.nanoTime();
            int queued = channel.bytesQueued();
            if (queued != lastQueued) {
                lastQueued = queued;
                lastChange = now;
            }
            boolean quiet = now - lastChange >= quietNanos;
            boolean waitedEnough = now - started >= maxWaitNanos;
            if (quiet || waitedEnough) {
                act(ctx);
            } else {
                ctx.executor().schedule(this, POLL_NANOS, TimeUnit.NANOSECONDS);
            }
        }
    }
}
