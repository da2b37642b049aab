package dev.misbehave.docs;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A figure that prose quotes from a generated region, found on each side by a pattern whose first
 * group is the figure (whitespace, line breaks included, counts as one space). When a quoting
 * sentence is reworded so that its pattern no longer matches, the check fails: reword the pattern
 * with it, or quote no figure (link to the region instead).
 *
 * @param doc the document that quotes, relative to the repository root
 * @param prose the pattern of the quote in {@code doc}
 * @param regionDoc the document of the generated region
 * @param region the pattern of the figure in {@code regionDoc}
 */
record ProseFigure(String doc, String prose, String regionDoc, String region) {

    /** Every figure that prose quotes from a generated region. */
    static final List<ProseFigure> ALL = List.of(
            new ProseFigure("README.md", "it takes about (\\d+ \\w+),",
                    "docs/performance.md", "The whole command takes about (\\d+ \\w+) on"),
            new ProseFigure("README.md", "reaches four different clients as the test asked \\(([\\d,]+) trials each",
                    "docs/performance.md", "Trials: ([\\d,]+) per \\(scenario, tool, client\\)"),
            new ProseFigure("docs/README.md", "reaches four clients as asked \\(([\\d,]+) trials each",
                    "docs/performance.md", "Trials: ([\\d,]+) per \\(scenario, tool, client\\)"),
            new ProseFigure("README.md", "- ([\\d,]+) tests in one JVM;",
                    "docs/performance.md", "\\| scale: ([\\d,]+) peer tests in one JVM"),
            new ProseFigure("docs/README.md", "([\\d,]+) tests in one JVM, whether",
                    "docs/performance.md", "\\| scale: ([\\d,]+) peer tests in one JVM"));

    String quoted(Path root) {
        return find(root, doc, prose);
    }

    String generated(Path root) {
        return find(root, regionDoc, region);
    }

    private static String find(Path root, String doc, String pattern) {
        String text = Captures.read(root.resolve(doc)).replaceAll("\\s+", " ");
        Matcher matcher = Pattern.compile(pattern).matcher(text);
        if (!matcher.find()) {
            throw new AssertionError(doc + " no longer has /" + pattern + "/: update ProseFigure.ALL with the new"
                    + " wording, or remove the quote");
        }
        return matcher.group(1);
    }

    @Override
    public String toString() {
        return doc + " /" + prose + "/ quoting " + regionDoc + " /" + region + "/";
    }
}
