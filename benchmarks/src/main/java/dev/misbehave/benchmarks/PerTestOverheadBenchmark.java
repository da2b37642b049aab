package dev.misbehave.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.misbehave.benchmarks.PerTestCases.Call;
import dev.misbehave.benchmarks.PerTestCases.Client;
import dev.misbehave.benchmarks.PerTestCases.Method;
import dev.misbehave.benchmarks.PerTestCases.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The flagship's whole-test cost at its defaults, beside the competitors': runs N tests of each
 * kind through the JUnit Platform launcher, as a build tool would (one launcher, a class selector, a
 * {@link SummaryGeneratingListener}), and times each whole launcher execution. A kind is a tool of
 * {@link PerTestCases} (Misbehave's {@code @ForceResetAfter(bytes = 10)} with no setting changed,
 * WireMock's {@code @WireMockTest} with a {@code CONNECTION_RESET_BY_PEER} stub, MockWebServer's
 * closed socket) and a call: one of six clients (the JDK {@code HttpClient} over HTTP/1.1 and in its
 * default version, {@code HttpURLConnection}, OkHttp, Apache HttpClient 5, a raw socket) making a
 * GET or a small POST. The empty test is the baseline.
 *
 * <p>After a warm-up execution of every kind, the kinds run in rounds (the order rotates each
 * round), and a kind's per-test overhead in a round is its time per test minus the empty test's in
 * the same round. Every test asserts what its call saw (Misbehave's and WireMock's: a reset;
 * MockWebServer's: no response), a failed test is counted, and every call's outcome is tallied, so
 * the page shows per client how many calls saw a reset.
 *
 * <p>{@code -Dmisbehave.bench.quick=true}: 5 tests per kind, 1 round (a smoke run). {@code
 * -Dmisbehave.bench.perTest.tests=N} and {@code -Dmisbehave.bench.perTest.rounds=R} set the counts
 * (default 100 and 8); rounds stop being added once the run has taken {@value #BUDGET_MINUTES}
 * minutes (at least one round runs).
 */
public final class PerTestOverheadBenchmark {

    private static final boolean QUICK = Boolean.getBoolean("misbehave.bench.quick");
    private static final int TESTS = Integer.getInteger("misbehave.bench.perTest.tests", QUICK ? 5 : 100);
    private static final int ROUNDS = Integer.getInteger("misbehave.bench.perTest.rounds", QUICK ? 1 : 8);
    /** The warm-up execution of each kind runs at most this many tests. */
    private static final int WARM_UP_TESTS = Math.min(TESTS, QUICK ? 3 : 20);
    private static final long BUDGET_MINUTES = 20;

    private PerTestOverheadBenchmark() {}

    /** The tools, as the page names them. */
    enum Tool {
        EMPTY("empty test (baseline)", PerTestCases.Empty.class),
        MISBEHAVE("Misbehave `@ForceResetAfter(bytes = 10)`", PerTestCases.Misbehave.class),
        WIREMOCK("WireMock `@WireMockTest`", PerTestCases.WireMock.class),
        MOCKWEBSERVER("MockWebServer (a FIN, not a reset)", PerTestCases.MockWebServerPerTest.class);

        final String label;
        final Class<?> testClass;

        Tool(String label, Class<?> testClass) {
            this.label = label;
            this.testClass = testClass;
        }
    }

    /** One kind of test: a tool and a call, and its results. */
    private static final class Kind {
        final Tool tool;
        final Call call;
        final List<Long> nanos = new ArrayList<>();
        final List<Double> overheadMillis = new ArrayList<>();
        final int[] outcomes = new int[Outcome.values().length];
        int executed;
        int failed;
        String firstFailure;

        Kind(Tool tool, Call call) {
            this.tool = tool;
            this.call = call;
        }

        String name() {
            return tool == Tool.EMPTY ? tool.label : tool.label + ", " + call;
        }

        /** Runs {@code tests} of the kind once through the launcher; returns the execution's time in nanoseconds. */
        long run(Launcher launcher, boolean counted, int tests) {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(tool.testClass))
                    .configurationParameter(PerTestCases.Repeat.COUNT, Integer.toString(tests))
                    .configurationParameter(PerTestCases.Repeat.CLIENT, call.client().name())
                    .configurationParameter(PerTestCases.Repeat.METHOD, call.method().name())
                    .build();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            Call.clear();
            long began = System.nanoTime();
            launcher.execute(request, listener);
            long took = System.nanoTime() - began;
            TestExecutionSummary summary = listener.getSummary();
            if (counted) {
                executed += (int) summary.getTestsStartedCount();
                failed += (int) summary.getTotalFailureCount();
                for (Outcome o : Outcome.values()) {
                    outcomes[o.ordinal()] += Call.count(o);
                }
            }
            if (summary.getTestsStartedCount() != tests) {
                System.out.printf(Locale.ROOT, "  %s: %d tests started, expected %d%n", name(),
                        summary.getTestsStartedCount(), tests);
                if (counted) {
                    failed += (int) Math.abs(tests - summary.getTestsStartedCount());
                }
            }
            if (!summary.getFailures().isEmpty() && firstFailure == null) {
                firstFailure = String.valueOf(summary.getFailures().get(0).getException());
                System.out.println("  " + name() + ": first failure: " + firstFailure);
            }
            return took;
        }

        double medianOverhead() {
            return Samples.median(overheadMillis.stream().mapToDouble(Double::doubleValue).toArray());
        }

        int calls() {
            return Arrays.stream(outcomes).sum();
        }
    }

    public static void main(String[] args) {
        Results results = Results.open("per-test", args);
        long began = System.nanoTime();
        List<Call> calls = new ArrayList<>();
        for (Client client : Client.values()) {
            for (Method method : Method.values()) {
                calls.add(new Call(client, method));
            }
        }
        List<Kind> kinds = new ArrayList<>();
        Kind empty = new Kind(Tool.EMPTY, new Call(Client.SOCKET, Method.GET));
        kinds.add(empty);
        for (Call call : calls) {
            for (Tool tool : List.of(Tool.MISBEHAVE, Tool.WIREMOCK, Tool.MOCKWEBSERVER)) {
                kinds.add(new Kind(tool, call));
            }
        }

        Launcher launcher = LauncherFactory.create();
        for (Kind kind : kinds) {
            long nanos = kind.run(launcher, false, WARM_UP_TESTS);
            System.out.printf(Locale.ROOT, "warm-up: %s, %d tests, %.2f s%n", kind.name(), WARM_UP_TESTS, nanos / 1e9);
        }
        int n = kinds.size();
        int rounds = 0;
        boolean cut = false;
        for (int round = 0; round < ROUNDS; round++) {
            if (round > 0 && System.nanoTime() - began > TimeUnit.MINUTES.toNanos(BUDGET_MINUTES)) {
                cut = true;
                System.out.printf(Locale.ROOT, "time budget of %d minutes reached after %d rounds%n", BUDGET_MINUTES, round);
                break;
            }
            long[] took = new long[n];
            for (int k = 0; k < n; k++) {
                int index = (round + k) % n;
                took[index] = kinds.get(index).run(launcher, true, TESTS);
            }
            for (int k = 0; k < n; k++) {
                Kind kind = kinds.get(k);
                kind.nanos.add(took[k]);
                kind.overheadMillis.add((took[k] - took[0]) / (double) TESTS / 1e6);
            }
            rounds++;
            System.out.printf(Locale.ROOT, "round %d of %d done (%.0f s)%n", rounds, ROUNDS, (System.nanoTime() - began) / 1e9);
        }
        report(results, kinds, calls, rounds, cut, (System.nanoTime() - began) / 1e9);
    }

    private static Kind kind(List<Kind> kinds, Tool tool, Call call) {
        return kinds.stream().filter(k -> k.tool == tool && k.call.equals(call)).findFirst().orElseThrow();
    }

    private static void report(Results results, List<Kind> kinds, List<Call> calls, int rounds, boolean cut,
            double seconds) {
        List<Tool> tools = List.of(Tool.MISBEHAVE, Tool.WIREMOCK, Tool.MOCKWEBSERVER);
        StringBuilder out = new StringBuilder();
        out.append(Samples.environment());
        out.append(String.format(Locale.ROOT,
                "- Method: one JUnit Platform launcher; per kind (a tool and a call), %,d tests in one launcher"
                        + " execution, timed whole; a warm-up execution of every kind (%d tests), then %d rounds%s,"
                        + " the kinds' order rotating each round; overhead = a kind's time per test minus the empty"
                        + " test's in the same round; whole run %.0f s%s%n",
                TESTS, WARM_UP_TESTS, rounds, cut ? " (the time budget of " + BUDGET_MINUTES + " minutes ended the run)" : "",
                seconds, QUICK ? " (quick mode: a smoke run, not a measurement)" : ""));
        out.append("- Calls: each client as an application holds it, one instance for the run, with bounded timeouts"
                + " and nothing else changed; a `GET /reset`, or a `POST /reset` of a 20-byte JSON body\n");
        out.append("- Command: `mvn -B -Pbench -pl benchmarks -am verify -DskipTests`\n\n");

        out.append("Per-test overhead over an empty test, ms: median over the rounds (smallest–largest round)\n\n");
        out.append("| client | request | Misbehave `@ForceResetAfter(bytes = 10)` | WireMock `@WireMockTest` |"
                + " MockWebServer | Misbehave ÷ WireMock | Misbehave ÷ MockWebServer |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|\n");
        boolean everyPairMet = true;
        for (Call call : calls) {
            Kind misbehave = kind(kinds, Tool.MISBEHAVE, call);
            Kind wireMock = kind(kinds, Tool.WIREMOCK, call);
            Kind mockWebServer = kind(kinds, Tool.MOCKWEBSERVER, call);
            double m = misbehave.medianOverhead();
            double w = wireMock.medianOverhead();
            double s = mockWebServer.medianOverhead();
            everyPairMet &= m <= w && m <= s;
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", call.client().label,
                    call.method(), "**" + spread(misbehave) + "**", spread(wireMock), spread(mockWebServer),
                    ratio(m, w), ratio(m, s)));
        }
        out.append(String.format(Locale.ROOT, "%nThe empty test took %s ms per test (median over the rounds).%n%n",
                millis(Samples.median(kind(kinds, Tool.EMPTY, kinds.get(0).call).nanos.stream()
                        .mapToDouble(v -> v / (double) TESTS / 1e6).toArray()))));

        out.append("Calls that saw a reset (\"Connection reset\" anywhere in what the client threw)\n\n");
        out.append("| client | request | Misbehave | WireMock `@WireMockTest` | MockWebServer |\n");
        out.append("|---|---|---:|---:|---:|\n");
        for (Call call : calls) {
            out.append(String.format(Locale.ROOT, "| %s | %s |", call.client().label, call.method()));
            for (Tool tool : tools) {
                out.append(' ').append(resets(kind(kinds, tool, call))).append(" |");
            }
            out.append('\n');
        }
        out.append('\n');
        int misbehaveCalls = 0;
        int misbehaveResets = 0;
        int misbehaveFailed = 0;
        StringBuilder seen = new StringBuilder();
        for (Kind kind : kinds) {
            if (kind.tool == Tool.EMPTY) {
                continue;
            }
            if (kind.tool == Tool.MISBEHAVE) {
                misbehaveCalls += kind.calls();
                misbehaveResets += kind.outcomes[Outcome.RESET.ordinal()];
                misbehaveFailed += kind.failed + (kind.executed - kind.calls());
            }
            int notReset = kind.calls() - kind.outcomes[Outcome.RESET.ordinal()];
            if (notReset > 0 || kind.failed > 0) {
                seen.append(String.format(Locale.ROOT, "- %s: %d of %,d tests failed; the calls saw reset %,d,"
                        + " end-of-stream %,d, a response %,d, a timeout %,d, something else %,d%s%n", kind.name(),
                        kind.failed, kind.executed, kind.outcomes[0], kind.outcomes[1], kind.outcomes[2], kind.outcomes[3],
                        kind.outcomes[4], kind.firstFailure == null ? ""
                                : "; first failure: `" + kind.firstFailure.replace('`', '\'').replace('\n', ' ') + "`"));
            }
        }
        out.append("Every test asserts what its call saw: a reset for Misbehave and WireMock; for MockWebServer,"
                + " which has no reset (its socket effects end with a FIN), that the call ended without a response. A"
                + " failed test is counted, never dropped.");
        out.append(seen.length() == 0 ? " Every test passed, and every call saw a reset where one was sent.\n"
                : " Where a call saw anything but a reset:\n\n" + seen);
        results.section(out.toString());
        System.out.println();
        System.out.print(out);

        double[] pooled = new double[tools.size()];
        double[] resetShare = new double[tools.size()];
        for (int t = 0; t < tools.size(); t++) {
            Tool tool = tools.get(t);
            double[] perRound = new double[rounds];
            int callCount = 0;
            int resets = 0;
            for (Call call : calls) {
                Kind kind = kind(kinds, tool, call);
                for (int r = 0; r < rounds; r++) {
                    perRound[r] += kind.overheadMillis.get(r) / calls.size();
                }
                callCount += kind.calls();
                resets += kind.outcomes[Outcome.RESET.ordinal()];
            }
            pooled[t] = Samples.median(perRound);
            resetShare[t] = callCount == 0 ? 0 : 100.0 * resets / callCount;
        }
        boolean allReset = misbehaveCalls > 0 && misbehaveResets == misbehaveCalls && misbehaveFailed == 0;
        results.summary(String.format(Locale.ROOT, "flagship reset at defaults, whole-test overhead over an empty test"
                        + " (the mean over %d clients × GET and POST, median of the rounds)", Client.values().length),
                String.format(Locale.ROOT, "%s ms; a reset in %s of calls", millis(pooled[0]), percent(resetShare[0])),
                String.format(Locale.ROOT, "WireMock @WireMockTest %s ms, a reset in %s of calls; MockWebServer %s ms"
                        + " (a FIN), a reset in %s", millis(pooled[1]), percent(resetShare[1]), millis(pooled[2]),
                        percent(resetShare[2])),
                "≤ WireMock and ≤ MockWebServer for every client and request; a reset in 100% of calls",
                everyPairMet && allReset);
        String panel = "flagship reset at defaults: per-test overhead, ms (mean of clients × requests)";
        results.bar(panel, "Misbehave", pooled[0]);
        results.bar(panel, "WireMock @WireMockTest", pooled[1]);
        results.bar(panel, "MockWebServer (a FIN)", pooled[2]);
        String share = "calls that saw a reset, % (every client, GET and POST)";
        results.bar(share, "Misbehave", resetShare[0]);
        results.bar(share, "WireMock @WireMockTest", resetShare[1]);
        results.bar(share, "MockWebServer (a FIN)", resetShare[2]);
    }

    private static String spread(Kind kind) {
        double[] sorted = kind.overheadMillis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return "";
        }
        return sorted.length == 1 ? millis(sorted[0]) : String.format(Locale.ROOT, "%s (%s–%s)",
                millis(Samples.median(sorted)), millis(sorted[0]), millis(sorted[sorted.length - 1]));
    }

    private static String resets(Kind kind) {
        int calls = kind.calls();
        int resets = kind.outcomes[Outcome.RESET.ordinal()];
        return String.format(Locale.ROOT, "%,d of %,d (%s)", resets, calls, percent(calls == 0 ? 0 : 100.0 * resets / calls));
    }

    private static String percent(double value) {
        // rounded down, so that only every call is 100%
        return value == 100 || value == 0 ? String.format(Locale.ROOT, "%.0f%%", value)
                : String.format(Locale.ROOT, "%.1f%%", Math.floor(value * 10) / 10);
    }

    private static String ratio(double misbehave, double other) {
        return other <= 0 ? "" : String.format(Locale.ROOT, "%.2f×", misbehave / other);
    }

    private static String millis(double value) {
        return String.format(Locale.ROOT, Math.abs(value) < 10 ? "%.3f" : "%.1f", value);
    }
}
