package dev.misbehave.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The staging folder that {@code mvn -B -Prelease deploy} filled: exactly what Maven Central would
 * get, each file with its checksums (and its signature when the build signed), the POMs with the
 * metadata Central requires, and the licence in every jar. The rules of the jar's contents (every
 * class under {@code dev/misbehave}, a POM without Netty) are the extension's {@code
 * RelocatedJarIT}, which this module's Failsafe run applies to the staged files.
 */
@DisplayName("The release's staging folder")
class StagingTests {

    private static Path staging;
    private static String version;
    private static boolean signed;

    @BeforeAll
    static void locate() {
        staging = Path.of(System.getProperty("misbehave.staging", "../target/staging"));
        version = System.getProperty("misbehave.version");
        signed = Boolean.parseBoolean(System.getProperty("misbehave.signed", "false"));
        assertThat(staging)
                .as("the staging folder, which only the whole release command fills: run it from the"
                        + " repository's root (docs/releasing.md), not this module alone")
                .isDirectory();
    }

    @Test
    @DisplayName("holds the parent POM and the extension's POM, jar, sources and Javadoc, and nothing else")
    void holdsExactlyWhatIsPublished() throws IOException {
        List<String> expected = new ArrayList<>(List.of(
                "dev/misbehave/misbehave-parent/" + version + "/misbehave-parent-" + version + ".pom",
                "dev/misbehave/misbehave/" + version + "/misbehave-" + version + ".pom",
                "dev/misbehave/misbehave/" + version + "/misbehave-" + version + ".jar",
                "dev/misbehave/misbehave/" + version + "/misbehave-" + version + "-sources.jar",
                "dev/misbehave/misbehave/" + version + "/misbehave-" + version + "-javadoc.jar"));
        List<String> staged = new ArrayList<>(expected);
        for (String file : expected) {
            staged.add(file + ".md5");
            staged.add(file + ".sha1");
            if (signed) {
                staged.add(file + ".asc"); // a signature gets no checksums of its own
            }
        }

        assertThat(artifacts()).containsExactlyInAnyOrderElementsOf(staged);
    }

    @Test
    @DisplayName("has POMs with the name, description, URL, licence, developers and SCM that Central requires")
    void pomsCarryTheMetadata() throws IOException {
        String parent = Files.readString(staged("misbehave-parent", ".pom"), StandardCharsets.UTF_8);
        assertThat(parent)
                .contains("<name>Apache License, Version 2.0</name>")
                .contains("<developers>", "<scm", "<connection>", "<url>")
                .doesNotContain("-SNAPSHOT</version>");
        assertThat(between(parent, "<licenses>", "</licenses>")).contains("https://www.apache.org/licenses/LICENSE-2.0.txt");
        for (String property : List.of("misbehave.url", "misbehave.scm.url", "misbehave.scm.connection")) {
            assertThat(parent)
                    .as("the published POM's %s, which its <url> or <scm> refers to: set it in pom.xml (mvn -B"
                            + " versions:set-property, docs/releasing.md), not on the command line", property)
                    .containsPattern("<" + property.replace(".", "\\.") + ">\\S+</" + property.replace(".", "\\.") + ">");
        }

        String extension = Files.readString(staged("misbehave", ".pom"), StandardCharsets.UTF_8);
        assertThat(extension)
                .contains("<artifactId>misbehave-parent</artifactId>")
                .containsPattern("<name>[^<]+</name>")
                .containsPattern("<description>[^<]+</description>");
    }

    @Test
    @DisplayName("has the licence and the notice in META-INF of every jar")
    void everyJarCarriesTheLicence() throws IOException {
        for (String classifier : List.of("", "-sources", "-javadoc")) {
            try (JarFile jar = new JarFile(staged("misbehave", classifier + ".jar").toFile())) {
                assertThat(jar.getEntry("META-INF/LICENSE")).as("META-INF/LICENSE in misbehave%s.jar", classifier).isNotNull();
                assertThat(jar.getEntry("META-INF/NOTICE")).as("META-INF/NOTICE in misbehave%s.jar", classifier).isNotNull();
                String licence = new String(jar.getInputStream(jar.getEntry("META-INF/LICENSE")).readAllBytes(),
                        StandardCharsets.UTF_8);
                assertThat(licence).contains("Apache License", "Version 2.0, January 2004");
            }
        }
    }

    private static Path staged(String artifact, String suffix) {
        return staging.resolve("dev/misbehave/" + artifact + "/" + version + "/" + artifact + "-" + version + suffix);
    }

    /** Every staged file but Maven's repository metadata, relative to the staging folder. */
    private static TreeSet<String> artifacts() throws IOException {
        try (Stream<Path> files = Files.walk(staging)) {
            return files.filter(Files::isRegularFile)
                    .map(file -> staging.relativize(file).toString().replace('\\', '/'))
                    .filter(name -> !name.contains("maven-metadata"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String between(String text, String start, String end) {
        return text.substring(text.indexOf(start), text.indexOf(end));
    }
}
