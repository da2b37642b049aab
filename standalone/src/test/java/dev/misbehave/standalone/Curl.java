package dev.misbehave.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code curl}, bounded in time. Without {@code curl} on the PATH, a test is skipped with a
 * message that says how to install it; with the environment variable {@code
 * MISBEHAVE_REQUIRE_SERVERS=1} (as {@code .ci/run} sets it) it fails instead, as {@link Python} does.
 */
final class Curl {

    /**
     * What one run of curl did.
     *
     * @param exitCode curl's exit status (0, or its error number: 56 for a receive failure)
     * @param stdout what it wrote to standard output: the response body
     * @param stderr what it wrote to standard error: with {@code -sS}, its error message only
     */
    record Result(int exitCode, String stdout, String stderr) {}

    private Curl() {}

    /** What {@code curl --version} prints on its first line. */
    static String version() throws Exception {
        return run(Duration.ofSeconds(10), "--version").stdout().lines().findFirst().orElse("");
    }

    /** Runs {@code curl --max-time SECONDS ARGS}, SECONDS being {@code timeout}'s. */
    static Result run(Duration timeout, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "--max-time", Long.toString(timeout.toSeconds())));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile(Path.of("target"), "curl-", ".stderr");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            String message = "The standalone peer's TLS tests run curl, which could not be started ("
                    + e.getMessage() + "). Install curl (Debian and Ubuntu: apt-get install curl) so that"
                    + " curl is on the PATH.";
            if ("1".equals(System.getenv("MISBEHAVE_REQUIRE_SERVERS"))) {
                throw new AssertionError(message + " (MISBEHAVE_REQUIRE_SERVERS=1: required)", e);
            }
            Assumptions.abort(message);
            throw new AssertionError("unreachable", e);
        }
        try {
            process.getOutputStream().close();
            byte[] stdout = process.getInputStream().readAllBytes(); // until curl exits, within --max-time
            assertThat(process.waitFor(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS))
                    .as("curl %s finished within %s", String.join(" ", args), timeout).isTrue();
            return new Result(process.exitValue(), new String(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8).strip());
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(stderr);
        }
    }
}
