package dev.misbehave.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmark command's one launcher: runs every benchmark program in a fresh JVM of its own, one
 * after the other, in the order of {@link #PROGRAMS}, then {@link PerformancePage}. Each child JVM is
 * this JVM's {@code java} with this JVM's class path, the program's own JVM options, every {@code
 * misbehave.bench.*} system property this JVM was given (so {@code -Dmisbehave.bench.quick=true}
 * reaches every program) and the results directory as its first argument.
 *
 * <p>The order matters: fault-cost runs before scale and fidelity, since their tens of thousands of
 * connections linger in TIME_WAIT for a minute, and every read of {@code /proc/net/tcp6}, which the
 * delivery check makes, walks them.
 *
 * <p>A program is skipped when the system property {@code bench.skip.<id>} is {@code true}; its
 * earlier results, if any, are then what the page uses. The Maven profile {@code bench} passes one
 * such property per program (default {@code false}), so that {@code -Dbench.skip.<id>=true} on the
 * Maven command line reaches this launcher; a program without its property fails the run, naming
 * the line to add to {@code benchmarks/pom.xml}. A program that fails (a non-zero exit) stops the
 * run, as a failed {@code exec} execution stops a Maven build.
 *
 * <p>Arguments: the results directory, the page template, the docs directory.
 */
public final class BenchmarkRun {

    /** One program: its results id, its main class, its JVM options, and whether it writes the page. */
    record Program(String id, Class<?> main, List<String> jvmOptions, boolean page) {
        static Program of(String id, Class<?> main, String... jvmOptions) {
            return new Program(id, main, List.of(jvmOptions), false);
        }
    }

    /** Every program, in the order they run. */
    static final List<Program> PROGRAMS = List.of(
            Program.of("lifecycle", LifecycleBenchmark.class),
            Program.of("per-test", PerTestOverheadBenchmark.class),
            Program.of("cold-start", ColdStartBenchmark.class),
            Program.of("reset-check", ResetCheckBenchmark.class),
            Program.of("proxy", ProxyTransferBenchmark.class, "-Xmx512m"),
            Program.of("fault-cost", FaultCostBenchmark.class),
            Program.of("scale", ScaleBenchmark.class, "-Xmx512m"),
            Program.of("fidelity", FidelityBenchmark.class),
            Program.of("tls", TlsCostBenchmark.class),
            Program.of("client", ClientCostBenchmark.class),
            new Program("page", PerformancePage.class, List.of("-Djava.awt.headless=true"), true));

    private BenchmarkRun() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: BenchmarkRun <results directory> <template> <docs directory>");
        }
        List<Program> toRun = new ArrayList<>();
        for (Program program : PROGRAMS) {
            String skip = System.getProperty("bench.skip." + program.id());
            if (skip == null) {
                throw new IllegalStateException("No -Dbench.skip." + program.id() + " for the program '" + program.id()
                        + "': add <argument>-Dbench.skip." + program.id() + "=${bench.skip." + program.id()
                        + "}</argument> to the launcher's arguments, and <bench.skip." + program.id()
                        + ">false</bench.skip." + program.id() + "> to the bench profile's properties, in benchmarks/pom.xml");
            }
            if (Boolean.parseBoolean(skip)) {
                System.out.printf(Locale.ROOT, "[bench] %s: skipped (-Dbench.skip.%s=true)%n", program.id(), program.id());
            } else {
                toRun.add(program);
            }
        }
        for (Program program : toRun) {
            List<String> command = command(program, args);
            System.out.printf(Locale.ROOT, "[bench] %s: %s%n", program.id(), program.main().getSimpleName());
            long began = System.nanoTime();
            int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
            System.out.printf(Locale.ROOT, "[bench] %s: exit %d after %.0f s%n", program.id(), exit,
                    (System.nanoTime() - began) / 1e9);
            if (exit != 0) {
                System.err.printf(Locale.ROOT, "[bench] %s failed (exit %d); the run stops here. Run it again alone"
                        + " by skipping the programs before it with -Dbench.skip.<id>=true.%n", program.id(), exit);
                System.exit(exit);
            }
        }
    }

    /** The child JVM's command line for {@code program}. */
    static List<String> command(Program program, String[] args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(program.jvmOptions());
        Map<String, String> forwarded = new TreeMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("misbehave.bench.")) {
                forwarded.put(name, System.getProperty(name));
            }
        }
        forwarded.forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.add("-classpath");
        command.add(System.getProperty("java.class.path"));
        command.add(program.main().getName());
        command.add(args[0]);
        if (program.page()) {
            command.add(args[1]);
            command.add(args[2]);
        }
        return command;
    }
}
