package dev.misbehave.benchmarks;

import dev.misbehave.benchmarks.Samples.Stats;

import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures what one peer costs a test: {@code MisbehavingPeer.start(...)} then {@code close()},
 * through the public API, against the floor of any TCP server, a {@link ServerSocket} bound to
 * 127.0.0.1 port 0 and closed, in the same JVM.
 *
 * <p>Each operation is timed on its own. After a warm-up, the two kinds run in alternating blocks
 * (round 1 floor first, round 2 Misbehave first, ...) so that whatever else the machine does hits
 * both. Every count is fixed; nothing waits on a clock. The Misbehave figure is also split into
 * {@code start()} and {@code close()}, to show where the time goes.
 *
 * <p>Run with {@code mvn -B -Pbench -pl benchmarks -am verify -DskipTests}. Prints a table and
 * writes it, with the JVM, core count and date, to the file named by the first argument (default
 * {@code target/start-stop.md}).
 */
public final class StartStopBenchmark {

    private static final int WARM_UP_OPS = 5_000;
    private static final int ROUNDS = 10;
    private static final int OPS_PER_ROUND = 1_000;
    /** The target: Misbehave start+stop at most this many times the floor. */
    private static final double TARGET_RATIO = 5.0;

    private static final InetAddress LOOPBACK = loopback();
    private static final Fault FAULT = Fault.resetAfter(Direction.UPSTREAM, 16);

    /** Written by every operation, so the JIT cannot treat the measured work as dead. */
    private static int sink;

    private StartStopBenchmark() {}

    /** One kind of operation to time; returns the time of its first part, in nanoseconds. */
    private interface Op {
        long run() throws IOException;
    }

    private static final Op FLOOR = () -> {
        long started = System.nanoTime();
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(LOOPBACK, 0));
            sink += socket.getLocalPort();
            return System.nanoTime() - started;
        }
    };

    private static final Op MISBEHAVE = () -> {
        long started = System.nanoTime();
        MisbehavingPeer peer = MisbehavingPeer.start(FAULT);
        long startTime = System.nanoTime() - started;
        sink += peer.port();
        peer.close();
        return startTime;
    };

    public static void main(String[] args) throws IOException {
        Path report = Paths.get(args.length > 0 ? args[0] : "target/start-stop.md");

        for (int i = 0; i < WARM_UP_OPS; i++) {
            FLOOR.run();
            MISBEHAVE.run();
        }

        long[] floor = new long[ROUNDS * OPS_PER_ROUND];
        long[] misbehave = new long[ROUNDS * OPS_PER_ROUND];
        long[] unusedParts = new long[ROUNDS * OPS_PER_ROUND];
        long[] misbehaveStarts = new long[ROUNDS * OPS_PER_ROUND];
        double[] roundRatios = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            int from = round * OPS_PER_ROUND;
            if (round % 2 == 0) {
                time(FLOOR, floor, unusedParts, from);
                time(MISBEHAVE, misbehave, misbehaveStarts, from);
            } else {
                time(MISBEHAVE, misbehave, misbehaveStarts, from);
                time(FLOOR, floor, unusedParts, from);
            }
            roundRatios[round] = Samples.median(slice(misbehave, from)) / Samples.median(slice(floor, from));
        }

        long[] misbehaveCloses = new long[misbehave.length];
        for (int i = 0; i < misbehave.length; i++) {
            misbehaveCloses[i] = misbehave[i] - misbehaveStarts[i];
        }
        String table = table(micros(floor), micros(misbehave), micros(misbehaveStarts), micros(misbehaveCloses),
                roundRatios);
        System.out.println();
        System.out.print(table);
        Path parent = report.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(report, table, StandardCharsets.UTF_8);
        System.out.println("Written to " + report.toAbsolutePath());
    }

    private static void time(Op op, long[] samples, long[] firstParts, int from) throws IOException {
        for (int i = from; i < from + OPS_PER_ROUND; i++) {
            long start = System.nanoTime();
            firstParts[i] = op.run();
            samples[i] = System.nanoTime() - start;
        }
    }

    private static Stats micros(long[] nanos) {
        return new Stats(nanos, 1_000.0);
    }

    private static long[] slice(long[] samples, int from) {
        return Arrays.copyOfRange(samples, from, from + OPS_PER_ROUND);
    }



    private static String table(
            Stats floor, Stats misbehave, Stats starts, Stats closes, double[] roundRatios) {
        double ratio = misbehave.median / floor.median;
        double[] sortedRatios = roundRatios.clone();
        Arrays.sort(sortedRatios);
        StringBuilder out = new StringBuilder();
        out.append("# Start+stop: Misbehave peer vs ServerSocket floor\n\n");
        out.append(Samples.environment());
        out.append(String.format(Locale.ROOT,
                "- Method: %,d warm-up ops of each kind, then %d rounds of %,d ops of each kind in"
                        + " alternating order; every op timed alone%n",
                WARM_UP_OPS, ROUNDS, OPS_PER_ROUND));
        out.append("- Command: `mvn -B -Pbench -pl benchmarks -am verify -DskipTests`\n\n");
        out.append("| Operation (per op, µs) | ops | median | p90 | min | max |\n");
        out.append("|---|---:|---:|---:|---:|---:|\n");
        row(out, "ServerSocket bind 127.0.0.1:0 + close (floor)", floor);
        row(out, "MisbehavingPeer.start(resetAfter(UPSTREAM, 16)) + close()", misbehave);
        row(out, "&nbsp;&nbsp;of which start()", starts);
        row(out, "&nbsp;&nbsp;of which close()", closes);
        out.append('\n');
        out.append(String.format(Locale.ROOT,
                "Ratio Misbehave / floor (medians): **%.2f×** (target ≤ %.0f×: %s)%n",
                ratio, TARGET_RATIO, ratio <= TARGET_RATIO ? "met" : "MISSED"));
        out.append(String.format(Locale.ROOT,
                "Per-round ratio of medians: min %.2f×, median %.2f×, max %.2f×%n",
                sortedRatios[0], Samples.median(sortedRatios), sortedRatios[sortedRatios.length - 1]));
        return out.toString();
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static void row(StringBuilder out, String name, Stats stats) {
        out.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f | %.1f |%n",
                name, stats.count, stats.median, stats.p90, stats.min, stats.max));
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
