package dev.misbehave.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built executable jar, started as a separate process with {@code java -jar}, exactly as a user
 * starts it: its standard output read line by line, its standard error kept in a file for failure
 * messages. Every wait is bounded; {@link #close()} destroys the process whatever happened.
 */
final class StandaloneJar implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("misbehave listening on (127\\.0\\.0\\.1):(\\d+)");
    private static final String END = "\u0000end of standard output";

    private final Process process;
    private final List<String> args;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;
    private String listeningLine;
    private String host;
    private int port;

    private StandaloneJar(Process process, List<String> args, Path stderr) {
        this.process = process;
        this.args = args;
        this.stderr = stderr;
        this.reader = new Thread(this::readLines, "standalone-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** The jar the build just packaged (failsafe passes its path). */
    static Path jar() {
        String path = System.getProperty("misbehave.standalone.jar");
        assertThat(path).as("system property misbehave.standalone.jar (set by the failsafe plugin)").isNotNull();
        assertThat(Path.of(path)).as("the packaged jar: run 'mvn -pl standalone -am verify'").isRegularFile();
        return Path.of(path);
    }

    /**
     * Starts {@code java -jar misbehave-standalone-VERSION.jar ARGS} and returns at once: for {@code
     * --connect}, which prints no port line.
     */
    static StandaloneJar launch(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
        command.addAll(args);
        Path stderr = Files.createTempFile(Path.of("target"), "standalone-", ".stderr");
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        return new StandaloneJar(process, args, stderr);
    }

    /** Starts {@code java -jar misbehave-standalone-VERSION.jar ARGS} and waits for its port line. */
    static StandaloneJar start(List<String> args, Duration timeout) throws IOException {
        StandaloneJar jar = launch(args);
        try {
            String first = jar.nextLine(timeout);
            Matcher listening = LISTENING.matcher(first);
            assertThat(listening.matches()).as("the first line of %s: %s", jar, first).isTrue();
            jar.listeningLine = first;
            jar.host = listening.group(1);
            jar.port = Integer.parseInt(listening.group(2));
            return jar;
        } catch (RuntimeException | Error e) {
            jar.close();
            throw e;
        }
    }

    /** The first line the jar printed: {@code misbehave listening on HOST:PORT}. */
    String listeningLine() {
        return listeningLine;
    }

    String host() {
        return host;
    }

    /** What the process has printed on standard error so far. */
    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    int port() {
        return port;
    }

    /** Closes the process's standard input. */
    void closeStdin() throws IOException {
        process.getOutputStream().close();
    }

    /**
     * Sends SIGTERM (on Linux and macOS) through the process handle, which, unlike {@link
     * Process#destroy()}, leaves this side's pipes open to read what the process prints on its way
     * out.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /**
     * Waits for the process to exit by itself, then returns its exit status.
     *
     * @throws AssertionError if it is still running after {@code timeout}
     */
    int awaitExit(Duration timeout) throws InterruptedException {
        assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                .as("%s exited within %s", this, timeout).isTrue();
        return process.exitValue();
    }

    /** The lines printed after the port line, up to the end of the output (after the process exited). */
    List<String> journalLines(Duration timeout) throws InterruptedException {
        List<String> journal = new ArrayList<>();
        for (String line = nextLine(timeout); !line.equals(END); line = nextLine(timeout)) {
            journal.add(line);
        }
        return journal;
    }

    /**
     * The next line of standard output, waiting at most {@code timeout}.
     *
     * @throws AssertionError if no line came in time, or the output ended
     */
    String nextOutputLine(Duration timeout) {
        String line = nextLine(timeout);
        assertThat(line).as("a line from %s, not the end of its output", this).isNotEqualTo(END);
        return line;
    }

    private String nextLine(Duration timeout) {
        try {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(line).as("a line from %s within %s", this, timeout).isNotNull();
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while reading " + this, e);
        }
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("(standard output failed: " + e + ")");
        }
        lines.add(END);
    }

    /** Destroys the process if it still runs (bounded: SIGTERM, then SIGKILL). */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        String err;
        try {
            err = Files.readString(stderr, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "java -jar " + jar().getFileName() + " " + String.join(" ", args) + " (standard error: " + err + ")";
    }
}
