package dev.misbehave.internal;

import dev.misbehave.Delivery;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.Script;
import dev.misbehave.Trigger;
import dev.misbehave.Unreachable;
import dev.misbehave.UpstreamEnding;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Runs one connection's plan on its event loop: serve the {@link Script} (greeting, then a response
 * per request, an echo, or silence), count bytes in both directions, fire the fault's {@link
 * Trigger} at its exact byte, and apply its {@link Effect}. A connection outside the fault's
 * schedule runs the same code with no fault.
 *
 * <p>Reads are requested one at a time ({@code AUTO_READ} off) and sized by {@link #wanted()}, so
 * the peer never consumes a byte past an upstream trigger. Writes go out one piece at a time, cut at
 * a downstream trigger, so the peer never sends a byte past it.
 *
 * <p>A forwarding script (proxy mode) adds an {@link UpstreamLeg}: the client's bytes go to the
 * server instead of the script, the server's bytes take the script's place in the write queue, and
 * each side reads only when the other has taken its last bytes (the write queue holds at most
 * {@link #MAX_PENDING} bytes). The server's FIN and RST are passed on to the client as they came,
 * and the client's to the server.
 */
final class PlanHandler extends ChannelInboundHandlerAdapter implements UpstreamLeg.Proxied {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * Stop reading while this many bytes wait to be sent: an echo to a client that does not read,
     * or a server's bytes for a client slower than the server.
     */
    static final long MAX_PENDING = 1 << 20;
    /** A throttle sends or reads in pieces this many times a second. */
    private static final int THROTTLE_TICKS = 100;

    private final Script script;
    private final Fault fault;
    private final Journal.Entry entry;
    private final PeerSettings settings;
    private final RequestFramer framer;
    private final byte[] greeting;
    private final byte[] response;
    private final PatternMatcher patternMatcher;
    /** Where the client's requests end, for an upstream trigger; null for any other fault. */
    private final ClientDone clientDone;
    /** Waits, once an upstream trigger fired, until the client has finished sending; null before. */
    private ClientWatch watch;

    private ChannelHandlerContext ctx;
    private boolean fired;
    private boolean readingStopped;
    private boolean writingStopped;
    private boolean readScheduled;
    private int exchanges;
    private int patternsSeen;
    private long lastReadNanos;

    /** What waits to be sent, in order; the handler owns these buffers and releases each once sent or dropped. */
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private long pendingBytes;
    private int offset;
    private boolean writeInFlight;
    private boolean writeScheduled;
    private Runnable afterWrites;
    private boolean dropHeadAfterWrite;
    /** The connection is gone: nothing more is queued. */
    private boolean inactive;

    private Shaper upShaper;
    private Shaper downShaper;

    /** The leg to the server; null unless the script forwards. */
    private final UpstreamLeg leg;
    /** The peers of this JVM this connection came through, this one last; null unless the script forwards. */
    private final Loops.Route route;
    private boolean legConnected;
    private boolean halfClosed;
    private boolean clientInputShut;
    /** Who closed first when both sides close in order: true if the server did. */
    private boolean serverClosedFirst;
    /** The most bytes that waited to be sent at once (recorded in the journal for tests). */
    private long maxPendingBytes;

    /**
     * @param greeting the script's greeting and {@code response} its response (null if it does not
     *     respond), shared read-only by every connection of the peer
     */
    PlanHandler(Script script, byte[] greeting, byte[] response, Fault fault, Journal.Entry entry,
            PeerSettings settings, Loops.Route route) {
        this.script = script;
        this.fault = fault;
        this.entry = entry;
        this.settings = settings;
        this.framer = script.requestEnd().map(RequestFramer::new).orElse(null);
        this.greeting = greeting;
        this.response = response;
        this.patternMatcher = fault != null && fault.trigger() instanceof Trigger.OnPattern p
                ? new PatternMatcher(p.pattern()) : null;
        this.leg = script.forwards() ? new UpstreamLeg(entry, this) : null;
        this.route = route;
        this.clientDone = fault == null ? null : ClientDone.forTrigger(fault.trigger(), script.requestEnd().orElse(null));
    }

    // ---- reading -------------------------------------------------------------------------------

    /** How many bytes the next read may consume. */
    int wanted() {
        long limit = ExactReadAllocator.MAX_READ;
        if (watch != null && watch.lookingAhead) {
            return Math.max(1, Math.min((int) limit, clientDone.room()));
        }
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
        if (upShaper != null) {
            limit = Math.min(limit, upShaper.pieceSize());
        }
        return (int) Math.max(1, limit);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
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
        if (leg != null) {
            // the client's bytes go to the server in the buffer they were read into
            ctx.channel().config().setAllocator(ProxyBuffers.SHARED);
            if (!readingStopped) {
                connectUpstream(); // unless a terminal fault fired on accept
            }
            return;
        }
        enqueue(greeting);
        readNext();
    }

    /** Whether {@code trigger} fires as the connection is accepted, before any byte moves. */
    static boolean firesOnAccept(Trigger trigger) {
        return trigger instanceof Trigger.OnAccept || trigger instanceof Trigger.AfterBytes b && b.bytes() == 0;
    }

    private void readNext() {
        if (readingStopped || readScheduled || !ctx.channel().isActive()) {
            return;
        }
        if (leg == null ? pendingBytes > MAX_PENDING : !legConnected || clientInputShut) {
            return;
        }
        long delay = upShaper == null ? 0 : upShaper.delayBeforeNext(wanted());
        if (delay <= 0) {
            ctx.read();
        } else {
            readScheduled = true;
            ctx.executor().schedule(() -> {
                readScheduled = false;
                readNext();
            }, delay, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (watch != null && watch.lookingAhead) {
            watch.lookedAhead(Connections.drain((ByteBuf) msg));
            return;
        }
        if (leg != null) {
            forwardRead((ByteBuf) msg);
            return;
        }
        byte[] bytes = Connections.drain((ByteBuf) msg);
        lastReadNanos = System.nanoTime();
        entry.received(bytes, 0, bytes.length);
        if (clientDone != null && !fired) {
            clientDone.feed(bytes, 0, bytes.length);
        }
        if (readingStopped) {
            return;
        }
        if (writingStopped) {
            readNext(); // half-closed: keep reading and recording until the client closes
            return;
        }
        if (upstreamTriggerReached(bytes)) {
            fire(true);
            if (readingStopped || writingStopped) {
                return;
            }
        }
        serve(bytes);
        readNext();
    }

    /**
     * The client's bytes in proxy mode: counted, then passed to the server in the buffer they were
     * read into. A copy is made only for a request end or a pattern trigger, which look at them.
     */
    private void forwardRead(ByteBuf buf) {
        boolean delimiting = clientDone != null && !fired && clientDone.delimits();
        byte[] bytes = framer != null || patternMatcher != null || delimiting ? ByteBufUtil.getBytes(buf) : null;
        lastReadNanos = System.nanoTime();
        entry.received(buf);
        if (delimiting) {
            clientDone.feed(bytes, 0, bytes.length);
        }
        if (readingStopped) {
            buf.release();
            return;
        }
        if (writingStopped) {
            if (halfClosed) {
                forward(buf); // the server half-closed: the client may still talk to it
            } else {
                buf.release();
                readNext(); // keep reading and recording until the client closes
            }
            return;
        }
        if (upstreamTriggerReached(bytes)) {
            if (!(fault.trigger() instanceof Trigger.AfterExchanges)) {
                forward(buf); // the bytes up to the trigger pass; the fault acts after them
                fire(true);
                return;
            }
            fire(true);
            if (readingStopped || writingStopped) {
                buf.release();
                return;
            }
        }
        if (bytes != null) {
            countRequests(bytes);
        }
        forward(buf);
    }

    /** Whether the bytes just read complete the fault's upstream trigger (reads never pass it). */
    private boolean upstreamTriggerReached(byte[] bytes) {
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

    /** The script's part: echo, or count requests and queue a response for each. */
    private void serve(byte[] bytes) {
        if (script.echoes()) {
            enqueue(bytes);
            return;
        }
        for (int ended = countRequests(bytes); ended > 0; ended--) {
            enqueue(response);
        }
    }

    /** Counts the requests that end in {@code bytes} (none without a request end); returns how many. */
    private int countRequests(byte[] bytes) {
        if (framer == null) {
            return 0;
        }
        int ended = 0;
        int pos = 0;
        while (pos < bytes.length) {
            int used = framer.feed(bytes, pos, bytes.length - pos);
            if (used < 0) {
                break;
            }
            pos += used;
            ended++;
        }
        exchanges += ended;
        return ended;
    }

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

    // ---- writing -------------------------------------------------------------------------------

    private void enqueue(byte[] bytes) {
        if (bytes.length > 0) {
            enqueue(Unpooled.wrappedBuffer(bytes)); // shares the array: the script's bytes are never changed
        }
    }

    /** Queues the readable bytes of {@code bytes}, taking over the buffer. */
    private void enqueue(ByteBuf bytes) {
        if (!bytes.isReadable() || writingStopped || inactive) {
            bytes.release();
            return;
        }
        pending.add(bytes);
        pendingBytes += bytes.readableBytes();
        if (pendingBytes > maxPendingBytes) {
            maxPendingBytes = pendingBytes;
            entry.pendingPeak(pendingBytes);
        }
        pump();
    }

    /** Sends the next piece, unless one is in flight, cut at a downstream trigger and shaped. */
    private void pump() {
        if (writeInFlight || writeScheduled || !ctx.channel().isActive()) {
            return;
        }
        if (pending.isEmpty()) {
            Runnable then = afterWrites;
            afterWrites = null;
            if (then != null) {
                then.run();
            }
            return;
        }
        ByteBuf head = pending.peek();
        int length = head.readableBytes() - offset;
        if (fault != null && !fired) {
            length = cutAtDownstreamTrigger(head, length);
        }
        if (downShaper != null) {
            length = (int) Math.min(length, downShaper.pieceSize());
            long delay = downShaper.delayBeforeNext(length, offset == 0);
            if (delay > 0) {
                writeScheduled = true;
                ctx.executor().schedule(() -> {
                    writeScheduled = false;
                    pump();
                }, delay, TimeUnit.NANOSECONDS);
                return;
            }
        }
        write(head, length);
    }

    private int cutAtDownstreamTrigger(ByteBuf head, int length) {
        Trigger trigger = fault.trigger();
        if (trigger instanceof Trigger.AfterBytes b && b.direction() == Direction.DOWNSTREAM) {
            return (int) Math.min(length, b.bytes() - entry.sentCount());
        }
        if (trigger instanceof Trigger.OnPattern p && p.direction() == Direction.DOWNSTREAM) {
            int end = patternMatcher.peek(bytesOf(head, offset, length), 0, length);
            return end < 0 ? length : end;
        }
        return length;
    }

    /** A copy of {@code length} bytes of the queued buffer {@code head} from {@code from}, for a pattern trigger. */
    private static byte[] bytesOf(ByteBuf head, int from, int length) {
        return ByteBufUtil.getBytes(head, head.readerIndex() + from, length);
    }

    private void write(ByteBuf head, int length) {
        int from = offset;
        entry.sent(head, head.readerIndex() + from, length); // record, then act
        writeInFlight = true;
        // a slice of its own, so the write's progress never moves the queued buffer's indexes
        ctx.writeAndFlush(head.retainedSlice(head.readerIndex() + from, length)).addListener((ChannelFuture f) -> {
            writeInFlight = false;
            if (!f.isSuccess()) {
                failed(f.cause());
                return;
            }
            if (inactive) {
                return; // the queue, this piece's buffer with it, is released already
            }
            boolean reached = fault != null && !fired && downstreamTriggerReached(head, from, length);
            offset += length;
            if (dropHeadAfterWrite) {
                dropHeadAfterWrite = false;
                pending.poll();
                head.release();
                offset = 0;
            } else if (offset == head.readableBytes()) {
                pending.poll();
                pendingBytes -= head.readableBytes();
                head.release();
                offset = 0;
                if (leg == null) {
                    readNext();
                } else if (pendingBytes < MAX_PENDING && !writingStopped) {
                    leg.read();
                }
            }
            if (reached) {
                fire(false);
            }
            pump();
        });
    }

    /** Feeds the bytes just sent to the downstream trigger; true if they complete it. Call before releasing {@code head}. */
    private boolean downstreamTriggerReached(ByteBuf head, int from, int length) {
        Trigger trigger = fault.trigger();
        if (trigger instanceof Trigger.AfterBytes b && b.direction() == Direction.DOWNSTREAM) {
            return entry.sentCount() >= b.bytes();
        }
        if (trigger instanceof Trigger.OnPattern p && p.direction() == Direction.DOWNSTREAM) {
            return occurrenceCompleted(bytesOf(head, from, length), 0, length, p);
        }
        return false;
    }

    /**
     * Feeds the bytes that just passed to the pattern trigger's matcher; true once they complete the
     * trigger's occurrence. Reads and writes are cut so that an occurrence can only end at the last
     * of them.
     */
    private boolean occurrenceCompleted(byte[] bytes, int from, int length, Trigger.OnPattern trigger) {
        return patternMatcher.feed(bytes, from, length) >= 0 && ++patternsSeen >= trigger.occurrence();
    }

    /** Runs {@code then} once every queued byte has been handed to the kernel. */
    private void whenWritten(Runnable then) {
        afterWrites = then;
        pump();
    }

    // ---- the fault -----------------------------------------------------------------------------

    private void fireUnlessDone(boolean clientMaySend) {
        if (!fired && !entry.ended() && ctx.channel().isActive()) {
            fire(clientMaySend);
        }
    }

    /**
     * Records the trigger, then applies the effect. {@code clientMaySend} says whether the client may
     * still be writing its request (an upstream trigger), so a reset or close waits for it first.
     */
    private void fire(boolean clientMaySend) {
        fired = true;
        entry.fired(fault.trigger());
        Effect effect = fault.effect();
        if (effect instanceof Effect.Shaping shaping) {
            Shaper shaper = Shaper.of(shaping, THROTTLE_TICKS);
            if (shaping.direction() == Direction.UPSTREAM) {
                upShaper = shaper;
                if (!clientMaySend && !firesOnAccept(fault.trigger())) {
                    // A read requested before a time or downstream trigger would consume the
                    // client's next bytes unshaped: withdraw it and read again through the shaper.
                    ((PeerSocketChannel) ctx.channel()).stopReading();
                    readNext();
                }
            } else {
                downShaper = shaper;
            }
            return;
        }
        readingStopped = !(effect instanceof Effect.HalfClose);
        if (readingStopped) {
            ((PeerSocketChannel) ctx.channel()).stopReading(); // a read requested before the trigger
        }
        writingStopped = true;
        halfClosed = effect instanceof Effect.HalfClose;
        if (leg != null && !halfClosed) {
            leg.stopReading(); // the server's bytes stay in its buffers (a half-close drains them)
        }
        dropUnsent();
        if (effect instanceof Effect.Stall) {
            return; // nothing is read or written any more: the connection stalls
        }
        if (effect instanceof Effect.HalfClose) {
            whenWritten(this::shutdownOutput);
            return;
        }
        Runnable act = () -> act(effect);
        if (clientMaySend) {
            watch = new ClientWatch(act);
            watch.start();
        } else {
            act.run();
        }
    }

    /** Forgets queued bytes not yet handed to the kernel; the piece in flight still completes. */
    private void dropUnsent() {
        ByteBuf inFlight = writeInFlight ? pending.poll() : null;
        releasePending();
        if (inFlight != null) {
            pending.add(inFlight);
            dropHeadAfterWrite = true;
        } else {
            offset = 0;
        }
    }

    private void act(Effect effect) {
        if (entry.ended() || !ctx.channel().isActive()) {
            return;
        }
        if (effect instanceof Effect.Garbage garbage) {
            byte[] bytes = garbage.bytes();
            pending.add(Unpooled.wrappedBuffer(bytes));
            pendingBytes += bytes.length;
            Effect then = garbage.then();
            whenWritten(() -> act(then));
            return;
        }
        if (effect instanceof Effect.Close) {
            whenWritten(() -> {
                if (entry.end(Ending.PEER_CLOSED)) {
                    ctx.close();
                }
            });
            return;
        }
        whenWritten(this::resetAfterDelivery);
    }

    /** Resets, after waiting (bounded) until the client's kernel holds every byte sent. */
    private void resetAfterDelivery() {
        if (entry.sentCount() == 0) {
            Connections.reset(entry, ctx.channel());
            return;
        }
        SocketChannel channel = (SocketChannel) ctx.channel();
        InetSocketAddress local = channel.localAddress();
        InetSocketAddress remote = channel.remoteAddress();
        SendQueues.shared().whenDrained(local, remote, settings.deliveryTimeout(), ctx.executor(), drained -> {
            entry.delivery(drained ? Delivery.CONFIRMED : Delivery.UNCONFIRMED);
            Connections.reset(entry, ctx.channel());
        });
    }

    private void shutdownOutput() {
        SocketChannel channel = (SocketChannel) ctx.channel();
        if (channel.isActive()) {
            channel.shutdownOutput();
        }
        readNext();
        if (leg != null) {
            leg.read(); // what the server still sends is read and dropped
            closeIfBothShut();
        }
    }

    // ---- endings -------------------------------------------------------------------------------

    private void failed(Throwable cause) {
        entry.end(cause instanceof IOException ? Ending.CLIENT_RESET : Ending.PEER_RESET);
        Connections.abort(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed(cause);
    }

    /** Releases every queued buffer (a piece in flight holds its own reference until its write ends). */
    private void releasePending() {
        for (ByteBuf buf; (buf = pending.poll()) != null; ) {
            buf.release();
        }
        pendingBytes = 0;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inactive = true;
        releasePending();
        entry.end(Ending.CLIENT_CLOSED);
        if (leg != null) {
            // The client's side is gone: the server's follows, the same way.
            Ending ending = entry.ending();
            if (ending == Ending.PEER_RESET || ending == Ending.CLIENT_RESET) {
                leg.reset();
            } else {
                leg.close(UpstreamEnding.PEER_CLOSED);
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        // Only a forwarded connection, or one whose client is watched for the end of its request,
        // allows half-closure, so only they see the client's FIN here.
        if (!(event instanceof ChannelInputShutdownEvent) || entry.ended()) {
            return;
        }
        if (watch != null && watch.lookingAhead) {
            watch.clientFinished(); // it will send no more: the effect acts now
            return;
        }
        clientInputShut = true;
        entry.upstreamEnd(UpstreamEnding.PEER_CLOSED); // the client closed first; the server may still answer
        if (!legConnected) {
            entry.end(Ending.CLIENT_CLOSED);
            ctx.close();
            return;
        }
        leg.shutdownOutputAfterWrites();
        closeIfBothShut();
    }

    // ---- proxy mode ----------------------------------------------------------------------------

    private void connectUpstream() {
        InetSocketAddress address;
        try {
            address = script.upstream().orElseThrow().get();
        } catch (RuntimeException e) {
            entry.upstreamFailed("the upstream supplier threw " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            upstreamUnreachable();
            return;
        }
        if (address == null || address.isUnresolved()) {
            entry.upstreamFailed(address == null
                    ? "the upstream supplier returned null, so there was no address to connect to"
                    : "the upstream " + Addresses.of(address) + " is unresolved: its host name has no address");
            upstreamUnreachable();
            return;
        }
        String loop = Loops.loop(route, address);
        if (loop != null) {
            entry.upstream(address);
            entry.upstreamFailed(loop);
            upstreamUnreachable();
            return;
        }
        leg.connect(ctx.channel().eventLoop(), address, route);
    }

    @Override
    public void upstreamConnected() {
        legConnected = true;
        if (entry.ended() || readingStopped) {
            if (!entry.ended()) {
                leg.stopReading();
            } else {
                leg.reset();
            }
            return;
        }
        readNext();
        leg.read();
    }

    @Override
    public void upstreamUnreachable() {
        if (script.unreachable() == Unreachable.CLOSE) {
            if (entry.end(Ending.PEER_CLOSED)) {
                ctx.close();
            }
        } else {
            Connections.reset(entry, ctx.channel());
        }
    }

    /** Sends the client's bytes on to the server; the next read of the client waits until they are taken. */
    private void forward(ByteBuf bytes) {
        leg.write(bytes);
    }

    @Override
    public void upstreamWritten() {
        readNext();
        if (clientInputShut) {
            closeIfBothShut(); // the client's FIN has just been passed on
        }
    }

    @Override
    public int room() {
        return (int) Math.max(1, MAX_PENDING - pendingBytes);
    }

    @Override
    public void fromServer(ByteBuf bytes) {
        lastReadNanos = System.nanoTime(); // a connection that is downloading is not idle
        if (writingStopped) {
            bytes.release();
            if (halfClosed) {
                leg.read(); // after a half-close toward the client, the server's bytes are dropped
            }
            return;
        }
        enqueue(ProxyBuffers.fit(bytes)); // a few bytes in a large buffer would hold the whole buffer
        if (pendingBytes < MAX_PENDING) {
            leg.read();
        }
    }

    @Override
    public void serverClosed() {
        if (entry.ended()) {
            return;
        }
        if (!clientInputShut) {
            serverClosedFirst = true;
        }
        if (writingStopped) {
            closeIfBothShut();
            return;
        }
        writingStopped = true;
        halfClosed = true; // the client may still send; the server may still read
        whenWritten(this::shutdownOutput);
    }

    @Override
    public void serverReset() {
        if (entry.ended()) {
            return;
        }
        readingStopped = true;
        ((PeerSocketChannel) ctx.channel()).stopReading();
        if (writingStopped) {
            Connections.reset(entry, ctx.channel());
            return;
        }
        writingStopped = true;
        whenWritten(this::resetAfterDelivery); // what the server sent before its reset arrives first
    }

    /** Once both sides have closed in order and every byte is written, closes both legs. */
    private void closeIfBothShut() {
        SocketChannel channel = (SocketChannel) ctx.channel();
        if (!clientInputShut || !leg.serverInputShut() || !channel.isOutputShutdown() || !leg.outputShut()) {
            return;
        }
        if (entry.end(serverClosedFirst ? Ending.PEER_CLOSED : Ending.CLIENT_CLOSED)) {
            leg.close(UpstreamEnding.PEER_CLOSED);
            ctx.close();
        }
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
