package dev.misbehave.internal;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.Trigger;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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

    /** The receive buffer of the listening socket, inherited by every accepted socket. */
    static final int RECEIVE_BUFFER = 4096;

    private static final int BACKLOG = 128;

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
    private volatile Fault fault;
    private final PeerSettings settings;
    private final Journal journal;
    private final InetSocketAddress address;
    private final ServerSocketChannel listener;
    private final Channel server;
    private final Map<Channel, Journal.Entry> open = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private NettyPeer(Script script, Fault fault, PeerSettings settings, ServerSocketChannel listener, int port) {
        this.script = script;
        this.fault = fault;
        this.settings = settings;
        this.journal = new Journal(settings.captureCap());
        this.address = new InetSocketAddress(LOOPBACK, port);
        this.listener = listener;
        this.server = new PeerServerChannel(listener);
    }

    /** Starts a peer with the default settings; {@code fault} may be null for a well-behaved peer. */
    public static MisbehavingPeer start(Script script, Fault fault) {
        return start(script, fault, PeerSettings.DEFAULTS);
    }

    /**
     * Starts a peer that serves {@code script} and applies {@code fault} (null: none).
     *
     * @throws IllegalArgumentException if the fault cannot run with the script
     * @throws UncheckedIOException if no port can be bound
     */
    public static NettyPeer start(Script script, Fault fault, PeerSettings settings) {
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(settings, "settings");
        checkSupported(script, fault);
        ServerSocketChannel listener = bindListener();
        NettyPeer peer;
        try {
            peer = new NettyPeer(script, fault, settings, listener, listener.socket().getLocalPort());
        } catch (RuntimeException e) {
            closeQuietly(listener);
            throw e;
        }
        peer.register();
        return peer;
    }

    /**
     * Throws IllegalArgumentException if {@code fault} (may be null) cannot run with {@code script}:
     * a trigger that the script can never reach.
     */
    public static void checkSupported(Script script, Fault fault) {
        if (fault == null) {
            return;
        }
        Trigger trigger = fault.trigger();
        boolean responds = script.response().isPresent();
        boolean sends = responds || script.echoes() || script.greeting().length > 0;
        if (trigger instanceof Trigger.AfterExchanges && !responds) {
            throw new IllegalArgumentException(
                    "'" + trigger + "' counts request/response exchanges, but the script (" + script
                            + ") does not respond. Give the peer a script that responds, for example"
                            + " Script.respond(RequestEnd.delimiter(\"\\n\"), \"OK\\n\").");
        }
        if (downstream(trigger) && !sends) {
            throw new IllegalArgumentException(
                    "'" + trigger + "' counts bytes the peer sends, but the script (" + script + ")"
                            + " sends nothing, so it would never fire. Give the peer a script that"
                            + " responds, echoes or greets, or count UPSTREAM bytes.");
        }
        if (shapes(fault.effect(), Direction.DOWNSTREAM) && !sends) {
            throw new IllegalArgumentException(
                    "'" + fault.effect() + "' shapes the bytes the peer sends, but the script (" + script
                            + ") sends nothing. Give the peer a script that responds, echoes or greets.");
        }
    }

    private static boolean downstream(Trigger trigger) {
        return trigger instanceof Trigger.AfterBytes b && b.direction() == Direction.DOWNSTREAM && b.bytes() > 0
                || trigger instanceof Trigger.OnPattern p && p.direction() == Direction.DOWNSTREAM;
    }

    private static boolean shapes(Effect effect, Direction direction) {
        return (effect instanceof Effect.Delay || effect instanceof Effect.Throttle || effect instanceof Effect.Slice)
                && Shaper.direction(effect) == direction;
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
        checkOpen();
        if (fault.effect() instanceof Effect.Refuse || fault.effect() instanceof Effect.NeverAccept) {
            throw new IllegalArgumentException("Unsupported fault: " + fault);
        }
        this.fault = fault;
    }

    @Override
    public void behave() {
        checkOpen();
        this.fault = null;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("The peer " + this + " is closed; start a new one.");
        }
    }

    private static ServerSocketChannel bindListener() {
        ServerSocketChannel listener = null;
        try {
            listener = ServerSocketChannel.open();
            // Set before listen(): accepted sockets inherit it, so a peer that stops reading closes
            // its window early and a large upload blocks, deterministically, in the client's write.
            listener.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            listener.bind(new InetSocketAddress(LOOPBACK, 0), BACKLOG);
            return listener;
        } catch (IOException e) {
            closeQuietly(listener);
            throw new UncheckedIOException("Misbehave could not bind a port on " + HOST, e);
        }
    }

    private void register() {
        ServerBootstrap bootstrap =
                new ServerBootstrap()
                        .group(EventLoops.shared())
                        .channelFactory(() -> (PeerServerChannel) server)
                        .option(ChannelOption.ALLOCATOR, BUFFERS)
                        .childOption(ChannelOption.ALLOCATOR, BUFFERS)
                        .childOption(ChannelOption.AUTO_READ, false)
                        .childHandler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel channel) {
                                        accept(channel);
                                    }
                                });
        bootstrap.register();
    }

    private void accept(SocketChannel channel) {
        Fault current = fault;
        Fault planned;
        Journal.Entry entry;
        synchronized (journal) {
            planned = current != null && current.schedule().selects(journal.size()) ? current : null;
            entry = journal.open(channel.remoteAddress(), planned);
        }
        open.put(channel, entry);
        channel.closeFuture().addListener(f -> open.remove(channel));
        if (closed.get()) {
            Connections.reset(entry, channel);
            return;
        }
        PlanHandler handler = new PlanHandler(script, planned, entry, settings);
        channel.config().setRecvByteBufAllocator(new ExactReadAllocator(handler::wanted));
        channel.pipeline().addLast(handler);
    }

    @Override
    public String host() {
        return HOST;
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
        return journal.awaitEnded(count, timeout);
    }

    @Override
    public List<ConnectionRecord> awaitTriggered(int count, Duration timeout) {
        checkAwait(count, timeout);
        return journal.awaitFired(count, timeout);
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

    /** Waits until the peer has accepted at least {@code count} connections (for tests). */
    List<ConnectionRecord> awaitAccepted(int count, Duration timeout) {
        return journal.awaitAccepted(count, timeout);
    }

    /** The journal as readable lines, one per connection. */
    public String describeJournal() {
        return Journal.describe(journal.snapshot());
    }


    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
        List<Future<?>> closing = new ArrayList<>();
        Promise<Void> released = server.eventLoop().newPromise();
        server.close().addListener(serverClosed -> completeWhenReleased(released, deadline));
        closing.add(released);
        open.forEach((channel, entry) -> closing.add(Connections.reset(entry, channel)));
        for (Future<?> future : closing) {
            long left = Math.max(0, deadline - System.nanoTime());
            future.awaitUninterruptibly(left, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Completes {@code released} once the listener has left the selector, which is when the JDK
     * closes its socket. Runs on the event loop, the thread that selects: a task scheduled now runs
     * after the loop's next select, and a check that comes too early schedules itself again, until
     * {@code close()} has stopped waiting.
     */
    private void completeWhenReleased(Promise<Void> released, long deadline) {
        if (!listener.isRegistered()) {
            released.trySuccess(null);
        } else if (System.nanoTime() - deadline < 0) {
            server.eventLoop().schedule(
                    () -> completeWhenReleased(released, deadline), 0, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public String toString() {
        Fault current = fault;
        return "MisbehavingPeer[" + HOST + ":" + port() + ", " + script
                + (current == null ? "" : ", " + current) + "]";
    }

    private static void closeQuietly(ServerSocketChannel listener) {
        if (listener != null) {
            try {
                listener.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(HOST, new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
