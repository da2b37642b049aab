package dev.misbehave.docs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The docs checker: checks (and on request rewrites) every block of a Markdown document that shows
 * code or output, so that none of them is typed by hand and none can drift from what the code
 * really is or does. Three kinds of marked blocks, and one rule for unmarked ones:
 *
 * <p><b>Snippets</b> (Java that a user reads):
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
 * repository root.
 *
 * <p><b>Outputs</b> (what a real run prints: journal lines, failure reports, CLI output, exception
 * texts, a table the build produces):
 *
 * <pre>
 * &lt;!-- output: reset-failure-report --&gt;
 * ```text
 * ...what the producer captured...
 * ```
 * &lt;!-- /output --&gt;
 * </pre>
 *
 * <p>Between the markers: one {@code ```text} block, or a Markdown table (every line starts with
 * {@code |}). A <em>producer</em>, a test in any module of the build, runs the real code, replaces
 * only what varies from run to run (the doc says so next to the block, for example "ports shown as
 * PORT") and writes the result to {@code <module>/target/doc-outputs/<ID>.txt}; its source names
 * the ID as a string literal. The block must equal that capture ({@link Captures}); the producers
 * run before this module in the reactor, so a full build ({@code mvn -B verify}) checks every block
 * against this build's output. A producer that cannot run here (no {@code python3}, another OS)
 * writes {@code <ID>.skipped} with the reason instead, and the block is left as it is.
 *
 * <p><b>Generated regions</b> (tables of figures from a long documented command that the build
 * cannot rerun: benchmarks, the determinism run, the observation matrix):
 *
 * <pre>
 * &lt;!-- generated: determinism; command: mvn -B ... -Dmisbehave.determinism.publish=true; sha256: 0123456789abcdef --&gt;
 * ...anything...
 * &lt;!-- /generated --&gt;
 * </pre>
 *
 * <p>The marker names the command that regenerates the region. The region is checked in one of two
 * ways. If a build test re-renders it from raw results committed beside the docs and captures it
 * (as an output, {@code <module>/target/doc-outputs/<ID>.txt}), the region must equal that capture,
 * and {@code -Ddocs.update=true} rewrites it. Otherwise the marker carries the SHA-256 (first 16
 * hex digits) of the region's lines ({@link #digest}), stamped when the region was last published:
 * a region that no longer matches it was edited by hand. Such a region is only ever rewritten from
 * what its generator staged in {@code <module>/target/generated-docs/<ID>.md}, by {@code
 * -Ddocs.update=true} after the command; update mode never stamps text it did not take from there.
 *
 * <p><b>Unmarked fenced blocks</b>: {@code ```java} is refused (Java comes from a snippet). An
 * input block ({@code ```sh} for commands, {@code ```xml}, {@code ```properties}) may stand alone,
 * but a {@code ```sh} block holds commands only: a line starting with {@code #} is refused, as that
 * is how output used to hide in them (show it in an output block after the command). Any other
 * fenced block ({@code ```text}, {@code ```console}, one without an info string...) looks like
 * output and is refused without an output marker or a generated region around it. Markers inside
 * fenced blocks are not markers. IDs are lowercase words joined by dashes, unique across the
 * documents.
 *
 * <p><b>Writing a producer.</b> Put the test in the module that can run the code (the extension's
 * tests through {@code EngineTestKit} for a failure report; the standalone module's tests for what
 * the jar or Python prints; the examples' for an application's exception), run the real code, and
 * capture with that module's {@code DocOutputs} ({@code dev.misbehave.testing.DocOutputs} in the
 * extension; a copy in {@code standalone/} and {@code examples/}: {@code capture(ID, text)}, {@code
 * skip(ID, reason)}, {@code ports(text)}). Never build the text from strings copied into the test:
 * when the code's output changes, the block must fail and {@code -Ddocs.update=true} must rewrite
 * it. Assert in the producer what the block is meant to show (the exception type, the journal line),
 * so a wrong producer fails where it runs. Say next to the block what was replaced. A module whose
 * tests run after this one in the reactor cannot produce: the docs module is the last one.
 *
 * <p><b>Writing a generator.</b> A long command writes its region's new content to {@code
 * <module>/target/generated-docs/<ID>.md} (and nothing into docs/), on an explicit flag (for example
 * {@code -Dmisbehave.determinism.publish=true}), so that a normal build with {@code
 * -Ddocs.update=true} never publishes a short run; name the command in the marker. Where the region
 * can be rendered again from raw results, commit those results beside the docs and make a build test
 * render and capture it as an output of the region's ID, as {@code PerformancePageTests} does.
 *
 * <p>Run {@code mvn -B verify -Ddocs.update=true} to rewrite every block from this build's code and
 * captures; docs/README.md ("How the docs are checked") is the user-facing description.
 */
final class Snippets {

    private static final Pattern OPEN = Pattern.compile("^\\s*<!--\\s*snippet:\\s*([^#\\s]+)#(\\S+)\\s*-->\\s*$");
    private static final Pattern CLOSE = Pattern.compile("^\\s*<!--\\s*/snippet\\s*-->\\s*$");
    private static final Pattern OUTPUT_OPEN = Pattern.compile("^\\s*<!--\\s*output:\\s*(\\S*)\\s*-->\\s*$");
    private static final Pattern OUTPUT_CLOSE = Pattern.compile("^\\s*<!--\\s*/output\\s*-->\\s*$");
    private static final Pattern GENERATED_OPEN = Pattern.compile("^(\\s*)<!--\\s*generated:\\s*(.*?)\\s*-->\\s*$");
    private static final Pattern GENERATED_FIELDS = Pattern.compile(
            "^([^;\\s]*)\\s*(?:;\\s*command:\\s*(.*?))?\\s*(?:;\\s*sha256:\\s*(\\S*))?$");
    private static final Pattern GENERATED_CLOSE = Pattern.compile("^\\s*<!--\\s*/generated\\s*-->\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)\\s*(\\S*).*$");
    private static final Pattern TAG_LINE = Pattern.compile("^\\s*//\\s*(tag|end)::([\\w.-]+)\\[\\]\\s*$");
    private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    /** Info strings of fenced blocks that show input, which may stand without a marker. */
    static final Set<String> INPUTS = Set.of("sh", "xml", "properties");
    private static final String UPDATE = "run the build with -Ddocs.update=true to rewrite it";

    /** One thing wrong in one document. */
    record Problem(Path doc, int line, String tag, String message) {
        @Override
        public String toString() {
            return doc + ":" + line + (tag == null ? "" : " [" + tag + "]") + ": " + message;
        }
    }

    /** A marked block: its kind ({@code output} or {@code generated}), ID and place. */
    record Marker(String kind, String id, Path doc, int line) {}

    /**
     * What a check found, the document as it would read with every block up to date, its output and
     * generated markers, and notes that fail nothing (a skipped output, a staged region waiting).
     */
    record Result(List<Problem> problems, String updated, List<Marker> markers, List<String> notes) {}

    private final Path repoRoot;
    private final Captures captures;

    /**
     * @param repoRoot the directory the snippet paths are relative to, and whose modules hold the
     *     producers' captures
     */
    Snippets(Path repoRoot) {
        this.repoRoot = repoRoot;
        this.captures = new Captures(repoRoot);
    }

    /** Reads {@code doc} and checks it. */
    Result check(Path doc) {
        return check(doc, Captures.read(doc));
    }

    /** Checks the Markdown {@code text} of {@code doc}. */
    Result check(Path doc, String text) {
        List<String> lines = text.lines().collect(Collectors.toList());
        Walk walk = new Walk(doc, lines);
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            Matcher open = OPEN.matcher(line);
            Matcher output = OUTPUT_OPEN.matcher(line);
            Matcher generated = GENERATED_OPEN.matcher(line);
            Matcher fence = FENCE.matcher(line);
            if (open.matches()) {
                i = snippet(walk, i, open.group(1), open.group(2));
            } else if (output.matches()) {
                i = output(walk, i, output.group(1));
            } else if (generated.matches()) {
                i = generated(walk, i, generated.group(1), generated.group(2));
            } else if (fence.matches()) {
                unmarkedBlock(walk, i, fence.group(2));
                i = copyFencedBlock(lines, i, fence.group(1), walk.out);
            } else {
                walk.out.add(line);
                i++;
            }
        }
        String updated = String.join("\n", walk.out) + (text.endsWith("\n") ? "\n" : "");
        return new Result(walk.problems, updated, walk.markers, walk.notes);
    }

    /**
     * Problems that only show across all documents: an ID used twice, and an output that a producer
     * still captures although no document shows it any more.
     */
    List<Problem> acrossDocuments(List<Result> results) {
        List<Problem> problems = new ArrayList<>();
        Map<String, Marker> first = new TreeMap<>();
        for (Result result : results) {
            for (Marker marker : result.markers()) {
                Marker earlier = first.putIfAbsent(marker.id(), marker);
                if (earlier != null) {
                    problems.add(new Problem(marker.doc(), marker.line(), marker.id(), "the ID is used already at "
                            + earlier.doc() + ":" + earlier.line() + "; IDs are unique across README.md and docs/"));
                }
            }
        }
        captures.capturedOutputs().forEach((id, files) -> {
            if (!first.containsKey(id) && !captures.sourcesNaming(id).isEmpty()) {
                problems.add(new Problem(files.get(0), 1, id, "captured by " + names(captures.sourcesNaming(id))
                        + ", but no document shows it: add <!-- output: " + id + " --> where it belongs, or remove"
                        + " the producer"));
            }
        });
        return problems;
    }

    /** The state of one check: where it is, what it wrote and found. */
    private static final class Walk {
        final Path doc;
        final List<String> lines;
        final List<String> out = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();
        final List<Marker> markers = new ArrayList<>();
        final List<String> notes = new ArrayList<>();

        Walk(Path doc, List<String> lines) {
            this.doc = doc;
            this.lines = lines;
        }

        void problem(int index, String tag, String message) {
            problems.add(new Problem(doc, index + 1, tag, message));
        }
    }

    // ---- unmarked blocks ----

    private static void unmarkedBlock(Walk walk, int start, String info) {
        String kind = info.toLowerCase(java.util.Locale.ROOT);
        if (kind.equals("java")) {
            walk.problem(start, null, "a ```java block without a snippet marker:"
                    + " Java in the docs must come from a tagged region of an example"
                    + " (<!-- snippet: path#tag --> before the fence, <!-- /snippet --> after it)");
        } else if (kind.equals("sh")) {
            for (int i = start + 1; i < walk.lines.size() && !isFence(walk.lines.get(i)); i++) {
                if (walk.lines.get(i).strip().startsWith("#")) {
                    walk.problem(i, null, "a ```sh block holds commands only, and this line is a comment: show what"
                            + " a command prints in an output block after it (<!-- output: ID -->), and say in"
                            + " prose what to do");
                }
            }
        } else if (!INPUTS.contains(kind)) {
            walk.problem(start, null, "a fenced block " + (info.isEmpty() ? "without an info string" : "```" + info)
                    + " looks like output, and output in the docs must come from a real run: put it between"
                    + " <!-- output: ID --> and <!-- /output --> with a producer test that captures it, or inside a"
                    + " generated region; if it is input, give it one of the info strings " + INPUTS);
        }
    }

    private static boolean isFence(String line) {
        String stripped = line.strip();
        return stripped.startsWith("```") || stripped.startsWith("~~~");
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

    // ---- snippets ----

    /** Checks one snippet starting at the marker on line {@code start}; returns the index after it. */
    private int snippet(Walk walk, int start, String source, String tag) {
        List<String> lines = walk.lines;
        walk.out.add(lines.get(start));
        int fenceLine = start + 1;
        if (fenceLine >= lines.size() || !lines.get(fenceLine).strip().equals("```java")) {
            walk.problem(start, tag, "the snippet marker must be followed directly by a ```java line");
            return fenceLine;
        }
        int closing = closingFence(lines, fenceLine);
        if (closing >= lines.size()) {
            walk.problem(fenceLine, tag, "the ```java block is never closed");
            walk.out.addAll(lines.subList(fenceLine, lines.size()));
            return lines.size();
        }
        if (closing + 1 >= lines.size() || !CLOSE.matcher(lines.get(closing + 1)).matches()) {
            walk.problem(closing, tag, "the ```java block must be followed directly by <!-- /snippet -->");
        }
        List<String> actual = normalize(lines.subList(fenceLine + 1, closing));
        Optional<List<String>> expected = region(walk, start, source, tag);
        walk.out.add(lines.get(fenceLine));
        if (expected.isPresent() && !expected.get().equals(actual)) {
            walk.problem(start, tag, "the snippet differs from its tagged region in " + source
                    + " (" + UPDATE + ")\n" + difference("from the source", expected.get(), actual));
        }
        if (expected.isPresent()) {
            String indent = indentOf(lines.get(fenceLine));
            expected.get().forEach(code -> walk.out.add(code.isEmpty() ? code : indent + code));
        } else {
            walk.out.addAll(lines.subList(fenceLine + 1, closing));
        }
        walk.out.add(lines.get(closing));
        return closing + 1;
    }

    private Optional<List<String>> region(Walk walk, int line, String source, String tag) {
        Path file = repoRoot.resolve(source).normalize();
        if (!Files.isRegularFile(file)) {
            walk.problem(line, tag, "no such source file: " + source
                    + " (paths are relative to the repository root " + repoRoot + ")");
            return Optional.empty();
        }
        try {
            return Optional.of(region(Captures.read(file), tag));
        } catch (IllegalArgumentException e) {
            walk.problem(line, tag, source + ": " + e.getMessage());
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

    // ---- outputs ----

    /** Checks one output block starting at the marker on line {@code start}; returns the index after it. */
    private int output(Walk walk, int start, String id) {
        List<String> lines = walk.lines;
        walk.out.add(lines.get(start));
        walk.markers.add(new Marker("output", id, walk.doc, start + 1));
        checkId(walk, start, id);
        int first = start + 1;
        boolean fenced = first < lines.size() && lines.get(first).strip().equals("```text");
        boolean table = first < lines.size() && lines.get(first).strip().startsWith("|");
        if (!fenced && !table) {
            walk.problem(start, id, "the output marker must be followed directly by a ```text line or a table");
            return first;
        }
        int end; // the index of the fence's closing line, or of the closing marker for a table
        if (fenced) {
            end = closingFence(lines, first);
            if (end >= lines.size()) {
                walk.problem(first, id, "the ```text block is never closed");
                walk.out.addAll(lines.subList(first, lines.size()));
                return lines.size();
            }
            if (end + 1 >= lines.size() || !OUTPUT_CLOSE.matcher(lines.get(end + 1)).matches()) {
                walk.problem(end, id, "the ```text block must be followed directly by <!-- /output -->");
            }
        } else {
            end = first;
            while (end < lines.size() && lines.get(end).strip().startsWith("|")) {
                end++;
            }
            if (end >= lines.size() || !OUTPUT_CLOSE.matcher(lines.get(end)).matches()) {
                walk.problem(end - 1, id, "the table must be followed directly by <!-- /output -->");
            }
        }
        String indent = indentOf(lines.get(first));
        List<String> actual = outputLines(unindent(lines.subList(fenced ? first + 1 : first, end), indent));
        Optional<List<String>> expected = captured(walk, start, id, fenced ? Shape.TEXT_BLOCK : Shape.TABLE);
        if (fenced) {
            walk.out.add(lines.get(first));
        }
        if (expected.isPresent() && !expected.get().equals(actual)) {
            walk.problem(start, id, "the block differs from the output its producer captured in this build, "
                    + captures.relative(captures.output(id).get(0)) + " (" + UPDATE + ")\n"
                    + difference("captured", expected.get(), actual));
        }
        if (expected.isPresent()) {
            expected.get().forEach(line -> walk.out.add(line.isEmpty() ? line : indent + line));
        } else {
            walk.out.addAll(lines.subList(fenced ? first + 1 : first, end));
        }
        if (fenced) {
            walk.out.add(lines.get(end));
            return end + 1;
        }
        return end;
    }

    /** What a capture may hold: the lines of a ```text block, a Markdown table, or a region of Markdown. */
    private enum Shape { TEXT_BLOCK, TABLE, ANY }

    /** The capture of output {@code id}, if there is exactly one; records why not otherwise. */
    private Optional<List<String>> captured(Walk walk, int line, String id, Shape shape) {
        List<Path> files = captures.output(id);
        List<Path> producers = captures.sourcesNaming(id);
        if (files.size() > 1) {
            walk.problem(line, id, "captured by more than one module " + Captures.modulesOf(files, repoRoot)
                    + ": one producer per ID");
            return Optional.empty();
        }
        if (files.isEmpty()) {
            List<Path> skips = captures.skipped(id);
            if (!skips.isEmpty()) {
                walk.notes.add(walk.doc + ":" + (line + 1) + " [" + id + "]: not checked in this build, its producer"
                        + " skipped it: " + Captures.read(skips.get(0)).strip());
            } else if (producers.isEmpty()) {
                walk.problem(line, id, "no producer: no source under <module>/src names \"" + id + "\". Write a test"
                        + " that runs the real code and captures its output to target/" + Captures.OUTPUTS + "/" + id
                        + ".txt");
            } else {
                walk.problem(line, id, "its producer " + names(producers) + " has not captured it in this build (no "
                        + Captures.OUTPUTS + "/" + id + ".txt under " + Captures.modulesOf(producers, repoRoot)
                        + "/target): run the producers' modules before this one, for example mvn -B verify");
            }
            return Optional.empty();
        }
        if (producers.isEmpty()) {
            walk.problem(line, id, captures.relative(files.get(0)) + " is left from an earlier build: no source names \""
                    + id + "\" any more (mvn clean, and write a producer)");
            return Optional.empty();
        }
        List<String> expected = outputLines(Captures.read(files.get(0)).lines().collect(Collectors.toList()));
        if (expected.isEmpty()) {
            walk.problem(line, id, captures.relative(files.get(0)) + " is empty");
            return Optional.empty();
        }
        if (shape == Shape.TEXT_BLOCK && expected.stream().anyMatch(Snippets::isFence)) {
            walk.problem(line, id, captures.relative(files.get(0)) + " has a line that would close the ```text block");
            return Optional.empty();
        }
        if (shape == Shape.TABLE && !expected.stream().allMatch(l -> l.startsWith("|"))) {
            walk.problem(line, id, captures.relative(files.get(0)) + " is not a table, but the doc shows a table:"
                    + " put a ```text block between the markers");
            return Optional.empty();
        }
        return Optional.of(expected);
    }

    // ---- generated regions ----

    /** Checks one generated region starting at the marker on line {@code start}; returns the index after it. */
    private int generated(Walk walk, int start, String indent, String fields) {
        List<String> lines = walk.lines;
        Matcher parsed = GENERATED_FIELDS.matcher(fields);
        String id = parsed.matches() ? parsed.group(1) : fields;
        walk.markers.add(new Marker("generated", id, walk.doc, start + 1));
        checkId(walk, start, id);
        String command = parsed.matches() && parsed.group(2) != null ? parsed.group(2).strip() : "";
        String stamp = parsed.matches() && parsed.group(3) != null ? parsed.group(3) : "";
        if (command.isEmpty()) {
            walk.problem(start, id, "the generated marker must name the command that regenerates the region:"
                    + " <!-- generated: " + id + "; command: mvn ... -->");
        }
        int end = start + 1;
        while (end < lines.size() && !GENERATED_CLOSE.matcher(lines.get(end)).matches()) {
            Matcher fence = FENCE.matcher(lines.get(end));
            end = fence.matches() ? skipFencedBlock(lines, end, fence.group(1)) : end + 1;
        }
        if (end >= lines.size()) {
            walk.problem(start, id, "the generated region is never closed with <!-- /generated -->");
            walk.out.addAll(lines.subList(start, lines.size()));
            return lines.size();
        }
        List<String> content = lines.subList(start + 1, end);
        if (captures.sourcesNaming(id).isEmpty()) {
            walk.problem(start, id, "no generator: no source under <module>/src names \"" + id + "\"");
        }
        List<Path> rendered = captures.output(id);
        List<Path> staged = captures.staged(id);
        List<String> body = new ArrayList<>(content);
        String newStamp = stamp;
        if (!rendered.isEmpty()) {
            // re-rendered in this build from the raw results committed beside the docs
            Optional<List<String>> expected = captured(walk, start, id, Shape.ANY);
            if (expected.isPresent()) {
                List<String> actual = outputLines(content);
                if (!expected.get().equals(actual)) {
                    walk.problem(start, id, "the region differs from what " + names(captures.sourcesNaming(id))
                            + " renders from the committed results (" + captures.relative(rendered.get(0))
                            + "): it was edited by hand, or its template changed (" + UPDATE + "; to change figures,"
                            + " rerun " + command + ")\n" + difference("rendered", expected.get(), actual));
                }
                body = framed(expected.get());
            }
            newStamp = "";
        } else if (!staged.isEmpty()) {
            List<String> fresh = outputLines(Captures.read(staged.get(0)).lines().collect(Collectors.toList()));
            if (!fresh.equals(outputLines(content))) {
                walk.notes.add(walk.doc + ":" + (start + 1) + " [" + id + "]: " + captures.relative(staged.get(0))
                        + " holds a new run of the generator; -Ddocs.update=true publishes it here");
            }
            body = framed(fresh);
            newStamp = digest(fresh);
            if (!stamp.equals(digest(content))) {
                walk.problem(start, id, hashProblem(stamp, content, command));
            }
        } else if (!stamp.equals(digest(content))) {
            walk.problem(start, id, hashProblem(stamp, content, command));
        }
        walk.out.add(indent + "<!-- generated: " + id + (command.isEmpty() ? "" : "; command: " + command)
                + (newStamp.isEmpty() ? "" : "; sha256: " + newStamp) + " -->");
        walk.out.addAll(body);
        walk.out.add(lines.get(end));
        return end + 1;
    }

    private static String hashProblem(String stamp, List<String> content, String command) {
        if (stamp.isEmpty()) {
            return "the generated marker has no sha256, and no build test rendered the region in this build (no "
                    + Captures.OUTPUTS + "/<ID>.txt): if one renders it, run its module before this one (mvn -B"
                    + " verify); otherwise the region is stamped when -Ddocs.update=true publishes what its generator"
                    + " staged in target/" + Captures.GENERATED + "/ (run " + command + ", then that)";
        }
        return "the region was edited by hand: its lines hash to " + digest(content) + ", but it was published as "
                + stamp + ". Never edit a generated region: change its generator, rerun " + command
                + " and publish with -Ddocs.update=true (or undo the edit)";
    }

    /** The region's lines as written: a blank line on either side of the content. */
    private static List<String> framed(List<String> content) {
        List<String> body = new ArrayList<>();
        body.add("");
        body.addAll(content);
        body.add("");
        return body;
    }

    /**
     * The stamp of a generated region: the first 16 hex digits of the SHA-256 of its lines (each
     * without trailing whitespace, blank lines at either end dropped), joined with {@code \n}, in
     * UTF-8.
     */
    static String digest(List<String> content) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", outputLines(content)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    // ---- shared ----

    private static void checkId(Walk walk, int line, String id) {
        if (!ID.matcher(id).matches()) {
            walk.problem(line, id, "'" + id + "' is not an ID: lowercase letters and digits, words joined by dashes");
        }
    }

    private static int closingFence(List<String> lines, int fenceLine) {
        int closing = fenceLine + 1;
        while (closing < lines.size() && !lines.get(closing).strip().equals("```")) {
            closing++;
        }
        return closing;
    }

    private static int skipFencedBlock(List<String> lines, int start, String marker) {
        int i = start + 1;
        while (i < lines.size() && !lines.get(i).strip().equals(marker)) {
            i++;
        }
        return i + 1;
    }

    private String names(List<Path> sources) {
        return sources.stream().map(captures::relative).collect(Collectors.joining(", "));
    }

    private static String difference(String expectedFrom, List<String> expected, List<String> actual) {
        return "--- expected (" + expectedFrom + ") ---\n" + String.join("\n", expected)
                + "\n--- actual (in the doc) ---\n" + String.join("\n", actual);
    }

    /** Trailing whitespace and blank lines at either end dropped, common indentation removed. */
    static List<String> normalize(List<String> lines) {
        List<String> body = outputLines(lines);
        int indent = body.stream()
                .filter(line -> !line.isEmpty())
                .mapToInt(Snippets::indentation)
                .min()
                .orElse(0);
        return body.stream()
                .map(line -> line.isEmpty() ? line : line.substring(indent))
                .collect(Collectors.toList());
    }

    /** Trailing whitespace and blank lines at either end dropped; indentation kept, it can be output. */
    static List<String> outputLines(List<String> lines) {
        List<String> stripped = lines.stream().map(String::stripTrailing).collect(Collectors.toList());
        int from = 0;
        int to = stripped.size();
        while (from < to && stripped.get(from).isEmpty()) {
            from++;
        }
        while (to > from && stripped.get(to - 1).isEmpty()) {
            to--;
        }
        return new ArrayList<>(stripped.subList(from, to));
    }

    /** {@code lines} without the indentation of their block's fence (a block in a list item). */
    private static List<String> unindent(List<String> lines, String indent) {
        return lines.stream()
                .map(line -> line.startsWith(indent) ? line.substring(indent.length()) : line.stripLeading())
                .collect(Collectors.toList());
    }

    private static String indentOf(String line) {
        return line.substring(0, indentation(line));
    }

    private static int indentation(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }
}
