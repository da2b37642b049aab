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
        @DisplayName("equal their tagged regions in the examples, and no Java is typed by hand")
        void matchTheirSources() throws IOException {
            Snippets snippets = new Snippets(ROOT);
            List<Problem> problems = new ArrayList<>();
            for (Path doc : documents()) {
                Result result = snippets.check(doc);
                if (UPDATE && !result.updated().equals(Files.readString(doc, StandardCharsets.UTF_8))) {
                    Files.writeString(doc, result.updated(), StandardCharsets.UTF_8);
                    result = snippets.check(doc);
                }
                problems.addAll(result.problems());
            }
            assertThat(problems)
                    .as("snippet problems in %s", documents().stream().map(ROOT::relativize).collect(Collectors.toList()))
                    .isEmpty();
        }

        @Test
        @DisplayName("include the reset guide's snippets, so the check above has something to check")
        void guideHasSnippets() throws IOException {
            Path guide = DOCS.resolve("reset-after-n-bytes.md");
            assertThat(guide).isRegularFile();
            assertThat(Files.readString(guide, StandardCharsets.UTF_8)).contains("<!-- snippet: ");
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
            Result result = check("```text\n<!-- snippet: Nowhere.java#x -->\n```\n\n```java\nint x;\n```\n");

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
}
