package dev.misbehave.benchmarks;

import dev.misbehave.internal.ResetCheckProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The reset self-check's cost: what Misbehave's once-per-JVM check (see {@code
 * docs/troubleshooting-connection-resets.md#misbehaves-reset-self-check}) adds to a JVM's first
 * peer. Every sample is a fresh JVM, started with this program's {@code java} and class path,
 * running {@link ResetCheckProbe} in one of its four modes: the check first thing in the JVM; the
 * check after one plain loopback connection (its own cost, once the JDK's socket classes are
 * loaded, as a test's client and the peer's listener load them anyway); the whole first peer with
 * the check; and the same with the check simulated as passed.
 *
 * <p>After one discarded warm-up round (the operating system's file cache then holds every jar), the
 * modes run round by round, each round in a rotated order. A probe that fails, sees no reset or
 * takes longer than {@value #PROCESS_TIMEOUT_SECONDS} s is counted as failed, and the table shows
 * the count and the first failure's output.
 *
 * <p>Run with {@code mvn -B -Pbench -pl benchmarks -am verify -DskipTests} (id {@code reset-check});
 * {@code -Dmisbehave.bench.quick=true} runs 1 round; {@code -Dmisbehave.bench.resetCheck.rounds=N}
 * sets the number of rounds (default 9).
 */
public final class ResetCheckBenchmark {

    private static final String ID = "reset-check";
    private static final int PROCESS_TIMEOUT_SECONDS = 60;
    private static final List<String> MODES = List.of(ResetCheckProbe.FRESH, ResetCheckProbe.SOCKETS_LOADED,
            ResetCheckProbe.FIRST_PEER, ResetCheckProbe.FIRST_PEER_UNCHECKED);

    private ResetCheckBenchmark() {}

    /** One probe's figures: the first (timed) span in ms, the second require() in µs (NaN if none). */
    private record Sample(double firstMillis, double secondMicros) {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Results results = Results.open(ID, args);
        boolean quick = Boolean.getBoolean("misbehave.bench.quick");
        int rounds = Integer.getInteger("misbehave.bench.resetCheck.rounds", quick ? 1 : 9);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");

        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        Map<String, List<String>> failures = new LinkedHashMap<>();
        MODES.forEach(mode -> {
            samples.put(mode, new ArrayList<>());
            failures.put(mode, new ArrayList<>());
        });
        long started = System.nanoTime();
        for (String mode : MODES) {
            probe(java, classPath, mode, new ArrayList<>()); // warm-up: discarded
        }
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < MODES.size(); i++) {
                String mode = MODES.get((i + round) % MODES.size());
                Sample sample = probe(java, classPath, mode, failures.get(mode));
                if (sample != null) {
                    samples.get(mode).add(sample);
                }
            }
            System.out.printf(Locale.ROOT, "round %d of %d done (%.1f s)%n", round + 1, rounds,
                    (System.nanoTime() - started) / 1e9);
        }
        report(results, samples, failures, rounds, (System.nanoTime() - started) / 1e9, quick);
    }

    /** Runs one fresh JVM; returns its figures, or null after adding why it failed to {@code failures}. */
    private static Sample probe(String java, String classPath, String mode, List<String> failures)
            throws IOException, InterruptedException {
        Process child = new ProcessBuilder(java, "-cp", classPath, ResetCheckProbe.class.getName(), mode)
                .redirectErrorStream(true).start();
        boolean exited = child.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (String line : output.split("\n")) {
            if (exited && child.exitValue() == 0 && line.startsWith(ResetCheckProbe.RESULT + mode + " ")) {
                String[] figures = line.substring(ResetCheckProbe.RESULT.length() + mode.length() + 1).trim().split(" ");
                return new Sample(Double.parseDouble(figures[0]), Double.parseDouble(figures[1]));
            }
        }
        String why = exited ? "exit " + child.exitValue() + ": " + output.strip()
                : "no exit within " + PROCESS_TIMEOUT_SECONDS + " s";
        System.out.println("  " + mode + " failed: " + why);
        failures.add(why);
        return null;
    }

    private static void report(Results results, Map<String, List<Sample>> samples, Map<String, List<String>> failures,
            int rounds, double seconds, boolean quick) {
        StringBuilder out = new StringBuilder();
        out.append(Samples.environment());
        out.append(String.format(Locale.ROOT, "- Method: one fresh JVM per sample; a discarded warm-up round of the four"
                + " modes, then rounds of them (%d), the order rotating each round; whole run %.0f s%s%n", rounds, seconds,
                quick ? " (quick mode: a smoke run, not a measurement)" : ""));
        out.append("- Command: `mvn -B -Pbench -pl benchmarks -am verify -DskipTests`\n\n");
        out.append("| what is timed, in a fresh JVM | JVMs | ms: median | min | max | a later check, µs (median) | failed |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|\n");
        Map<String, String> labels = Map.of(
                ResetCheckProbe.FRESH, "the check, first thing in the JVM",
                ResetCheckProbe.SOCKETS_LOADED, "the check, after one plain loopback connection (its own cost)",
                ResetCheckProbe.FIRST_PEER, "the first peer: start, a client's connect and reset, close; with the check",
                ResetCheckProbe.FIRST_PEER_UNCHECKED, "the same first peer, the check simulated as passed");
        for (String mode : MODES) {
            double[] first = samples.get(mode).stream().mapToDouble(Sample::firstMillis).sorted().toArray();
            double[] second = samples.get(mode).stream().mapToDouble(Sample::secondMicros)
                    .filter(v -> !Double.isNaN(v)).toArray();
            out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %d |%n", labels.get(mode), first.length,
                    first.length == 0 ? "" : String.format(Locale.ROOT, "%.1f", Samples.median(first)),
                    first.length == 0 ? "" : String.format(Locale.ROOT, "%.1f", first[0]),
                    first.length == 0 ? "" : String.format(Locale.ROOT, "%.1f", first[first.length - 1]),
                    second.length == 0 ? "" : String.format(Locale.ROOT, "%.1f", Samples.median(second)),
                    failures.get(mode).size()));
        }
        out.append('\n');
        double checked = median(samples.get(ResetCheckProbe.FIRST_PEER));
        double unchecked = median(samples.get(ResetCheckProbe.FIRST_PEER_UNCHECKED));
        out.append(String.format(Locale.ROOT, "The check's share of a fresh JVM's first peer: %.1f ms with it, %.1f ms"
                + " without, a difference of %.1f ms (medians).%n", checked, unchecked, checked - unchecked));
        failures.forEach((mode, whys) -> whys.stream().findFirst().ifPresent(why -> out.append("- ").append(mode)
                .append(", first failure: `").append(why.replace('`', '\'').replace('\n', ' ')).append("`\n")));
        results.section(out.toString());
        System.out.println();
        System.out.print(out);
    }

    private static double median(List<Sample> samples) {
        return samples.isEmpty() ? Double.NaN
                : Samples.median(samples.stream().mapToDouble(Sample::firstMillis).toArray());
    }
}
