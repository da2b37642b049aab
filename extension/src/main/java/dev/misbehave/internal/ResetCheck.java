package dev.misbehave.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The reset self-check, once per JVM, before the first peer starts: on loopback, a peer-side socket
 * is reset exactly as the engine resets a connection ({@link Connections#abort(SocketChannel)}:
 * {@code SO_LINGER} 0, then close), and a plain {@link Socket} client must see its read fail with a
 * {@link SocketException} ("Connection reset"), not end-of-stream. Some JDK builds and platforms have
 * silently turned {@code SO_LINGER} 0 into an orderly close (a FIN); every reset test would then fail
 * in its own puzzling way.
 *
 * <p>If the check fails, the start of the first peer throws an {@link IllegalStateException} that
 * says what was expected, what the client saw, on which OS and JDK, and what to do; every later start
 * in the JVM throws one that refers to it in a line. The check costs one loopback connection; after
 * it, {@link #require()} is one volatile read.
 */
final class ResetCheck {

    /** What the client saw after the reset: {@code reset} if its read threw a SocketException. */
    record Observation(boolean reset, String seen) {}

    /** How long the client waits for the reset (or anything else) to arrive. */
    static final int READ_TIMEOUT_MILLIS = 2_000;

    private static final String DOCS = "docs/troubleshooting-connection-resets.md#misbehaves-reset-self-check";

    /** What the check saw; null until it has run. */
    private static volatile Observation outcome;
    /** Whether the full message has been thrown once: later starts get the short reference. */
    private static final AtomicBoolean REPORTED = new AtomicBoolean();
    private static Supplier<Observation> probe = ResetCheck::probe;

    private ResetCheck() {}

    /**
     * Runs the check if this JVM has not yet, and throws if it failed (now or earlier).
     *
     * @throws IllegalStateException if a reset does not reach a client as a reset here
     * @throws UncheckedIOException if the check cannot open a loopback connection (it runs again at
     *     the next start)
     */
    static void require() {
        Observation observed = outcome;
        if (observed == null) {
            observed = runOnce();
        }
        if (!observed.reset()) {
            throw new IllegalStateException(REPORTED.compareAndSet(false, true)
                    ? firstMessage(observed.seen()) : laterMessage(observed.seen()));
        }
    }

    private static synchronized Observation runOnce() {
        if (outcome == null) {
            outcome = probe.get(); // a probe that throws leaves no outcome: the next start checks again
        }
        return outcome;
    }

    /**
     * For tests: forgets the outcome, so that the next {@link #require()} checks again, with {@code
     * simulated} in place of the real probe (null: the real probe again).
     */
    static synchronized void simulate(Supplier<Observation> simulated) {
        probe = simulated == null ? ResetCheck::probe : simulated;
        outcome = null;
        REPORTED.set(false);
    }

    /**
     * The real check: one loopback connection, reset by the peer side as the engine does it.
     *
     * @throws UncheckedIOException if the connection cannot be made at all
     */
    static Observation probe() {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            // where peers listen: 127.0.0.1, whatever the JVM prefers for "localhost"
            server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 1);
            try (Socket client = new Socket()) {
                client.connect(server.getLocalAddress(), READ_TIMEOUT_MILLIS);
                client.setSoTimeout(READ_TIMEOUT_MILLIS);
                Connections.abort(server.accept());
                return read(client);
            }
        } catch (IOException e) {
            // not an outcome: the next peer start checks again (a peer could not bind either)
            throw new UncheckedIOException("Misbehave's reset self-check could not open a loopback connection on"
                    + " 127.0.0.1 (" + e.getMessage() + "); no peer starts until it can.", e);
        }
    }

    private static Observation read(Socket client) throws IOException {
        try {
            int read = client.getInputStream().read();
            return new Observation(false, read < 0
                    ? "end-of-stream (read() returned -1): an orderly close, a FIN, where a reset was sent"
                    : "a byte (" + read + ") where a reset was sent");
        } catch (SocketTimeoutException e) {
            return new Observation(false, "nothing at all within " + READ_TIMEOUT_MILLIS + " ms (the read timed out)");
        } catch (SocketException e) {
            return new Observation(true, "SocketException: " + e.getMessage());
        }
    }

    static String firstMessage(String seen) {
        return "Misbehave's reset self-check failed, so no Misbehave peer starts in this JVM. Expected: a"
                + " peer's reset (SO_LINGER 0, then close, as every Misbehave reset is sent) makes a plain"
                + " java.net.Socket client on 127.0.0.1 see its read() fail with SocketException \"Connection"
                + " reset\". Seen: " + seen + ". On " + platform() + " a reset fault would reach clients as"
                + " something else, so tests of resets would fail (or pass) for the wrong reason. What to do: run"
                + " the tests on another JDK build or OS (a JDK from another vendor, or the same one without"
                + " socket-altering agents or a network sandbox), and report this message with your OS and JDK;"
                + " see " + DOCS + ". Every later Misbehave peer in this JVM fails with a reference to this"
                + " message.";
    }

    static String laterMessage(String seen) {
        return "Misbehave's reset self-check failed earlier in this JVM (a client saw " + seen + " instead of a"
                + " reset); the first Misbehave test (or peer) that failed says why and what to do.";
    }

    private static String platform() {
        return String.format(Locale.ROOT, "%s %s (%s), Java %s (%s %s)",
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
                System.getProperty("java.version"), System.getProperty("java.vendor"),
                System.getProperty("java.vm.name"));
    }
}
