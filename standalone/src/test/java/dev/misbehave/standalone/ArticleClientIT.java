package dev.misbehave.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The built jar, started with {@code java -jar} as a separate process, in front of the article's
 * Python client (src/test/python/article_client.py) run with {@code python3}. Each test starts the
 * jar once with {@code --connections TRIALS} ({@code misbehave.standalone.trials}, 3 in the normal
 * build), runs the client TRIALS times, and asserts what Python printed and raised and what the jar
 * printed, in every trial. Every wait is bounded on its own ({@link #WAIT}: a line of the jar's
 * output, its exit, a Python run, a socket read), so a test's time grows with TRIALS and it has no
 * overall timeout. docs/standalone.md and README.md show these command lines; a test checks
 * that they show no other.
 */
@DisplayName("The standalone jar in front of the article's Python client")
class ArticleClientIT {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final int TRIALS = Integer.getInteger("misbehave.standalone.trials", 3);
    /**
     * With {@code -Dmisbehave.standalone.publish=true}, the table of this run (each command line, what
     * Python printed and raised, the journal's ending, the trials) is staged for the docs'
     * generated region {@code standalone-determinism}.
     */
    static final boolean PUBLISH = Boolean.getBoolean("misbehave.standalone.publish");
    /** The rows of that table, by command line, as the tests pass. */
    static final Map<String, String> ROWS = new ConcurrentSkipListMap<>();

    /** The flags of each documented command line, without its {@code --connections N}. */
    static final List<String> RESET = List.of("--effect", "reset", "--after-bytes", "14");
    static final List<String> CLOSE = List.of("--effect", "close", "--after-bytes", "14");
    /** In proxy mode; the test puts its echo server's port for {@code $SERVER_PORT}. */
    static final List<String> PROXY_RESET = List.of("--upstream", "127.0.0.1:$SERVER_PORT",
            "--effect", "reset", "--after-bytes", "5", "--direction", "downstream");

    static final String HELLO = "48 65 6c 6c 6f 2c 20 73 65 72 76 65 72 21 |Hello, server!|";

    /** What ECONNRESET is on this platform (DESIGN.md): Linux 104, macOS 54, Windows WSAECONNRESET. */
    static int connectionResetErrno() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        return os.contains("win") ? 10054 : os.contains("mac") ? 54 : 104;
    }

    static List<String> withConnections(List<String> flags, int connections) {
        List<String> args = new ArrayList<>(flags);
        args.addAll(List.of("--connections", Integer.toString(connections)));
        return args;
    }

    /** Runs the client TRIALS times against a jar started with {@code flags}; returns the jar's journal. */
    static List<String> runTrials(List<String> flags, List<String> pythonPrints) throws Exception {
        return runTrials(flags, pythonPrints, null);
    }

    /**
     * Runs the client TRIALS times against a jar started with {@code flags}; returns the jar's journal.
     * With {@code docs}, captures for the docs what the jar and Python printed.
     */
    static List<String> runTrials(List<String> flags, List<String> pythonPrints, Docs docs) throws Exception {
        if (docs != null) {
            docs.skipAll("not produced in this build: the test did not get as far (python3 missing, or it failed)");
        }
        try (StandaloneJar jar = StandaloneJar.start(withConnections(flags, TRIALS), WAIT)) {
            for (int trial = 1; trial <= TRIALS; trial++) {
                List<String> printed = Python.articleClient(jar.host(), jar.port(), WAIT);
                System.out.printf("trial %d: python3 article_client.py printed %s%n", trial, printed);
                assertThat(printed).as("what Python printed in trial %d of %d", trial, TRIALS)
                        .containsExactlyElementsOf(pythonPrints);
            }
            assertThat(jar.awaitExit(WAIT)).as("exit status after %d connections", TRIALS).isZero();
            List<String> journal = jar.journalLines(WAIT);
            journal.forEach(line -> System.out.println("journal: " + line));
            if (docs != null) {
                docs.capture(jar.listeningLine(), pythonPrints, journal.get(0));
            }
            ROWS.put(String.join(" ", flags), row(flags, pythonPrints, journal));
            return journal;
        }
    }

    /**
     * The IDs of the docs' output blocks one documented command line produces: the jar's first line,
     * what the article's client printed (the command the docs show runs it without raised.py, so
     * the {@code raised:} lines are left out), the jar's journal line of the first connection. Python's
     * output is Linux's (errno 104), which the docs show: on another OS it is skipped. A null ID is not
     * shown in the docs.
     */
    record Docs(List<String> listening, List<String> python, String journal) {

        void skipAll(String reason) {
            all().forEach(id -> DocOutputs.skip(id, reason));
        }

        void capture(String listeningLine, List<String> pythonPrinted, String journalLine) {
            listening.forEach(id -> DocOutputs.capture(id, DocOutputs.ports(listeningLine)));
            String clientOutput = pythonPrinted.stream().filter(line -> !line.startsWith("raised: "))
                    .collect(Collectors.joining("\n"));
            python.forEach(id -> {
                if (connectionResetErrno() == 104) {
                    DocOutputs.capture(id, clientOutput);
                } else {
                    DocOutputs.skip(id, "the docs show Python's output on Linux; this is " + System.getProperty("os.name"));
                }
            });
            if (journal != null) {
                DocOutputs.capture(journal, DocOutputs.ports(journalLine));
            }
        }

        private List<String> all() {
            List<String> ids = new ArrayList<>(listening);
            ids.addAll(python);
            if (journal != null) {
                ids.add(journal);
            }
            return ids;
        }
    }

    /** One row of the staged table: every trial of the run printed {@code pythonPrints}. */
    private static String row(List<String> flags, List<String> pythonPrints, List<String> journal) {
        String command = String.join(" ", flags).replaceAll("127\\.0\\.0\\.1:\\d+", "127.0.0.1:\\$SERVER_PORT");
        String printed = pythonPrints.stream().filter(line -> !line.startsWith("raised: "))
                .map(line -> "`" + line + "`").collect(Collectors.joining(" "));
        String raised = pythonPrints.stream().filter(line -> line.startsWith("raised: "))
                .map(line -> "`" + line.substring("raised: ".length()) + "`").collect(Collectors.joining(" "));
        List<String> endings = journal.stream().map(line -> line.substring(line.lastIndexOf(", ") + 2)).distinct()
                .collect(Collectors.toList());
        return "| `" + command + "` | " + printed + " | " + (raised.isEmpty() ? "nothing" : raised) + " | "
                + String.join(", ", endings) + " | " + TRIALS + " of " + TRIALS + " |";
    }

    @AfterAll
    static void stageTable() throws Exception {
        if (!PUBLISH || ROWS.size() < 3) {
            return;
        }
        String table = "| command line | Python printed | raised | journal lines end with | trials |\n"
                + "|---|---|---|---|---:|\n" + String.join("\n", ROWS.values()) + "\n";
        Path staged = Path.of("target", "generated-docs", "standalone-determinism.md");
        Files.createDirectories(staged.getParent());
        Files.writeString(staged, "Python " + Python.version() + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + ", JDK " + System.getProperty("java.version") + ":\n\n" + table);
    }

    /** A journal line of connection {@code index} from 127.0.0.1, whatever the client's port. */
    static Pattern journalLine(int index, String rest) {
        return Pattern.compile("#" + index + " from 127\\.0\\.0\\.1:\\d+ " + Pattern.quote(rest));
    }

    static void assertJournal(List<String> journal, String rest) {
        assertThat(journal).as("the jar's journal lines").hasSize(TRIALS);
        for (int i = 0; i < TRIALS; i++) {
            assertThat(journal.get(i)).matches(journalLine(i, rest));
        }
    }

    @Test
    @DisplayName("--effect reset --after-bytes 14: Python raises ConnectionResetError (errno 104 on Linux)")
    void reset() throws Exception {
        int errno = connectionResetErrno();
        String message = errno == 104 ? "Socket error: [Errno 104] Connection reset by peer"
                : errno == 54 ? "Socket error: [Errno 54] Connection reset by peer"
                : "Socket error: [WinError 10054] An existing connection was forcibly closed by the remote host";
        List<String> journal = runTrials(RESET, List.of(message, "raised: ConnectionResetError errno=" + errno),
                new Docs(List.of("cli-listening", "readme-cli-listening"), List.of("python-reset", "readme-python-reset"),
                        "cli-reset-journal"));

        assertJournal(journal, "received 14 B [" + HELLO + "], sent 0 B, fault 'reset after 14 UPSTREAM bytes',"
                + " trigger 'after 14 UPSTREAM bytes', PEER_RESET");
    }

    @Test
    @DisplayName("--effect close --after-bytes 14: Python's recv returns b'' and nothing is raised")
    void close() throws Exception {
        List<String> journal = runTrials(CLOSE, List.of("Received b''"),
                new Docs(List.of(), List.of("python-close"), null));

        assertJournal(journal, "received 14 B [" + HELLO + "], sent 0 B, fault 'close after 14 UPSTREAM bytes',"
                + " trigger 'after 14 UPSTREAM bytes', PEER_CLOSED");
    }

    @Test
    @DisplayName("--upstream to a real echo server, reset after 5 response bytes: Python receives b'Hello' and no error")
    void proxy() throws Exception {
        try (EchoServer server = EchoServer.start()) {
            List<String> flags = PROXY_RESET.stream()
                    .map(arg -> arg.replace("$SERVER_PORT", Integer.toString(server.address().getPort())))
                    .collect(Collectors.toList());
            DocOutputs.skip("cli-proxy-journal", "not produced in this build: the test did not get as far");
            List<String> journal = runTrials(flags, List.of("Received b'Hello'"),
                    new Docs(List.of(), List.of("python-proxy"), null));
            // the bytes read from the server vary (below): the doc shows them as N
            DocOutputs.capture("cli-proxy-journal", DocOutputs.ports(journal.get(0)).replaceFirst(
                    "read \\d+ B, PEER_RESET$", "read N B, PEER_RESET"));

            assertThat(journal).as("the jar's journal lines").hasSize(TRIALS);
            for (int i = 0; i < TRIALS; i++) {
                Matcher line = Pattern.compile(journalLine(i, "received 14 B [" + HELLO + "], sent 5 B"
                        + " [48 65 6c 6c 6f |Hello|], fault 'reset after 5 DOWNSTREAM bytes', trigger 'after 5"
                        + " DOWNSTREAM bytes', delivery CONFIRMED, PEER_RESET; upstream " + server.hostAndPort()
                        + ": forwarded 14 B, read ").pattern() + "(\\d+) B, PEER_RESET").matcher(journal.get(i));
                assertThat(line.matches()).as("journal line %s", journal.get(i)).isTrue();
                // the server echoed 14 B; the peer read at least the 5 it sent before the reset
                assertThat(Integer.parseInt(line.group(1))).as("bytes read from the server").isBetween(5, 14);
            }
        }
    }

    @Nested
    @DisplayName("stops")
    class Stopping {

        static final String ECHOED = "received 4 B [70 69 6e 67 |ping|], sent 4 B [70 69 6e 67 |ping|],"
                + " served normally, trigger none, PEER_RESET";

        /** Opens a connection, sends "ping" and reads the echo, so the peer has served it; leaves it open. */
        Socket pingOpen(StandaloneJar jar) throws Exception {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(jar.host(), jar.port()), (int) WAIT.toMillis());
            socket.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
            return socket;
        }

        @Test
        @DisplayName("with --until-stdin-closes, when its standard input ends: resets what is open, prints it, exits 0")
        void whenStdinCloses() throws Exception {
            try (StandaloneJar jar = StandaloneJar.start(List.of("--script", "echo", "--until-stdin-closes"), WAIT);
                    Socket open = pingOpen(jar)) {
                jar.closeStdin();

                assertThat(jar.awaitExit(WAIT)).isZero();
                List<String> journal = jar.journalLines(WAIT);
                assertThat(journal).singleElement().asString().matches(journalLine(0, ECHOED));
                assertThat(catchThrowable(() -> open.getInputStream().read()))
                        .as("the open connection after the stop").isInstanceOf(SocketException.class);
            }
        }

        @Test
        @DisplayName("on SIGTERM: resets what is open, prints it, exits with the JVM's 143")
        void onSigterm() throws Exception {
            try (StandaloneJar jar = StandaloneJar.start(List.of("--script", "echo"), WAIT);
                    Socket open = pingOpen(jar)) {
                jar.terminate();

                assertThat(jar.awaitExit(WAIT)).isEqualTo(143);
                List<String> journal = jar.journalLines(WAIT);
                assertThat(journal).singleElement().asString().matches(journalLine(0, ECHOED));
                assertThat(catchThrowable(() -> open.getInputStream().read()))
                        .as("the open connection after the stop").isInstanceOf(SocketException.class);
            }
        }
    }

    @Test
    @DisplayName("docs/standalone.md and README.md show exactly the command lines these tests run")
    void documented() throws Exception {
        Path guide = Path.of("..", "docs", "standalone.md");
        assertThat(jarCommands(guide)).as("the jar's command lines in %s, without --connections", guide)
                .containsExactlyInAnyOrder(RESET, CLOSE, PROXY_RESET);
        Path readme = Path.of("..", "README.md");
        assertThat(jarCommands(readme)).as("the jar's command lines in %s, without --connections", readme)
                .isNotEmpty().isSubsetOf(RESET, CLOSE, PROXY_RESET);
        for (Path doc : List.of(guide, readme)) {
            assertThat(Files.readString(doc, StandardCharsets.UTF_8)).as("%s runs the client as the tests do", doc)
                    .contains("python3 standalone/src/test/python/article_client.py 127.0.0.1 $PORT");
        }
    }

    /** The options of every line of {@code doc} that starts the built jar as a peer (ConnectIT checks --connect's). */
    static List<List<String>> jarCommands(Path doc) throws Exception {
        String jarCommand = "java -jar standalone/target/misbehave-standalone-*.jar";
        return Files.readAllLines(doc, StandardCharsets.UTF_8).stream()
                .filter(line -> line.startsWith(jarCommand + " ") && !line.startsWith(jarCommand + " --connect "))
                .map(line -> Arrays.asList(line.substring(jarCommand.length()).trim().split(" +")))
                .map(ArticleClientIT::withoutConnections)
                .collect(Collectors.toList());
    }

    static List<String> withoutConnections(List<String> args) {
        int at = args.indexOf("--connections");
        if (at < 0) {
            return args;
        }
        List<String> rest = new ArrayList<>(args.subList(0, at));
        rest.addAll(args.subList(Math.min(at + 2, args.size()), args.size()));
        return rest;
    }
}
