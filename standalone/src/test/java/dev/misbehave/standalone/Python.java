package dev.misbehave.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the test's Python scripts (src/test/python) with {@code python3}, bounded in time. Without
 * {@code python3} on the PATH, a test is skipped with a message that says how to install it, so the
 * README's commands work on a machine with only a JDK and Maven; with the environment variable
 * {@code MISBEHAVE_REQUIRE_SERVERS=1} (as {@code .ci/run} sets it, after installing python3 if
 * missing) it fails instead.
 */
final class Python {

    private Python() {}

    /** The directory of the Python scripts (failsafe passes its path). */
    static Path scripts() {
        String path = System.getProperty("misbehave.standalone.python");
        assertThat(path).as("system property misbehave.standalone.python (set by the failsafe plugin)").isNotNull();
        return Path.of(path);
    }

    /**
     * Runs the article's client against {@code host:port} through {@code raised.py}, which prints,
     * after what the client printed, each exception raised in the client's code ({@code raised:
     * ConnectionResetError errno=104}).
     *
     * @return every line Python printed, standard error included
     */
    static List<String> articleClient(String host, int port, Duration timeout) throws Exception {
        return run(timeout, scripts().resolve("raised.py").toString(),
                scripts().resolve("article_client.py").toString(), host, Integer.toString(port));
    }

    /** What {@code python3 --version} prints, without "Python ". */
    static String version() throws Exception {
        return String.join(" ", run(Duration.ofSeconds(10), "--version")).replace("Python ", "");
    }

    /**
     * Starts {@code python3 ARGS}, standard error merged into standard output; skips the test (or,
     * with {@code MISBEHAVE_REQUIRE_SERVERS=1}, fails it) if there is no {@code python3}.
     */
    static Process start(String... args) {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(List.of(args));
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            String message = "The standalone peer's tests run Python clients and servers with python3,"
                    + " which could not be started (" + e.getMessage() + "). Install Python 3 (Debian and Ubuntu:"
                    + " apt-get install python3) so that python3 is on the PATH.";
            if ("1".equals(System.getenv("MISBEHAVE_REQUIRE_SERVERS"))) {
                throw new AssertionError(message + " (MISBEHAVE_REQUIRE_SERVERS=1: required)", e);
            }
            Assumptions.abort(message);
            throw new AssertionError("unreachable", e);
        }
    }

    /** Runs {@code python3 ARGS}; returns every line it printed, standard error included. */
    static List<String> run(Duration timeout, String... args) throws Exception {
        Process process = start(args);
        try {
            process.getOutputStream().close();
            assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                    .as("python3 %s finished within %s", String.join(" ", args), timeout).isTrue();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return output.lines().toList();
        } finally {
            process.destroyForcibly();
        }
    }
}
