package dev.misbehave.examples.outputs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Captures the real output that a block of README.md or docs/ shows, for the docs module's check:
 * {@code target/doc-outputs/<ID>.txt}, which the docs module, later in the build, compares with the
 * block {@code <!-- output: ID -->} (the format is the docs checker's, {@code
 * docs/src/test/java/dev/misbehave/docs/Snippets.java}; the extension and standalone tests have the same helper).
 * The producer's source names the ID as a string literal.
 */
final class DocOutputs {

    private static final Path DIRECTORY = Path.of("target", "doc-outputs");
    private static final Pattern LOOPBACK_PORT = Pattern.compile("127\\.0\\.0\\.1:\\d+");

    private DocOutputs() {}

    /** Captures {@code text} as the output of block {@code id}. */
    static void capture(String id, String text) {
        write(id + ".txt", text.endsWith("\n") ? text : text + "\n", id + ".skipped");
    }

    /** Records that block {@code id} could not be produced here, and why. */
    static void skip(String id, String reason) {
        write(id + ".skipped", reason + "\n", id + ".txt");
    }

    /** {@code text} with every {@code 127.0.0.1:NNNNN} as {@code 127.0.0.1:PORT}: ephemeral ports differ in each run. */
    static String ports(String text) {
        return LOOPBACK_PORT.matcher(text).replaceAll("127.0.0.1:PORT");
    }

    /**
     * {@code thrown} and its causes as the docs show them, {@code Type: message}, each once, joined
     * by {@code separator} (for example {@code " <- "}).
     */
    static String chain(Throwable thrown, String separator) {
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (Throwable t = thrown; t != null && seen.add(t); t = t.getCause()) {
            parts.add(t.getClass().getSimpleName() + ": " + t.getMessage());
        }
        return String.join(separator, parts);
    }

    private static void write(String file, String text, String other) {
        try {
            Files.createDirectories(DIRECTORY);
            Files.deleteIfExists(DIRECTORY.resolve(other));
            Files.writeString(DIRECTORY.resolve(file), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
