package dev.misbehave.standalone;

import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingClient;
import dev.misbehave.RequestEnd;
import dev.misbehave.Schedule;
import dev.misbehave.Script;
import dev.misbehave.Tls;
import dev.misbehave.Trigger;
import dev.misbehave.Unreachable;
import dev.misbehave.internal.Loops;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The command line of the standalone peer: turns the arguments into a {@link Script} and an
 * optional {@link Fault} of the public API (or, with {@code --connect}, into what a {@link
 * MisbehavingClient} sends and how many connections it opens), or into a one-line {@link
 * UsageException} that names the option, the value and the fix.
 */
final class CommandLine {

    /** The listen address when none is given: loopback, an ephemeral port. */
    static final String DEFAULT_LISTEN = "127.0.0.1:0";

    private static final String HELP_HINT = "Run with --help to see the options.";

    /** A wrong argument; its message is one line that names the option, the value and the fix. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * What the arguments ask for.
     *
     * @param help whether {@code --help} was given (then nothing else is read)
     * @param listenHost the host to listen on
     * @param listenPort the port to listen on, 0 for an ephemeral one
     * @param script what the peer says when it behaves
     * @param fault the fault, or empty for a well-behaved peer
     * @param connections stop after this many connections have ended, 0 for no limit
     * @param untilStdinCloses stop when standard input reaches its end
     * @param connect with {@code --connect}: the client to run instead of a peer (then the listen
     *     address and the script mean nothing, and {@code connections} is the client's)
     */
    record Options(
            boolean help,
            String listenHost,
            int listenPort,
            Script script,
            Optional<Fault> fault,
            int connections,
            boolean untilStdinCloses,
            Optional<Connect> connect) {}

    /**
     * What {@code --connect} asks for: a misbehaving client instead of a peer.
     *
     * @param server the server's address, resolved
     * @param request what each connection sends ({@code --send}'s bytes, then {@code --send-file}'s)
     * @param connections how many connections, 1 to {@value MisbehavingClient#MAX_CONNECTIONS}
     * @param oneAfterAnother whether each opens when the one before has ended ({@code --one-after-another})
     * @param connectTimeout how long a connect may take
     * @param waitAtMost how long to wait for every connection to end ({@code --wait-seconds}), or empty
     */
    record Connect(
            InetSocketAddress server,
            byte[] request,
            int connections,
            boolean oneAfterAnother,
            Duration connectTimeout,
            Optional<Duration> waitAtMost) {}

    /** The most bytes a request may have: what one Java array holds, less a margin. */
    static final int MAX_REQUEST_BYTES = Integer.MAX_VALUE - 8;

    /** The default {@code --connect-timeout-ms}: the client's own default. */
    static final long DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

    /** One option: its name, the name of its value (null for a switch), its group and its help. */
    private record Flag(String name, String value, String group, String help) {
        boolean isSwitch() {
            return value == null;
        }
    }

    private static final String STOPS = "When the peer stops (and always on SIGTERM or Ctrl-C)";
    private static final String CLIENT = "Or a misbehaving client: --connect (UPSTREAM is what it sends)";
    private static final String NOT_CLIENT = " (not with --connect)";
    private static final String WHAT_IT_SAYS = "What the peer says when it behaves" + NOT_CLIENT;

    private static final List<Flag> FLAGS = List.of(
            new Flag("--listen", "HOST:PORT", "Where the peer listens" + NOT_CLIENT,
                    "address to listen on (default " + DEFAULT_LISTEN + ": loopback, an ephemeral port)"),
            new Flag("--allow-remote", null, "Where the peer listens" + NOT_CLIENT,
                    "allow a --listen address that is not loopback, such as 0.0.0.0 (other hosts can then"
                            + " connect; a warning says so)"),

            new Flag("--connect", "HOST:PORT", CLIENT,
                    "instead of listening, connect to the server at HOST:PORT as a misbehaving client: the fault"
                            + " acts on what it sends (upstream) and what the server sends back (downstream)"),
            new Flag("--send", "TEXT", CLIENT,
                    "with --connect: the bytes each connection sends (default nothing), before --send-file's"),
            new Flag("--send-file", "PATH", CLIENT,
                    "with --connect: send the file's bytes too, after --send's (an upload's body, for example)"),
            new Flag("--one-after-another", null, CLIENT,
                    "with --connect: open the --connections one at a time, each when the one before has ended"),
            new Flag("--connect-timeout-ms", "MS", CLIENT,
                    "with --connect: how long a connect may take (default " + DEFAULT_CONNECT_TIMEOUT_MS + ")"),
            new Flag("--wait-seconds", "S", CLIENT,
                    "with --connect: after S seconds, close the connections still open and exit with status 3"),

            new Flag("--script", "NAME", WHAT_IT_SAYS,
                    "silent (default: read everything, send nothing), echo, or respond"),
            new Flag("--upstream", "HOST:PORT", WHAT_IT_SAYS,
                    "proxy mode: forward every connection to the server at HOST:PORT (instead of --script)"),
            new Flag("--when-unreachable", "reset|close", WHAT_IT_SAYS,
                    "with --upstream: what the client gets when the server cannot be reached (default reset)"),
            new Flag("--response", "TEXT", WHAT_IT_SAYS,
                    "with --script respond: the bytes sent after each request"),
            new Flag("--request-delimiter", "TEXT", WHAT_IT_SAYS,
                    "with --script respond or --upstream: a request ends with TEXT, for example '\\n'"),
            new Flag("--request-length", "BYTES", WHAT_IT_SAYS,
                    "with --script respond or --upstream: every request is BYTES long"),
            new Flag("--request-http", null, WHAT_IT_SAYS,
                    "with --script respond or --upstream: HTTP/1.x requests (head to \\r\\n\\r\\n, Content-Length body)"),
            new Flag("--greeting", "TEXT", WHAT_IT_SAYS,
                    "bytes sent as soon as a connection is accepted (SMTP's banner, for example)"),
            new Flag("--tls", null, WHAT_IT_SAYS,
                    "terminate TLS with a certificate for localhost, 127.0.0.1 and ::1 (byte counts are then"
                            + " plaintext); standard error names the PEM file of the authority to trust"),

            new Flag("--effect", "NAME", "The fault: what the peer does (none: it behaves)",
                    "reset, close, truncate (with --tls: a FIN with no close_notify), corrupt-record (with --tls: one"
                            + " record whose authentication fails, then a FIN), half-close, stall, refuse, never-accept,"
                            + " garbage, delay, throttle or slice (with --connect: not truncate, corrupt-record, refuse"
                            + " or never-accept)"),
            new Flag("--garbage", "TEXT", "The fault: what the peer does (none: it behaves)",
                    "with --effect garbage: the bytes sent instead of the script's"),
            new Flag("--garbage-random", "LENGTH", "The fault: what the peer does (none: it behaves)",
                    "with --effect garbage: LENGTH pseudo-random bytes instead (the same in every run)"),
            new Flag("--seed", "NUMBER", "The fault: what the peer does (none: it behaves)",
                    "with --garbage-random: the seed (default 0)"),
            new Flag("--then", "reset|close", "The fault: what the peer does (none: it behaves)",
                    "with --effect garbage: how the connection ends after the garbage (default reset)"),
            new Flag("--delay-ms", "MS", "The fault: what the peer does (none: it behaves)",
                    "with --effect delay: the delay before the first chunk"),
            new Flag("--per-chunk-ms", "MS", "The fault: what the peer does (none: it behaves)",
                    "with --effect delay: the delay before each later chunk (default 0)"),
            new Flag("--rate", "BYTES_PER_SECOND", "The fault: what the peer does (none: it behaves)",
                    "with --effect throttle: the rate"),
            new Flag("--slice-bytes", "BYTES", "The fault: what the peer does (none: it behaves)",
                    "with --effect slice: the size of each piece"),
            new Flag("--gap-ms", "MS", "The fault: what the peer does (none: it behaves)",
                    "with --effect slice: the pause between pieces (default 0)"),
            new Flag("--effect-direction", "DIRECTION", "The fault: what the peer does (none: it behaves)",
                    "with delay, throttle or slice: upstream or downstream (default downstream; with --connect"
                            + " upstream, the only one)"),

            new Flag("--on-accept", null, "When (one trigger; default --on-accept)",
                    "as soon as the connection is accepted (with --connect: made)"),
            new Flag("--after-bytes", "N", "When (one trigger; default --on-accept)",
                    "after exactly N bytes of --direction"),
            new Flag("--on-pattern", "TEXT", "When (one trigger; default --on-accept)",
                    "right after TEXT in --direction (--on-pattern=TEXT if TEXT starts with --)" + NOT_CLIENT),
            new Flag("--occurrence", "K", "When (one trigger; default --on-accept)",
                    "with --on-pattern: the K-th occurrence fires (default 1)"),
            new Flag("--direction", "DIRECTION", "When (one trigger; default --on-accept)",
                    "with --after-bytes or --on-pattern: upstream (the client's bytes, default) or downstream"),
            new Flag("--after-idle-ms", "MS", "When (one trigger; default --on-accept)",
                    "when the client has sent nothing for MS" + NOT_CLIENT),
            new Flag("--after-ms", "MS", "When (one trigger; default --on-accept)",
                    "MS after the connection was accepted (with --connect: made)"),
            new Flag("--after-exchanges", "K", "When (one trigger; default --on-accept)",
                    "when the client starts request K+1 (needs a request end)" + NOT_CLIENT),

            new Flag("--first", "K", "Which connections (one schedule; default all)",
                    "the first K connections"),
            new Flag("--only", "N", "Which connections (one schedule; default all)",
                    "only the N-th connection (1 is the first)"),
            new Flag("--every", "N", "Which connections (one schedule; default all)",
                    "every N-th connection"),
            new Flag("--all-but-first", "K", "Which connections (one schedule; default all)",
                    "every connection after the first K"),

            new Flag("--connections", "N", STOPS,
                    "after N connections have ended (with --connect: open N, 1 to " + MisbehavingClient.MAX_CONNECTIONS
                            + ", default 1, and stop when all have ended)"),
            new Flag("--until-stdin-closes", null, STOPS,
                    "when standard input reaches its end"),
            new Flag("--help", null, STOPS,
                    "print this help and exit"));

    private static final List<String> TRIGGERS = List.of(
            "--on-accept", "--after-bytes", "--on-pattern", "--after-idle-ms", "--after-ms", "--after-exchanges");
    private static final List<String> SCHEDULES = List.of("--first", "--only", "--every", "--all-but-first");
    private static final List<String> EFFECTS = List.of(
            "reset", "close", "truncate", "corrupt-record", "half-close", "stall", "refuse", "never-accept", "garbage",
            "delay", "throttle", "slice");
    private static final List<String> REQUEST_ENDS =
            List.of("--request-delimiter", "--request-length", "--request-http");

    /** The options that only a client (--connect) has. */
    private static final List<String> CLIENT_OPTIONS = List.of(
            "--send", "--send-file", "--one-after-another", "--connect-timeout-ms", "--wait-seconds");
    /** The effects a client runs, in --help's order. */
    private static final List<String> CLIENT_EFFECTS = List.of(
            "reset", "close", "half-close", "stall", "garbage", "delay", "throttle", "slice");
    private static final List<String> CLIENT_TRIGGERS = List.of("--on-accept", "--after-bytes", "--after-ms");

    /** The options that belong to one effect, and that effect. */
    private static final Map<String, String> EFFECT_OPTIONS = Map.of(
            "--garbage", "garbage",
            "--garbage-random", "garbage",
            "--then", "garbage",
            "--delay-ms", "delay",
            "--per-chunk-ms", "delay",
            "--rate", "throttle",
            "--slice-bytes", "slice",
            "--gap-ms", "slice");

    private CommandLine() {}

    /** The help text: how to run the jar, every option by group, and what the peer prints. */
    static String usage() {
        StringBuilder text = new StringBuilder();
        text.append("Usage: java -jar misbehave-standalone.jar [OPTIONS]\n\n")
                .append("Starts a misbehaving TCP peer, prints 'misbehave listening on HOST:PORT', then one journal\n")
                .append("line per connection as it ends. With --connect HOST:PORT it is a misbehaving client of the\n")
                .append("server there instead: one journal line per connection once it has ended, then it exits (0;\n")
                .append("1 if a connection could not be made; 3 if --wait-seconds ran out). TEXT values understand\n")
                .append("\\r \\n \\t \\\\ and \\xHH.\n");
        String group = null;
        for (Flag flag : FLAGS) {
            if (!flag.group().equals(group)) {
                group = flag.group();
                text.append('\n').append(group).append(":\n");
            }
            String left = flag.isSwitch() ? flag.name() : flag.name() + " " + flag.value();
            text.append(String.format("  %-32s %s%n", left, flag.help()));
        }
        text.append("\nExamples: java -jar misbehave-standalone.jar --effect reset --after-bytes 14\n")
                .append("          java -jar misbehave-standalone.jar --connect 127.0.0.1:8080"
                        + " --send 'GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n' --effect slice --slice-bytes 1"
                        + " --gap-ms 100\n")
                .append("Errors in the arguments exit with status 2; see docs/standalone.md.\n");
        return text.toString();
    }

    /**
     * Reads the arguments.
     *
     * @throws UsageException naming the first wrong argument and the fix
     */
    static Options parse(List<String> args) throws UsageException {
        Map<String, String> given = read(args);
        if (given.containsKey("--help")) {
            return new Options(true, "127.0.0.1", 0, Script.silent(), Optional.empty(), 0, false, Optional.empty());
        }
        if (given.containsKey("--connect")) {
            return connect(given);
        }
        for (String option : given.keySet()) { // in the order given
            if (CLIENT_OPTIONS.contains(option)) {
                throw new UsageException(named(given, option) + " is for --connect, but no --connect is given: the"
                        + " peer listens. Add --connect HOST:PORT to run a client, or drop " + named(given, option)
                        + ".");
            }
        }
        String listen = given.getOrDefault("--listen", DEFAULT_LISTEN);
        String host = host("--listen", listen, DEFAULT_LISTEN);
        int port = port("--listen", listen, 0, DEFAULT_LISTEN);
        InetAddress listenAddress = checkListen(listen, host, given.containsKey("--allow-remote"));
        Script script = script(given);
        checkNotItself(given, new InetSocketAddress(listenAddress, port));
        Optional<Fault> fault = fault(given, script, 0);
        int connections = given.containsKey("--connections") ? intAtLeast(given, "--connections", 1, "3") : 0;
        return new Options(false, host, port, script, fault, connections, given.containsKey("--until-stdin-closes"),
                Optional.empty());
    }

    /** Splits the arguments into options and values, in the order given. */
    private static Map<String, String> read(List<String> args) throws UsageException {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "': options start with --. " + HELP_HINT);
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            Flag flag = FLAGS.stream().filter(f -> f.name().equals(name)).findFirst()
                    .orElseThrow(() -> new UsageException("unknown option '" + name + "'. " + HELP_HINT));
            String value;
            if (flag.isSwitch()) {
                if (equals >= 0) {
                    throw new UsageException(name + " takes no value, but was given '" + arg.substring(equals + 1)
                            + "'. Write " + name + " alone.");
                }
                value = "";
            } else if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                value = args.get(++i);
            } else {
                throw new UsageException(name + " needs a value: " + name + " " + flag.value()
                        + " (write " + name + "=" + flag.value() + " for a value that starts with --).");
            }
            String before = given.putIfAbsent(name, value);
            if (before != null) {
                throw new UsageException(name + " is given twice" + (flag.isSwitch() ? "" : " ('" + before
                        + "', then '" + value + "')") + ": give it once.");
            }
        }
        return given;
    }

    // --- where the peer listens ---

    private static String host(String option, String value, String example) throws UsageException {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new UsageException(option + " '" + value + "': expected HOST:PORT, for example " + option + " "
                    + example + ".");
        }
        String host = value.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int port(String option, String value, int min, String example) throws UsageException {
        String port = value.substring(value.lastIndexOf(':') + 1);
        try {
            int number = Integer.parseInt(port);
            if (number >= min && number <= 65535) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(option + " '" + value + "': the port '" + port + "' must be " + min + " to 65535"
                + (min == 0 ? "; use 0 for an ephemeral port" : "") + ", for example " + option + " " + example + ".");
    }

    /** The address {@code --listen} names, checked: of this machine, loopback unless {@code --allow-remote}. */
    private static InetAddress checkListen(String listen, String host, boolean allowRemote)
            throws UsageException {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UsageException("--listen '" + listen + "': unknown host '" + host
                    + "'. Give an address of this machine, for example --listen " + DEFAULT_LISTEN + ".");
        }
        if (!address.isLoopbackAddress() && !allowRemote) {
            throw new UsageException("--listen '" + listen + "': " + host + " is not a loopback address, so other"
                    + " hosts could connect to the peer. Add --allow-remote if that is what you want.");
        }
        return address;
    }

    /**
     * A peer whose {@code --upstream} is its own {@code --listen} address would forward every
     * connection to itself. Known here only for a fixed port; with an ephemeral one, the peer finds
     * out per connection (and the connection is unreachable, with the reason in the journal).
     */
    private static void checkNotItself(Map<String, String> given, InetSocketAddress listen) throws UsageException {
        if (!given.containsKey("--upstream") || listen.getPort() == 0) {
            return;
        }
        InetSocketAddress upstream = upstream(given);
        if (Loops.landsOn(upstream, listen)) {
            throw new UsageException(named(given, "--upstream") + " is the peer's own address (" + named(given,
                    "--listen") + "): every connection would be forwarded to the peer itself, round and round."
                    + " Give the server's address in --upstream, or listen elsewhere, for example --listen "
                    + DEFAULT_LISTEN + ".");
        }
    }

    // --- a client instead: --connect ---

    /** {@code --connect HOST:PORT}: a misbehaving client, with what it sends and its fault. */
    private static Options connect(Map<String, String> given) throws UsageException {
        String connect = named(given, "--connect");
        for (String option : given.keySet()) { // in the order given
            String why = switch (option) {
                case "--listen", "--allow-remote" -> "a client connects, it does not listen. Drop " + named(given, option)
                        + ".";
                case "--upstream", "--when-unreachable" -> "--upstream runs a proxy that listens for clients, --connect"
                        + " a client of the server. Drop " + named(given, option) + ", or drop " + connect + ".";
                case "--script", "--response", "--greeting", "--request-delimiter", "--request-length",
                        "--request-http" -> "it says how the peer answers, and a client does not answer: it sends --send"
                        + " TEXT or --send-file PATH and reads what the server sends back. Drop " + named(given, option)
                        + ".";
                case "--tls" -> "the client speaks plain TCP (a client over TLS is not built yet). Drop --tls.";
                default -> null;
            };
            if (why != null) {
                throw new UsageException(named(given, option) + " cannot go with " + connect + ": " + why);
            }
        }
        InetSocketAddress server = serverAddress(given, "--connect");
        byte[] request = request(given);
        int connections = 1;
        if (given.containsKey("--connections")) {
            connections = intAtLeast(given, "--connections", 1, "200");
            if (connections > MisbehavingClient.MAX_CONNECTIONS) {
                throw new UsageException("--connections '" + connections + "': a client opens at most "
                        + MisbehavingClient.MAX_CONNECTIONS + " connections, for example --connections 200.");
            }
        }
        Duration connectTimeout = Duration.ofMillis(given.containsKey("--connect-timeout-ms")
                ? longAtLeast(given, "--connect-timeout-ms", 1, "2000") : DEFAULT_CONNECT_TIMEOUT_MS);
        Optional<Duration> wait = given.containsKey("--wait-seconds")
                ? Optional.of(Duration.ofSeconds(longAtLeast(given, "--wait-seconds", 1, "30"))) : Optional.empty();
        Optional<Fault> fault = fault(given, null, request.length);
        Connect client = new Connect(server, request, connections, given.containsKey("--one-after-another"),
                connectTimeout, wait);
        return new Options(false, "127.0.0.1", 0, Script.silent(), fault, connections,
                given.containsKey("--until-stdin-closes"), Optional.of(client));
    }

    /** What each connection sends: {@code --send}'s bytes, then {@code --send-file}'s. */
    private static byte[] request(Map<String, String> given) throws UsageException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        if (given.containsKey("--send")) {
            byte[] text = text(given, "--send");
            if (text.length == 0) {
                throw new UsageException("--send '': the request must not be empty. Drop --send to send nothing.");
            }
            request.writeBytes(text);
        }
        if (given.containsKey("--send-file")) {
            String name = given.get("--send-file");
            byte[] file;
            try {
                Path path = Path.of(name);
                if (Files.isDirectory(path)) {
                    throw new UsageException(named(given, "--send-file") + ": a directory, not a file. Give the path"
                            + " of the file whose bytes each connection sends.");
                }
                if (Files.size(path) > MAX_REQUEST_BYTES) {
                    throw new UsageException(named(given, "--send-file") + ": " + Files.size(path) + " bytes, more"
                            + " than the " + MAX_REQUEST_BYTES + " a request may have. Send a smaller file.");
                }
                file = Files.readAllBytes(path);
            } catch (InvalidPathException | IOException e) {
                String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                        : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
                throw new UsageException(named(given, "--send-file") + ": the file cannot be read (" + why + ")."
                        + " Give the path of the file whose bytes each connection sends.");
            }
            if (file.length == 0) {
                throw new UsageException(named(given, "--send-file") + ": the file is empty. Give a file with the"
                        + " bytes to send, or drop --send-file.");
            }
            if (request.size() + (long) file.length > MAX_REQUEST_BYTES) {
                throw new UsageException(named(given, "--send") + " and " + named(given, "--send-file") + ": "
                        + (request.size() + (long) file.length) + " bytes in all, more than the " + MAX_REQUEST_BYTES
                        + " a request may have. Send a smaller file.");
            }
            request.writeBytes(file);
        }
        return request.toByteArray();
    }

    // --- the script ---

    private static Script script(Map<String, String> given) throws UsageException {
        List<String> ends = REQUEST_ENDS.stream().filter(given::containsKey).collect(Collectors.toList());
        if (ends.size() > 1) {
            throw new UsageException(named(given, ends.get(0)) + " and " + named(given, ends.get(1)) + " both say"
                    + " where a request ends: give one of them.");
        }
        if (given.containsKey("--upstream")) {
            return forwarding(given, ends);
        }
        if (given.containsKey("--when-unreachable")) {
            throw new UsageException(named(given, "--when-unreachable") + " is for --upstream, but the peer does not"
                    + " forward. Add --upstream HOST:PORT, or drop " + named(given, "--when-unreachable") + ".");
        }
        String name = given.getOrDefault("--script", "silent");
        boolean responds = name.equals("respond");
        if (!List.of("silent", "echo", "respond").contains(name)) {
            throw new UsageException("--script '" + name + "': unknown script. Use silent, echo or respond.");
        }
        List<String> respondOptions = concat(given.containsKey("--response") ? List.of("--response") : List.of(), ends);
        if (!responds && !respondOptions.isEmpty()) {
            String option = respondOptions.get(0);
            throw new UsageException(named(given, option) + " is for --script respond" + (option.equals("--response")
                    ? "" : " or --upstream") + ", but the script is " + scriptNamed(given) + ". Add --script respond,"
                    + " or drop " + named(given, option) + ".");
        }
        Script script;
        if (responds) {
            if (!given.containsKey("--response")) {
                throw new UsageException("--script respond needs --response TEXT, the bytes sent after each"
                        + " request, for example --response 'OK\\n'.");
            }
            if (ends.isEmpty()) {
                throw new UsageException("--script respond needs to know where a request ends: add"
                        + " --request-delimiter TEXT, --request-length BYTES or --request-http.");
            }
            byte[] response = text(given, "--response");
            if (response.length == 0) {
                throw new UsageException("--response '': the response must not be empty. Use --script silent to"
                        + " send nothing.");
            }
            script = Script.respond(requestEnd(given, ends.get(0)), response);
        } else {
            script = name.equals("echo") ? Script.echo() : Script.silent();
        }
        Script greeted = given.containsKey("--greeting") ? script.withGreeting(text(given, "--greeting")) : script;
        return given.containsKey("--tls") ? greeted.withTls(Tls.generated()) : greeted;
    }

    /** Proxy mode: {@code --upstream HOST:PORT}, with an optional request end. */
    private static Script forwarding(Map<String, String> given, List<String> ends) throws UsageException {
        if (given.containsKey("--tls")) {
            throw new UsageException("--tls cannot go with " + named(given, "--upstream") + ": a proxy passes the"
                    + " client's TLS through to the server, and its byte counts are then ciphertext. Drop --tls.");
        }
        for (String option : List.of("--script", "--response", "--greeting")) {
            if (given.containsKey(option)) {
                throw new UsageException(named(given, option) + " cannot go with " + named(given, "--upstream")
                        + ": the server says what the peer sends. Drop " + named(given, option) + ", or drop"
                        + " --upstream to script the peer.");
            }
        }
        Script.Forward script = Script.forwardTo(upstream(given));
        if (!ends.isEmpty()) {
            script = script.withRequestEnd(requestEnd(given, ends.get(0)));
        }
        if (given.containsKey("--when-unreachable")) {
            String how = given.get("--when-unreachable");
            switch (how) {
                case "reset" -> script = script.whenUnreachable(Unreachable.RESET);
                case "close" -> script = script.whenUnreachable(Unreachable.CLOSE);
                default -> throw new UsageException("--when-unreachable '" + how + "': use reset (the client's"
                        + " connection is reset) or close (it is closed without a byte).");
            }
        }
        return script;
    }

    /** The server's address {@code --upstream} names, resolved. */
    private static InetSocketAddress upstream(Map<String, String> given) throws UsageException {
        return serverAddress(given, "--upstream");
    }

    /** The server's address {@code option} ({@code --upstream} or {@code --connect}) names, resolved. */
    private static InetSocketAddress serverAddress(Map<String, String> given, String option) throws UsageException {
        String value = given.get(option);
        String example = "127.0.0.1:8080";
        String host = host(option, value, example);
        int port = port(option, value, 1, example);
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new UsageException(option + " '" + value + "': unknown host '" + host + "'. Give the server's"
                    + " address, for example " + option + " " + example + ".");
        }
        return address;
    }

    private static RequestEnd requestEnd(Map<String, String> given, String option) throws UsageException {
        switch (option) {
            case "--request-delimiter":
                byte[] delimiter = text(given, option);
                if (delimiter.length == 0) {
                    throw new UsageException("--request-delimiter '': the delimiter must not be empty, for example"
                            + " --request-delimiter '\\n'.");
                }
                return new RequestEnd.Delimiter(delimiter);
            case "--request-length":
                return RequestEnd.length(intAtLeast(given, option, 1, "14"));
            default:
                return RequestEnd.headersThenLength("\r\n\r\n", "Content-Length");
        }
    }

    // --- the fault ---

    /**
     * The fault the options describe: a peer's ({@code script} given) or, with {@code script} null, a
     * client's whose request has {@code requestLength} bytes.
     */
    private static Optional<Fault> fault(Map<String, String> given, Script script, int requestLength)
            throws UsageException {
        boolean client = script == null;
        List<String> triggers = TRIGGERS.stream().filter(given::containsKey).collect(Collectors.toList());
        List<String> schedules = SCHEDULES.stream().filter(given::containsKey).collect(Collectors.toList());
        if (!given.containsKey("--effect")) {
            List<String> orphans = concat(triggers, schedules);
            orphans.addAll(EFFECT_OPTIONS.keySet().stream().filter(given::containsKey).sorted()
                    .collect(Collectors.toList()));
            for (String option : List.of("--seed", "--effect-direction", "--direction", "--occurrence")) {
                if (given.containsKey(option)) {
                    orphans.add(option);
                }
            }
            if (!orphans.isEmpty()) {
                List<String> named = new ArrayList<>();
                for (String option : given.keySet()) { // in the order given
                    if (orphans.contains(option)) {
                        named.add(named(given, option));
                    }
                }
                String last = named.remove(named.size() - 1);
                String list = named.isEmpty() ? last : String.join(", ", named) + " and " + last;
                named.add(last);
                throw new UsageException(list + (named.size() == 1 ? " is" : " are") + " part of a fault, but no"
                        + " --effect is given. Add the effect, for example --effect reset " + String.join(" ", named)
                        + ".");
            }
            return Optional.empty();
        }
        String effectName = given.get("--effect");
        if (!EFFECTS.contains(effectName)) {
            throw new UsageException("--effect '" + effectName + "': unknown effect. Use one of "
                    + String.join(", ", client ? CLIENT_EFFECTS : EFFECTS) + ".");
        }
        if (client && !CLIENT_EFFECTS.contains(effectName)) {
            String why = effectName.equals("truncate") || effectName.equals("corrupt-record")
                    ? "acts on a TLS connection, and the client speaks plain TCP"
                    : "acts on a listening port, and a client has none";
            throw new UsageException("--effect " + effectName + " " + why + " (" + named(given, "--connect")
                    + "). With --connect use --effect " + String.join(", ",
                            CLIENT_EFFECTS.subList(0, CLIENT_EFFECTS.size() - 1)) + " or "
                    + CLIENT_EFFECTS.get(CLIENT_EFFECTS.size() - 1) + ".");
        }
        checkEffectOptions(given, effectName);
        if (triggers.size() > 1) {
            throw new UsageException(named(given, triggers.get(0)) + " and " + named(given, triggers.get(1))
                    + " are both triggers: give one of them.");
        }
        if (schedules.size() > 1) {
            throw new UsageException(named(given, schedules.get(0)) + " and " + named(given, schedules.get(1))
                    + " are both schedules: give one of them.");
        }
        String trigger = triggers.isEmpty() ? "--on-accept" : triggers.get(0);
        if (client && !CLIENT_TRIGGERS.contains(trigger)) {
            throw new UsageException(named(given, trigger) + " is a trigger a client does not run ("
                    + named(given, "--connect") + "). Use --on-accept (once connected), --after-bytes N (of"
                    + " --direction upstream, what it sends, or downstream, what it reads) or --after-ms MS.");
        }
        Effect effect = client ? clientEffect(given, effectName) : effect(given, effectName);
        boolean listener = effect instanceof Effect.OnPort;
        if (listener && !trigger.equals("--on-accept")) {
            throw new UsageException("--effect " + effectName + " acts on the port before any connection exists,"
                    + " so it takes no trigger (" + named(given, trigger) + "). Drop " + named(given, trigger) + ".");
        }
        if (listener && !schedules.isEmpty()) {
            throw new UsageException("--effect " + effectName + " acts on the port, so it cannot pick connections ("
                    + named(given, schedules.get(0)) + "). Drop " + named(given, schedules.get(0)) + ".");
        }
        Trigger when = trigger(given, trigger);
        Schedule which = schedules.isEmpty() ? Schedule.all() : schedule(given, schedules.get(0));
        Fault fault = new Fault(effect, when, which);
        if (client) {
            checkClientRunnable(given, trigger, fault, requestLength);
        } else {
            checkRunnable(given, trigger, fault, script);
        }
        return Optional.of(fault);
    }

    /** A client's effect: a peer's, except that it shapes only what it sends ({@code upstream}, the default). */
    private static Effect clientEffect(Map<String, String> given, String name) throws UsageException {
        if (given.containsKey("--effect-direction")
                && direction(given, "--effect-direction", Direction.UPSTREAM) == Direction.DOWNSTREAM) {
            throw new UsageException(named(given, "--effect-direction") + ": a client (" + named(given, "--connect")
                    + ") shapes only what it sends (upstream); the downstream bytes are the server's to send. Drop "
                    + named(given, "--effect-direction") + ".");
        }
        Map<String, String> upstream = new LinkedHashMap<>(given);
        upstream.put("--effect-direction", "upstream");
        return effect(upstream, name);
    }

    /**
     * The client's rules ({@code MisbehavingClient.Builder#open()} checks them again), worded in the
     * options the user gave: an upstream trigger within the request, and shaping of a request that
     * exists.
     */
    private static void checkClientRunnable(Map<String, String> given, String option, Fault fault, int requestLength)
            throws UsageException {
        String request = requestNamed(given);
        if (fault.trigger() instanceof Trigger.AfterBytes after && after.direction() == Direction.UPSTREAM
                && after.bytes() > requestLength) {
            String counted = given.containsKey("--direction") ? named(given, option) + " " + named(given, "--direction")
                    : named(given, option) + " (--direction upstream, the default)";
            throw new UsageException(counted + " counts the bytes the client sends, but " + (requestLength == 0
                    ? "it sends nothing (no --send or --send-file), so the trigger would never fire. Add --send TEXT or"
                            + " --send-file PATH, or use --on-accept."
                    : "the request has " + requestLength + " bytes (" + request + "), so the trigger would never fire."
                            + " Fire at " + requestLength + " bytes or fewer, or send a longer request."));
        }
        if (fault.effect() instanceof Effect.Shaping && requestLength == 0) {
            throw new UsageException("--effect " + given.get("--effect") + " shapes the bytes the client sends, but it"
                    + " sends nothing (no --send or --send-file). Add --send TEXT or --send-file PATH.");
        }
    }

    /** The request's options as the user gave them: {@code --send 'GET /\r\n'} and/or {@code --send-file F}. */
    private static String requestNamed(Map<String, String> given) {
        List<String> named = new ArrayList<>();
        for (String option : List.of("--send", "--send-file")) {
            if (given.containsKey(option)) {
                named.add(named(given, option));
            }
        }
        return String.join(" and ", named);
    }

    private static void checkEffectOptions(Map<String, String> given, String effectName) throws UsageException {
        for (Map.Entry<String, String> option : EFFECT_OPTIONS.entrySet()) {
            if (given.containsKey(option.getKey()) && !option.getValue().equals(effectName)) {
                throw new UsageException(named(given, option.getKey()) + " is for --effect " + option.getValue()
                        + ", but the effect is " + effectName + " (--effect " + effectName + "). Drop "
                        + named(given, option.getKey()) + ", or use --effect " + option.getValue() + ".");
            }
        }
        if (given.containsKey("--seed") && !given.containsKey("--garbage-random")) {
            throw new UsageException(named(given, "--seed") + " is for --garbage-random, which is not given. Drop "
                    + named(given, "--seed") + ", or give --garbage-random LENGTH.");
        }
        if (given.containsKey("--effect-direction") && !List.of("delay", "throttle", "slice").contains(effectName)) {
            throw new UsageException(named(given, "--effect-direction") + " is for --effect delay, throttle or slice,"
                    + " but the effect is " + effectName + " (--effect " + effectName + "). Drop "
                    + named(given, "--effect-direction") + " (--direction says which bytes a trigger counts).");
        }
    }

    private static Effect effect(Map<String, String> given, String name) throws UsageException {
        switch (name) {
            case "reset":
                return new Effect.Reset();
            case "close":
                return new Effect.Close();
            case "truncate":
                return Effect.truncate();
            case "corrupt-record":
                return Effect.corruptRecord();
            case "half-close":
                return new Effect.HalfClose();
            case "stall":
                return new Effect.Stall();
            case "refuse":
                return new Effect.Refuse();
            case "never-accept":
                return new Effect.NeverAccept();
            case "garbage":
                return garbage(given);
            case "delay":
                return delay(given);
            case "throttle":
                require(given, "--rate", "throttle", "1000");
                return new Effect.Throttle(effectDirection(given), longAtLeast(given, "--rate", 1, "1000"));
            default:
                require(given, "--slice-bytes", "slice", "1");
                return new Effect.Slice(effectDirection(given), intAtLeast(given, "--slice-bytes", 1, "1"),
                        Duration.ofMillis(given.containsKey("--gap-ms") ? longAtLeast(given, "--gap-ms", 0, "10") : 0));
        }
    }

    private static Effect garbage(Map<String, String> given) throws UsageException {
        Effect then = switch (given.getOrDefault("--then", "reset")) {
            case "reset" -> new Effect.Reset();
            case "close" -> new Effect.Close();
            default -> throw new UsageException("--then '" + given.get("--then") + "': a connection ends after the"
                    + " garbage with reset or close.");
        };
        if (given.containsKey("--garbage") && given.containsKey("--garbage-random")) {
            throw new UsageException(named(given, "--garbage") + " and " + named(given, "--garbage-random")
                    + " both say what --effect garbage sends: give one of them.");
        }
        if (!given.containsKey("--garbage") && !given.containsKey("--garbage-random")) {
            throw new UsageException("--effect garbage needs --garbage TEXT or --garbage-random LENGTH, for example"
                    + " --garbage-random 16.");
        }
        if (given.containsKey("--garbage-random")) {
            long seed = given.containsKey("--seed") ? number(given, "--seed", "7") : 0;
            return Effect.Garbage.random(intAtLeast(given, "--garbage-random", 1, "16"), seed, then);
        }
        byte[] bytes = text(given, "--garbage");
        if (bytes.length == 0) {
            throw new UsageException("--garbage '': the garbage must not be empty, for example --garbage '\\x00\\xff'.");
        }
        return new Effect.Garbage(bytes, then);
    }

    private static Effect delay(Map<String, String> given) throws UsageException {
        if (!given.containsKey("--delay-ms") && !given.containsKey("--per-chunk-ms")) {
            throw new UsageException("--effect delay needs --delay-ms MS (before the first chunk) or --per-chunk-ms"
                    + " MS (before each later one), for example --delay-ms 500.");
        }
        long first = given.containsKey("--delay-ms") ? longAtLeast(given, "--delay-ms", 0, "500") : 0;
        long perChunk = given.containsKey("--per-chunk-ms") ? longAtLeast(given, "--per-chunk-ms", 0, "100") : 0;
        if (first == 0 && perChunk == 0) {
            String zero = given.containsKey("--delay-ms") && given.containsKey("--per-chunk-ms")
                    ? named(given, "--delay-ms") + " and " + named(given, "--per-chunk-ms")
                    : given.containsKey("--delay-ms")
                    ? named(given, "--delay-ms") + " (and --per-chunk-ms, 0 by default)"
                    : named(given, "--per-chunk-ms") + " (and --delay-ms, 0 by default)";
            throw new UsageException(zero + ": nothing would be delayed. Give one of them 1 or more, for example"
                    + " --delay-ms 500.");
        }
        return new Effect.Delay(effectDirection(given), Duration.ofMillis(first), Duration.ofMillis(perChunk));
    }

    private static Trigger trigger(Map<String, String> given, String option) throws UsageException {
        boolean counts = option.equals("--after-bytes") || option.equals("--on-pattern");
        String triggerNamed = given.containsKey(option) ? named(given, option) : option + " (the default)";
        if (given.containsKey("--direction") && !counts) {
            throw new UsageException(named(given, "--direction") + " is for --after-bytes or --on-pattern, but the"
                    + " trigger is " + triggerNamed + ". Drop " + named(given, "--direction") + ".");
        }
        if (given.containsKey("--occurrence") && !option.equals("--on-pattern")) {
            throw new UsageException(named(given, "--occurrence") + " is for --on-pattern, but the trigger is "
                    + triggerNamed + ". Drop " + named(given, "--occurrence") + ".");
        }
        switch (option) {
            case "--on-accept":
                return new Trigger.OnAccept();
            case "--after-bytes":
                return new Trigger.AfterBytes(direction(given, "--direction", Direction.UPSTREAM),
                        longAtLeast(given, option, 0, "14"));
            case "--on-pattern":
                byte[] pattern = text(given, option);
                if (pattern.length == 0) {
                    throw new UsageException("--on-pattern '': the pattern must not be empty, for example"
                            + " --on-pattern '\\r\\n\\r\\n'.");
                }
                int occurrence = given.containsKey("--occurrence") ? intAtLeast(given, "--occurrence", 1, "2") : 1;
                return new Trigger.OnPattern(direction(given, "--direction", Direction.UPSTREAM), pattern, occurrence);
            case "--after-idle-ms":
                return new Trigger.AfterIdle(Duration.ofMillis(longAtLeast(given, option, 1, "1000")));
            case "--after-ms":
                return new Trigger.AfterDuration(Duration.ofMillis(longAtLeast(given, option, 1, "1000")));
            default:
                return new Trigger.AfterExchanges(intAtLeast(given, option, 1, "1"));
        }
    }

    /**
     * The model's rule for which faults a script can run ({@link Fault#unrunnableBy(Script)}), worded
     * in the options the user gave.
     */
    private static void checkRunnable(Map<String, String> given, String option, Fault fault, Script script)
            throws UsageException {
        Optional<Fault.Unrunnable> reason = fault.unrunnableBy(script);
        if (reason.isEmpty()) {
            return;
        }
        switch (reason.get()) {
            case NEEDS_TLS:
                throw new UsageException(fault.effect() instanceof Effect.CorruptRecord
                        ? "--effect corrupt-record corrupts a TLS record, but the peer is plain TCP. Add --tls, or use"
                                + " --effect garbage."
                        : "--effect " + given.get("--effect") + " ends a TLS connection without close_notify, but the"
                                + " peer is plain TCP. Add --tls, or use --effect close.");
            case EFFECT_NOT_AT_HANDSHAKE:
            case ALERT_NOT_ON_CLIENT_HELLO:
                throw new UsageException("--effect " + given.get("--effect") + " cannot act at a stage of the TLS"
                        + " handshake, which the command line does not offer as a trigger.");
            case EXCHANGES_WITHOUT_REQUEST_END:
                throw new UsageException(named(given, option) + " counts requests, but " + named(given,
                        "--upstream") + " alone does not say where a request ends. Add --request-delimiter TEXT,"
                        + " --request-length BYTES or --request-http.");
            case EXCHANGES_WITHOUT_RESPONSE:
                throw new UsageException(named(given, option) + " counts request/response exchanges, but the"
                        + " script is " + scriptNamed(given) + ", which does not respond. Add --script respond"
                        + " with --response and a request end.");
            case COUNTS_UNSENT_BYTES:
                throw new UsageException(named(given, option) + " " + named(given, "--direction") + " counts the"
                        + " bytes the peer sends, but the script is " + scriptNamed(given) + ", which sends nothing,"
                        + " so the trigger would never fire. Use --script echo or respond, or --greeting, or count"
                        + " upstream bytes.");
            default:
                throw new UsageException("--effect " + given.get("--effect") + " shapes the bytes the peer sends ("
                        + (given.containsKey("--effect-direction") ? named(given, "--effect-direction")
                                : "--effect-direction downstream, the default") + "), but the script is "
                        + scriptNamed(given) + ", which sends nothing. Use --script echo or respond, or"
                        + " --effect-direction upstream.");
        }
    }

    private static Schedule schedule(Map<String, String> given, String option) throws UsageException {
        int value = intAtLeast(given, option, 1, "2");
        switch (option) {
            case "--first":
                return Schedule.first(value);
            case "--only":
                return Schedule.only(value);
            case "--every":
                return Schedule.every(value);
            default:
                return Schedule.allButFirst(value);
        }
    }

    // --- values ---

    /**
     * An option as the user wrote it, with its value: {@code --after-bytes 14}, {@code --request-http},
     * {@code --response 'OK\n'} (quoted for a shell where needed), {@code --on-pattern=--x}.
     */
    static String named(Map<String, String> given, String option) {
        Flag flag = FLAGS.stream().filter(f -> f.name().equals(option)).findFirst().orElseThrow();
        String value = given.get(option);
        if (flag.isSwitch() || value == null) {
            return option;
        }
        if (value.startsWith("-")) {
            return option + "=" + quoted(value);
        }
        return option + " " + quoted(value);
    }

    private static String quoted(String value) {
        if (!value.isEmpty()
                && value.chars().allMatch(c -> Character.isLetterOrDigit(c) || "._:/@%+=,-[]".indexOf(c) >= 0)) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** The script as the user chose it: {@code echo (--script echo)}, or {@code silent (the default)}. */
    private static String scriptNamed(Map<String, String> given) {
        return given.containsKey("--script") ? given.get("--script") + " (" + named(given, "--script") + ")"
                : "silent (the default)";
    }

    private static void require(Map<String, String> given, String option, String effect, String example)
            throws UsageException {
        if (!given.containsKey(option)) {
            Flag flag = FLAGS.stream().filter(f -> f.name().equals(option)).findFirst().orElseThrow();
            throw new UsageException("--effect " + effect + " needs " + option + " " + flag.value() + ", for example "
                    + option + " " + example + ".");
        }
    }

    private static Direction effectDirection(Map<String, String> given) throws UsageException {
        return direction(given, "--effect-direction", Direction.DOWNSTREAM);
    }

    private static Direction direction(Map<String, String> given, String option, Direction fallback)
            throws UsageException {
        String value = given.get(option);
        if (value == null) {
            return fallback;
        }
        switch (value.toLowerCase(Locale.ROOT)) {
            case "upstream":
                return Direction.UPSTREAM;
            case "downstream":
                return Direction.DOWNSTREAM;
            default:
                throw new UsageException(option + " '" + value + "': use upstream (the bytes the client sends) or"
                        + " downstream (the bytes it receives).");
        }
    }

    private static long number(Map<String, String> given, String option, String example) throws UsageException {
        String value = given.get(option);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " '" + value + "': not a whole number. Write digits only, for example "
                    + option + " " + example + ".");
        }
    }

    private static long longAtLeast(Map<String, String> given, String option, long min, String example)
            throws UsageException {
        long value = number(given, option, example);
        if (value < min) {
            throw new UsageException(option + " '" + value + "': must be " + min + " or more, for example " + option
                    + " " + example + ".");
        }
        return value;
    }

    private static int intAtLeast(Map<String, String> given, String option, int min, String example)
            throws UsageException {
        long value = longAtLeast(given, option, min, example);
        if (value > Integer.MAX_VALUE) {
            throw new UsageException(option + " '" + value + "': must be at most " + Integer.MAX_VALUE
                    + ", for example " + option + " " + example + ".");
        }
        return (int) value;
    }

    /** The option's text as bytes: UTF-8, with the escapes {@code \r \n \t \\ \xHH}. */
    private static byte[] text(Map<String, String> given, String option) throws UsageException {
        String value = given.get(option);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = 0;
        while (i < value.length()) {
            int escape = value.indexOf('\\', i);
            int end = escape < 0 ? value.length() : escape;
            bytes.writeBytes(value.substring(i, end).getBytes(StandardCharsets.UTF_8));
            if (escape < 0) {
                break;
            }
            char next = escape + 1 < value.length() ? value.charAt(escape + 1) : ' ';
            switch (next) {
                case 'r' -> bytes.write('\r');
                case 'n' -> bytes.write('\n');
                case 't' -> bytes.write('\t');
                case '\\' -> bytes.write('\\');
                case 'x' -> {
                    bytes.write(hex(option, value, escape));
                    i = escape + 4;
                    continue;
                }
                default -> throw new UsageException(option + " '" + value + "': unknown escape '"
                        + value.substring(escape, Math.min(escape + 2, value.length())).trim()
                        + "' at position " + (escape + 1) + ". Use \\r, \\n, \\t, \\\\ or \\xHH.");
            }
            i = escape + 2;
        }
        return bytes.toByteArray();
    }

    private static int hex(String option, String value, int escape) throws UsageException {
        String digits = value.substring(escape + 2, Math.min(escape + 4, value.length()));
        if (digits.length() == 2 && digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return Integer.parseInt(digits, 16);
        }
        throw new UsageException(option + " '" + value + "': '\\x" + digits + "' at position " + (escape + 1)
                + " needs two hex digits, for example \\x0a.");
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
