package dev.misbehave.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks (and on request rewrites) the Java code blocks of a Markdown document against the tagged
 * regions of the sources they come from.
 *
 * <p>A snippet in Markdown:
 *
 * <pre>
 * &lt;!-- snippet: examples/src/test/java/dev/misbehave/examples/UploadExamples.java#quick-start --&gt;
 * ```java
 * ...the region...
 * ```
 * &lt;!-- /snippet --&gt;
 * </pre>
 *
 * <p>A region in a source file is everything between the lines {@code // tag::NAME[]} and {@code //
 * end::NAME[]}, without any tag lines inside it, with the common indentation removed, trailing
 * whitespace ignored and blank lines at either end dropped. The source path is relative to the
 * repository root. A {@code ```java} fence outside a snippet marker is a problem: no Java in the
 * docs is typed by hand. Markers inside other fenced blocks are ignored.
 */
final class Snippets {

    private static final Pattern OPEN = Pattern.compile("^\\s*<!--\\s*snippet:\\s*([^#\\s]+)#(\\S+)\\s*-->\\s*$");
    private static final Pattern CLOSE = Pattern.compile("^\\s*<!--\\s*/snippet\\s*-->\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)\\s*(\\S*).*$");
    private static final Pattern TAG_LINE = Pattern.compile("^\\s*//\\s*(tag|end)::([\\w.-]+)\\[\\]\\s*$");

    /** One thing wrong in one document. */
    record Problem(Path doc, int line, String tag, String message) {
        @Override
        public String toString() {
            return doc + ":" + line + (tag == null ? "" : " [" + tag + "]") + ": " + message;
        }
    }

    /** What a check found, and the document as it would read with every snippet up to date. */
    record Result(List<Problem> problems, String updated) {}

    private final Path repoRoot;

    /**
     * @param repoRoot the directory the snippet paths are relative to
     */
    Snippets(Path repoRoot) {
        this.repoRoot = repoRoot;
    }

    /** Reads {@code doc} and checks it. */
    Result check(Path doc) {
        return check(doc, read(doc));
    }

    /** Checks the Markdown {@code text} of {@code doc}. */
    Result check(Path doc, String text) {
        List<String> lines = text.lines().collect(Collectors.toList());
        List<String> out = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            Matcher open = OPEN.matcher(line);
            Matcher fence = FENCE.matcher(line);
            if (open.matches()) {
                i = snippet(doc, lines, i, open.group(1), open.group(2), out, problems);
            } else if (fence.matches()) {
                if (fence.group(2).equalsIgnoreCase("java")) {
                    problems.add(new Problem(doc, i + 1, null, "a ```java block without a snippet marker:"
                            + " Java in the docs must come from a tagged region of an example"
                            + " (<!-- snippet: path#tag --> before the fence, <!-- /snippet --> after it)"));
                }
                i = copyFencedBlock(lines, i, fence.group(1), out);
            } else {
                out.add(line);
                i++;
            }
        }
        String updated = String.join("\n", out) + (text.endsWith("\n") ? "\n" : "");
        return new Result(problems, updated);
    }

    /** Copies a fenced block of another kind as it is; returns the index after it. */
    private static int copyFencedBlock(List<String> lines, int start, String marker, List<String> out) {
        out.add(lines.get(start));
        int i = start + 1;
        while (i < lines.size()) {
            String line = lines.get(i++);
            out.add(line);
            if (line.strip().equals(marker)) {
                break;
            }
        }
        return i;
    }

    /** Checks one snippet starting at the marker on line {@code start}; returns the index after it. */
    private int snippet(Path doc, List<String> lines, int start, String source, String tag,
            List<String> out, List<Problem> problems) {
        out.add(lines.get(start));
        int fenceLine = start + 1;
        if (fenceLine >= lines.size() || !lines.get(fenceLine).strip().equals("```java")) {
            problems.add(new Problem(doc, start + 1, tag,
                    "the snippet marker must be followed directly by a ```java line"));
            return fenceLine;
        }
        int closing = fenceLine + 1;
        while (closing < lines.size() && !lines.get(closing).strip().equals("```")) {
            closing++;
        }
        if (closing >= lines.size()) {
            problems.add(new Problem(doc, fenceLine + 1, tag, "the ```java block is never closed"));
            out.addAll(lines.subList(fenceLine, lines.size()));
            return lines.size();
        }
        if (closing + 1 >= lines.size() || !CLOSE.matcher(lines.get(closing + 1)).matches()) {
            problems.add(new Problem(doc, closing + 1, tag,
                    "the ```java block must be followed directly by <!-- /snippet -->"));
        }
        List<String> actual = normalize(lines.subList(fenceLine + 1, closing));
        Optional<List<String>> expected = region(doc, start + 1, source, tag, problems);
        out.add(lines.get(fenceLine));
        if (expected.isPresent() && !expected.get().equals(actual)) {
            problems.add(new Problem(doc, start + 1, tag,
                    "the snippet differs from its tagged region in " + source
                            + " (run the docs build with -Ddocs.update=true to rewrite it)\n"
                            + "--- expected (from the source) ---\n" + String.join("\n", expected.get())
                            + "\n--- actual (in the doc) ---\n" + String.join("\n", actual)));
        }
        if (expected.isPresent()) {
            String indent = lines.get(fenceLine).substring(0, indentation(lines.get(fenceLine)));
            expected.get().forEach(code -> out.add(code.isEmpty() ? code : indent + code));
        } else {
            out.addAll(lines.subList(fenceLine + 1, closing));
        }
        out.add(lines.get(closing));
        return closing + 1;
    }

    private Optional<List<String>> region(Path doc, int line, String source, String tag,
            List<Problem> problems) {
        Path file = repoRoot.resolve(source).normalize();
        if (!Files.isRegularFile(file)) {
            problems.add(new Problem(doc, line, tag, "no such source file: " + source
                    + " (paths are relative to the repository root " + repoRoot + ")"));
            return Optional.empty();
        }
        try {
            return Optional.of(region(read(file), tag));
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(doc, line, tag, source + ": " + e.getMessage()));
            return Optional.empty();
        }
    }

    /**
     * The region tagged {@code tag} in {@code source}: the lines between its tag and end lines,
     * without tag lines, normalized.
     *
     * @throws IllegalArgumentException if the tag is missing, repeated or never ended
     */
    static List<String> region(String source, String tag) {
        List<String> lines = source.lines().collect(Collectors.toList());
        List<String> region = null;
        int starts = 0;
        boolean ended = false;
        for (String line : lines) {
            Matcher marker = TAG_LINE.matcher(line);
            if (marker.matches()) {
                boolean ours = marker.group(2).equals(tag);
                if (ours && marker.group(1).equals("tag")) {
                    starts++;
                    region = new ArrayList<>();
                } else if (ours && region != null && !ended) {
                    ended = true;
                }
                continue; // tag lines never appear in a snippet
            }
            if (region != null && !ended) {
                region.add(line);
            }
        }
        if (starts == 0) {
            throw new IllegalArgumentException("no line '// tag::" + tag + "[]'");
        }
        if (starts > 1) {
            throw new IllegalArgumentException("'// tag::" + tag + "[]' appears " + starts
                    + " times; a tag names one region");
        }
        if (!ended) {
            throw new IllegalArgumentException("'// tag::" + tag + "[]' has no '// end::" + tag + "[]'");
        }
        return normalize(region);
    }

    /** Trailing whitespace and blank lines at either end dropped, common indentation removed. */
    static List<String> normalize(List<String> lines) {
        List<String> stripped = lines.stream().map(String::stripTrailing).collect(Collectors.toList());
        int from = 0;
        int to = stripped.size();
        while (from < to && stripped.get(from).isEmpty()) {
            from++;
        }
        while (to > from && stripped.get(to - 1).isEmpty()) {
            to--;
        }
        List<String> body = stripped.subList(from, to);
        int indent = body.stream()
                .filter(line -> !line.isEmpty())
                .mapToInt(Snippets::indentation)
                .min()
                .orElse(0);
        return body.stream()
                .map(line -> line.isEmpty() ? line : line.substring(indent))
                .collect(Collectors.toList());
    }

    private static int indentation(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
