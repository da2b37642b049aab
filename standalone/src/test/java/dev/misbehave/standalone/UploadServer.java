package dev.misbehave.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Python upload server (src/test/python/upload_server.py) as a process: the server under test
 * of {@code --connect}. Its lines (what it saw of each connection) are read as they come; every wait
 * is bounded, and {@link #close()} kills the process whatever happened.
 */
final class UploadServer implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final String END = "\u0000end of output";

    private final Process process;
    private final List<String> args;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private int port;

    private UploadServer(Process process, List<String> args) {
        this.process = process;
        this.args = args;
        Thread reader = new Thread(this::readLines, "upload-server-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code python3 upload_server.py ARGS} and waits for its {@code listening on} line. */
    static UploadServer start(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of(Python.scripts().resolve("upload_server.py").toString()));
        command.addAll(List.of(args));
        UploadServer server = new UploadServer(Python.start(command.toArray(String[]::new)), List.of(args));
        try {
            String first = server.nextLine(timeout);
            Matcher listening = LISTENING.matcher(first);
            assertThat(listening.matches()).as("the first line of %s: %s", server, first).isTrue();
            server.port = Integer.parseInt(listening.group(1));
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    /** The server's next line, waiting at most {@code timeout}. */
    String nextLine(Duration timeout) {
        try {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(line).as("a line from %s within %s", this, timeout).isNotNull().isNotEqualTo(END);
            seen.add(line);
            System.out.println("server: " + line);
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while reading " + this, e);
        }
    }

    /** The server's next {@code count} lines, each waited for at most {@code timeout}. */
    List<String> nextLines(int count, Duration timeout) {
        List<String> next = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            next.add(nextLine(timeout));
        }
        return next;
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("(the server's output failed: " + e + ")");
        }
        lines.add(END);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "python3 upload_server.py " + String.join(" ", args) + " (its lines so far: " + seen + ")";
    }
}
