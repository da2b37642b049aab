package dev.misbehave.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page generator turns a template and the programs' results into the page and its chart. */
class PerformancePageTests {

    @TempDir
    Path dir;

    private Path template(String text) throws IOException {
        Path page = dir.resolve("page");
        Files.createDirectories(page);
        Path template = page.resolve("performance.md");
        Files.writeString(template, text, StandardCharsets.UTF_8);
        return template;
    }

    @Test
    void expandsEverySectionWithItsProseThenItsResults() throws IOException {
        Path template = template("# P\n\nTook {{duration}}.\n\n{{environment}}\n\n{{summary}}\n\n{{chart}}\n\n## Start\n\n{{section:lifecycle}}\n");
        Files.writeString(template.resolveSibling("lifecycle.md"), "What is measured.\n", StandardCharsets.UTF_8);
        Results results = Results.open("lifecycle", new String[] {dir.resolve("results").toString()});
        results.summary("start + stop", "40 µs (3.3× floor)", "floor 12 µs", "≤ 5× floor", true);
        results.summary("cold start", "70 ms", "MockWebServer 75 ms", "≤ 60 ms", false);
        results.bar("start + stop, µs", "floor (ServerSocket)", 12);
        results.bar("start + stop, µs", "Misbehave", 40);
        results.bar("start + stop, µs", "WireMock", 4600);
        results.section("| n | median |\n|---|---|\n| 10 | 40 µs |");
        Files.writeString(dir.resolve("results").resolve(PerformancePage.ENVIRONMENT), "- Cores: 2\n");
        Files.writeString(dir.resolve("results").resolve(PerformancePage.DURATION), "0 s\n");

        PerformancePage.Page page = PerformancePage.build(dir.resolve("results"), template);

        assertThat(page.markdown())
                .contains("Took 0 s.")
                .contains("- Cores: 2")
                .contains("| start + stop | 40 µs (3.3× floor) | floor 12 µs | ≤ 5× floor | met |")
                .contains("| cold start | 70 ms | MockWebServer 75 ms | ≤ 60 ms | **missed** |")
                .contains("![")
                .contains("(" + PerformancePage.CHART_FILE + ")")
                .contains("## Start\n\nWhat is measured.\n\n| n | median |\n|---|---|\n| 10 | 40 µs |\n")
                .doesNotContain("{{");
        assertThat(page.bars()).containsOnlyKeys("start + stop, µs");
        assertThat(page.bars().get("start + stop, µs")).extracting(PerformancePage.Bar::value)
                .containsExactly(12.0, 40.0, 4600.0);

        BufferedImage chart = PerformancePage.drawChart(page.bars());
        assertThat(chart.getWidth()).isGreaterThan(500);
        assertThat(countPixels(chart, 0xC63D2F)).as("Misbehave's red bar").isGreaterThan(20);
    }

    @Test
    void aSectionWithoutResultsFailsNamingTheProgramAndTheCommand() throws IOException {
        Path template = template("{{section:cold-start}}\n");
        assertThatThrownBy(() -> PerformancePage.build(dir.resolve("results"), template))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'cold-start' program")
                .hasMessageContaining("mvn -B -Pbench -pl benchmarks -am verify -DskipTests")
                .hasMessageContaining("-Dbench.skip.cold-start=true");
    }

    @Test
    void openingResultsAgainForgetsTheEarlierRun() throws IOException {
        String[] args = {dir.resolve("results").toString()};
        Results first = Results.open("scale", args);
        first.summary("heap", "5 MiB", "", "flat", true);
        first.section("old");
        Results.open("scale", args).section("new");

        assertThat(dir.resolve("results/scale.md")).content().isEqualTo("new\n");
        assertThat(dir.resolve("results/scale.summary.tsv")).doesNotExist();
    }

    /**
     * The producer of the docs' generated region {@code performance}: the page re-rendered from the
     * template and the results of its last run, kept in docs/data/performance/, captured for the docs
     * module, which fails when docs/performance.md differs from it (a hand edit, or a template change
     * not yet rendered) and rewrites it with -Ddocs.update=true.
     */
    @Test
    void thePageIsRenderedFromTheCommittedResults() throws IOException {
        Path docs = Path.of("..", "docs");
        PerformancePage.Page page = PerformancePage.build(docs.resolve(PerformancePage.DATA),
                Path.of("src", "main", "page", "performance.md"));

        assertThat(page.markdown()).startsWith("<!-- Written by ").contains("\n## Summary\n").doesNotContain("{{");
        Path capture = Path.of("target", "doc-outputs", PerformancePage.REGION + ".txt");
        Files.createDirectories(capture.getParent());
        Files.writeString(capture, page.markdown(), StandardCharsets.UTF_8);
    }

    private static int countPixels(BufferedImage image, int rgb) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    count++;
                }
            }
        }
        return count;
    }
}
