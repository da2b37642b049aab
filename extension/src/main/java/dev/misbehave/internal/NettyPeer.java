package dev.misbehave.internal;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.internal.PortHolder.Mode;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * The Netty implementation of {@link MisbehavingPeer}.
 *
 * <p>Start is synchronous and cheap: the listening socket is opened and bound on the caller's
 * thread (so the port is known at once), then handed to the shared event loop without waiting;
 * connections that arrive before the loop has registered it wait in the backlog.
 *
 * <p>Close releases the port before it returns. The close future of a Netty server channel does not
 * promise that: the JDK closes a socket registered with a selector only when that selector next
 * selects, after the future has completed (measured: a connect right after such a close was
 * accepted in about a third of 20,000 tries). So {@link #close()} waits until the event loop has
 * seen the listener leave its selector.
 */
public final class NettyPeer implements MisbehavingPeer {

    static {
        RelocatedNetty.configure(); // before the first Netty class below asks for a logger
    }

    /**
     * Plain heap buffers for the peer's small reads. Netty 4.2's default (adaptive) and pooled
     * allocators register JFR event types when they first allocate a chunk, which initialises the
     * JDK's Flight Recorder metadata: measured here, it held the event loop for more than 100 ms
     * in the first test of a JVM that read a byte, long enough to trip a client's read timeout.
     */
    private static final ByteBufAllocator BUFFERS = new UnpooledByteBufAllocator(false);
    private static final String HOST = "127.0.0.1";
    private static final InetAddress LOOPBACK = loopback();

    private final Script script;
    /** The script's bytes, copied once per peer and shared read-only by its connections. */
    private final byte[] greeting;
    private final byte[] response;
    private volatile Fault fault;
    private final PeerSettings settings;
    private final Journal journal;
    /** Where clients connect: the bound address, or 127.0.0.1 for a wildcard one. */
    private final InetSocketAddress address;
    /** The address the peer's sockets bind: 127.0.0.1 unless the caller chose another. */
    private final InetAddress bind;
    private final Map<Channel, Journal.Entry> open = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completes when {@link #close()} has done its work, for a second caller to wait on. */
    private final java.util.concurrent.CompletableFuture<Void> closeDone = new java.util.concurrent.CompletableFuture<>();
    /** The peers of this JVM not yet closed, for {@link #closeAllOpen()} at the JVM's exit. */
    private static final java.util.Set<NettyPeer> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** What holds the port: a listener, a reservation or a full backlog. Guarded by this peer's monitor. */
    private PortHolder holder;

    private NettyPeer(Script script, Fault fault, PeerSettings settings, InetAddress bind, int port) {
        this.script = script;
        this.greeting = script.greeting();
        this.response = script.response().orElse(null);
        this.fault = fault;
        this.settings = settings;
        this.journal = new Journal(settings.captureCap());
        this.bind = bind;
        this.address = new InetSocketAddress(bind.isAnyLocalAddress() ? LOOPBACK : bind, port);
    }

    /** Starts a peer with the default settings; {@code fault} may be null for a well-behaved peer. */
    public static MisbehavingPeer start(Script script, Fault fault) {
        return start(script, fault, PeerSettings.fromSystemProperties());
    }

    /**
     * Starts a peer that serves {@code script} and applies {@code fault} (null: none).
     *
     * @throws IllegalArgumentException if the fault cannot run with the script
     * @throws UncheckedIOException if no port can be bound
     */
    public static NettyPeer start(Script script, Fault fault, PeerSettings settings) {
        return start(script, fault, settings, 0);
    }

    /**
     * Starts a peer on {@code port} of 127.0.0.1 (0: an ephemeral port).
     *
     * @throws IllegalArgumentException if the fault cannot run with the script, or the port is out
     *     of range
     * @throws IllegalStateException if this JVM's {@link ResetCheck reset self-check} failed
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static NettyPeer start(Script script, Fault fault, PeerSettings settings, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not a TCP port: give 1 to 65535, or 0 for an"
                    + " ephemeral port");
        }
        return start(script, fault, settings, new InetSocketAddress(LOOPBACK, port));
    }

    /**
     * Starts a peer on {@code listen}: any address of this machine (a wildcard address listens on
     * all of them; clients are then told 127.0.0.1), port 0 for an ephemeral one.
     *
     * @throws IllegalArgumentException if the fault cannot run with the script, or the address is
     *     unresolved
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static NettyPeer start(Script script, Fault fault, PeerSettings settings, InetSocketAddress listen) {
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(listen, "listen");
        if (listen.isUnresolved()) {
            throw new IllegalArgumentException("listen address " + Addresses.of(listen) + " is unresolved: its host"
                    + " name has no address. Give an address of this machine, for example 127.0.0.1.");
        }
        checkSupported(script, fault);
        ResetCheck.require();
        InetAddress bind = listen.getAddress();
        int port = listen.getPort();
        try {
            PortHolder holder = Mode.of(fault).open(bind, port);
            NettyPeer peer = new NettyPeer(script, fault, settings, bind, holder.port());
            peer.hold(holder);
            OPEN.add(peer);
            if (script.forwards()) {
                Loops.listening(peer);
            }
            return peer;
        } catch (IOException e) {
            throw new UncheckedIOException(port == 0
                    ? "Misbehave could not bind a port on " + Addresses.host(bind) + " (" + e.getMessage() + ")"
                    : "Misbehave could not bind " + Addresses.of(listen) + " (" + e.getMessage() + "): another"
                            + " program may be listening there. Choose another port, or 0 for an ephemeral one.", e);
        }
    }

    /** Makes {@code next}, just opened on this peer's port, what holds the port; a listener starts serving. */
    private synchronized void hold(PortHolder next) {
        holder = next;
        if (next instanceof Listener listener) {
            register(listener.serve(this::endedAtAccept));
        }
    }

    /**
     * Throws IllegalArgumentException if {@code fault} (may be null) cannot run with {@code script}:
     * the model's one rule, {@link Fault#requireRunnableBy(Script)}.
     */
    private static void checkSupported(Script script, Fault fault) {
        if (fault != null) {
            fault.requireRunnableBy(script);
        }
    }

    @Override
    public Script script() {
        return script;
    }

    @Override
    public Optional<Fault> fault() {
        return Optional.ofNullable(fault);
    }

    @Override
    public void misbehave(Fault fault) {
        Objects.requireNonNull(fault, "fault");
        checkSupported(script, fault);
        change(fault);
    }

    @Override
    public void behave() {
        change(null);
    }

    /**
     * Sets the fault new connections get and moves the port to the mode it needs. Serving faults
     * are set before the port serves again, listener faults once the port has stopped serving, so
     * every connection accepted meanwhile gets a fault it can run.
     */
    private synchronized void change(Fault next) {
        checkOpen();
        Mode target = Mode.of(next);
        if (target == Mode.SERVING) {
            this.fault = next;
        }
        switchTo(target);
        this.fault = next;
    }

    private void switchTo(Mode target) {
        if (holder.mode() == target) {
            return;
        }
        PortReservation held = null;
        try {
            held = holder.reserveInstead(new InetSocketAddress(bind, port()), settings.closeTimeout());
            // the reservation keeps the port while the next holder opens on it
            hold(target == Mode.REFUSING ? held : held.handOver((host, port) -> target.open(bind, port)));
        } catch (IOException e) {
            if (held != null) {
                held.close();
            }
            throw new UncheckedIOException("Misbehave could not move port " + port() + " from " + holder.mode()
                    + " to " + target, e);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("The peer " + this + " is closed; start a new one.");
        }
    }

    /**
     * Registers the listener with the shared event loop, without waiting. No {@code ServerBootstrap}:
     * it copies its option maps and adds its acceptor in a second event-loop task for every channel,
     * which a peer that starts and stops in every test pays each time; {@link Acceptor} does the same
     * work for this one listener.
     */
    private void register(Channel server) {
        server.config().setAllocator(BUFFERS);
        server.pipeline().addLast(new Acceptor());
        EventLoops.shared().next().register(server);
    }

    /**
     * The listener's only handler: configures each accepted channel and registers it with the
     * listener's event loop, where {@link Accepted} gives it its plan. A peer's connections share
     * its listener's loop; the peers of a JVM spread over the shared group's loops.
     */
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        private final Accepted accepted = new Accepted();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            try {
                child.config().setAllocator(BUFFERS);
                child.config().setAutoRead(false);
                child.pipeline().addLast(accepted);
                // on the listener's own loop: registered at once, with no other thread to wake
                ctx.channel().eventLoop().register(child).addListener((ChannelFuture registered) -> {
                    if (!registered.isSuccess()) {
                        child.unsafe().closeForcibly();
                    }
                });
            } catch (RuntimeException e) {
                child.unsafe().closeForcibly();
            }
        }

        /**
         * An accept that failed (for example, no file descriptor left): like Netty's own acceptor,
         * stop accepting for a second instead of spinning on the error.
         */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ChannelConfig config = ctx.channel().config();
            if (config.isAutoRead()) {
                config.setAutoRead(false);
                ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), 1, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Gives an accepted channel its plan as soon as it is registered, before it is active: the
     * pipeline calls {@code handlerAdded} then, and this handler replaces itself with the plan.
     */
    @ChannelHandler.Sharable
    private final class Accepted extends ChannelHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().remove(this);
            try {
                accept((SocketChannel) ctx.channel());
            } catch (RuntimeException e) {
                ctx.close(); // as Netty's ChannelInitializer does: a connection without its plan is closed
                throw e;
            }
        }
    }

    /**
     * Ends a connection planned to be reset as soon as it is accepted, before Netty wraps it: the
     * journal records it exactly as the plan would (the trigger, then the reset), then the socket
     * closes with {@code SO_LINGER} 0, which sends the RST. A Netty channel, its registration with
     * the selector and its handlers would cost more than the whole reset. Other connections, and
     * every forwarded one, are left to {@link #accept}.
     */
    private boolean endedAtAccept(java.nio.channels.SocketChannel socket) {
        Fault current = fault;
        if (current == null || script.forwards() || !resetsOnAccept(current)) {
            return false;
        }
        InetSocketAddress client;
        try {
            client = (InetSocketAddress) socket.getRemoteAddress();
        } catch (IOException e) {
            return false; // the Netty channel will find out what happened to it
        }
        Journal.Entry entry;
        synchronized (journal) {
            if (plannedFor(current) == null) {
                return false;
            }
            entry = journal.open(client, current, false);
        }
        entry.fired(current.trigger());
        entry.end(Ending.PEER_RESET);
        Connections.abort(socket);
        return true;
    }

    /**
     * The fault the next accepted connection runs: {@code current} if the peer serves connections
     * and its schedule selects this one, else none. Called holding the journal's lock, whose size
     * is the connection's index.
     */
    private Fault plannedFor(Fault current) {
        return current != null && Mode.of(current) == Mode.SERVING && current.schedule().selects(journal.size())
                ? current : null;
    }

    private static boolean resetsOnAccept(Fault fault) {
        return fault.effect() instanceof Effect.Reset && FaultTrigger.firesOnAccept(fault.trigger());
    }

    private void accept(SocketChannel channel) {
        Fault current = fault;
        Fault planned;
        Journal.Entry entry;
        synchronized (journal) {
            planned = plannedFor(current);
            entry = journal.open(channel.remoteAddress(), planned, script.forwards());
        }
        open.put(channel, entry);
        channel.closeFuture().addListener(f -> open.remove(channel));
        if (closed.get()) {
            Connections.reset(entry, channel);
            return;
        }
        if (script.forwards()) {
            // the client's FIN is passed on to the server, which may still answer
            channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }
        // a forwarded connection knows the peers it came through, so that it is never forwarded round
        Loops.Route route = script.forwards() ? Loops.arrived(this, channel.remoteAddress()) : null;
        PlanHandler handler = new PlanHandler(script, greeting, response, planned, entry, settings, route);
        if (script.tls().isPresent()) {
            TlsEngines.install((PeerSocketChannel) channel, script.tls().get(), handler, entry, planned,
                    settings.closeTimeout());
            return;
        }
        channel.config().setRecvByteBufAllocator(new ExactReadAllocator(handler::wanted));
        channel.pipeline().addLast(handler);
    }

    /** The address the peer's sockets bind: 127.0.0.1, another address of this machine, or a wildcard address. */
    InetAddress bindAddress() {
        return bind;
    }

    /** Whether {@link #close()} has been called. */
    boolean isClosed() {
        return closed.get();
    }

    @Override
    public String host() {
        return Addresses.host(address.getAddress());
    }

    @Override
    public int port() {
        return address.getPort();
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public List<ConnectionRecord> connections() {
        return journal.snapshot();
    }

    @Override
    public List<ConnectionRecord> awaitConnections(int count, Duration timeout) {
        checkAwait(count, timeout);
        return journal.awaitEnded(count, timeout, RAISE_ARGUMENT);
    }

    @Override
    public List<ConnectionRecord> awaitConnections(int count) {
        checkAwait(count, settings.awaitTimeout());
        return journal.awaitEnded(count, settings.awaitTimeout(), raiseDefault());
    }

    @Override
    public List<ConnectionRecord> awaitTriggered(int count, Duration timeout) {
        checkAwait(count, timeout);
        return journal.awaitFired(count, timeout, RAISE_ARGUMENT);
    }

    @Override
    public List<ConnectionRecord> awaitTriggered(int count) {
        checkAwait(count, settings.awaitTimeout());
        return journal.awaitFired(count, settings.awaitTimeout(), raiseDefault());
    }

    private static void checkAwait(int count, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (count < 1) {
            throw new IllegalArgumentException("count must be 1 or more, was " + count);
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
    }

    @Override
    public List<ConnectionRecord> awaitJournal(
            Predicate<? super List<ConnectionRecord>> condition, Duration timeout) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        return journal.awaitSnapshot(condition, timeout, RAISE_ARGUMENT);
    }

    @Override
    public List<ConnectionRecord> awaitJournal(Predicate<? super List<ConnectionRecord>> condition) {
        Objects.requireNonNull(condition, "condition");
        return journal.awaitSnapshot(condition, settings.awaitTimeout(), raiseDefault());
    }

    private static final String RAISE_ARGUMENT = " To wait longer, pass a longer timeout.";

    /** How to raise the default bound, for the failure of a wait that used it. */
    private static String raiseDefault() {
        return " That is the default bound of waits without a timeout argument: to raise it, set "
                + PeerSettings.AWAIT_TIMEOUT_KEY + " (milliseconds) in junit-platform.properties, or as a system"
                + " property (-D" + PeerSettings.AWAIT_TIMEOUT_KEY + "=30000) for a peer started with"
                + " MisbehavingPeer.start, or pass a timeout.";
    }

    /** Waits until the peer has accepted at least {@code count} connections (for tests). */
    List<ConnectionRecord> awaitAccepted(int count, Duration timeout) {
        return journal.awaitAccepted(count, timeout);
    }

    /** The most bytes any connection held waiting to be sent to its client: the buffering bound. */
    long maxPendingBytes() {
        return journal.maxPendingBytes();
    }

    /** The journal as readable lines, one per connection. */
    public String describeJournal() {
        return Journal.describe(journal.snapshot());
    }


    @Override
    public void close() {
        long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
        if (!closed.compareAndSet(false, true)) {
            // closing, or closed, by another thread (the JVM's exit, see closeAllOpen): wait for it
            try {
                closeDone.get(settings.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // the other caller is bounded by the same timeout
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            closeNow(deadline);
        } finally {
            OPEN.remove(this);
            if (script.forwards()) {
                Loops.closed(this);
            }
            closeDone.complete(null);
        }
    }

    /**
     * Closes every peer of this JVM still open, each as {@link #close()} does (its connections end
     * as planned and are journaled), before the shared event loops end at the JVM's exit. A caller
     * closing the same peer at the same time (another shutdown hook) waits until this is done.
     */
    static void closeAllOpen() {
        for (NettyPeer peer : OPEN.toArray(new NettyPeer[0])) {
            peer.close();
        }
    }

    private void closeNow(long deadline) {
        List<Future<?>> closing = new ArrayList<>();
        synchronized (this) {
            closing.add(holder.release(deadline));
        }
        open.forEach((channel, entry) -> closing.add(Connections.reset(entry, channel)));
        for (Future<?> future : closing) {
            long left = Math.max(0, deadline - System.nanoTime());
            future.awaitUninterruptibly(left, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public String toString() {
        Fault current = fault;
        return "MisbehavingPeer[" + Addresses.of(address) + ", " + script
                + (current == null ? "" : ", " + current) + "]";
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(HOST, new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
