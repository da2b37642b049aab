package dev.misbehave.internal;

import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.RequestEnd;
import dev.misbehave.Trigger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import java.util.concurrent.TimeUnit;

/**
 * Decides when one connection's fault fires, and when an effect fired by an upstream trigger acts:
 * counts the bytes, patterns and exchanges the {@link Trigger} watches, times an idle or duration
 * trigger, says how far a read or a write may go without passing the trigger, and, once it fires,
 * records it in the journal and hands the effect to {@link Effects} (record, then act). With no
 * fault it never fires.
 *
 * <p>Used only on the connection's event loop.
 */
final class FaultTrigger {

    /** Applies the effect of the fault once its trigger fired and was recorded. */
    interface Effects {
        /**
         * Applies {@code effect}. {@code clientMaySend} says whether the client may still be writing
         * its request (an upstream trigger), so a reset or close waits for it first ({@link
         * #actWhenClientDone}).
         */
        void apply(Effect effect, boolean clientMaySend);
    }

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Fault fault;
    private final Journal.Entry entry;
    private final PeerSettings settings;
    /** The script's request framer (null without a request end), read for an exchanges trigger. */
    private final RequestFramer framer;
    private final PatternMatcher patternMatcher;
    /** Where the client's requests end, for an upstream trigger; null for any other fault. */
    private final ClientDone clientDone;
    private final Effects effects;
    /** Waits, once an upstream trigger fired, until the client has finished sending; null before. */
    private ClientWatch watch;

    private ChannelHandlerContext ctx;
    private boolean fired;
    private int exchanges;
    private int patternsSeen;
    private long lastReadNanos;

    /**
     * @param fault the connection's fault, or null for none
     * @param framer the script's request framer, or null if the script has no request end
     * @param end the script's request end, or null if it has none
     */
    FaultTrigger(Fault fault, Journal.Entry entry, PeerSettings settings, RequestFramer framer, RequestEnd end,
            Effects effects) {
        this.fault = fault;
        this.entry = entry;
        this.settings = settings;
        this.framer = framer;
        this.patternMatcher = fault != null && fault.trigger() instanceof Trigger.OnPattern p
                ? new PatternMatcher(p.pattern()) : null;
        this.clientDone = fault == null ? null : ClientDone.forTrigger(fault.trigger(), end);
        this.effects = effects;
    }

    /** Whether {@code trigger} fires as the connection is accepted, before any byte moves. */
    static boolean firesOnAccept(Trigger trigger) {
        return trigger instanceof Trigger.OnAccept || trigger instanceof Trigger.AfterBytes b && b.bytes() == 0;
    }

    /** Whether this connection's trigger fires as it is accepted. */
    boolean firesOnAccept() {
        return firesOnAccept(fault.trigger());
    }

    /** Whether the trigger is still to fire: there is a fault and it has not fired. */
    boolean armed() {
        return fault != null && !fired;
    }

    /**
     * The connection is active: fires a trigger on accept, or starts timing an idle or duration
     * trigger.
     */
    void start(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        lastReadNanos = System.nanoTime();
        if (fault != null) {
            Trigger trigger = fault.trigger();
            if (firesOnAccept(trigger)) {
                fire(false);
            } else if (trigger instanceof Trigger.AfterIdle idle) {
                ctx.executor().schedule(this::checkIdle, Nanos.of(idle.idle()), TimeUnit.NANOSECONDS);
            } else if (trigger instanceof Trigger.AfterDuration after) {
                ctx.executor().schedule(() -> fireUnlessDone(false), Nanos.of(after.delay()), TimeUnit.NANOSECONDS);
            }
        }
    }

    // ---- reading -------------------------------------------------------------------------------

    /** Whether the peer reads past an upstream trigger that fired, to see where the client's request ends. */
    boolean lookingAhead() {
        return watch != null && watch.lookingAhead;
    }

    /** While {@link #lookingAhead()}: how many more bytes may be looked at (at least 1). */
    int lookAheadRoom() {
        return Math.max(1, Math.min(ExactReadAllocator.MAX_READ, clientDone.room()));
    }

    /** The most bytes the next read may consume without passing the trigger, at most {@code limit}. */
    long readLimit(long limit) {
        if (fault != null && !fired) {
            Trigger trigger = fault.trigger();
            if (trigger instanceof Trigger.AfterBytes b && b.direction() == Direction.UPSTREAM) {
                limit = Math.min(limit, b.bytes() - entry.receivedCount());
            } else if (trigger instanceof Trigger.OnPattern p && p.direction() == Direction.UPSTREAM) {
                limit = Math.min(limit, patternMatcher.bytesToPossibleMatch());
            } else if (trigger instanceof Trigger.AfterExchanges e) {
                limit = Math.min(limit, exchanges >= e.exchanges() ? 1 : framer.bytesToPossibleEnd());
            }
        }
        return limit;
    }

    /** The client sent bytes, or the server did in proxy mode: the connection is not idle. */
    void active() {
        lastReadNanos = System.nanoTime();
    }


    /** Whether the client's bytes are looked at for a pattern, so that they must be copied. */
    boolean matchesPattern() {
        return patternMatcher != null;
    }

    /** Feeds the client's bytes, consumed before the trigger, to {@link ClientDone}. */
    void clientSent(byte[] bytes) {
        if (clientDone != null && !fired) {
            clientDone.feed(bytes, 0, bytes.length);
        }
    }

    /** Feeds the client's bytes in proxy mode, consumed before the trigger, to {@link ClientDone}, where they are. */
    void clientSent(ByteBuf buf) {
        if (clientDone != null && !fired && clientDone.delimits()) {
            clientDone.feed(buf);
        }
    }

    /** Counts requests of the client that ended, for an exchanges trigger. */
    void requestsEnded(int count) {
        exchanges += count;
    }

    /** Whether the trigger counts exchanges (the bytes that complete it are the next request's). */
    boolean countsExchanges() {
        return fault.trigger() instanceof Trigger.AfterExchanges;
    }

    /** Whether the bytes just read complete the fault's upstream trigger (reads never pass it). */
    boolean upstreamReached(byte[] bytes) {
        if (fault == null || fired) {
            return false;
        }
        Trigger trigger = fault.trigger();
        if (trigger instanceof Trigger.AfterBytes b) {
            return b.direction() == Direction.UPSTREAM && entry.receivedCount() >= b.bytes();
        }
        if (trigger instanceof Trigger.OnPattern p && p.direction() == Direction.UPSTREAM) {
            return occurrenceCompleted(bytes, 0, bytes.length, p);
        }
        if (trigger instanceof Trigger.AfterExchanges e) {
            return exchanges >= e.exchanges();
        }
        return false;
    }

    // ---- writing -------------------------------------------------------------------------------

    /**
     * How many of the {@code length} bytes of the queued buffer {@code head} from {@code from} may
     * be sent without passing a downstream trigger. Call only while {@link #armed()}.
     */
    int cutAtDownstream(ByteBuf head, int from, int length) {
        Trigger trigger = fault.trigger();
        if (trigger instanceof Trigger.AfterBytes b && b.direction() == Direction.DOWNSTREAM) {
            return (int) Math.min(length, b.bytes() - entry.sentCount());
        }
        if (trigger instanceof Trigger.OnPattern p && p.direction() == Direction.DOWNSTREAM) {
            int end = patternMatcher.peek(bytesOf(head, from, length), 0, length);
            return end < 0 ? length : end;
        }
        return length;
    }

    /**
     * Feeds the bytes just sent to a downstream trigger; true if they complete it. Call before
     * releasing {@code head}.
     */
    boolean downstreamReached(ByteBuf head, int from, int length) {
        if (fault == null || fired) {
            return false;
        }
        Trigger trigger = fault.trigger();
        if (trigger instanceof Trigger.AfterBytes b && b.direction() == Direction.DOWNSTREAM) {
            return entry.sentCount() >= b.bytes();
        }
        if (trigger instanceof Trigger.OnPattern p && p.direction() == Direction.DOWNSTREAM) {
            return occurrenceCompleted(bytesOf(head, from, length), 0, length, p);
        }
        return false;
    }

    /** A copy of {@code length} bytes of the queued buffer {@code head} from {@code from}, for a pattern trigger. */
    private static byte[] bytesOf(ByteBuf head, int from, int length) {
        return ByteBufUtil.getBytes(head, head.readerIndex() + from, length);
    }

    /**
     * Feeds the bytes that just passed to the pattern trigger's matcher; true once they complete the
     * trigger's occurrence. Reads and writes are cut so that an occurrence can only end at the last
     * of them.
     */
    private boolean occurrenceCompleted(byte[] bytes, int from, int length, Trigger.OnPattern trigger) {
        return patternMatcher.feed(bytes, from, length) >= 0 && ++patternsSeen >= trigger.occurrence();
    }

    // ---- time ----------------------------------------------------------------------------------

    private void checkIdle() {
        if (fired || entry.ended()) {
            return;
        }
        long idleNanos = Nanos.of(((Trigger.AfterIdle) fault.trigger()).idle());
        long silent = System.nanoTime() - lastReadNanos;
        if (silent >= idleNanos) {
            fire(false);
        } else {
            ctx.executor().schedule(this::checkIdle, idleNanos - silent, TimeUnit.NANOSECONDS);
        }
    }

    private void fireUnlessDone(boolean clientMaySend) {
        if (!fired && !entry.ended() && ctx.channel().isActive()) {
            fire(clientMaySend);
        }
    }

    // ---- firing --------------------------------------------------------------------------------

    /**
     * Records the trigger, then applies the effect. {@code clientMaySend} says whether the client may
     * still be writing its request (an upstream trigger), so a reset or close waits for it first.
     */
    void fire(boolean clientMaySend) {
        fired = true;
        entry.fired(fault.trigger());
        effects.apply(fault.effect(), clientMaySend);
    }

    /**
     * Runs {@code act} once the client has finished sending, after an upstream trigger fired (see
     * {@link ClientWatch}).
     */
    void actWhenClientDone(Runnable act) {
        watch = new ClientWatch(act);
        watch.start();
    }

    /** While {@link #lookingAhead()}: bytes read past the trigger. */
    void lookedAhead(byte[] bytes) {
        watch.lookedAhead(bytes);
    }

    /** While {@link #lookingAhead()}: the client half-closed, it will send no more. */
    void clientFinished() {
        watch.clientFinished();
    }

    /**
     * Acts once the client has finished sending, after an upstream trigger fired: at once if its
     * request has ended there and nothing more waits in the receive queue; otherwise it reads on past
     * the trigger (at most {@link ClientDone#LOOKAHEAD} bytes, neither journalled, served nor
     * forwarded) until the request ends or the client half-closes. When nothing delimits the
     * client's requests, or the look-ahead is full (the client will block in {@code write()}), it
     * polls the receive queue instead, and acts once that has not changed for the quiet period; that
     * wait also bounds the look-ahead, so a client that stops mid-request is not waited for longer.
     */
    private final class ClientWatch implements Runnable {
        private final Runnable action;
        private final PeerSocketChannel channel;
        private final long quietNanos = settings.quietPeriod().toNanos();
        private final long maxWaitNanos = settings.maxQuietWait().toNanos();
        private final long started = System.nanoTime();
        private long lastChange = started;
        private long lastQueued = -1;
        private long lastLookedAhead;
        boolean lookingAhead;
        private boolean acted;

        ClientWatch(Runnable action) {
            this.action = action;
            this.channel = (PeerSocketChannel) ctx.channel();
        }

        void start() {
            if (clientDone != null && clientDone.delimits()) {
                if (clientDone.atRequestEnd() && channel.bytesQueued() == 0) {
                    act();
                    return;
                }
                lookingAhead = true;
                channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // to see the client's FIN
                ctx.read();
            }
            tick();
        }

        /** Bytes read past the trigger. */
        void lookedAhead(byte[] bytes) {
            if (acted) {
                return;
            }
            clientDone.lookedAhead(bytes);
            if (clientDone.delimits() && clientDone.atRequestEnd() && channel.bytesQueued() == 0) {
                act();
            } else if (clientDone.room() > 0) {
                ctx.read();
            }
            // else the look-ahead is full: a client with this much left to send blocks in write()
            // once the buffers fill, and the quiet wait tells when they have (acting while it still
            // writes would let the reset meet its write or its read, by chance)
        }

        void clientFinished() {
            act();
        }

        @Override
        public void run() {
            tick();
        }

        void tick() {
            if (acted || entry.ended() || !ctx.channel().isActive()) {
                return;
            }
            long now = System.nanoTime();
            int queued = channel.bytesQueued();
            if (queued != lastQueued || clientDone != null && clientDone.lookedAhead() != lastLookedAhead) {
                lastQueued = queued;
                lastLookedAhead = clientDone == null ? 0 : clientDone.lookedAhead();
                lastChange = now;
            }
            if (now - lastChange >= quietNanos || now - started >= maxWaitNanos) {
                act();
            } else {
                ctx.executor().schedule(this, POLL_NANOS, TimeUnit.NANOSECONDS);
            }
        }

        private void act() {
            if (acted || entry.ended() || !ctx.channel().isActive()) {
                return;
            }
            acted = true;
            lookingAhead = false;
            channel.stopReading();
            action.run();
        }
    }
}
