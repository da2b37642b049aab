package dev.misbehave.internal;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
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

    private final Fault fault;
    private final Trigger.AfterBytes trigger;
    private final PeerSettings settings;
    private final Journal journal;
    private final InetSocketAddress address;
    private final ServerSocketChannel listener;
    private final Channel server;
    private final Map<Channel, Journal.Entry> open = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private NettyPeer(Fault fault, PeerSettings settings, ServerSocketChannel listener, int port) {
        this.fault = fault;
        this.trigger = (Trigger.AfterBytes) fault.trigger();
        this.settings = settings;
        this.journal = new Journal(settings.captureCap());
        this.address = new InetSocketAddress(LOOPBACK, port);
        this.listener = listener;
        this.server = new PeerServerChannel(listener);
    }

    /** Starts a peer with the default settings. */
    public static MisbehavingPeer start(Fault fault) {
        return start(fault, PeerSettings.DEFAULTS);
    }

    /** Starts a peer with the default settings; {@code fault} may be null for a well-behaved peer. */
    public static MisbehavingPeer start(dev.misbehave.Script script, Fault fault) {
        return start(script, fault, PeerSettings.DEFAULTS);
    }

    /**
     * Starts a peer that serves {@code script} and applies {@code fault} (null: none).
     *
     * @throws IllegalArgumentException if the fault cannot run with the script
     * @throws UncheckedIOException if no port can be bound
     */
    public static NettyPeer start(dev.misbehave.Script script, Fault fault, PeerSettings settings) {
        Objects.requireNonNull(script, "script");
        checkSupported(script, fault);
        return start(fault, settings);
    }

    /** Throws IllegalArgumentException if {@code fault} (may be null) cannot run with {@code script}. */
    public static void checkSupported(dev.misbehave.Script script, Fault fault) {
        if (fault != null) {
            checkSupported(fault);
        }
    }

    @Override
    public dev.misbehave.Script script() {
        return dev.misbehave.Script.silent();
    }

    @Override
    public java.util.Optional<Fault> fault() {
        return java.util.Optional.ofNullable(fault);
    }

    @Override
    public void misbehave(Fault fault) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void behave() {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Starts a peer.
     *
     * @throws IllegalArgumentException if this version cannot run the fault
     * @throws UncheckedIOException if no port can be bound
     */
    public static NettyPeer start(Fault fault, PeerSettings settings) {
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(settings, "settings");
        checkSupported(fault);
        ServerSocketChannel listener = bindListener();
        NettyPeer peer;
        try {
            peer = new NettyPeer(fault, settings, listener, listener.socket().getLocalPort());
        } catch (RuntimeException e) {
            closeQuietly(listener);
            throw e;
        }
        peer.register();
        return peer;
    }

    /** Throws if the engine cannot run {@code fault} yet. */
    public static void checkSupported(Fault fault) {
        boolean knownEffect = fault.effect() instanceof Effect.Reset
                || fault.effect() instanceof Effect.Close
                || fault.effect() instanceof Effect.Stall;
        if (!knownEffect || !(fault.trigger() instanceof Trigger.AfterBytes)) {
            throw new IllegalArgumentException("Unsupported fault: " + fault);
        }
        Trigger.AfterBytes afterBytes = (Trigger.AfterBytes) fault.trigger();
        if (afterBytes.direction() != Direction.UPSTREAM) {
            throw new IllegalArgumentException(
                    "A " + fault.effect() + " after DOWNSTREAM bytes is not supported yet. Use"
                            + " Direction.UPSTREAM to act after the client has sent N bytes.");
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
        Journal.Entry entry = journal.open(channel.remoteAddress());
        open.put(channel, entry);
        channel.closeFuture().addListener(f -> open.remove(channel));
        if (closed.get()) {
            Connections.reset(entry, channel);
            return;
        }
        AfterUpstreamBytesHandler handler = new AfterUpstreamBytesHandler(fault.effect(), trigger, entry, settings);
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
        return "MisbehavingPeer[" + HOST + ":" + port() + ", " + fault + "]";
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
