package dev.misbehave.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.docs.Snippets.Problem;
import dev.misbehave.docs.Snippets.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Code snippets in the docs")
class SnippetsTests {

    /** Under surefire the working directory is the docs module; the repository root is its parent. */
    private static final Path DOCS = Path.of("").toAbsolutePath();
    private static final Path ROOT = DOCS.getParent();
    private static final boolean UPDATE = Boolean.getBoolean("docs.update");

    @Nested
    @DisplayName("of this repository")
    class OfThisRepository {

        @Test
        @DisplayName("equal their tagged regions, their producers' output and their generators' stamps; nothing is typed by hand")
        void matchTheirSources() throws IOException {
            Snippets snippets = new Snippets(ROOT);
            List<Problem> problems = new ArrayList<>();
            List<Result> results = new ArrayList<>();
            for (Path doc : documents()) {
                Result result = snippets.check(doc);
                if (UPDATE && !result.updated().equals(Files.readString(doc, StandardCharsets.UTF_8))) {
                    Files.writeString(doc, result.updated(), StandardCharsets.UTF_8);
                    System.out.println("docs.update: rewrote " + ROOT.relativize(doc));
                    result = snippets.check(doc);
                }
                problems.addAll(result.problems());
                results.add(result);
                result.notes().forEach(note -> System.out.println("note: " + note));
            }
            problems.addAll(snippets.acrossDocuments(results));
            assertThat(problems)
                    .as("problems in %s", documents().stream().map(ROOT::relativize).collect(Collectors.toList()))
                    .isEmpty();
        }

        @Test
        @DisplayName("include snippets, outputs and generated regions, so the check above has something to check")
        void guidesHaveMarkers() throws IOException {
            String all = String.join("\n", documents().stream().map(SnippetsTests::read).collect(Collectors.toList()));
            for (String marker : List.of("<!-- snippet: ", "<!-- output: ", "<!-- generated: ")) {
                assertThat(all.contains(marker)).as("the docs hold a %s marker", marker).isTrue();
            }
            String guide = read(DOCS.resolve("reset-after-n-bytes.md"));
            assertThat(guide.contains("<!-- snippet: ") && guide.contains("<!-- output: "))
                    .as("reset-after-n-bytes.md holds snippets and outputs").isTrue();
        }

        @Test
        @DisplayName("quote the figures of generated regions as the regions give them")
        void proseFiguresAgree() throws IOException {
            List<String> disagreements = new ArrayList<>();
            for (ProseFigure figure : ProseFigure.ALL) {
                String quoted = figure.quoted(ROOT);
                String generated = figure.generated(ROOT);
                if (!quoted.equals(generated)) {
                    disagreements.add(figure + ": the prose says '" + quoted + "', the region '" + generated + "'");
                }
            }
            assertThat(disagreements).isEmpty();
        }

        /** docs/*.md and the README if there is one. */
        private List<Path> documents() throws IOException {
            List<Path> docs;
            try (Stream<Path> files = Files.list(DOCS)) {
                docs = files.filter(p -> p.getFileName().toString().endsWith(".md"))
                        .sorted()
                        .collect(Collectors.toCollection(ArrayList::new));
            }
            Path readme = ROOT.resolve("README.md");
            if (Files.isRegularFile(readme)) {
                docs.add(readme);
            }
            return docs;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Nested
    @DisplayName("are checked so that")
    class Checker {

        @TempDir
        Path root;

        private static final String SOURCE = String.join("\n",
                "class Demo {",
                "    // tag::greet[]",
                "    void greet() {   ",
                "        // tag::inner[]",
                "        System.out.println(\"hi\");",
                "        // end::inner[]",
                "    }",
                "    // end::greet[]",
                "}",
                "");

        private Result check(String markdown) throws IOException {
            Files.writeString(root.resolve("Demo.java"), SOURCE);
            return new Snippets(root).check(root.resolve("guide.md"), markdown);
        }

        private static String snippet(String tag, String... code) {
            return "<!-- snippet: Demo.java#" + tag + " -->\n```java\n"
                    + String.join("\n", code) + "\n```\n<!-- /snippet -->\n";
        }

        @Test
        @DisplayName("a snippet equal to its region passes (tag lines removed, indentation and trailing blanks ignored)")
        void equalPasses() throws IOException {
            Result result = check("# Guide\n" + snippet("greet",
                    "void greet() {", "    System.out.println(\"hi\");", "}  ", ""));

            assertThat(result.problems()).isEmpty();
        }

        @Test
        @DisplayName("a drifted snippet fails, naming the doc and the tag and showing expected and actual")
        void driftFails() throws IOException {
            Result result = check(snippet("greet", "void greet() {", "    System.out.println(\"bye\");", "}"));

            assertThat(result.problems()).singleElement().satisfies(problem -> {
                assertThat(problem.doc()).hasFileName("guide.md");
                assertThat(problem.tag()).isEqualTo("greet");
                assertThat(problem.toString())
                        .contains("guide.md:1 [greet]")
                        .contains("--- expected (from the source) ---\nvoid greet() {\n    System.out.println(\"hi\");")
                        .contains("--- actual (in the doc) ---\nvoid greet() {\n    System.out.println(\"bye\");");
            });
        }

        @Test
        @DisplayName("a missing tag or source file fails")
        void missingTagOrFileFails() throws IOException {
            Result result = check(snippet("nope", "x();") + snippet("greet", "x();")
                    .replace("Demo.java", "Missing.java"));

            assertThat(result.problems()).extracting(Problem::message).satisfiesExactly(
                    m -> assertThat(m).contains("no line '// tag::nope[]'"),
                    m -> assertThat(m).contains("no such source file: Missing.java"));
        }

        @Test
        @DisplayName("a hand-typed ```java block fails, while other blocks may show marker syntax")
        void handTypedJavaFails() throws IOException {
            Result result = check("```xml\n<!-- snippet: Nowhere.java#x -->\n```\n\n```java\nint x;\n```\n");

            assertThat(result.problems()).singleElement()
                    .satisfies(problem -> assertThat(problem.toString())
                            .contains("guide.md:5").contains("without a snippet marker"));
        }

        @Test
        @DisplayName("a marker without its closing marker fails")
        void unclosedMarkerFails() throws IOException {
            Result result = check("<!-- snippet: Demo.java#inner -->\n```java\nSystem.out.println(\"hi\");\n```\n");

            assertThat(result.problems()).singleElement()
                    .satisfies(problem -> assertThat(problem.message()).contains("<!-- /snippet -->"));
        }

        @Test
        @DisplayName("update mode rewrites a drifted block from its region and leaves the rest alone")
        void updateRewrites() throws IOException {
            Result result = check("intro\n" + snippet("inner", "old();") + "outro\n");

            assertThat(result.updated()).isEqualTo("intro\n" + snippet("inner", "System.out.println(\"hi\");") + "outro\n");
            assertThat(check(result.updated()).problems()).isEmpty();
        }

        @Test
        @DisplayName("update mode keeps a block inside a list item indented like its fence")
        void updateKeepsListIndentation() throws IOException {
            String inList = "- item\n\n  <!-- snippet: Demo.java#greet -->\n  ```java\n  ```\n  <!-- /snippet -->\n";

            Result result = check(inList);

            assertThat(result.updated()).isEqualTo("- item\n\n  <!-- snippet: Demo.java#greet -->\n  ```java\n"
                    + "  void greet() {\n      System.out.println(\"hi\");\n  }\n  ```\n  <!-- /snippet -->\n");
            assertThat(check(result.updated()).problems()).isEmpty();
        }
    }

    @Nested
    @DisplayName("show output only as it was captured or generated, so that")
    class OutputChecker {

        @TempDir
        Path root;

        /** A module of the repository with a producer that names {@code ids}, and what it captured. */
        private void producer(String module, String... ids) throws IOException {
            Path source = root.resolve(module).resolve("src/test/java/Producer.java");
            Files.createDirectories(source.getParent());
            StringBuilder text = new StringBuilder("class Producer {\n");
            for (String id : ids) {
                text.append("    String id = \"").append(id).append("\";\n");
            }
            Files.writeString(source, text.append("}\n"));
        }

        private void capture(String module, String file, String text) throws IOException {
            Path capture = root.resolve(module).resolve("target").resolve(file);
            Files.createDirectories(capture.getParent());
            Files.writeString(capture, text);
        }

        private Result check(String markdown) {
            return new Snippets(root).check(root.resolve("guide.md"), markdown);
        }

        private static String output(String id, String... lines) {
            return "<!-- output: " + id + " -->\n```text\n" + String.join("\n", lines) + "\n```\n<!-- /output -->\n";
        }

        @Test
        @DisplayName("a block equal to its producer's capture passes (trailing blanks ignored)")
        void equalPasses() throws IOException {
            producer("core", "journal-line");
            capture("core", "doc-outputs/journal-line.txt", "#0 from 127.0.0.1:PORT, PEER_RESET\n\n");

            Result result = check("intro\n" + output("journal-line", "#0 from 127.0.0.1:PORT, PEER_RESET  "));

            assertThat(result.problems()).isEmpty();
            assertThat(result.markers()).singleElement().extracting(Snippets.Marker::id).isEqualTo("journal-line");
        }

        @Test
        @DisplayName("a drifted block fails, showing the capture and the doc; update mode rewrites it, in a list item too")
        void driftFailsAndUpdateRewrites() throws IOException {
            producer("core", "journal-line");
            capture("core", "doc-outputs/journal-line.txt", "on every 2nd connection\n  indented\n");
            String doc = "- item\n\n  <!-- output: journal-line -->\n  ```text\n  on every 2th connection\n  ```\n"
                    + "  <!-- /output -->\n";

            Result result = check(doc);

            assertThat(result.problems()).singleElement().satisfies(problem -> assertThat(problem.toString())
                    .contains("guide.md:3 [journal-line]")
                    .contains("core/target/doc-outputs/journal-line.txt")
                    .contains("-Ddocs.update=true")
                    .contains("--- expected (captured) ---\non every 2nd connection\n  indented")
                    .contains("--- actual (in the doc) ---\non every 2th connection"));
            assertThat(result.updated()).isEqualTo("- item\n\n  <!-- output: journal-line -->\n  ```text\n"
                    + "  on every 2nd connection\n    indented\n  ```\n  <!-- /output -->\n");
            assertThat(check(result.updated()).problems()).isEmpty();
        }

        @Test
        @DisplayName("a table between output markers is compared and rewritten as a table")
        void tableOutput() throws IOException {
            producer("core", "error-table");
            capture("core", "doc-outputs/error-table.txt", "| a | b |\n|---|---|\n| 1 | 2 |\n");

            Result result = check("<!-- output: error-table -->\n| a | b |\n|---|---|\n| 1 | 3 |\n<!-- /output -->\n");

            assertThat(result.problems()).singleElement()
                    .satisfies(problem -> assertThat(problem.message()).contains("| 1 | 2 |"));
            assertThat(result.updated()).isEqualTo("<!-- output: error-table -->\n| a | b |\n|---|---|\n| 1 | 2 |\n"
                    + "<!-- /output -->\n");
        }

        @Test
        @DisplayName("a block whose ID no source names fails: it has no producer")
        void noProducerFails() {
            Result result = check(output("nobody-makes-this", "text"));

            assertThat(result.problems()).singleElement()
                    .satisfies(problem -> assertThat(problem.message()).startsWith("no producer"));
        }

        @Test
        @DisplayName("a block whose producer did not capture it in this build fails, naming the producer")
        void notCapturedFails() throws IOException {
            producer("standalone", "cli-listening");

            Result result = check(output("cli-listening", "misbehave listening on 127.0.0.1:PORT"));

            assertThat(result.problems()).singleElement().satisfies(problem -> assertThat(problem.message())
                    .contains("standalone/src/test/java/Producer.java").contains("has not captured it"));
        }

        @Test
        @DisplayName("a capture that no source names any more fails: it is left from an earlier build")
        void staleCaptureFails() throws IOException {
            capture("core", "doc-outputs/gone.txt", "text\n");

            assertThat(check(output("gone", "text")).problems()).singleElement()
                    .satisfies(problem -> assertThat(problem.message()).contains("left from an earlier build"));
        }

        @Test
        @DisplayName("an output its producer skipped here is a note, and the block stays as it is")
        void skippedIsANote() throws IOException {
            producer("standalone", "python-reset");
            capture("standalone", "doc-outputs/python-reset.skipped", "python3 is not installed\n");
            String doc = output("python-reset", "Socket error: [Errno 104] Connection reset by peer");

            Result result = check(doc);

            assertThat(result.problems()).isEmpty();
            assertThat(result.notes()).singleElement().asString().contains("python3 is not installed");
            assertThat(result.updated()).isEqualTo(doc);
        }

        @Test
        @DisplayName("two modules capturing one ID fail")
        void twoProducersFail() throws IOException {
            producer("a", "twice");
            capture("a", "doc-outputs/twice.txt", "x\n");
            capture("b", "doc-outputs/twice.txt", "x\n");

            assertThat(check(output("twice", "x")).problems()).singleElement()
                    .satisfies(problem -> assertThat(problem.message()).contains("more than one module [a, b]"));
        }

        @Test
        @DisplayName("an output-looking block without a marker fails; commands in ```sh, ```xml and ```properties pass")
        void unmarkedOutputFails() {
            Result result = check("```text\nout\n```\n\n```\nmvn -B install\n```\n\n```console\n$ x\n```\n\n"
                    + "```sh\nmvn -B install\n```\n\n```xml\n<a/>\n```\n\n```properties\n# a comment\nk=v\n```\n");

            assertThat(result.problems()).extracting(Problem::line).containsExactly(1, 5, 9);
            assertThat(result.problems()).allSatisfy(problem -> assertThat(problem.message()).contains("looks like output"));
        }

        @Test
        @DisplayName("a ```sh block that shows output as a comment fails")
        void outputInACommandBlockFails() {
            Result result = check("```sh\njava -jar peer.jar\n# misbehave listening on 127.0.0.1:PORT\n```\n");

            assertThat(result.problems()).singleElement().satisfies(problem -> assertThat(problem.toString())
                    .contains("guide.md:3").contains("commands only"));
        }

        @Test
        @DisplayName("IDs are checked for their form and are unique across documents")
        void idsUnique() throws IOException {
            producer("core", "same");
            capture("core", "doc-outputs/same.txt", "x\n");
            Snippets snippets = new Snippets(root);
            Result one = snippets.check(root.resolve("one.md"), output("same", "x"));
            Result two = snippets.check(root.resolve("two.md"), "\n" + output("same", "x"));

            assertThat(snippets.acrossDocuments(List.of(one, two))).singleElement().satisfies(problem ->
                    assertThat(problem.toString()).contains("two.md:2 [same]").contains("one.md:1"));
            assertThat(check(output("Bad_ID", "x")).problems()).anySatisfy(problem ->
                    assertThat(problem.message()).contains("is not an ID"));
        }

        @Test
        @DisplayName("a producer that captures an ID no document shows fails")
        void orphanCaptureFails() throws IOException {
            producer("core", "nowhere");
            capture("core", "doc-outputs/nowhere.txt", "x\n");
            Snippets snippets = new Snippets(root);

            assertThat(snippets.acrossDocuments(List.of(snippets.check(root.resolve("g.md"), "text\n"))))
                    .singleElement().satisfies(problem -> assertThat(problem.message()).contains("no document shows it"));
        }

        // ---- generated regions ----

        private static String generated(String id, String stamp, String... lines) {
            return "<!-- generated: " + id + "; command: mvn -B long" + (stamp == null ? "" : "; sha256: " + stamp)
                    + " -->\n\n" + String.join("\n", lines) + "\n\n<!-- /generated -->\n";
        }

        @Test
        @DisplayName("a generated region whose lines match its stamp passes; edited by hand, it fails")
        void stampedRegion() throws IOException {
            producer("bench", "figures");
            String stamp = Snippets.digest(List.of("| n | ms |", "|---|---:|", "| 1 | 40 |"));

            assertThat(check(generated("figures", stamp, "| n | ms |", "|---|---:|", "| 1 | 40 |")).problems()).isEmpty();
            Result edited = check(generated("figures", stamp, "| n | ms |", "|---|---:|", "| 1 | 30 |"));
            assertThat(edited.problems()).singleElement().satisfies(problem -> assertThat(problem.message())
                    .contains("edited by hand").contains("mvn -B long"));
            assertThat(edited.updated()).as("update mode does not stamp what no generator staged")
                    .isEqualTo(generated("figures", stamp, "| n | ms |", "|---|---:|", "| 1 | 30 |"));
        }

        @Test
        @DisplayName("update mode publishes what the generator staged and stamps it")
        void stagedIsPublished() throws IOException {
            producer("bench", "figures");
            capture("bench", "generated-docs/figures.md", "| n | ms |\n|---|---:|\n| 1 | 41 |\n");
            String old = generated("figures", null, "old");

            Result result = check(old);

            assertThat(result.problems()).singleElement()
                    .satisfies(problem -> assertThat(problem.message()).contains("has no sha256"));
            assertThat(result.notes()).singleElement().asString().contains("bench/target/generated-docs/figures.md");
            String stamp = Snippets.digest(List.of("| n | ms |", "|---|---:|", "| 1 | 41 |"));
            assertThat(result.updated()).isEqualTo(generated("figures", stamp, "| n | ms |", "|---|---:|", "| 1 | 41 |"));
            assertThat(check(result.updated()).problems()).isEmpty();
        }

        @Test
        @DisplayName("a region that a build test renders from committed results must equal the rendering")
        void renderedRegion() throws IOException {
            producer("bench", "page");
            capture("bench", "doc-outputs/page.txt", "# Page\n\nTook 6 minutes.\n");

            Result result = check(generated("page", "0000000000000000", "# Page", "", "Took 15 minutes."));

            assertThat(result.problems()).singleElement().satisfies(problem -> assertThat(problem.message())
                    .contains("renders from the committed results").contains("Took 6 minutes."));
            assertThat(result.updated()).isEqualTo(generated("page", null, "# Page", "", "Took 6 minutes."));
            assertThat(check(result.updated()).problems()).isEmpty();
        }

        @Test
        @DisplayName("a generated region must name its command and its generator")
        void commandAndGenerator() {
            Result result = check("<!-- generated: orphan -->\nx\n<!-- /generated -->\n");

            assertThat(result.problems()).extracting(Problem::message).anySatisfy(m -> assertThat(m).contains("name the command"))
                    .anySatisfy(m -> assertThat(m).contains("no generator"));
        }

        @Test
        @DisplayName("a figure the prose quotes is found on both sides; a reworded sentence fails, naming the pattern")
        void proseFigures() throws IOException {
            Files.writeString(root.resolve("README.md"), "The run takes about\n15 minutes, and more.\n");
            Files.writeString(root.resolve("page.md"), "The whole command takes about 6 minutes on a laptop.\n");
            ProseFigure figure = new ProseFigure("README.md", "takes about (\\d+ \\w+),", "page.md",
                    "command takes about (\\d+ \\w+) on");

            assertThat(figure.quoted(root)).isEqualTo("15 minutes");
            assertThat(figure.generated(root)).isEqualTo("6 minutes");
            ProseFigure reworded = new ProseFigure("README.md", "lasts (\\d+ \\w+)", "page.md", "x");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> reworded.quoted(root))
                    .hasMessageContaining("README.md no longer has /lasts");
        }

        @Test
        @DisplayName("fenced blocks inside a generated region need no marker")
        void blocksInsideRegions() throws IOException {
            producer("bench", "page");
            List<String> lines = List.of("```", "#0 from 127.0.0.1:52860 received 0 B", "```");

            assertThat(check(generated("page", Snippets.digest(lines), lines.toArray(String[]::new))).problems()).isEmpty();
        }
    }
}
