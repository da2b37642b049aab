package dev.misbehave.internal;

import dev.misbehave.ClientEnding;
import dev.misbehave.Fault;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.TimeUnit;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The engine of a misbehaving client: opens its connections to the server on the shared event loops
 * (at once, or each when the one before has ended), gives each a {@link ClientConnection}, and
 * closes whatever is still open when the test closes it. It starts no thread of its own.
 */
public final class NettyClient implements AutoCloseable {

    /** How long {@link #close()} waits for the connections it closes, at most. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    /**
     * What a client does.
     *
     * @param server where it connects
     * @param request what each connection sends
     * @param faults what to do, when, on which connections; the first whose schedule selects a
     *     connection applies to it
     * @param connections how many connections in all
     * @param oneAfterAnother whether each connection opens when the one before has ended (a churn),
     *     instead of all at once
     * @param connectTimeout how long a connect may take
     * @param deliveryTimeout how long a reset waits for the server's kernel to hold the bytes sent
     */
    public record Plan(InetSocketAddress server, byte[] request, List<Fault> faults, int connections,
            boolean oneAfterAnother, Duration connectTimeout, Duration deliveryTimeout) {}

    private final Plan plan;
    private final List<ClientEntry> entries = new CopyOnWriteArrayList<>();
    /** Every connection this client made, open or not: close() waits until the JDK has let go of each. */
    private final List<Connection> made = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private final Object changes = new Object();
    /** Guarded by {@link #changes}. */
    private long version;
    /** How many entries have recorded their ending. Guarded by {@link #changes}. */
    private int ended;

    /** One connection: its journal entry and its channel. */
    private record Connection(ClientEntry entry, ClientSocketChannel channel) {}

    private NettyClient(Plan plan) {
        this.plan = plan;
    }

    /**
     * Opens the plan's connections (the first one only, for a churn) and returns at once.
     *
     * @param plan what to do
     * @return the running client
     */
    public static NettyClient open(Plan plan) {
        EventLoops.shared(); // started before the first entry's clock: its times are the connection's alone
        NettyClient client = new NettyClient(plan);
        if (plan.oneAfterAnother()) {
            client.connect(0);
        } else {
            for (int i = 0; i < plan.connections(); i++) {
                client.connect(i);
            }
        }
        return client;
    }

    private Fault faultFor(int index) {
        for (Fault fault : plan.faults()) {
            if (fault.schedule().selects(index)) {
                return fault;
            }
        }
        return null;
    }

    private synchronized void connect(int index) {
        if (closed) {
            return;
        }
        ClientEntry entry = new ClientEntry(index, faultFor(index), this::changed, this::endedOne);
        entries.add(entry);
        changed();
        ClientConnection connection = new ClientConnection(entry, plan.request(), plan.deliveryTimeout());
        ChannelFuture connecting = new Bootstrap()
                .group(EventLoops.shared())
                .channelFactory(ClientSocketChannel::new)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, plan.connectTimeout().toMillis()))
                .option(ChannelOption.RCVBUF_ALLOCATOR, new ExactReadAllocator(connection::wanted))
                .handler(connection)
                .connect(plan.server());
        Channel channel = connecting.channel();
        made.add(new Connection(entry, (ClientSocketChannel) channel));
        connecting.addListener(connected -> {
            if (!connected.isSuccess()) {
                Throwable cause = connected.cause();
                entry.end(ClientEnding.CONNECT_FAILED, cause == null ? "cancelled" : String.valueOf(cause.getMessage()));
                channel.close();
            } else if (closed) {
                ClientConnection.closeByTest(entry, channel);
            }
            // after the connect's outcome is journalled: a failed connect closes the channel first
            channel.closeFuture().addListener(done -> ended(entry));
        });
    }

    private void ended(ClientEntry entry) {
        entry.end(ClientEnding.SERVER_CLOSED, null); // the channel closed with no ending recorded: its FIN
        if (plan.oneAfterAnother() && entry.index() + 1 < plan.connections()) {
            connect(entry.index() + 1);
        }
    }

    private void changed() {
        synchronized (changes) {
            version++;
            changes.notifyAll();
        }
    }

    private void endedOne() {
        synchronized (changes) {
            ended++;
            version++;
            changes.notifyAll();
        }
    }

    /** A number that grows with every change to the journal: a connection opened, bytes, a trigger, an end. */
    public long version() {
        synchronized (changes) {
            return version;
        }
    }

    /**
     * Waits until the journal changes after {@code seen} (a {@link #version()}) or the deadline passes.
     *
     * @return false if the deadline passed first
     */
    public boolean awaitChange(long seen, long deadlineNanos) throws InterruptedException {
        synchronized (changes) {
            while (version == seen) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changes.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** The entries so far, in the order the connections were opened. */
    public List<ClientEntry> entries() {
        return List.copyOf(entries);
    }

    /** The server's address. */
    public InetSocketAddress server() {
        return plan.server();
    }

    /** How many connections this client opens in all. */
    public int connections() {
        return plan.connections();
    }

    /**
     * Waits until at least {@code count} connections have ended, in any order, or the deadline passes.
     *
     * @param count how many
     * @param deadlineNanos a {@link System#nanoTime()} deadline
     * @return true if they ended in time
     */
    public boolean awaitEnded(int count, long deadlineNanos) throws InterruptedException {
        synchronized (changes) {
            while (ended < count) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changes.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /**
     * Closes every connection still open (recorded as {@link ClientEnding#CLOSED_BY_TEST}) and opens
     * no more; waits, bounded, until every socket this client opened has been let go by the JDK (a
     * closed channel's socket is closed at its event loop's next select).
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true; // connect() opens no more
        }
        long deadline = System.nanoTime() + CLOSE_WAIT_MILLIS * 1_000_000;
        List<Promise<Void>> releases = new ArrayList<>();
        for (Connection connection : made) {
            ClientSocketChannel channel = connection.channel();
            if (!channel.closeFuture().isDone()) {
                ClientConnection.closeByTest(connection.entry(), channel);
            }
            Promise<Void> released = channel.eventLoop().newPromise();
            channel.closeFuture().addListener(closed -> completeWhenReleased(channel, released, deadline));
            releases.add(released);
        }
        for (Promise<Void> released : releases) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !released.awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left) + 1)) {
                break;
            }
        }
    }

    /** Completes {@code released} once the channel has left its selector; checks again after each select. */
    private static void completeWhenReleased(ClientSocketChannel channel, Promise<Void> released, long deadline) {
        if (channel.released()) {
            released.trySuccess(null);
        } else if (System.nanoTime() - deadline < 0) {
            channel.eventLoop().schedule(() -> completeWhenReleased(channel, released, deadline), 0, TimeUnit.NANOSECONDS);
        } else {
            released.trySuccess(null); // the waiter has stopped waiting
        }
    }
}
