package dev.misbehave.benchmarks;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Scale: 10,000 Misbehave peer tests in one JVM, run through the JUnit Platform launcher as a build
 * tool runs them (1,000 in quick mode, {@code -Dmisbehave.bench.quick=true}). Each test is a
 * repetition of {@link Full#resetsOnAccept} (or {@link Quick#resetsOnAccept}): it gets its own peer
 * from {@code @ForceResetAfter(bytes = 0)} and a {@link MisbehavingPeer} parameter, connects a raw
 * {@link Socket}, asserts that the client sees the reset and that the journal records it.
 *
 * <p>At tests 10, 1,000 and 10,000 (the last) the test itself records, before it returns: the time
 * since the launcher started, the heap in use right after {@link System#gc()} (a full, synchronous
 * collection with the JVM's default G1), the live threads and the open file descriptors ({@code
 * /proc/self/fd}). Each test records its peer's port; after the run, every port is checked: a
 * {@link ServerSocket} must bind it again and no socket of this JVM may still hold it (see {@link
 * #checkPorts}), so every peer really released it.
 *
 * <p>Run by {@code mvn -B -Pbench -pl benchmarks -am verify -DskipTests} with {@code -Xmx512m}.
 * Results id {@code scale}; args[0] is the results directory.
 */
public final class ScaleBenchmark {

    static final int FULL_TESTS = 10_000;
    static final int QUICK_TESTS = 1_000;
    static final int[] SAMPLE_POINTS = {10, 1_000, FULL_TESTS};
    static final Duration JOURNAL_WAIT = Duration.ofSeconds(10);
    /** The targets: flat means within these bounds of the figure after test 10. */
    static final double HEAP_TOLERANCE_MIB = 2.0;
    static final int FD_TOLERANCE = 2;
    static final Duration TIME_TARGET = Duration.ofMinutes(2);

    /** What the tests record, read by {@link #main} after the launcher returns; cleared per run. */
    static final Map<Integer, Sample> SAMPLES = new ConcurrentHashMap<>();
    static final int[] PORTS = new int[FULL_TESTS + 1];
    static volatile long launcherStarted;

    private ScaleBenchmark() {}

    /** Heap, threads and open files at one moment, and the time since the launcher started. */
    record Sample(int test, long elapsedNanos, long heapBytes, int threads, int fds) {

        static Sample now(int test) {
            long elapsed = System.nanoTime() - launcherStarted;
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            return new Sample(test, elapsed, heap, threads, openFiles());
        }

        double heapMib() {
            return heapBytes / (1024.0 * 1024.0);
        }

        private static int openFiles() {
            Path fds = Path.of("/proc/self/fd");
            if (!Files.isDirectory(fds)) {
                return -1;
            }
            // the listing's own directory handle is counted too, the same way in every sample
            try (Stream<Path> entries = Files.list(fds)) {
                return (int) entries.count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The test every repetition runs: its own peer resets on accept; the client must see it. */
    static void resetsOnAccept(MisbehavingPeer peer, RepetitionInfo repetition, int total) {
        int current = repetition.getCurrentRepetition();
        PORTS[current] = peer.port();
        // a reset on accept may surface at connect() or at the first read
        assertThatThrownBy(() -> {
                    try (Socket socket = new Socket(peer.host(), peer.port())) {
                        socket.setSoTimeout(10_000);
                        socket.getInputStream().read();
                    }
                })
                .isInstanceOf(SocketException.class)
                .is(connectionReset());
        assertThat(peer.awaitConnections(1, JOURNAL_WAIT))
                .singleElement()
                .extracting(ConnectionRecord::ending)
                .isEqualTo(Ending.PEER_RESET);
        sampleAt(current, total);
    }

    static void sampleAt(int current, int total) {
        if (current == total || current == SAMPLE_POINTS[0] || current == SAMPLE_POINTS[1]) {
            SAMPLES.put(current, Sample.now(current));
        }
    }

    /** The baseline: as many empty tests, to show what JUnit itself keeps per test. */
    @Execution(ExecutionMode.SAME_THREAD)
    static class EmptyFull {
        @RepeatedTest(FULL_TESTS)
        void empty(RepetitionInfo repetition) {
            sampleAt(repetition.getCurrentRepetition(), FULL_TESTS);
        }
    }

    /** The quick baseline. */
    @Execution(ExecutionMode.SAME_THREAD)
    static class EmptyQuick {
        @RepeatedTest(QUICK_TESTS)
        void empty(RepetitionInfo repetition) {
            sampleAt(repetition.getCurrentRepetition(), QUICK_TESTS);
        }
    }

    /** The full run: 10,000 tests, one at a time. */
    @Execution(ExecutionMode.SAME_THREAD)
    static class Full {
        @RepeatedTest(FULL_TESTS)
        @ForceResetAfter(bytes = 0)
        void resetsOnAccept(MisbehavingPeer peer, RepetitionInfo repetition) {
            ScaleBenchmark.resetsOnAccept(peer, repetition, FULL_TESTS);
        }
    }

    /** The quick run: 1,000 tests. */
    @Execution(ExecutionMode.SAME_THREAD)
    static class Quick {
        @RepeatedTest(QUICK_TESTS)
        @ForceResetAfter(bytes = 0)
        void resetsOnAccept(MisbehavingPeer peer, RepetitionInfo repetition) {
            ScaleBenchmark.resetsOnAccept(peer, repetition, QUICK_TESTS);
        }
    }

    public static void main(String[] args) {
        Results results = Results.open("scale", args);
        boolean quick = Boolean.getBoolean("misbehave.bench.quick");
        int tests = quick ? QUICK_TESTS : FULL_TESTS;

        // the baseline first: it also loads and warms up JUnit, which the Misbehave run then finds ready
        Run baseline = run(quick ? EmptyQuick.class : EmptyFull.class, tests);
        Run misbehave = run(quick ? Quick.class : Full.class, tests);
        PortCheck ports = checkPorts(tests);
        write(results, quick, tests, baseline, misbehave, ports);
    }

    /**
     * One launcher run of a fixture class: its counts, its duration and its samples. It keeps no
     * reference to the listener's summary, which holds the run's whole test plan (a record per test)
     * and would otherwise count in the next run's heap.
     */
    record Run(long started, long succeeded, long failed, long aborted, long totalNanos, List<Sample> samples) {

        Sample first() {
            return samples.get(0);
        }

        Sample last() {
            return samples.get(samples.size() - 1);
        }

    }

    static Run run(Class<?> fixture, int tests) {
        SAMPLES.clear();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(fixture))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcherStarted = System.nanoTime();
        launcher.execute(request, listener);
        long totalNanos = System.nanoTime() - launcherStarted;
        TestExecutionSummary summary = listener.getSummary();
        summary.getFailures().stream().limit(5).forEach(failure ->
                System.out.println("FAILED " + fixture.getSimpleName() + " "
                        + failure.getTestIdentifier().getDisplayName() + ": " + failure.getException()));
        List<Sample> samples = new ArrayList<>();
        for (int point : SAMPLE_POINTS) {
            Sample sample = SAMPLES.get(Math.min(point, tests));
            if (sample != null && !samples.contains(sample)) {
                samples.add(sample);
            }
        }
        if (samples.size() < 2) {
            throw new IllegalStateException(fixture.getSimpleName() + ": only " + samples.size()
                    + " of the samples were recorded; " + summary.getTotalFailureCount() + " tests failed");
        }
        return new Run(summary.getTestsStartedCount(), summary.getTestsSucceededCount(),
                summary.getTotalFailureCount(), summary.getTestsAbortedCount(), totalNanos, List.copyOf(samples));
    }

    /**
     * What the port check found.
     *
     * @param checked distinct ports, of all the tests
     * @param released bound again, and no socket of this JVM holds them
     * @param heldByOthers not bindable, but no socket of this JVM holds them: another program's by now
     * @param problems ports that a socket of this JVM still holds (or, without /proc, not bindable)
     */
    record PortCheck(int checked, int released, int heldByOthers, List<String> problems) {}

    /**
     * Every test's port, each distinct port once: it must bind again, and (on Linux) no socket of
     * this JVM, in any state, may still have it as its local port. No connect is tried: another
     * program on the machine may listen on such a port by now, and a stray connection would disturb
     * it; its socket makes the bind fail, and /proc tells it apart from this JVM's.
     */
    static PortCheck checkPorts(int tests) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        java.util.Set<Integer> distinct = new java.util.TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (int test = 1; test <= tests; test++) {
            if (PORTS[test] == 0) {
                problems.add("test " + test + " recorded no port");
            } else {
                distinct.add(PORTS[test]);
            }
        }
        java.util.Optional<java.util.Set<Integer>> ours = portsOfThisProcess();
        int released = 0;
        int others = 0;
        for (int port : distinct) {
            String bindFailure = null;
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(loopback, port));
            } catch (IOException e) {
                bindFailure = e.getMessage();
            }
            if (ours.isPresent() && ours.get().contains(port)) {
                problems.add("port " + port + ": a socket of this JVM still holds it");
            } else if (bindFailure == null) {
                released++;
            } else if (ours.isPresent()) {
                others++;
            } else {
                problems.add("port " + port + " not bindable: " + bindFailure);
            }
        }
        return new PortCheck(distinct.size(), released, others, problems);
    }

    /** The local ports of this JVM's TCP sockets (/proc/self/fd, /proc/net/tcp{,6}); empty without /proc. */
    static java.util.Optional<java.util.Set<Integer>> portsOfThisProcess() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return java.util.Optional.empty();
        }
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (Stream<Path> entries = Files.list(fds)) {
            entries.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the listing's own handle, or a file closed since
                }
            });
            java.util.Set<Integer> ports = new java.util.HashSet<>();
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path path = Path.of(table);
                if (Files.isReadable(path)) {
                    List<String> lines = Files.readAllLines(path);
                    for (String line : lines.subList(1, lines.size())) {
                        String[] fields = line.trim().split("\\s+");
                        if (fields.length > 9 && inodes.contains(fields[9])) {
                            String local = fields[1];
                            ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
                        }
                    }
                }
            }
            return java.util.Optional.of(ports);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Results results, boolean quick, int tests, Run baseline, Run misbehave,
            PortCheck ports) {
        StringBuilder out = new StringBuilder();
        out.append(Samples.environment());
        out.append(String.format(Locale.ROOT, "- Heap limit: %d MiB (`-Xmx`); collectors: %s%n",
                Runtime.getRuntime().maxMemory() / (1024 * 1024),
                String.join(", ", ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(b -> b.getName()).toList())));
        if (quick) {
            out.append(String.format(Locale.ROOT, "- Quick mode: %,d tests (a smoke run, not the measurement)%n", tests));
        }
        out.append('\n');
        out.append("| run | after test | elapsed | µs per test since the previous row | heap after GC | live threads | open files |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|\n");
        rows(out, "empty tests (baseline)", baseline);
        rows(out, "Misbehave peer tests", misbehave);
        out.append('\n');
        for (Run run : List.of(baseline, misbehave)) {
            out.append(String.format(Locale.ROOT,
                    "- %s: %,d tests started, %,d succeeded, %,d failed, %,d aborted, in %.1f s (%.0f µs per test on average)%n",
                    run == baseline ? "Empty tests (baseline)" : "Misbehave peer tests",
                    run.started(), run.succeeded(), run.failed(), run.aborted(), run.totalNanos() / 1e9,
                    run.totalNanos() / 1e3 / Math.max(1, run.started())));
        }
        double junitGrowth = baseline.last().heapMib() - baseline.first().heapMib();
        double misbehaveGrowth = misbehave.last().heapMib() - misbehave.first().heapMib();
        out.append(String.format(Locale.ROOT,
                "- Heap growth from test %,d to test %,d: empty tests %+.1f MiB (%.0f B per test), Misbehave peer tests %+.1f MiB (%.0f B per test)%n",
                misbehave.first().test(), misbehave.last().test(), junitGrowth,
                junitGrowth * 1024 * 1024 / (misbehave.last().test() - misbehave.first().test()),
                misbehaveGrowth, misbehaveGrowth * 1024 * 1024 / (misbehave.last().test() - misbehave.first().test())));
        out.append(String.format(Locale.ROOT,
                "- Ports: all %,d tests' ports (%,d distinct) checked after the run: %,d bound again with no socket of this JVM on them, %d held by another program by then (not this JVM's, per /proc), %d still held by this JVM%n",
                tests, ports.checked(), ports.released(), ports.heldByOthers(), ports.problems().size()));
        ports.problems().stream().limit(10).forEach(p -> out.append("  - ").append(p).append('\n'));
        results.section(out.toString());
        System.out.print(out);

        Sample first = misbehave.first();
        Sample last = misbehave.last();
        String range = String.format(Locale.ROOT, "test %,d → %,d", first.test(), last.test());
        results.summary("scale: heap after GC, " + range,
                String.format(Locale.ROOT, "%.1f → %.1f MiB (%+.1f)", first.heapMib(), last.heapMib(), misbehaveGrowth),
                String.format(Locale.ROOT, "empty tests %.1f → %.1f MiB (%+.1f, JUnit's own records)",
                        baseline.first().heapMib(), baseline.last().heapMib(), junitGrowth),
                String.format(Locale.ROOT, "flat: growth ≤ empty tests' + %.0f MiB", HEAP_TOLERANCE_MIB),
                misbehaveGrowth <= junitGrowth + HEAP_TOLERANCE_MIB);
        results.summary("scale: live threads, " + range,
                first.threads() + " → " + last.threads(),
                "empty tests " + baseline.first().threads() + " → " + baseline.last().threads(),
                "flat (equal)", last.threads() <= first.threads());
        results.summary("scale: open files, " + range,
                first.fds() + " → " + last.fds(),
                "empty tests " + baseline.first().fds() + " → " + baseline.last().fds(),
                "flat (± " + FD_TOLERANCE + ")",
                first.fds() >= 0 && Math.abs(last.fds() - first.fds()) <= FD_TOLERANCE);
        long succeeded = misbehave.succeeded();
        boolean allPassed = misbehave.failed() == 0 && succeeded == tests;
        results.summary(String.format(Locale.ROOT, "scale: %,d peer tests in one JVM, total time", tests),
                String.format(Locale.ROOT, "%.1f s; %,d of %,d passed; %,d of %,d distinct ports released",
                        misbehave.totalNanos() / 1e9, succeeded, tests, ports.released() + ports.heldByOthers(),
                        ports.checked()),
                String.format(Locale.ROOT, "empty tests %.1f s", baseline.totalNanos() / 1e9),
                "≤ 2 min, all pass",
                allPassed && misbehave.totalNanos() <= TIME_TARGET.toNanos() && ports.problems().isEmpty());

        String panel = "scale: Misbehave tests, at test " + String.join(" / ",
                misbehave.samples().stream().map(s -> String.format(Locale.ROOT, "%,d", s.test())).toList());
        for (Sample s : misbehave.samples()) {
            results.bar(panel, String.format(Locale.ROOT, "heap MiB @%,d", s.test()), s.heapMib());
        }
        for (Sample s : misbehave.samples()) {
            results.bar(panel, String.format(Locale.ROOT, "threads @%,d", s.test()), s.threads());
        }
        for (Sample s : misbehave.samples()) {
            results.bar(panel, String.format(Locale.ROOT, "open files @%,d", s.test()), Math.max(0, s.fds()));
        }
    }

    private static void rows(StringBuilder out, String name, Run run) {
        Sample previous = null;
        for (Sample s : run.samples()) {
            String perTest = previous == null ? "—" : String.format(Locale.ROOT, "%.0f",
                    (s.elapsedNanos() - previous.elapsedNanos()) / 1e3 / (s.test() - previous.test()));
            out.append(String.format(Locale.ROOT, "| %s | %,d | %.2f s | %s | %.1f MiB | %d | %s |%n",
                    name, s.test(), s.elapsedNanos() / 1e9, perTest, s.heapMib(), s.threads(),
                    s.fds() < 0 ? "n/a" : String.valueOf(s.fds())));
            previous = s;
        }
    }
}
