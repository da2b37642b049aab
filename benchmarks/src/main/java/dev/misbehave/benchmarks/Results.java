package dev.misbehave.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * One benchmark program's output, in the results directory that {@link PerformancePage} turns into
 * {@code docs/performance.md} and its chart:
 *
 * <ul>
 *   <li>{@code <id>.md}: the program's section of the page (tables and what was measured), written
 *       by {@link #section(String)};
 *   <li>{@code <id>.summary.tsv}: its rows of the page's summary table, one per target, added by
 *       {@link #summary};
 *   <li>{@code <id>.chart.tsv}: its bars of the chart, added by {@link #bar};
 *   <li>{@code <id>.seconds}: how long the program ran until it wrote its section.
 * </ul>
 *
 * <p>Opening a program's results deletes what an earlier run of the same program left, so a page is
 * never built from two runs of one program.
 */
final class Results {

    /** Where the programs write when no directory is given. */
    static final Path DEFAULT_DIRECTORY = Paths.get("target", "results");

    private final String id;
    private final Path directory;
    private final long startedNanos = System.nanoTime();

    private Results(String id, Path directory) {
        this.id = id;
        this.directory = directory;
    }

    /**
     * Opens the results of the program named {@code id}.
     *
     * @param id a file-name-safe name, for example {@code lifecycle}
     * @param args the program's arguments; the first, if any, is the results directory
     */
    static Results open(String id, String[] args) {
        if (!id.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("results id must be lower-case letters, digits and '-': " + id);
        }
        Path directory = args.length > 0 ? Paths.get(args[0]) : DEFAULT_DIRECTORY;
        Results results = new Results(id, directory);
        try {
            Files.createDirectories(directory);
            for (String suffix : new String[] {".md", ".summary.tsv", ".chart.tsv", ".seconds"}) {
                Files.deleteIfExists(directory.resolve(id + suffix));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return results;
    }

    /** The results directory. */
    Path directory() {
        return directory;
    }

    /**
     * Writes the program's section of the page: Markdown that starts below the section's heading
     * (the page's template gives the heading and the prose that does not depend on the figures). It
     * should state the run's environment, for example with {@link Samples#environment()}.
     */
    void section(String markdown) {
        write(id + ".md", markdown.endsWith("\n") ? markdown : markdown + "\n", false);
        long seconds = Math.round((System.nanoTime() - startedNanos) / 1e9);
        write(id + ".seconds", seconds + "\n", false);
    }

    /**
     * Adds a row to the page's summary table.
     *
     * @param measure what was measured, for example {@code "start + stop, warm JVM (median)"}
     * @param misbehave Misbehave's figure, with its unit and ratio, for example {@code "48 µs (4.0× floor)"}
     * @param others the baseline's and the competitors' figures, for example {@code "floor 12 µs; MockWebServer 218 µs"}
     * @param target the target, for example {@code "≤ 5× floor"}
     * @param met whether Misbehave met it
     */
    void summary(String measure, String misbehave, String others, String target, boolean met) {
        write(id + ".summary.tsv", String.join("\t", clean(measure), clean(misbehave), clean(others),
                clean(target), met ? "met" : "missed") + "\n", true);
    }

    /**
     * Adds a bar to the chart.
     *
     * @param panel the chart panel it belongs to, for example {@code "start + stop (µs, median)"};
     *     bars of one panel share its scale
     * @param label the bar's label, for example {@code "Misbehave"} or {@code "WireMock"}
     * @param value the bar's value, in the panel's unit
     */
    void bar(String panel, String label, double value) {
        write(id + ".chart.tsv", String.join("\t", clean(panel), clean(label),
                String.format(Locale.ROOT, "%.6g", value)) + "\n", true);
    }

    private static String clean(String text) {
        return text.replace('\t', ' ').replace('\n', ' ');
    }

    private void write(String file, String text, boolean append) {
        try {
            Files.writeString(directory.resolve(file), text, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
