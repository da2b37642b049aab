package dev.misbehave.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.misbehave.benchmarks.PerTestCases.Client;
import dev.misbehave.benchmarks.PerTestCases.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Whole-test overhead through the JUnit engine: runs N tests of each kind in {@link PerTestCases}
 * through the JUnit Platform launcher, as a build tool would (one launcher, a class selector, a
 * {@link SummaryGeneratingListener}), and times each whole launcher execution. Every test of a kind
 * but the baseline gets its own peer or server (WireMock's {@code @WireMockTest}: a stub per test
 * on the class's server) and makes one raw-socket HTTP round trip that ends in a reset.
 *
 * <p>After a warm-up execution of every kind, the kinds run in alternating rounds (the order
 * rotates each round), and each round's per-test overhead of a kind is its execution time minus the
 * empty baseline's in the same round, divided by N. Every test asserts what its client saw; a
 * failed test is counted and reported, and so is every client outcome.
 */
public final class PerTestOverheadBenchmark {

    private static final boolean QUICK = Boolean.getBoolean("misbehave.bench.quick");
    private static final int TESTS = QUICK ? 100 : 1_000;
    private static final int ROUNDS = QUICK ? 2 : 5;
    /** With the default 50 ms quiet period, a kind of its own with few tests. */
    private static final int QUIET_TESTS = QUICK ? 3 : 20;
    private static final double TARGET_MILLIS = 0.25;
    /** The warm-up execution of each kind runs at most this many tests. */
    private static final int WARM_UP_TESTS = QUICK ? 50 : 300;

    private PerTestOverheadBenchmark() {}

    /** One kind of test: a class of {@link PerTestCases}, how many tests, and its results. */
    private static final class Kind {
        final String name;
        final String label;
        final Class<?> testClass;
        final int tests;
        final String quietPeriodMillis;
        final long[] nanos = new long[ROUNDS];
        final double[] overheadMillis = new double[ROUNDS];
        final int[] outcomes = new int[Outcome.values().length];
        int executed;
        int failed;
        String firstFailure;

        Kind(String name, String label, Class<?> testClass, int tests, String quietPeriodMillis) {
            this.name = name;
            this.label = label;
            this.testClass = testClass;
            this.tests = tests;
            this.quietPeriodMillis = quietPeriodMillis;
        }

        /** Runs the kind's tests once through the launcher; returns the execution's time in nanoseconds. */
        long run(Launcher launcher, boolean counted) {
            return run(launcher, counted, tests);
        }

        long run(Launcher launcher, boolean counted, int tests) {
            LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(testClass))
                    .configurationParameter(PerTestCases.Repeat.COUNT, Integer.toString(tests));
            if (quietPeriodMillis != null) {
                request.configurationParameter("misbehave.quietPeriodMillis", quietPeriodMillis);
            }
            LauncherDiscoveryRequest built = request.build();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            Client.clear();
            long began = System.nanoTime();
            launcher.execute(built, listener);
            long took = System.nanoTime() - began;
            TestExecutionSummary summary = listener.getSummary();
            if (counted) {
                executed += (int) summary.getTestsStartedCount();
                failed += (int) summary.getTotalFailureCount();
                for (Outcome o : Outcome.values()) {
                    outcomes[o.ordinal()] += Client.count(o);
                }
            }
            if (summary.getTestsStartedCount() != tests) {
                System.out.printf(Locale.ROOT, "  %s: %d tests started, expected %d%n", name,
                        summary.getTestsStartedCount(), tests);
                if (counted) {
                    failed += (int) Math.abs(tests - summary.getTestsStartedCount());
                }
            }
            if (!summary.getFailures().isEmpty() && firstFailure == null) {
                firstFailure = String.valueOf(summary.getFailures().get(0).getException());
                System.out.println("  " + name + ": first failure: " + firstFailure);
            }
            return took;
        }
    }

    public static void main(String[] args) {
        Results results = Results.open("per-test", args);
        long began = System.nanoTime();
        List<Kind> kinds = new ArrayList<>();
        kinds.add(new Kind("empty", "(a) empty test (baseline)", PerTestCases.Empty.class, TESTS, null));
        kinds.add(new Kind("Misbehave, reset on accept",
                "(b) Misbehave `@ForceResetAfter(bytes = 0)`: reset on accept", PerTestCases.MisbehaveResetOnAccept.class,
                TESTS, null));
        kinds.add(new Kind("Misbehave, reset after the request (quiet period 1 ms)",
                "(b') Misbehave `@ForceResetAfter(pattern = \"\\r\\n\\r\\n\")`: reads the request, then resets;"
                        + " `misbehave.quietPeriodMillis=1`",
                PerTestCases.MisbehaveResetAfterRequest.class, TESTS, "1"));
        kinds.add(new Kind("Misbehave, reset after the request (default quiet period)",
                "(b'') the same with the default 50 ms quiet period", PerTestCases.MisbehaveResetAfterRequest.class,
                QUIET_TESTS, null));
        kinds.add(new Kind("WireMock @WireMockTest", "(c) WireMock `@WireMockTest`, a `CONNECTION_RESET_BY_PEER` stub per test",
                PerTestCases.WireMockDeclarative.class, TESTS, null));
        kinds.add(new Kind("WireMock, fresh server per test", "(d) WireMock, a fresh `WireMockServer` per test",
                PerTestCases.WireMockServerPerTest.class, TESTS, null));
        kinds.add(new Kind("MockWebServer", "(e) MockWebServer per test (`@StartStop`), `CloseSocket` at request start",
                PerTestCases.MockWebServerPerTest.class, TESTS, null));

        Launcher launcher = LauncherFactory.create();
        for (Kind kind : kinds) {
            int count = Math.min(kind.tests, WARM_UP_TESTS);
            long nanos = kind.run(launcher, false, count);
            System.out.printf(Locale.ROOT, "warm-up: %s, %d tests, %.2f s%n", kind.name, count, nanos / 1e9);
        }
        Kind empty = kinds.get(0);
        int n = kinds.size();
        for (int round = 0; round < ROUNDS; round++) {
            for (int k = 0; k < n; k++) {
                Kind kind = kinds.get((round + k) % n);
                kind.nanos[round] = kind.run(launcher, true);
            }
            for (Kind kind : kinds) {
                kind.overheadMillis[round] = (kind.nanos[round] / (double) kind.tests
                        - empty.nanos[round] / (double) empty.tests) / 1e6;
            }
            System.out.printf(Locale.ROOT, "round %d of %d done%n", round + 1, ROUNDS);
        }
        report(results, kinds, (System.nanoTime() - began) / 1e9);
    }

    private static void report(Results results, List<Kind> kinds, double seconds) {
        StringBuilder out = new StringBuilder();
        out.append(Samples.environment());
        out.append(String.format(Locale.ROOT,
                "- Method: one JUnit Platform launcher; per kind, %,d tests (the default quiet period: %d) in one"
                        + " launcher execution, timed whole; a warm-up execution of every kind (up to %d tests), then %d rounds,"
                        + " the kinds' order rotating each round; overhead = a kind's time per test minus the empty"
                        + " test's in the same round; whole run %.0f s%s%n",
                TESTS, QUIET_TESTS, WARM_UP_TESTS, ROUNDS, seconds, QUICK ? " (quick mode: a smoke run, not a measurement)" : ""));
        out.append("- Client: a raw `java.net.Socket` sends `GET /reset HTTP/1.1` and reads until the connection ends\n");
        out.append("- Command: `mvn -B -Pbench -pl benchmarks -am verify -DskipTests`\n\n");
        out.append("| kind | tests per run | per test, ms (median) | overhead over the empty test, ms: median | min | max |"
                + " failed tests | client saw reset / end-of-stream / other |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Kind kind : kinds) {
            double[] perTest = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                perTest[r] = kind.nanos[r] / (double) kind.tests / 1e6;
            }
            double[] overhead = kind.overheadMillis.clone();
            Arrays.sort(overhead);
            boolean baseline = kind == kinds.get(0);
            int other = kind.outcomes[Outcome.RESPONSE.ordinal()] + kind.outcomes[Outcome.TIMEOUT.ordinal()]
                    + kind.outcomes[Outcome.OTHER.ordinal()];
            out.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %d of %,d | %s |%n",
                    kind.label, kind.tests, millis(Samples.median(perTest)),
                    baseline ? "" : "**" + millis(Samples.median(overhead)) + "**",
                    baseline ? "" : millis(overhead[0]), baseline ? "" : millis(overhead[ROUNDS - 1]),
                    kind.failed, kind.executed,
                    baseline ? "" : String.format(Locale.ROOT, "%,d / %,d / %,d",
                            kind.outcomes[Outcome.RESET.ordinal()], kind.outcomes[Outcome.END_OF_STREAM.ordinal()], other)));
        }
        out.append('\n');
        out.append("Every test asserts what its client saw: a reset (MockWebServer: the connection ended without a"
                + " response, since its socket effects end with a FIN). A failed test is counted, never dropped.\n");
        for (Kind kind : kinds) {
            if (kind.firstFailure != null) {
                out.append("- ").append(kind.name).append(", first failure: `").append(kind.firstFailure.replace('`', '\''))
                        .append("`\n");
            }
        }
        results.section(out.toString());
        System.out.println();
        System.out.print(out);

        double accept = median(kinds.get(1));
        double afterRequest = median(kinds.get(2));
        double quiet = median(kinds.get(3));
        results.summary("whole-test overhead over an empty test, one peer + one round trip ending in a reset (median)",
                String.format(Locale.ROOT, "%s ms (reset on accept); %s ms (reset after the request, quiet period 1 ms);"
                        + " %s ms (default 50 ms quiet period)", millis(accept), millis(afterRequest), millis(quiet)),
                String.format(Locale.ROOT, "WireMock @WireMockTest %s ms; WireMock fresh server %s ms; MockWebServer %s ms"
                        + " (a FIN, no reset); empty test %s ms",
                        millis(median(kinds.get(4))), millis(median(kinds.get(5))), millis(median(kinds.get(6))),
                        millis(Samples.median(perTestOf(kinds.get(0))))),
                "≤ 0.25 ms", accept <= TARGET_MILLIS && kinds.get(1).failed == 0);
        String panel = "per-test overhead over an empty test, ms (median)";
        results.bar(panel, "Misbehave, reset on accept", accept);
        results.bar(panel, "Misbehave, after the request (1 ms quiet)", afterRequest);
        results.bar(panel, "WireMock @WireMockTest", median(kinds.get(4)));
        results.bar(panel, "WireMock, server per test", median(kinds.get(5)));
        results.bar(panel, "MockWebServer", median(kinds.get(6)));
    }

    private static double median(Kind kind) {
        return Samples.median(kind.overheadMillis);
    }

    private static double[] perTestOf(Kind kind) {
        double[] perTest = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            perTest[r] = kind.nanos[r] / (double) kind.tests / 1e6;
        }
        return perTest;
    }

    private static String millis(double value) {
        return String.format(Locale.ROOT, Math.abs(value) < 10 ? "%.3f" : "%.1f", value);
    }
}
