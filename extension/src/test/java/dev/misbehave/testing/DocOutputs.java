package dev.misbehave.testing;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Captures the real output that a block of README.md or docs/ shows, for the docs module's check
 * (docs/src/test/java/dev/misbehave/docs/Snippets.java): {@code target/doc-outputs/<ID>.txt} in
 * this module, which the docs module, later in the build, compares with the block {@code <!--
 * output: ID -->}. A producer test runs the real code, replaces only what varies from run to run
 * (with the helpers below; the doc says so next to the block) and captures the rest. Its source must
 * name the ID as a string literal: that is how the check finds the producer of a block.
 */
public final class DocOutputs {

    private static final Path DIRECTORY = Path.of("target", "doc-outputs");
    private static final Pattern LOOPBACK_PORT = Pattern.compile("127\\.0\\.0\\.1:\\d+");
    private static final Pattern FRAME = Pattern.compile("^(\\t+)(at |\\.\\.\\. \\d+ more).*");

    private DocOutputs() {}

    /** Captures {@code text} as the output of block {@code id}. */
    public static void capture(String id, String text) {
        write(id + ".txt", text.endsWith("\n") ? text : text + "\n", id + ".skipped");
    }

    /** Records that block {@code id} could not be produced here, and why. */
    public static void skip(String id, String reason) {
        write(id + ".skipped", reason + "\n", id + ".txt");
    }

    /** {@code text} with every {@code 127.0.0.1:NNNNN} as {@code 127.0.0.1:PORT}: ephemeral ports differ in each run. */
    public static String ports(String text) {
        return LOOPBACK_PORT.matcher(text).replaceAll("127.0.0.1:PORT");
    }

    /**
     * {@code thrown} as a test runner prints it ({@link Throwable#printStackTrace()}), with each run of
     * stack frames shown as one {@code at ...} line: the frames name this build's classes and lines,
     * not what a user's run shows.
     */
    public static String stackTrace(Throwable thrown) {
        StringWriter text = new StringWriter();
        thrown.printStackTrace(new PrintWriter(text));
        List<String> lines = new ArrayList<>();
        String previousIndent = null;
        for (String line : text.toString().split("\\R")) {
            var frame = FRAME.matcher(line);
            if (frame.matches()) {
                if (!frame.group(1).equals(previousIndent)) {
                    lines.add(frame.group(1) + "at ...");
                }
                previousIndent = frame.group(1);
            } else {
                lines.add(line);
                previousIndent = null;
            }
        }
        return String.join("\n", lines);
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
