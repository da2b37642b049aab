package dev.misbehave.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built jar with {@code --connect}, a misbehaving client, against a small Python upload server
 * (src/test/python/upload_server.py, run with {@code python3}): each test starts the server and the
 * jar, and asserts both sides, the jar's journal lines (how each connection ended, the bytes) and
 * what the server printed of each connection (the bytes it received, the exception it met). Every
 * wait is bounded on its own ({@link #WAIT}): a line of either process, the jar's exit. The server
 * prints its line for a connection when it is done with it, so the order of the two sides is never
 * assumed. docs/standalone.md ("A misbehaving client") shows the command lines of the tests marked
 * so ({@link #DOCUMENTED}); a test checks that it shows no other.
 */
@DisplayName("The standalone jar with --connect, against a Python upload server")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectIT {

    static final Duration WAIT = Duration.ofSeconds(15);

    /** An upload's head: 65 bytes, then the 65,536 bytes of body.bin. As the command line writes it. */
    static final String UPLOAD_HEAD = "POST /upload HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Length: 65536\\r\\n\\r\\n";
    static final int HEAD_BYTES = 65;
    static final int BODY_BYTES = 65_536;
    /** The reset's trigger: the head and 8 KiB of the body. */
    static final int RESET_AT = HEAD_BYTES + 8 * 1024;

    /** The server's command line, as docs/standalone.md shows it: a 1 second deadline per request. */
    static final List<String> SERVER = List.of("--deadline", "1");

    /** The documented command line: the upload reset after 8 KiB of its body. */
    static final List<String> RESET = List.of("--connect", "127.0.0.1:$PORT", "--send", UPLOAD_HEAD,
            "--send-file", "body.bin", "--effect", "reset", "--after-bytes", Integer.toString(RESET_AT));
    /** The command lines docs/standalone.md shows, with the server's port as {@code $PORT}. */
    static final List<List<String>> DOCUMENTED = List.of(RESET);

    static final String UPLOAD_PREVIEW = "|POST /upload HTTP/1.1..Host: loc...|";
    static final String TIME = "[\\d.]+ ms";

    /** A journal line of the jar: connection {@code index}, from the port in group 1, then {@code rest} (a regex). */
    static Pattern line(int index, String rest) {
        return Pattern.compile("#" + index + " from 127\\.0\\.0\\.1:(\\d+) " + rest);
    }

    /** Asserts that {@code line} matches {@code pattern}; returns the client's port it names. */
    static int port(String line, Pattern pattern) {
        Matcher matcher = pattern.matcher(line);
        assertThat(matcher.matches()).as("journal line %s matches %s", line, pattern).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    /** The arguments with the server's port for {@code $PORT} and body.bin's path for {@code body.bin}. */
    static List<String> args(List<String> args, UploadServer server) throws Exception {
        Path body = Path.of("target", "connect-it", "body.bin");
        if (!Files.isRegularFile(body)) {
            Files.createDirectories(body.getParent());
            Files.write(body, new byte[BODY_BYTES]); // head -c 65536 /dev/zero > body.bin
        }
        return args.stream()
                .map(arg -> arg.replace("$PORT", server == null ? "" : Integer.toString(server.port())))
                .map(arg -> arg.equals("body.bin") ? body.toString() : arg)
                .collect(Collectors.toList());
    }

    static List<String> with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all;
    }

    static String upload(String body) {
        return "POST /upload HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Length: " + body.length() + "\\r\\n\\r\\n" + body;
    }

    /** The server's two lines of the connection from {@code port}: connected, and what it saw. */
    static String seenBy(List<String> serverLines, int port) {
        String from = "from 127.0.0.1:" + port + ": ";
        List<String> own = serverLines.stream().filter(line -> line.startsWith(from)).collect(Collectors.toList());
        assertThat(own).as("the server's lines of the connection from port %d, in %s", port, serverLines)
                .hasSize(2).first().isEqualTo(from + "connected");
        return own.get(1).substring(from.length());
    }

    @Test
    @DisplayName("a reset after 8 KiB of a 64 KiB upload: the server reads exactly those bytes, then ConnectionResetError")
    void resetMidUpload() throws Exception {
        for (String id : List.of("cli-connect-server", "cli-connect-reset-journal")) {
            DocOutputs.skip(id, "not produced in this build: the test did not get as far (python3 missing, or it failed)");
        }
        try (UploadServer server = UploadServer.start(WAIT, SERVER.toArray(String[]::new));
                StandaloneJar jar = StandaloneJar.launch(args(RESET, server))) {
            assertThat(jar.awaitExit(WAIT)).as("exit status: the connection has ended").isZero();
            List<String> journal = journal(jar);
            assertThat(journal).hasSize(1);
            int port = port(journal.get(0), line(0, "sent " + RESET_AT + " B " + Pattern.quote(UPLOAD_PREVIEW)
                    + ", received 0 B, fault 'reset after " + RESET_AT + " UPSTREAM bytes', trigger 'after " + RESET_AT
                    + " UPSTREAM bytes' at " + TIME + ", CLIENT_RESET at " + TIME));

            List<String> seen = server.nextLines(2, WAIT);
            int errno = ArticleClientIT.connectionResetErrno();
            assertThat(seenBy(seen, port)).startsWith("received " + RESET_AT + " B, then ConnectionResetError: [Errno "
                    + errno + "]");

            assertThat(jar.stderr()).isEqualTo("misbehave: connecting to 127.0.0.1:" + server.port()
                    + ": 1 connection sending " + (HEAD_BYTES + BODY_BYTES) + " B; fault 'reset after " + RESET_AT
                    + " UPSTREAM bytes'\n");
            DocOutputs.capture("cli-connect-reset-journal", times(DocOutputs.ports(journal.get(0))));
            if (errno == 104) {
                DocOutputs.capture("cli-connect-server", DocOutputs.ports(
                        "listening on 127.0.0.1:" + server.port() + "\n" + String.join("\n", seen)));
            } else {
                DocOutputs.skip("cli-connect-server", "the docs show Python's errno on Linux; this is "
                        + System.getProperty("os.name"));
            }
        }
    }

    /** The jar's journal lines, up to the end of its output (it has exited), printed for the test's report. */
    static List<String> journal(StandaloneJar jar) throws Exception {
        List<String> journal = jar.journalLines(WAIT);
        journal.forEach(line -> System.out.println("jar: " + line));
        return journal;
    }

    /** A journal line with its times (they differ in each run) as T. */
    static String times(String line) {
        return line.replaceAll("at \\d+\\.\\d ms", "at T ms");
    }

    @Test
    @DisplayName("a close after 8 KiB of the upload: the server reads exactly those bytes, then the end of the stream")
    void closeMidUpload() throws Exception {
        try (UploadServer server = UploadServer.start(WAIT, SERVER.toArray(String[]::new));
                StandaloneJar jar = StandaloneJar.launch(args(List.of("--connect", "127.0.0.1:$PORT", "--send",
                        UPLOAD_HEAD, "--send-file", "body.bin", "--effect", "close", "--after-bytes",
                        Integer.toString(RESET_AT)), server))) {
            assertThat(jar.awaitExit(WAIT)).isZero();
            List<String> journal = journal(jar);
            assertThat(journal).hasSize(1);
            int port = port(journal.get(0), line(0, "sent " + RESET_AT + " B " + Pattern.quote(UPLOAD_PREVIEW)
                    + ", received 0 B, fault 'close after " + RESET_AT + " UPSTREAM bytes', trigger 'after " + RESET_AT
                    + " UPSTREAM bytes' at " + TIME + ", CLIENT_CLOSED at " + TIME));
            assertThat(seenBy(server.nextLines(2, WAIT), port))
                    .isEqualTo("received " + RESET_AT + " B, then EOF before the request was complete");
        }
    }

    @Test
    @DisplayName("a half-close after the whole request: the server answers 201, and the client reads it to the server's FIN")
    void halfClose() throws Exception {
        String request = upload("0123456789"); // 62 bytes of head, 10 of body
        try (UploadServer server = UploadServer.start(WAIT, SERVER.toArray(String[]::new));
                StandaloneJar jar = StandaloneJar.launch(args(List.of("--connect", "127.0.0.1:$PORT", "--send", request,
                        "--effect", "half-close", "--after-bytes", "72"), server))) {
            assertThat(jar.awaitExit(WAIT)).isZero();
            List<String> journal = journal(jar);
            assertThat(journal).hasSize(1);
            int port = port(journal.get(0), line(0, "sent 72 B " + Pattern.quote(UPLOAD_PREVIEW) + ", received 79 B"
                    + " \\|HTTP/1\\.1 201 Created\\.\\.Content-Le\\.\\.\\.\\|, fault 'half-close after 72 UPSTREAM bytes',"
                    + " trigger 'after 72 UPSTREAM bytes' at " + TIME + ", SERVER_CLOSED at " + TIME));
            assertThat(seenBy(server.nextLines(2, WAIT), port))
                    .isEqualTo("received 72 B, the whole request (POST /upload, 10 B body); answered 201");
        }
    }

    @Test
    @DisplayName("a trickle, 1 byte per 100 ms: the server's 1 s request deadline ends it (408), a few bytes in")
    void trickle() throws Exception {
        String request = "GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n"; // 35 bytes: 3.5 s at this pace
        try (UploadServer server = UploadServer.start(WAIT, SERVER.toArray(String[]::new));
                StandaloneJar jar = StandaloneJar.launch(args(List.of("--connect", "127.0.0.1:$PORT", "--send", request,
                        "--effect", "slice", "--slice-bytes", "1", "--gap-ms", "100"), server))) {
            assertThat(jar.awaitExit(WAIT)).isZero();
            List<String> journal = journal(jar);
            assertThat(journal).hasSize(1);
            // the server's FIN, or, when a byte reaches it after its close, its kernel's RST: either may come first
            // the pace is a least gap: on a loaded machine fewer pieces go out in the deadline (1 of 10, measured)
            Pattern trickled = line(0, "sent (\\d+) B \\|G[^|]*\\|, received (\\d+) B.*, fault 'slice UPSTREAM into"
                    + " 1 B pieces, 100 ms apart on accept', trigger 'on accept' at " + TIME
                    + ", (SERVER_CLOSED|SERVER_RESET) at ([\\d.]+) ms.*");
            int port = port(journal.get(0), trickled);
            Matcher record = trickled.matcher(journal.get(0));
            assertThat(record.matches()).isTrue();
            int sent = Integer.parseInt(record.group(2));
            assertThat(Double.parseDouble(record.group(5))).as("ended after (ms)").isGreaterThanOrEqualTo(1000);
            if (record.group(4).equals("SERVER_CLOSED")) {
                assertThat(journal.get(0)).contains("|HTTP/1.1 408 Request Timeout..");
            }

            String seen = seenBy(server.nextLines(2, WAIT), port);
            Matcher deadline = Pattern.compile("received (\\d+) B, then its 1\\.0 s request deadline passed"
                    + " \\(TimeoutError\\); answered 408").matcher(seen);
            assertThat(deadline.matches()).as("what the server saw: %s", seen).isTrue();
            int received = Integer.parseInt(deadline.group(1));
            assertThat(received).as("bytes the server received").isBetween(1, 34).isLessThanOrEqualTo(sent);
        }
    }

    @Test
    @DisplayName("3 connections that never speak: the server's deadline closes each (408), nothing was sent")
    void silentConnections() throws Exception {
        try (UploadServer server = UploadServer.start(WAIT, SERVER.toArray(String[]::new));
                StandaloneJar jar = StandaloneJar.launch(args(List.of("--connect", "127.0.0.1:$PORT", "--send",
                        upload("x"), "--effect", "stall", "--connections", "3"), server))) {
            assertThat(jar.awaitExit(WAIT)).isZero();
            List<String> journal = journal(jar);
            assertThat(journal).hasSize(3);
            List<String> seen = server.nextLines(6, WAIT);
            for (int i = 0; i < 3; i++) {
                String printed = journal.get(i);
                int index = Integer.parseInt(printed.substring(1, printed.indexOf(' ')));
                int port = port(printed, line(index, "sent 0 B, received 70 B \\|HTTP/1\\.1 408 Request Timeout\\.\\.Co"
                        + "\\.\\.\\.\\|, fault 'stall on accept', trigger 'on accept' at " + TIME + ", SERVER_CLOSED at "
                        + TIME));
                assertThat(seenBy(seen, port)).isEqualTo("received 0 B, then its 1.0 s request deadline passed"
                        + " (TimeoutError); answered 408");
            }
            assertThat(journal).extracting(printed -> printed.substring(0, 2)).containsExactlyInAnyOrder("#0", "#1", "#2");
        }
    }

    @Test
    @DisplayName("one after another, only the 2nd reset: the server takes an upload, a reset, an upload, in that order")
    void oneAfterAnother() throws Exception {
        try (UploadServer server = UploadServer.start(WAIT, SERVER.toArray(String[]::new));
                StandaloneJar jar = StandaloneJar.launch(args(List.of("--connect", "127.0.0.1:$PORT", "--send",
                        UPLOAD_HEAD, "--send-file", "body.bin", "--connections", "3", "--one-after-another",
                        "--effect", "reset", "--after-bytes", Integer.toString(RESET_AT), "--only", "2"), server))) {
            assertThat(jar.awaitExit(WAIT)).isZero();
            List<String> journal = journal(jar);
            assertThat(journal).hasSize(3);
            String whole = "sent " + (HEAD_BYTES + BODY_BYTES) + " B " + Pattern.quote(UPLOAD_PREVIEW) + ", received 82 B"
                    + " \\|HTTP/1\\.1 201 Created\\.\\.Content-Le\\.\\.\\.\\|, well-behaved, trigger none, SERVER_CLOSED at "
                    + TIME;
            int first = port(journal.get(0), line(0, whole));
            int second = port(journal.get(1), line(1, "sent " + RESET_AT + " B " + Pattern.quote(UPLOAD_PREVIEW)
                    + ", received 0 B, fault 'reset after " + RESET_AT + " UPSTREAM bytes only on connection 2',"
                    + " trigger 'after " + RESET_AT + " UPSTREAM bytes' at " + TIME + ", CLIENT_RESET at " + TIME));
            int third = port(journal.get(2), line(2, whole));

            List<String> seen = server.nextLines(6, WAIT);
            String stored = "received " + (HEAD_BYTES + BODY_BYTES) + " B, the whole request (POST /upload, " + BODY_BYTES
                    + " B body); answered 201";
            assertThat(seenBy(seen, first)).isEqualTo(stored);
            assertThat(seenBy(seen, second)).isEqualTo("received " + RESET_AT + " B, then ConnectionResetError: [Errno "
                    + ArticleClientIT.connectionResetErrno() + "] Connection reset by peer");
            assertThat(seenBy(seen, third)).isEqualTo(stored);
            // the server ended the first, so it was done with it before the second was opened; the client ends the
            // second itself (its RST), and opens the third without waiting for the server's thread to meet the RST
            assertThat(seen.indexOf("from 127.0.0.1:" + first + ": " + stored)).as("the first stored, in %s", seen)
                    .isLessThan(seen.indexOf("from 127.0.0.1:" + second + ": connected"))
                    .isLessThan(seen.indexOf("from 127.0.0.1:" + third + ": connected"));
        }
    }

    @Test
    @DisplayName("a client that stops reading after 1 KiB of a download: the server's send times out; closing stdin ends the client")
    void neverReads() throws Exception {
        try (UploadServer server = UploadServer.start(WAIT, SERVER.toArray(String[]::new));
                StandaloneJar jar = StandaloneJar.launch(args(List.of("--connect", "127.0.0.1:$PORT", "--send",
                        "GET /download HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n", "--effect", "stall", "--after-bytes",
                        "1024", "--direction", "downstream", "--until-stdin-closes"), server))) {
            List<String> seen = server.nextLines(2, WAIT);
            Matcher timedOut = Pattern.compile("received 43 B, the whole request \\(GET /download\\); sent (\\d+) body"
                    + " bytes of 67108864, then TimeoutError: timed out").matcher(seenBy(seen, portIn(seen.get(0))));
            assertThat(timedOut.matches()).as("what the server saw: %s", seen).isTrue();
            assertThat(Long.parseLong(timedOut.group(1))).isGreaterThan(1024).isLessThan(64L * 1024 * 1024);

            jar.closeStdin(); // only now does the client go away
            assertThat(jar.awaitExit(WAIT)).isZero();
            List<String> journal = journal(jar);
            assertThat(journal).hasSize(1);
            int port = port(journal.get(0), line(0, "sent 43 B \\|GET /download [^|]*\\|, received 1024 B"
                    + " \\|HTTP/1\\.1 200 OK[^|]*\\|, fault 'stall after 1024 DOWNSTREAM"
                    + " bytes', trigger 'after 1024 DOWNSTREAM bytes' at " + TIME + ", CLOSED_BY_TEST at " + TIME));
            assertThat(port).isEqualTo(portIn(seen.get(0)));
        }
    }

    static int portIn(String serverLine) {
        Matcher from = Pattern.compile("from 127\\.0\\.0\\.1:(\\d+): .*").matcher(serverLine);
        assertThat(from.matches()).as("a server line: %s", serverLine).isTrue();
        return Integer.parseInt(from.group(1));
    }

    @Test
    @DisplayName("--wait-seconds 1 against a server with no deadline: the client closes its silent connection and exits 3")
    void waitRunsOut() throws Exception {
        try (UploadServer server = UploadServer.start(WAIT);
                StandaloneJar jar = StandaloneJar.launch(args(List.of("--connect", "127.0.0.1:$PORT", "--effect", "stall",
                        "--wait-seconds", "1"), server))) {
            assertThat(jar.awaitExit(WAIT)).isEqualTo(3);
            List<String> journal = journal(jar);
            assertThat(journal).hasSize(1);
            Pattern closed = line(0, "sent 0 B, received 0 B, fault 'stall on accept', trigger 'on accept' at " + TIME
                    + ", CLOSED_BY_TEST at ([\\d.]+) ms");
            int port = port(journal.get(0), closed);
            Matcher record = closed.matcher(journal.get(0));
            assertThat(record.matches()).isTrue();
            assertThat(Double.parseDouble(record.group(2))).as("closed after (ms)").isGreaterThanOrEqualTo(1000);
            assertThat(seenBy(server.nextLines(2, WAIT), port)).isEqualTo("received 0 B, then EOF before the request was"
                    + " complete");
            assertThat(jar.stderr()).endsWith("misbehave: --wait-seconds 1 ran out: 1 of 1 connections were still open"
                    + " (closed: CLOSED_BY_TEST).\n");
        }
    }

    @Test
    @DisplayName("on SIGTERM: closes the connections still open, prints their lines, exits with the JVM's 143")
    void onSigterm() throws Exception {
        try (UploadServer server = UploadServer.start(WAIT);
                StandaloneJar jar = StandaloneJar.launch(args(List.of("--connect", "127.0.0.1:$PORT", "--effect", "stall"),
                        server))) {
            String connected = server.nextLine(WAIT);
            assertThat(connected).endsWith(": connected");
            jar.terminate();

            assertThat(jar.awaitExit(WAIT)).isEqualTo(143);
            List<String> journal = journal(jar);
            assertThat(journal).hasSize(1);
            // the server's accept does not wait for the client to see its connect complete: the stop may come first
            int port = port(journal.get(0), line(0, "sent 0 B, received 0 B, fault 'stall on accept', trigger (none|'on"
                    + " accept' at " + TIME + "), CLOSED_BY_TEST at " + TIME));
            assertThat(port).isEqualTo(portIn(connected));
            assertThat(server.nextLine(WAIT)).isEqualTo("from 127.0.0.1:" + port + ": received 0 B, then EOF before the"
                    + " request was complete");
        }
    }

    @Test
    @DisplayName("a port no one listens on: CONNECT_FAILED with the reason, and exit status 1")
    void connectFailed() throws Exception {
        int port;
        try (ServerSocket released = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = released.getLocalPort();
        }
        try (StandaloneJar jar = StandaloneJar.launch(List.of("--connect", "127.0.0.1:" + port, "--send", "hello"))) {
            assertThat(jar.awaitExit(WAIT)).isEqualTo(1);
            List<String> journal = journal(jar);
            assertThat(journal).singleElement().asString()
                    .matches("#0 sent 0 B, received 0 B, well-behaved, trigger none, CONNECT_FAILED at " + TIME
                            + " \\(.*Connection refused.*\\)");
            assertThat(jar.stderr()).endsWith("misbehave: 1 of 1 connections could not be made (CONNECT_FAILED): is the"
                    + " server listening on 127.0.0.1:" + port + "?\n");
        }
    }

    @Test
    @DisplayName("docs/standalone.md shows exactly the --connect command lines these tests run, and the server's")
    void documented() throws Exception {
        Path guide = Path.of("..", "docs", "standalone.md");
        String jarCommand = "java -jar standalone/target/misbehave-standalone-*.jar --connect ";
        List<String> shown = Files.readAllLines(guide, StandardCharsets.UTF_8).stream()
                .filter(line -> line.startsWith(jarCommand)).collect(Collectors.toList());
        List<String> run = DOCUMENTED.stream().map(args -> "java -jar standalone/target/misbehave-standalone-*.jar "
                + args.stream().map(ConnectIT::shellQuoted).collect(Collectors.joining(" "))).collect(Collectors.toList());
        assertThat(shown).as("the --connect command lines of %s", guide).containsExactlyInAnyOrderElementsOf(run);
        assertThat(Files.readString(guide, StandardCharsets.UTF_8)).as("%s starts the server as the tests do", guide)
                .contains("python3 standalone/src/test/python/upload_server.py " + String.join(" ", SERVER) + "\n")
                .contains("head -c " + BODY_BYTES + " /dev/zero > body.bin\n");
    }

    /** {@code arg} as a POSIX shell reads it back: in single quotes unless it has only safe characters. */
    static String shellQuoted(String arg) {
        if (!arg.isEmpty() && arg.chars().allMatch(c -> Character.isLetterOrDigit(c) || "._:/@%+=,-$".indexOf(c) >= 0)) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
