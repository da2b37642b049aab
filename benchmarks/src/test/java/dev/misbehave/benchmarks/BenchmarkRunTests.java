package dev.misbehave.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher of the benchmark command and the bench profile that runs it agree. */
class BenchmarkRunTests {

    @Test
    void everyProgramHasItsSkipFlagInTheBenchProfile() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);

        for (BenchmarkRun.Program program : BenchmarkRun.PROGRAMS) {
            String id = program.id();
            assertThat(pom).as("the bench profile's default and launcher argument for %s", id)
                    .contains("<bench.skip." + id + ">false</bench.skip." + id + ">")
                    .contains("<argument>-Dbench.skip." + id + "=${bench.skip." + id + "}</argument>");
        }
    }

    @Test
    void aChildGetsItsJvmOptionsTheClassPathAndTheResultsDirectory() {
        BenchmarkRun.Program proxy = BenchmarkRun.PROGRAMS.stream().filter(p -> p.id().equals("proxy")).findFirst()
                .orElseThrow();
        BenchmarkRun.Program page = BenchmarkRun.PROGRAMS.get(BenchmarkRun.PROGRAMS.size() - 1);
        String[] args = {"results", "template.md", "docs"};

        List<String> child = BenchmarkRun.command(proxy, args);
        List<String> last = BenchmarkRun.command(page, args);

        assertThat(child).contains("-Xmx512m", "-classpath", System.getProperty("java.class.path"))
                .endsWith(ProxyTransferBenchmark.class.getName(), "results");
        assertThat(page.id()).as("the page is written last").isEqualTo("page");
        assertThat(last).contains("-Djava.awt.headless=true")
                .endsWith(PerformancePage.class.getName(), "results", "template.md", "docs");
    }
}
