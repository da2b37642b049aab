package dev.misbehave.examples.servers;

import org.junit.jupiter.api.Assumptions;

/**
 * What a real-server example does when its server cannot run on this machine: it is skipped (a
 * JUnit assumption, so the README's test command still passes on a machine with only a JDK and
 * Maven), unless the environment variable {@value #REQUIRE} is {@code 1}, which {@code .ci/run}
 * exports: then it fails, because CI installed the servers and a missing one is a broken build.
 */
final class ServerUnavailable {

    /** The environment variable that turns a skip into a failure. */
    static final String REQUIRE = "MISBEHAVE_REQUIRE_SERVERS";

    private ServerUnavailable() {}

    /**
     * Skips the calling test class, or fails it when {@value #REQUIRE}=1.
     *
     * @param message what is missing and how to install it
     * @param cause why starting failed, or null when nothing was tried
     */
    static void skipOrFail(String message, Throwable cause) {
        if ("1".equals(System.getenv(REQUIRE))) {
            throw new IllegalStateException(message + " (" + REQUIRE + "=1, so this fails instead of skipping)", cause);
        }
        Assumptions.abort(message + " Skipped; set " + REQUIRE + "=1 to make this a failure.");
    }
}
