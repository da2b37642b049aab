package dev.misbehave.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Writes {@code docs/performance.md} and its chart {@code docs/images/performance.png} from the page
 * template and what the benchmark programs left in the results directory ({@link Results}). It runs
 * last in {@code mvn -B -Pbench -pl benchmarks -am verify -DskipTests}.
 *
 * <p>The template is Markdown with these placeholders, each alone on its line:
 *
 * <ul>
 *   <li>{@code {{environment}}}: the date, JVM, OS and core count of this run;
 *   <li>{@code {{duration}}} (anywhere in a line): the sum of the programs' run times;
 *   <li>{@code {{summary}}}: one table of every program's summary rows, in the order of the
 *       sections;
 *   <li>{@code {{chart}}}: the chart image;
 *   <li>{@code {{section:ID}}}: the prose in {@code ID.md} beside the template, then program
 *       {@code ID}'s generated fragment.
 * </ul>
 *
 * <p>A section whose program left no fragment fails the page, naming the program, so a page never
 * silently lacks a measurement.
 *
 * <p>The page is a generated region of the docs ({@code <!-- generated: performance; command: ...
 * -->}): the command also copies the results it was built from, with the environment and duration
 * of the run, to {@code docs/data/performance/}, and {@code PerformancePageTests} re-renders the page
 * from them and the template in every build, for the docs module to compare with the page. So the
 * page cannot be edited by hand, and a change to the template's prose reaches the page with {@code
 * -Ddocs.update=true}, without a new run; new figures need the command.
 *
 * <p>Arguments: the results directory, the template, the docs directory.
 */
public final class PerformancePage {

    private static final Pattern SECTION = Pattern.compile("\\{\\{section:([a-z0-9-]+)}}");
    static final String CHART_FILE = "images/performance.png";
    /** The ID of the page's generated region in the docs. */
    static final String REGION = "performance";
    /** The command that measures everything and writes the page. */
    static final String COMMAND = "mvn -B -Pbench -pl benchmarks -am verify -DskipTests";
    /** Where, under the docs directory, the results of the page's run are kept. */
    static final String DATA = "data/performance";
    /** The run's environment and duration, written into the results when the page is built. */
    static final String ENVIRONMENT = "environment.md";
    static final String DURATION = "duration.txt";
    private static final List<String> SUFFIXES = List.of(".md", ".summary.tsv", ".chart.tsv", ".seconds");

    private PerformancePage() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException(
                    "usage: PerformancePage <results directory> <template> <docs directory>");
        }
        Path results = Paths.get(args[0]);
        Path template = Paths.get(args[1]);
        Path docs = Paths.get(args[2]);
        List<String> ids = sections(template);
        requireResults(results, ids);
        Files.writeString(results.resolve(ENVIRONMENT), Samples.environment(), StandardCharsets.UTF_8);
        Files.writeString(results.resolve(DURATION), duration(results, ids) + "\n", StandardCharsets.UTF_8);
        Path data = docs.resolve(DATA);
        publish(results, ids, data);
        Page page = build(data, template);
        Path chart = docs.resolve(CHART_FILE);
        Files.createDirectories(chart.getParent());
        ImageIO.write(drawChart(page.bars), "png", chart.toFile());
        Files.writeString(docs.resolve("performance.md"), region(page.markdown), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println("Summary");
        System.out.println(page.summary);
        System.out.println("Wrote " + docs.resolve("performance.md") + ", " + chart + " and the results in " + data);
    }

    /** The page as the docs hold it: the generated region, naming the command. */
    static String region(String markdown) {
        return "<!-- generated: " + REGION + "; command: " + COMMAND + " -->\n\n" + markdown + "\n<!-- /generated -->\n";
    }

    /** Replaces the results in {@code data} with the ones of the page's sections in {@code results}. */
    private static void publish(Path results, List<String> ids, Path data) throws IOException {
        Files.createDirectories(data);
        try (var old = Files.list(data)) {
            for (Path file : (Iterable<Path>) old::iterator) {
                Files.delete(file);
            }
        }
        List<String> files = new ArrayList<>(List.of(ENVIRONMENT, DURATION));
        ids.forEach(id -> SUFFIXES.forEach(suffix -> files.add(id + suffix)));
        for (String file : files) {
            if (Files.isRegularFile(results.resolve(file))) {
                Files.copy(results.resolve(file), data.resolve(file));
            }
        }
    }

    private static List<String> sections(Path template) throws IOException {
        List<String> ids = new ArrayList<>();
        Matcher m = SECTION.matcher(Files.readString(template, StandardCharsets.UTF_8));
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    private static void requireResults(Path results, List<String> ids) {
        for (String id : ids) {
            if (!Files.isRegularFile(results.resolve(id + ".md"))) {
                throw new IllegalStateException("No results of the '" + id + "' program in " + results
                        + ": run the whole command, " + COMMAND + ","
                        + " or at least that program (without -Dbench.skip." + id + "=true)");
            }
        }
    }

    /** The programs' run time, as the page says it. */
    private static String duration(Path results, List<String> ids) throws IOException {
        long seconds = 0;
        for (String id : ids) {
            Path file = results.resolve(id + ".seconds");
            if (Files.isRegularFile(file)) {
                seconds += Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).strip());
            }
        }
        return seconds < 120 ? seconds + " s" : Math.round(seconds / 60.0) + " minutes";
    }

    /** The page's Markdown, its summary table and the chart's bars, by panel in page order. */
    record Page(String markdown, String summary, Map<String, List<Bar>> bars) {}

    /** One bar of the chart. */
    record Bar(String label, double value) {}

    /**
     * The page from {@code template} and the results in {@code results} (a run's results directory,
     * or the copy beside the docs), which hold each section's results and the run's environment and
     * duration.
     */
    static Page build(Path results, Path template) throws IOException {
        String text = Files.readString(template, StandardCharsets.UTF_8);
        List<String> ids = sections(template);
        requireResults(results, ids);
        for (String file : List.of(ENVIRONMENT, DURATION)) {
            if (!Files.isRegularFile(results.resolve(file))) {
                throw new IllegalStateException("No " + file + " in " + results + ": the page is built by " + COMMAND);
            }
        }
        String summary = summary(results, ids);
        Map<String, List<Bar>> bars = bars(results, ids);
        text = text.replace("{{duration}}", Files.readString(results.resolve(DURATION), StandardCharsets.UTF_8).strip());
        StringBuilder out = new StringBuilder();
        out.append("<!-- Written by ").append(COMMAND).append(" from benchmarks/src/main/page/performance.md\n")
                .append("     and the run's results, kept in docs/" + DATA + "/: edit the template, never this page. -->\n");
        for (String line : text.split("\n", -1)) {
            String trimmed = line.trim();
            Matcher section = SECTION.matcher(trimmed);
            if (trimmed.equals("{{environment}}")) {
                out.append(Files.readString(results.resolve(ENVIRONMENT), StandardCharsets.UTF_8).strip()).append('\n');
            } else if (trimmed.equals("{{summary}}")) {
                out.append(summary);
            } else if (trimmed.equals("{{chart}}")) {
                out.append("![Misbehave, the baselines and the competitors, figure by figure](" + CHART_FILE + ")\n");
            } else if (section.matches()) {
                String id = section.group(1);
                Path prose = template.resolveSibling(id + ".md");
                if (Files.isRegularFile(prose)) {
                    out.append(Files.readString(prose, StandardCharsets.UTF_8).strip()).append("\n\n");
                }
                out.append(Files.readString(results.resolve(id + ".md"), StandardCharsets.UTF_8).strip()).append('\n');
            } else {
                out.append(line).append('\n');
            }
        }
        String markdown = out.toString().replaceAll("\n{3,}", "\n\n").strip() + "\n";
        return new Page(markdown, summary, bars);
    }

    private static String summary(Path results, List<String> ids) throws IOException {
        StringBuilder table = new StringBuilder(
                "| measure | Misbehave | baseline and competitors | target | |\n|---|---|---|---|---|\n");
        List<String[]> rows = rows(results, ids, ".summary.tsv", 5, "summary");
        for (String[] cells : rows) {
            table.append("| ").append(String.join(" | ", cells[0], cells[1], cells[2], cells[3],
                    cells[4].equals("met") ? "met" : "**missed**")).append(" |\n");
        }
        return rows.isEmpty() ? "" : table.toString();
    }

    private static Map<String, List<Bar>> bars(Path results, List<String> ids) throws IOException {
        Map<String, List<Bar>> panels = new LinkedHashMap<>();
        for (String[] cells : rows(results, ids, ".chart.tsv", 3, "chart")) {
            panels.computeIfAbsent(cells[0], k -> new ArrayList<>())
                    .add(new Bar(cells[1], Double.parseDouble(cells[2])));
        }
        return panels;
    }

    /** The tab-separated rows of every program's {@code suffix} file, in section order; each has {@code width} cells. */
    private static List<String[]> rows(Path results, List<String> ids, String suffix, int width, String kind)
            throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String id : ids) {
            Path file = results.resolve(id + suffix);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split("\t", -1);
                if (cells.length != width) {
                    throw new IllegalStateException(file + ": a " + kind + " row needs " + width + " cells, got "
                            + cells.length + ": " + line);
                }
                rows.add(cells);
            }
        }
        return rows;
    }

    // ---- the chart ------------------------------------------------------------------------------

    private static final int WIDTH = 1300;
    private static final int COLUMNS = 2;
    private static final int PANEL_WIDTH = WIDTH / COLUMNS;
    private static final int BAR_HEIGHT = 20;
    private static final int BAR_GAP = 6;
    private static final int TITLE_HEIGHT = 34;
    private static final int LABEL_WIDTH = 250;
    private static final int VALUE_WIDTH = 90;
    private static final Color MISBEHAVE = new Color(0xC6, 0x3D, 0x2F);
    private static final Color OTHER = new Color(0x7A, 0x86, 0x94);
    private static final Color BASELINE = new Color(0xB8, 0xC2, 0xCC);

    /**
     * Draws one horizontal bar panel per chart panel, two panels per row. Misbehave's bars are red,
     * baselines (a label naming a floor, a baseline, "direct" or "empty") light grey, the rest grey.
     * A panel whose largest value is more than 30 times its smallest positive value uses a
     * logarithmic scale, and says so in its title.
     */
    static BufferedImage drawChart(Map<String, List<Bar>> panels) {
        if (panels.isEmpty()) {
            throw new IllegalStateException("No chart bars in the results: every program should add some");
        }
        List<Map.Entry<String, List<Bar>>> list = new ArrayList<>(panels.entrySet());
        List<Integer> rowHeights = new ArrayList<>();
        for (int i = 0; i < list.size(); i += COLUMNS) {
            int h = 0;
            for (int j = i; j < Math.min(list.size(), i + COLUMNS); j++) {
                h = Math.max(h, panelHeight(list.get(j).getValue().size()));
            }
            rowHeights.add(h);
        }
        int height = rowHeights.stream().mapToInt(Integer::intValue).sum() + 10;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            int y = 5;
            for (int row = 0; row < rowHeights.size(); row++) {
                for (int col = 0; col < COLUMNS; col++) {
                    int index = row * COLUMNS + col;
                    if (index < list.size()) {
                        drawPanel(g, col * PANEL_WIDTH, y, list.get(index).getKey(), list.get(index).getValue());
                    }
                }
                y += rowHeights.get(row);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static int panelHeight(int bars) {
        return TITLE_HEIGHT + bars * (BAR_HEIGHT + BAR_GAP) + 14;
    }

    private static void drawPanel(Graphics2D g, int x, int y, String title, List<Bar> bars) {
        double max = bars.stream().mapToDouble(Bar::value).max().orElse(1);
        double minPositive = bars.stream().mapToDouble(Bar::value).filter(v -> v > 0).min().orElse(max);
        boolean log = max > 0 && minPositive > 0 && max / minPositive > 30;
        double floor = log ? Math.pow(10, Math.floor(Math.log10(minPositive)) - 1) : 0; // a decade below the smallest
        int barSpace = PANEL_WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20;

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title + (log ? "  (log scale)" : ""), x + 10, y + 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics metrics = g.getFontMetrics();
        int barY = y + TITLE_HEIGHT;
        for (Bar bar : bars) {
            double share;
            if (max <= 0) {
                share = 0;
            } else if (log) {
                share = bar.value() <= floor ? 0
                        : Math.log10(bar.value() / floor) / Math.log10(max / floor);
            } else {
                share = bar.value() / max;
            }
            int length = (int) Math.round(Math.max(0, Math.min(1, share)) * barSpace);
            String label = fit(bar.label(), metrics, LABEL_WIDTH - 14);
            g.setColor(Color.BLACK);
            g.drawString(label, x + 10 + LABEL_WIDTH - 14 - metrics.stringWidth(label), barY + 15);
            g.setColor(colour(bar.label()));
            g.fillRect(x + 10 + LABEL_WIDTH - 6, barY, Math.max(length, 1), BAR_HEIGHT);
            g.setColor(Color.BLACK);
            g.drawString(number(bar.value()), x + 10 + LABEL_WIDTH + length, barY + 15);
            barY += BAR_HEIGHT + BAR_GAP;
        }
        g.setColor(new Color(0xDD, 0xDD, 0xDD));
        g.setStroke(new BasicStroke(1));
        g.drawRect(x + 4, y, PANEL_WIDTH - 8, panelHeight(bars.size()) - 6);
    }

    private static Color colour(String label) {
        String lower = label.toLowerCase(Locale.ROOT);
        if (lower.contains("misbehave")) {
            return MISBEHAVE;
        }
        if (lower.contains("floor") || lower.contains("baseline") || lower.contains("direct")
                || lower.contains("empty") || lower.contains("serversocket")) {
            return BASELINE;
        }
        return OTHER;
    }

    private static String fit(String text, FontMetrics metrics, int width) {
        if (metrics.stringWidth(text) <= width) {
            return text;
        }
        String cut = text;
        while (cut.length() > 1 && metrics.stringWidth(cut + "…") > width) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "…";
    }

    static String number(double value) {
        double abs = Math.abs(value);
        if (value == 0) {
            return "0";
        }
        if (abs >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (abs >= 1) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3g", value);
    }
}
