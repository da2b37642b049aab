package dev.misbehave.internal;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP port held by a socket that is bound but never listens: nobody else can bind the port, and
 * a client that connects to it gets "Connection refused" ({@link java.net.ConnectException}).
 *
 * <p>This is how the peer refuses connections, and how it moves between serving, refusing and
 * never accepting on the same port while a test runs. The hand-over always goes through a
 * reservation, so that at no moment is the port free and at no moment do two sockets listen on it:
 *
 * <pre>{@code
 * listener (serving)  --takeOver-->  reservation (refusing)  --handOver-->  next listener
 * }</pre>
 *
 * <p><b>Socket options (measured on Linux 6.x, JDK 17).</b> Linux lets a second socket bind a port
 * that a listening socket holds only if <em>both</em> set {@code SO_REUSEPORT} before their bind
 * (and belong to the same user); {@code SO_REUSEADDR} never allows it, on either side. So:
 *
 * <ul>
 *   <li>every listener that takes part in a hand-over sets {@code SO_REUSEPORT} before its bind:
 *       {@link #prepareListener(ServerSocketChannel)};
 *   <li>the reservation sets {@code SO_REUSEPORT} too, and explicitly <em>not</em>
 *       {@code SO_REUSEADDR}. With {@code SO_REUSEADDR} on the reservation, Linux lets any other
 *       socket that has {@code SO_REUSEADDR} (every JDK {@code ServerSocket} and
 *       {@code ServerSocketChannel} on Linux and macOS, by default) bind the port <em>and
 *       listen</em> on it, because the reservation is not listening. That would defeat the
 *       reservation.
 * </ul>
 *
 * <p>Both hand-over directions work that way, also with TIME_WAIT and still-open connections of an
 * earlier listener on the port (they inherit the listener's options). A socket of the same user
 * that also sets {@code SO_REUSEPORT} can still bind the port; nothing in the JDK does that by
 * default, but two reservations of the same port do share it, so reserve only a port this peer
 * owns (or port 0). A reservation never listens, so it never receives connections of the listener's
 * {@code SO_REUSEPORT} group; and since the hand-over never lets two listeners coexist, the kernel
 * never load-balances between them.
 *
 * <p><b>Fallback.</b> Where {@code SO_REUSEPORT} is not supported (the JDK on Windows), or when a
 * listener was not prepared, the coexisting bind fails with a {@link BindException}.
 * {@link #takeOver} and {@link #handOver} then close the old socket first and bind after it:
 * close-then-bind, which leaves a short gap in which another socket could take the port (the next
 * bind then fails with {@code BindException}). On Linux that fallback also fails while the closed
 * listener's TIME_WAIT connections remain, since the reservation does not set
 * {@code SO_REUSEADDR}; only prepared listeners avoid that. {@link #seamless()} says which case
 * applies. The fallback is tested on Linux with an unprepared listener; Windows and macOS are not
 * measured.
 */
final class PortReservation implements PortHolder, AutoCloseable {

    /** An I/O step of a hand-over: closing the listener that is being replaced. */
    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }

    /** Opens the next socket on the reserved port: a listener, a {@link FullBacklog}, .... */
    @FunctionalInterface
    interface Opener<T> {
        T open(InetAddress address, int port) throws IOException;
    }

    private static final boolean REUSE_PORT = reusePortSupported();

    private final SocketChannel socket;
    private final InetAddress address;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PortReservation(SocketChannel socket, InetAddress address, int port) {
        this.socket = socket;
        this.address = address;
        this.port = port;
    }

    /**
     * Whether hand-overs leave no gap here: whether this JDK supports {@code SO_REUSEPORT} (Linux
     * and macOS do; Windows does not).
     */
    static boolean seamless() {
        return REUSE_PORT;
    }

    /**
     * Sets what a listener needs, before its bind, so that a reservation can take its port while
     * it still listens and so that it can bind a port that a reservation holds: {@code
     * SO_REUSEPORT}, where supported. {@code SO_REUSEADDR} is left at the JDK's default (on,
     * except on Windows, where it would let other sockets steal the port); the hand-over does not
     * need it, and with the default a close-then-bind fallback can bind over TIME_WAIT
     * connections.
     *
     * @throws IllegalStateException if the channel is already bound
     */
    static void prepareListener(ServerSocketChannel listener) throws IOException {
        if (listener.getLocalAddress() != null) {
            throw new IllegalStateException("prepareListener must run before bind: " + listener);
        }
        if (REUSE_PORT) {
            listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
    }

    /**
     * Reserves {@code port} on {@code address}, or an ephemeral port if {@code port} is 0. The port
     * may be held by a listener prepared with {@link #prepareListener} that is still listening.
     *
     * @throws BindException if another socket holds the port and does not allow sharing it
     */
    static PortReservation reserve(InetAddress address, int port) throws IOException {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
        }
        SocketChannel socket = SocketChannel.open();
        try {
            // Off explicitly (it is the JDK's default for client sockets): with it, any socket
            // with SO_REUSEADDR could bind and listen on the port, as the reservation never listens.
            socket.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            if (REUSE_PORT) {
                socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            socket.bind(new InetSocketAddress(address, port));
            int bound = ((InetSocketAddress) socket.getLocalAddress()).getPort();
            return new PortReservation(socket, address, bound);
        } catch (IOException | RuntimeException e) {
            closeAfterFailure(socket, e);
            throw e;
        }
    }

    /**
     * Reserves the port of a listener that is still listening, then closes the listener with
     * {@code closeListener} (for a Netty channel: its close, awaited). When the reservation cannot
     * coexist with the listener (see the class comment), closes the listener first.
     *
     * @param listening the address and port the listener is bound to
     * @throws BindException if, in the fallback, another socket took the port in the gap
     */
    static PortReservation takeOver(InetSocketAddress listening, IoAction closeListener)
            throws IOException {
        Objects.requireNonNull(closeListener, "closeListener");
        PortReservation reservation;
        try {
            reservation = reserve(listening.getAddress(), listening.getPort());
        } catch (BindException coexistenceRefused) {
            closeListener.run();
            return reserve(listening.getAddress(), listening.getPort());
        }
        try {
            closeListener.run();
        } catch (IOException | RuntimeException e) {
            reservation.close();
            throw e;
        }
        return reservation;
    }

    /**
     * Opens the next socket on this port with {@code opener}, then releases the reservation. When
     * the two cannot coexist (see the class comment), releases the reservation first. If {@code
     * opener} fails while the reservation is still held, the reservation stays open and still
     * belongs to the caller.
     *
     * @throws BindException if, in the fallback, another socket took the port in the gap
     */
    <T> T handOver(Opener<T> opener) throws IOException {
        Objects.requireNonNull(opener, "opener");
        if (closed.get()) {
            throw new IllegalStateException("Reservation of port " + port + " is closed");
        }
        T next;
        try {
            next = opener.open(address, port);
        } catch (BindException coexistenceRefused) {
            close();
            return opener.open(address, port);
        }
        close();
        return next;
    }

    /** The reserved port. */
    @Override
    public int port() {
        return port;
    }

    /** The address the port is reserved on. */
    InetAddress address() {
        return address;
    }

    /** Releases the port. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException("Could not release port " + port, e);
            }
        }
    }

    @Override
    public Mode mode() {
        return Mode.REFUSING;
    }

    /** Returns this reservation: it holds the port already. */
    @Override
    public PortReservation reserveInstead(InetSocketAddress listening, Duration closeTimeout) {
        return this;
    }

    /** Releases the port at once. */
    @Override
    public Future<?> release(long deadline) {
        close();
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
    }

    @Override
    public String toString() {
        return "PortReservation[" + Addresses.of(new InetSocketAddress(address, port))
                + (closed.get() ? ", closed]" : "]");
    }

    private static boolean reusePortSupported() {
        try (SocketChannel client = SocketChannel.open();
                ServerSocketChannel server = ServerSocketChannel.open()) {
            return client.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)
                    && server.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeAfterFailure(AutoCloseable socket, Exception failure) {
        try {
            socket.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }
}
