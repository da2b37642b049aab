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
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Runs one connection's plan on its event loop: serve the {@link Script} (greeting, then a response
 * per request, an echo, or silence) and apply the fault's {@link Effect} when its {@link Trigger}
 * fires. A connection outside the fault's schedule runs the same code with no fault.
 *
 * <p>Two helpers own the rest: {@link FaultTrigger} decides when the trigger fires (and when an
 * effect fired by the client's bytes acts), {@link WriteQueue} sends what waits for the client.
 * Reads are requested one at a time ({@code AUTO_READ} off) and sized by {@link #wanted()}, so
 * the peer never consumes a byte past an upstream trigger; the write queue sends one piece at a
 * time, cut at a downstream trigger, so the peer never sends a byte past it.
 *
 * <p>A forwarding script (proxy mode) adds an {@link UpstreamLeg}: the client's bytes go to the
 * server instead of the script, the server's bytes take the script's place in the write queue, and
 * each side reads only when the other has taken its last bytes (the write queue holds at most
 * {@link #MAX_PENDING} bytes). The server's FIN and RST are passed on to the client as they came,
 * and the client's to the server.
 */
final class PlanHandler extends ChannelInboundHandlerAdapter implements UpstreamLeg.Proxied, WriteQueue.Owner {

    /**
     * Stop reading while this many bytes wait to be sent: an echo to a client that does not read,
     * or a server's bytes for a client slower than the server.
     */
    static final long MAX_PENDING = 1 << 20;
    /** A throttle sends or reads in pieces this many times a second. */
    private static final int THROTTLE_TICKS = 100;

    /** How far the connection still serves: narrowed by the effect, or by the server in proxy mode. */
    private enum Flow {
        /** The client's bytes are read and the script's (or the server's) are written. */
        OPEN,
        /** Nothing more is written to the client; its bytes are still read (a half-close). */
        HALF_CLOSED,
        /** Nothing more is read or written. */
        STOPPED
    }

    private final Script script;
    private final Journal.Entry entry;
    private final PeerSettings settings;
    private final RequestFramer framer;
    private final byte[] greeting;
    private final byte[] response;
    private final FaultTrigger trigger;
    private final WriteQueue queue;

    private ChannelHandlerContext ctx;
    private Flow flow = Flow.OPEN;
    private boolean readScheduled;
    private Shaper upShaper;

    /** The leg to the server; null unless the script forwards. */
    private final UpstreamLeg leg;
    /** The peers of this JVM this connection came through, this one last; null unless the script forwards. */
    private final Loops.Route route;
    private boolean legConnected;
    private boolean clientInputShut;
    /** The client sent {@code close_notify} (a terminating proxy passes it on). */
    private boolean clientCloseNotify;
    /** Who closed first when both sides close in order: true if the server did. */
    private boolean serverClosedFirst;

    /**
     * @param greeting the script's greeting and {@code response} its response (null if it does not
     *     respond), shared read-only by every connection of the peer
     */
    PlanHandler(Script script, byte[] greeting, byte[] response, Fault fault, Journal.Entry entry,
            PeerSettings settings, Loops.Route route) {
        this.script = script;
        this.entry = entry;
        this.settings = settings;
        this.framer = script.requestEnd().map(RequestFramer::new).orElse(null);
        this.greeting = greeting;
        this.response = response;
        this.trigger = new FaultTrigger(fault, entry, settings, framer, script.requestEnd().orElse(null), this::apply);
        this.queue = new WriteQueue(entry, trigger, this);
        this.leg = script.forwards() ? new UpstreamLeg(entry, this, script) : null;
        this.route = route;
    }

    // ---- reading -------------------------------------------------------------------------------

    /** How many bytes the next read may consume. */
    int wanted() {
        if (trigger.lookingAhead()) {
            return trigger.lookAheadRoom();
        }
        long limit = trigger.readLimit(ExactReadAllocator.MAX_READ);
        if (upShaper != null) {
            limit = Math.min(limit, upShaper.pieceSize());
        }
        return (int) Math.max(1, limit);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        queue.start(ctx);
        trigger.start(ctx); // may fire at once
        if (leg != null) {
            // the client's bytes go to the server in the buffer they were read into
            ctx.channel().config().setAllocator(ProxyBuffers.SHARED);
            if (flow != Flow.STOPPED) {
                connectUpstream(); // unless a terminal fault fired on accept
            }
            return;
        }
        enqueue(greeting);
        readNext();
    }

    private void readNext() {
        if (flow == Flow.STOPPED || readScheduled || !ctx.channel().isActive()) {
            return;
        }
        if (leg == null ? queue.pendingBytes() > MAX_PENDING : !legConnected || clientInputShut) {
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

    /** Withdraws a read requested earlier and not yet served. */
    private void stopReading() {
        ((PeerSocketChannel) ctx.channel()).stopReading();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (trigger.lookingAhead()) {
            trigger.lookedAhead(Connections.drain((ByteBuf) msg));
            return;
        }
        if (leg != null) {
            forwardRead((ByteBuf) msg);
            return;
        }
        byte[] bytes = Connections.drain((ByteBuf) msg);
        trigger.active();
        entry.received(bytes, 0, bytes.length);
        trigger.clientSent(bytes);
        if (flow == Flow.STOPPED) {
            return;
        }
        if (flow == Flow.HALF_CLOSED) {
            readNext(); // half-closed: keep reading and recording until the client closes
            return;
        }
        if (trigger.upstreamReached(bytes)) {
            trigger.fire(true);
            if (flow != Flow.OPEN) {
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
        byte[] bytes = framer != null || trigger.matchesPattern() ? ByteBufUtil.getBytes(buf) : null;
        trigger.active();
        entry.received(buf);
        trigger.clientSent(buf);
        if (flow == Flow.STOPPED) {
            buf.release();
            return;
        }
        if (flow == Flow.HALF_CLOSED) {
            forward(buf); // the client may still talk to the server
            return;
        }
        if (trigger.upstreamReached(bytes)) {
            if (!trigger.countsExchanges()) {
                forward(buf); // the bytes up to the trigger pass; the fault acts after them
                trigger.fire(true);
                return;
            }
            trigger.fire(true);
            if (flow != Flow.OPEN) {
                buf.release();
                return;
            }
        }
        if (bytes != null) {
            countRequests(bytes);
        }
        forward(buf);
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
        trigger.requestsEnded(ended);
        return ended;
    }

    // ---- writing -------------------------------------------------------------------------------

    private void enqueue(byte[] bytes) {
        if (bytes.length > 0) {
            enqueue(Unpooled.wrappedBuffer(bytes)); // shares the array: the script's bytes are never changed
        }
    }

    /** Queues the readable bytes of {@code bytes}, taking over the buffer, unless writing stopped. */
    private void enqueue(ByteBuf bytes) {
        if (flow != Flow.OPEN) {
            bytes.release();
            return;
        }
        queue.add(bytes);
    }

    @Override
    public void bufferSent() {
        if (leg == null) {
            readNext();
        } else if (queue.pendingBytes() < MAX_PENDING && flow == Flow.OPEN) {
            leg.read();
        }
    }

    @Override
    public void writeFailed(Throwable cause) {
        failed(cause);
    }

    // ---- the effect ----------------------------------------------------------------------------

    /**
     * Applies the effect, once the trigger has fired and is recorded. {@code clientMaySend} says
     * whether the client may still be writing its request (an upstream trigger), so a reset or close
     * waits for it first.
     */
    private void apply(Effect effect, boolean clientMaySend) {
        if (effect instanceof Effect.Shaping shaping) {
            shape(shaping, clientMaySend);
        } else {
            // an effect on the port never reaches a connection (the peer plans none for it)
            stop((Effect.Terminal) effect, clientMaySend);
        }
    }

    /** Paces one direction from now on; the script goes on. */
    private void shape(Effect.Shaping shaping, boolean clientMaySend) {
        Shaper shaper = Shaper.of(shaping, THROTTLE_TICKS);
        if (shaping.direction() == Direction.UPSTREAM) {
            upShaper = shaper;
            if (!clientMaySend && !trigger.firesOnAccept()) {
                // A read requested before a time or downstream trigger would consume the
                // client's next bytes unshaped: withdraw it and read again through the shaper.
                stopReading();
                readNext();
            }
        } else {
            queue.shape(shaper);
        }
    }

    /** Ends normal service: drops what waits to be sent, then stalls, half-closes, or acts. */
    private void stop(Effect.Terminal effect, boolean clientMaySend) {
        boolean halfClose = effect instanceof Effect.HalfClose;
        flow = halfClose ? Flow.HALF_CLOSED : Flow.STOPPED;
        if (!halfClose) {
            stopReading(); // a read requested before the trigger
            if (leg != null) {
                leg.stopReading(); // the server's bytes stay in its buffers (a half-close drains them)
            }
        }
        queue.dropUnsent();
        if (effect instanceof Effect.Stall) {
            return; // nothing is read or written any more: the connection stalls
        }
        if (halfClose) {
            queue.whenWritten(this::shutdownOutput);
            return;
        }
        Runnable act = () -> act(effect);
        if (clientMaySend) {
            trigger.actWhenClientDone(act);
        } else {
            act.run();
        }
    }

    /** Sends the garbage, closes or resets, once every byte before it is written. */
    private void act(Effect effect) {
        if (entry.ended() || !ctx.channel().isActive()) {
            return;
        }
        if (effect instanceof Effect.Garbage garbage) {
            queue.addLast(garbage.bytes());
            Effect then = garbage.then();
            queue.whenWritten(() -> act(then));
            return;
        }
        if (effect instanceof Effect.Close) {
            queue.whenWritten(() -> {
                if (entry.end(Ending.PEER_CLOSED)) {
                    ctx.close(); // over TLS, close_notify goes first
                }
            });
            return;
        }
        if (effect instanceof Effect.CorruptRecord) {
            queue.whenWritten(() -> TlsEngines.writeCorruptRecord(ctx, () -> {
                if (entry.end(Ending.PEER_CLOSED)) {
                    TlsEngines.closeWithoutCloseNotify(ctx.channel());
                }
            }));
            return;
        }
        if (effect instanceof Effect.Truncate) {
            queue.whenWritten(() -> {
                if (entry.end(Ending.PEER_CLOSED)) {
                    TlsEngines.closeWithoutCloseNotify(ctx.channel());
                }
            });
            return;
        }
        queue.whenWritten(this::resetAfterDelivery);
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

    /**
     * Passes the server's FIN on to the client. Over TLS, as a clean end ({@code close_notify}, then
     * the FIN) if the server ended cleanly, else as a truncation (the FIN alone).
     */
    private void passServerEnd() {
        if (script.tls().isPresent() && leg.serverEndedCleanly() && ctx.channel().isActive()) {
            TlsEngines.closeNotify(ctx.channel()).addListener(sent -> shutdownOutput());
        } else {
            shutdownOutput();
        }
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
        if (script.tls().isPresent() && TlsEngines.isTlsFailure(cause)) {
            // the journal has the TLS layer's words for it; the TLS layer sends its alert as it closes
            if (entry.end(TlsEngines.alertReceived(cause) ? Ending.CLIENT_CLOSED : Ending.PEER_CLOSED)) {
                ctx.close();
            }
            return;
        }
        failed(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        queue.close();
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
        if (leg != null && script.tls().isPresent() && TlsEngines.isCloseNotify(event)) {
            clientCloseNotify = true; // passed on to the server with the client's FIN
            return;
        }
        // Only a forwarded connection, or one whose client is watched for the end of its request,
        // allows half-closure, so only they see the client's FIN here.
        if (!(event instanceof ChannelInputShutdownEvent) || entry.ended()) {
            return;
        }
        if (trigger.lookingAhead()) {
            trigger.clientFinished(); // it will send no more: the effect acts now
            return;
        }
        clientInputShut = true;
        entry.upstreamEnd(UpstreamEnding.PEER_CLOSED); // the client closed first; the server may still answer
        if (!legConnected) {
            entry.end(Ending.CLIENT_CLOSED);
            ctx.close();
            return;
        }
        leg.shutdownOutputAfterWrites(script.tls().isEmpty() || clientCloseNotify);
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
        if (entry.ended() || flow == Flow.STOPPED) {
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
        return (int) Math.max(1, MAX_PENDING - queue.pendingBytes());
    }

    @Override
    public void fromServer(ByteBuf bytes) {
        trigger.active(); // a connection that is downloading is not idle
        if (flow != Flow.OPEN) {
            bytes.release();
            if (flow == Flow.HALF_CLOSED) {
                leg.read(); // after a half-close toward the client, the server's bytes are dropped
            }
            return;
        }
        enqueue(ProxyBuffers.fit(bytes)); // a few bytes in a large buffer would hold the whole buffer
        if (queue.pendingBytes() < MAX_PENDING) {
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
        if (flow != Flow.OPEN) {
            closeIfBothShut();
            return;
        }
        flow = Flow.HALF_CLOSED; // the client may still send; the server may still read
        queue.whenWritten(this::passServerEnd);
    }

    @Override
    public void serverReset() {
        if (entry.ended()) {
            return;
        }
        boolean writing = flow == Flow.OPEN;
        flow = Flow.STOPPED;
        stopReading();
        if (!writing) {
            Connections.reset(entry, ctx.channel());
            return;
        }
        queue.whenWritten(this::resetAfterDelivery); // what the server sent before its reset arrives first
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
}
