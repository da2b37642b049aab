package dev.misbehave.benchmarks;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;

/** What the benchmark programs share: medians, a summary of timed samples, the run's environment. */
final class Samples {

    private Samples() {}

    static double median(long[] samples) {
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    /** Median, p90, min and max of timed samples, in nanoseconds divided by a unit. */
    static final class Stats {
        final double median;
        final double p90;
        final double min;
        final double max;
        final int count;

        /**
         * @param nanos the samples
         * @param unit what to divide nanoseconds by: 1 for ns, 1,000 for µs
         */
        Stats(long[] nanos, double unit) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            this.count = sorted.length;
            this.median = median(sorted) / unit;
            this.p90 = sorted[(int) Math.ceil(0.9 * count) - 1] / unit;
            this.min = sorted[0] / unit;
            this.max = sorted[count - 1] / unit;
        }
    }

    /** The date, JVM, OS and core count, as the report's first list items. */
    static String environment() {
        return String.format(Locale.ROOT, "- Date: %s%n", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                + String.format(Locale.ROOT, "- JVM: %s %s (%s)%n", System.getProperty("java.vm.name"),
                        System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"))
                + String.format(Locale.ROOT, "- OS: %s %s %s%n", System.getProperty("os.name"),
                        System.getProperty("os.version"), System.getProperty("os.arch"))
                + String.format(Locale.ROOT, "- Cores: %d%n", Runtime.getRuntime().availableProcessors())
                + loadAverage();
    }

    /** The machine's load average when the figures were taken, from /proc/loadavg where there is one. */
    private static String loadAverage() {
        try {
            String[] fields = java.nio.file.Files.readString(java.nio.file.Paths.get("/proc/loadavg")).split(" ");
            return String.format(Locale.ROOT, "- Load average (1, 5, 15 min) at the end: %s, %s, %s%n",
                    fields[0], fields[1], fields[2]);
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }

    /** Closes with SO_LINGER 0, so a run leaves no TIME_WAIT entries behind. */
    static void closeAbruptly(java.net.Socket socket) {
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
        } catch (java.io.IOException ignored) {
            // already reset; close() below still releases it
        }
        try {
            socket.close();
        } catch (java.io.IOException ignored) {
            // nothing more to release
        }
    }

    /** Starts {@code body} on a new daemon thread named {@code name}. */
    static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Closes a benchmark server's listener, then waits (at most 5 s) for its thread to end. */
    static void stop(java.io.Closeable listener, Thread thread) throws java.io.IOException {
        listener.close();
        join(thread);
    }

    /** Waits at most 5 s for {@code thread} to end. */
    static void join(Thread thread) {
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
