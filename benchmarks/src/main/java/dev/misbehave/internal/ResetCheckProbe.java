package dev.misbehave.internal;

import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.util.Locale;

/**
 * One fresh JVM of {@code dev.misbehave.benchmarks.ResetCheckBenchmark}: times the reset self-check
 * ({@link ResetCheck}) as a JVM's first peer start runs it. It lives in the engine's package, beside
 * the benchmarks, because the check is package-private on purpose (it is no API) and the probe must
 * call it alone and simulate its pass.
 *
 * <p>Modes (the only argument):
 *
 * <ul>
 *   <li>{@value #FRESH}: {@link ResetCheck#require()} first thing in the JVM, then once more;
 *   <li>{@value #SOCKETS_LOADED}: the same after one plain loopback connection, as a test's client
 *       and the peer's listener load the JDK's socket classes anyway: the check's own cost;
 *   <li>{@value #FIRST_PEER}: the whole first peer (start, a client's connect and reset, close),
 *       with the check;
 *   <li>{@value #FIRST_PEER_UNCHECKED}: the same with the check simulated as passed. The difference
 *       from {@value #FIRST_PEER} is what the check adds to a JVM's first Misbehave test.
 * </ul>
 *
 * <p>Prints one line, {@code reset-check <mode> <first ms> <second µs>} (the second figure is NaN
 * for the first-peer modes), and exits with status 1 if the check failed or the client saw no reset.
 */
public final class ResetCheckProbe {

    public static final String FRESH = "fresh";
    public static final String SOCKETS_LOADED = "sockets-loaded";
    public static final String FIRST_PEER = "first-peer";
    public static final String FIRST_PEER_UNCHECKED = "first-peer-unchecked";
    /** The prefix of the probe's result line. */
    public static final String RESULT = "reset-check ";

    private ResetCheckProbe() {}

    public static void main(String[] args) throws IOException {
        String mode = args[0];
        switch (mode) {
            case FIRST_PEER, FIRST_PEER_UNCHECKED -> firstPeer(mode);
            case FRESH, SOCKETS_LOADED -> checkAlone(mode);
            default -> throw new IllegalArgumentException("unknown mode " + mode + "; one of " + FRESH + ", "
                    + SOCKETS_LOADED + ", " + FIRST_PEER + ", " + FIRST_PEER_UNCHECKED);
        }
    }

    private static void firstPeer(String mode) {
        if (mode.equals(FIRST_PEER_UNCHECKED)) {
            ResetCheck.simulate(() -> new ResetCheck.Observation(true, "simulated"));
        }
        long started = System.nanoTime();
        boolean reset = false;
        try (MisbehavingPeer peer = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 0));
                Socket client = new Socket(peer.host(), peer.port())) {
            client.setSoTimeout(ResetCheck.READ_TIMEOUT_MILLIS);
            client.getInputStream().read();
        } catch (SocketException expected) {
            reset = String.valueOf(expected.getMessage()).startsWith("Connection reset");
        } catch (IOException e) {
            System.out.println("the client saw " + e);
        }
        long took = System.nanoTime() - started;
        if (!reset) {
            System.out.println("the client of the first peer saw no reset");
            System.exit(1);
        }
        System.out.printf(Locale.ROOT, "%s%s %.3f NaN%n", RESULT, mode, took / 1e6);
    }

    private static void checkAlone(String mode) throws IOException {
        if (mode.equals(SOCKETS_LOADED)) {
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                try (Socket client = new Socket()) {
                    client.connect(server.getLocalAddress());
                    client.setSoTimeout(ResetCheck.READ_TIMEOUT_MILLIS);
                    server.accept().close();
                    if (client.getInputStream().read() != -1) {
                        throw new IllegalStateException("the warm-up connection received a byte");
                    }
                }
            }
        }
        long started = System.nanoTime();
        ResetCheck.require();
        long first = System.nanoTime() - started;
        started = System.nanoTime();
        ResetCheck.require();
        long second = System.nanoTime() - started;
        System.out.printf(Locale.ROOT, "%s%s %.3f %.3f%n", RESULT, mode, first / 1e6, second / 1e3);
    }
}
