package dev.misbehave.internal;


import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A port that listens but never accepts, with its accept queue already full: the kernel drops a
 * new client's SYN, so the client's {@code connect(address, timeout)} fails with
 * {@link java.net.SocketTimeoutException} ("Connect timed out"), and a connect without a timeout
 * waits for the operating system's own limit (Linux: about two minutes with the default
 * {@code tcp_syn_retries}).
 *
 * <p>How: a listener with a backlog of 1 (the JDK turns 0 or less into 50) that nothing accepts
 * from, and connections of its own ("fillers") until the kernel lists the accept queue as full
 * (Linux, about 15 ms) or one does not complete within {@link #FILL_BOUND_MILLIS}. Linux queues backlog + 1 = 2 connections and drops SYNs after that (also
 * with SYN cookies on: a full accept queue drops the SYN before cookies are considered). The
 * filler that did not complete is kept open: if it was only slow, it still takes its place in the
 * queue when it completes; if its SYN was dropped, its retransmissions are dropped too, harmlessly.
 *
 * <p>The listener is prepared with {@link PortReservation#prepareListener}, so a full backlog can
 * take over a reserved port and be reserved again: {@code reservation.handOver(FullBacklog::open)}
 * and {@code PortReservation.takeOver(address, fullBacklog::close)}. Closing the listener makes
 * the kernel reset the queued connections, so nothing stays in TIME_WAIT on the port.
 */
final class FullBacklog implements PortHolder, AutoCloseable {

    /** The listener's backlog: the smallest the JDK passes on unchanged. */
    static final int BACKLOG = 1;

    /** How long a filler's connect may take before the queue counts as full. */
    static final long FILL_BOUND_MILLIS = 150;

    /** The most fillers {@link #open} tries before it gives up. */
    static final int MAX_FILLERS = 8;

    private final ServerSocketChannel listener;
    private final List<SocketChannel> fillers;
    private final int queued;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FullBacklog(ServerSocketChannel listener, List<SocketChannel> fillers, int queued, int port) {
        this.listener = listener;
        this.fillers = List.copyOf(fillers);
        this.queued = queued;
        this.port = port;
    }

    /**
     * Listens on {@code port} of {@code address} (an ephemeral port if 0) and fills the accept
     * queue. Takes about {@link #FILL_BOUND_MILLIS}: the wait that shows the queue is full.
     *
     * @throws java.net.BindException if the port is taken (and not by a reservation)
     * @throws IOException if the queue does not fill within {@link #MAX_FILLERS} connections, or a
     *     filler's connect fails
     */
    static FullBacklog open(InetAddress address, int port) throws IOException {
        Objects.requireNonNull(address, "address");
        ServerSocketChannel listener = ServerSocketChannel.open();
        List<SocketChannel> fillers = new ArrayList<>();
        try {
            PortReservation.prepareListener(listener);
            listener.bind(new InetSocketAddress(address, port), BACKLOG);
            InetSocketAddress target = (InetSocketAddress) listener.getLocalAddress();
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < MAX_FILLERS; i++) {
                    SocketChannel filler = SocketChannel.open();
                    fillers.add(filler);
                    if (!connectsInTime(filler, target, selector)) {
                        return new FullBacklog(listener, fillers, i, target.getPort());
                    }
                    if (kernelSaysFull(target.getPort())) {
                        return new FullBacklog(listener, fillers, i + 1, target.getPort());
                    }
                }
            }
            throw new IOException("The accept queue of " + target + " (backlog " + BACKLOG
                    + ") still took connections after " + MAX_FILLERS + " of them");
        } catch (IOException | RuntimeException e) {
            closeAll(listener, fillers, e);
            throw e;
        }
    }

    /** The port that never accepts. */
    @Override
    public int port() {
        return port;
    }

    /** How many connections fill the accept queue (Linux: backlog + 1). */
    int queued() {
        return queued;
    }

    /** Closes the listener, which resets the queued connections, then the fillers. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            IOException failure = new IOException("Could not close the full backlog on port " + port);
            closeAll(listener, fillers, failure);
            if (failure.getSuppressed().length > 0) {
                throw new UncheckedIOException(failure);
            }
        }
    }

    @Override
    public Mode mode() {
        return Mode.NEVER_ACCEPTING;
    }

    @Override
    public PortReservation reserveInstead(InetSocketAddress listening, Duration closeTimeout) throws IOException {
        return PortReservation.takeOver(listening, this::close);
    }

    /** Releases the port at once. */
    @Override
    public Future<?> release(long deadline) {
        close();
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
    }

    @Override
    public String toString() {
        return "FullBacklog[port " + port + ", " + queued + " queued" + (closed.get() ? ", closed]" : "]");
    }

    private static final Path[] PROC_NET_TCP = {Path.of("/proc/net/tcp6"), Path.of("/proc/net/tcp")};

    /**
     * Whether the kernel lists the listener on {@code port} with a full accept queue, which saves
     * the {@link #FILL_BOUND_MILLIS} wait. False when it cannot tell (then the wait decides).
     */
    private static boolean kernelSaysFull(int port) {
        for (Path file : PROC_NET_TCP) {
            try {
                if (acceptQueueFull(Files.readString(file), port, BACKLOG)) {
                    return true;
                }
            } catch (IOException | RuntimeException unreadable) {
                // not Linux, or not readable: fall back to the wait
            }
        }
        return false;
    }

    /**
     * Whether {@code procNetTcp} (the text of /proc/net/tcp or tcp6) lists a listener on {@code
     * port} whose accept queue is full. For a listening socket the kernel prints the queue's length
     * as {@code rx_queue} (its {@code tx_queue} column is not the backlog on every kernel: 0 on
     * Linux 6.18 here), and drops SYNs once the length exceeds the backlog.
     */
    static boolean acceptQueueFull(String procNetTcp, int port, int backlog) {
        String portHex = String.format(":%04X", port);
        for (String line : procNetTcp.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 5 || !fields[1].toUpperCase(java.util.Locale.ROOT).endsWith(portHex)
                    || !fields[3].equals("0A")) {
                continue;
            }
            String[] queues = fields[4].split(":");
            if (queues.length == 2) {
                try {
                    return Long.parseLong(queues[1], 16) > backlog;
                } catch (NumberFormatException malformed) {
                    return false;
                }
            }
        }
        return false;
    }

    /** Whether a non-blocking connect completes within the bound. */
    private static boolean connectsInTime(SocketChannel filler, InetSocketAddress target, Selector selector)
            throws IOException {
        filler.configureBlocking(false);
        if (filler.connect(target)) {
            return true;
        }
        SelectionKey key = filler.register(selector, SelectionKey.OP_CONNECT);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FILL_BOUND_MILLIS);
        try {
            // select() may return early without an event; each round waits until the deadline
            for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                selector.selectedKeys().clear();
                if (filler.finishConnect()) {
                    return true;
                }
            }
            return filler.finishConnect();
        } finally {
            key.cancel();
        }
    }

    private static void closeAll(ServerSocketChannel listener, List<SocketChannel> fillers, Exception failure) {
        closeInto(listener, failure);
        for (SocketChannel filler : fillers) {
            closeInto(filler, failure);
        }
    }

    private static void closeInto(AutoCloseable socket, Exception failure) {
        try {
            socket.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }
}
