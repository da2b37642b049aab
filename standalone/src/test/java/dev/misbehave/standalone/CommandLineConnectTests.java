package dev.misbehave.standalone;

import static dev.misbehave.standalone.CommandLineTests.error;
import static dev.misbehave.standalone.CommandLineTests.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.Schedule;
import dev.misbehave.Trigger;
import dev.misbehave.standalone.CommandLine.Connect;
import dev.misbehave.standalone.CommandLine.Options;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("The standalone command line with --connect: a misbehaving client")
class CommandLineConnectTests {

    static final String SERVER = "127.0.0.1:8080";

    static Connect connect(String... args) throws Exception {
        return parse(args).connect().orElseThrow();
    }

    static Fault fault(String... args) throws Exception {
        return parse(args).fault().orElseThrow();
    }

    @Nested
    @DisplayName("maps to MisbehavingClient")
    class Mapping {

        @Test
        @DisplayName("--connect alone: one well-behaved connection that sends nothing, a 5 s connect timeout, no wait bound")
        void defaults() throws Exception {
            Options options = parse("--connect", SERVER);
            assertThat(options.help()).isFalse();
            assertThat(options.fault()).isEmpty();
            assertThat(options.untilStdinCloses()).isFalse();
            Connect client = options.connect().orElseThrow();
            assertThat(client.server()).isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
            assertThat(client.request()).isEmpty();
            assertThat(client.connections()).isEqualTo(1);
            assertThat(client.oneAfterAnother()).isFalse();
            assertThat(client.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(client.waitAtMost()).isEmpty();
        }

        @Test
        @DisplayName("a peer's command line has no client")
        void peer() throws Exception {
            assertThat(parse("--effect", "reset").connect()).isEmpty();
        }

        @Test
        @DisplayName("the server by name, or an IPv6 address in brackets")
        void addresses() throws Exception {
            assertThat(connect("--connect", "localhost:8080").server().getPort()).isEqualTo(8080);
            assertThat(connect("--connect", "localhost:8080").server().isUnresolved()).isFalse();
            assertThat(connect("--connect", "[::1]:8080").server().getAddress().getHostAddress())
                    .isEqualTo("0:0:0:0:0:0:0:1");
        }

        @Test
        @DisplayName("the request: --send's text (with its escapes), then --send-file's bytes")
        void request(@TempDir Path dir) throws Exception {
            Path body = dir.resolve("body.bin");
            Files.write(body, new byte[] {0, 1, 2, (byte) 0xff});
            assertThat(connect("--connect", SERVER, "--send", "GET / HTTP/1.1\\r\\n\\r\\n").request())
                    .isEqualTo("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(connect("--connect", SERVER, "--send-file", body.toString()).request())
                    .containsExactly(0, 1, 2, 0xff);
            assertThat(connect("--connect", SERVER, "--send", "a\\x00", "--send-file", body.toString()).request())
                    .containsExactly('a', 0, 0, 1, 2, 0xff);
            assertThat(connect("--send-file", body.toString(), "--send", "a", "--connect", SERVER).request())
                    .as("whatever the order of the options").containsExactly('a', 0, 1, 2, 0xff);
        }

        @Test
        @DisplayName("how many connections, one after another, the connect timeout, the wait bound, stdin")
        void connections() throws Exception {
            Options options = parse("--connect", SERVER, "--connections", "200", "--one-after-another",
                    "--connect-timeout-ms", "250", "--wait-seconds", "30", "--until-stdin-closes");
            Connect client = options.connect().orElseThrow();
            assertThat(client.connections()).isEqualTo(200);
            assertThat(client.oneAfterAnother()).isTrue();
            assertThat(client.connectTimeout()).isEqualTo(Duration.ofMillis(250));
            assertThat(client.waitAtMost()).contains(Duration.ofSeconds(30));
            assertThat(options.untilStdinCloses()).isTrue();
            assertThat(connect("--connect", SERVER, "--connections", "10000").connections()).isEqualTo(10_000);
        }

        static Stream<Arguments> effects() {
            return Stream.of(
                    arguments(List.of("--effect", "reset"), new Effect.Reset()),
                    arguments(List.of("--effect", "close"), new Effect.Close()),
                    arguments(List.of("--effect", "half-close"), new Effect.HalfClose()),
                    arguments(List.of("--effect", "stall"), new Effect.Stall()),
                    arguments(List.of("--effect", "garbage", "--garbage", "NO\\r\\n", "--then", "close"),
                            new Effect.Garbage("NO\r\n".getBytes(StandardCharsets.US_ASCII), new Effect.Close())),
                    arguments(List.of("--effect", "garbage", "--garbage-random", "16", "--seed", "7"),
                            Effect.Garbage.random(16, 7, new Effect.Reset())),
                    arguments(List.of("--send", "x", "--effect", "delay", "--delay-ms", "500"),
                            new Effect.Delay(Direction.UPSTREAM, Duration.ofMillis(500), Duration.ZERO)),
                    arguments(List.of("--send", "x", "--effect", "throttle", "--rate", "1000"),
                            new Effect.Throttle(Direction.UPSTREAM, 1000)),
                    arguments(List.of("--send", "x", "--effect", "slice", "--slice-bytes", "1", "--gap-ms", "100"),
                            new Effect.Slice(Direction.UPSTREAM, 1, Duration.ofMillis(100))),
                    arguments(List.of("--send", "x", "--effect", "slice", "--slice-bytes", "1",
                                    "--effect-direction", "upstream"),
                            new Effect.Slice(Direction.UPSTREAM, 1, Duration.ZERO)));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("effects")
        @DisplayName("every effect a client runs; delay, throttle and slice shape what it sends (upstream)")
        void effect(List<String> args, Effect expected) throws Exception {
            assertThat(fault(withConnect(args)).effect()).isEqualTo(expected);
        }

        static Stream<Arguments> triggers() {
            return Stream.of(
                    arguments(List.of(), new Trigger.OnAccept()),
                    arguments(List.of("--on-accept"), new Trigger.OnAccept()),
                    arguments(List.of("--send", "0123456789", "--after-bytes", "10"),
                            new Trigger.AfterBytes(Direction.UPSTREAM, 10)),
                    arguments(List.of("--after-bytes", "0"), new Trigger.AfterBytes(Direction.UPSTREAM, 0)),
                    arguments(List.of("--after-bytes", "1024", "--direction", "downstream"),
                            new Trigger.AfterBytes(Direction.DOWNSTREAM, 1024)),
                    arguments(List.of("--after-ms", "250"), new Trigger.AfterDuration(Duration.ofMillis(250))));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("triggers")
        @DisplayName("every trigger a client runs")
        void trigger(List<String> args, Trigger expected) throws Exception {
            assertThat(fault(withConnect(concat(List.of("--effect", "reset"), args))).trigger()).isEqualTo(expected);
        }

        @Test
        @DisplayName("every schedule")
        void schedules() throws Exception {
            assertThat(fault("--connect", SERVER, "--effect", "stall", "--only", "2").schedule())
                    .isEqualTo(Schedule.only(2));
            assertThat(fault("--connect", SERVER, "--effect", "stall", "--first", "2").schedule())
                    .isEqualTo(Schedule.first(2));
            assertThat(fault("--connect", SERVER, "--effect", "stall", "--every", "3").schedule())
                    .isEqualTo(Schedule.every(3));
            assertThat(fault("--connect", SERVER, "--effect", "stall", "--all-but-first", "1").schedule())
                    .isEqualTo(Schedule.allButFirst(1));
        }
    }

    static String[] withConnect(List<String> args) {
        return concat(List.of("--connect", SERVER), args).toArray(String[]::new);
    }

    static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new java.util.ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    @Nested
    @DisplayName("rejects, before any connection, in one line that names the option, the value and the fix")
    class Errors {

        static Stream<Arguments> errors() {
            return Stream.of(
                    // a client's options without --connect
                    arguments(List.of("--send", "hi"),
                            "--send hi is for --connect, but no --connect is given: the peer listens. Add --connect"
                                    + " HOST:PORT to run a client, or drop --send hi."),
                    arguments(List.of("--effect", "reset", "--one-after-another"),
                            "--one-after-another is for --connect, but no --connect is given: the peer listens. Add"
                                    + " --connect HOST:PORT to run a client, or drop --one-after-another."),
                    arguments(List.of("--wait-seconds", "5"),
                            "--wait-seconds 5 is for --connect, but no --connect is given: the peer listens. Add"
                                    + " --connect HOST:PORT to run a client, or drop --wait-seconds 5."),
                    arguments(List.of("--send-file", "body.bin"),
                            "--send-file body.bin is for --connect, but no --connect is given: the peer listens. Add"
                                    + " --connect HOST:PORT to run a client, or drop --send-file body.bin."),
                    arguments(List.of("--connect-timeout-ms", "100"),
                            "--connect-timeout-ms 100 is for --connect, but no --connect is given: the peer listens."
                                    + " Add --connect HOST:PORT to run a client, or drop --connect-timeout-ms 100."),
                    // the server's address
                    arguments(List.of("--connect"),
                            "--connect needs a value: --connect HOST:PORT (write --connect=HOST:PORT for a value that"
                                    + " starts with --)."),
                    arguments(List.of("--connect", "8080"),
                            "--connect '8080': expected HOST:PORT, for example --connect 127.0.0.1:8080."),
                    arguments(List.of("--connect", "127.0.0.1:0"),
                            "--connect '127.0.0.1:0': the port '0' must be 1 to 65535, for example --connect"
                                    + " 127.0.0.1:8080."),
                    arguments(List.of("--connect", "127.0.0.1:http"),
                            "--connect '127.0.0.1:http': the port 'http' must be 1 to 65535, for example --connect"
                                    + " 127.0.0.1:8080."),
                    arguments(List.of("--connect", "no-such-host.invalid:80"),
                            "--connect 'no-such-host.invalid:80': unknown host 'no-such-host.invalid'. Give the"
                                    + " server's address, for example --connect 127.0.0.1:8080."),
                    // a peer's options
                    arguments(List.of("--connect", SERVER, "--listen", "127.0.0.1:0"),
                            "--listen 127.0.0.1:0 cannot go with --connect 127.0.0.1:8080: a client connects, it does"
                                    + " not listen. Drop --listen 127.0.0.1:0."),
                    arguments(List.of("--allow-remote", "--connect", SERVER),
                            "--allow-remote cannot go with --connect 127.0.0.1:8080: a client connects, it does not"
                                    + " listen. Drop --allow-remote."),
                    arguments(List.of("--connect", SERVER, "--upstream", "127.0.0.1:9090"),
                            "--upstream 127.0.0.1:9090 cannot go with --connect 127.0.0.1:8080: --upstream runs a proxy"
                                    + " that listens for clients, --connect a client of the server. Drop --upstream"
                                    + " 127.0.0.1:9090, or drop --connect 127.0.0.1:8080."),
                    arguments(List.of("--connect", SERVER, "--when-unreachable", "close"),
                            "--when-unreachable close cannot go with --connect 127.0.0.1:8080: --upstream runs a proxy"
                                    + " that listens for clients, --connect a client of the server. Drop"
                                    + " --when-unreachable close, or drop --connect 127.0.0.1:8080."),
                    arguments(List.of("--connect", SERVER, "--script", "echo"),
                            "--script echo cannot go with --connect 127.0.0.1:8080: it says how the peer answers, and a"
                                    + " client does not answer: it sends --send TEXT or --send-file PATH and reads what"
                                    + " the server sends back. Drop --script echo."),
                    arguments(List.of("--connect", SERVER, "--response", "OK\\n"),
                            "--response 'OK\\n' cannot go with --connect 127.0.0.1:8080: it says how the peer answers,"
                                    + " and a client does not answer: it sends --send TEXT or --send-file PATH and reads"
                                    + " what the server sends back. Drop --response 'OK\\n'."),
                    arguments(List.of("--connect", SERVER, "--request-http"),
                            "--request-http cannot go with --connect 127.0.0.1:8080: it says how the peer answers, and a"
                                    + " client does not answer: it sends --send TEXT or --send-file PATH and reads what"
                                    + " the server sends back. Drop --request-http."),
                    arguments(List.of("--connect", SERVER, "--greeting", "hi"),
                            "--greeting hi cannot go with --connect 127.0.0.1:8080: it says how the peer answers, and a"
                                    + " client does not answer: it sends --send TEXT or --send-file PATH and reads what"
                                    + " the server sends back. Drop --greeting hi."),
                    arguments(List.of("--connect", SERVER, "--tls"),
                            "--tls cannot go with --connect 127.0.0.1:8080: the client speaks plain TCP (a client over"
                                    + " TLS is not built yet). Drop --tls."),
                    // what it sends
                    arguments(List.of("--connect", SERVER, "--send="),
                            "--send '': the request must not be empty. Drop --send to send nothing."),
                    arguments(List.of("--connect", SERVER, "--send", "a\\qb"),
                            "--send 'a\\qb': unknown escape '\\q' at position 2. Use \\r, \\n, \\t, \\\\ or \\xHH."),
                    arguments(List.of("--connect", SERVER, "--send-file", "no/such/file.bin"),
                            "--send-file no/such/file.bin: the file cannot be read (no such file). Give the path of the"
                                    + " file whose bytes each connection sends."),
                    // how many, how long
                    arguments(List.of("--connect", SERVER, "--connections", "0"),
                            "--connections '0': must be 1 or more, for example --connections 200."),
                    arguments(List.of("--connect", SERVER, "--connections", "10001"),
                            "--connections '10001': a client opens at most 10000 connections, for example --connections"
                                    + " 200."),
                    arguments(List.of("--connect", SERVER, "--connect-timeout-ms", "0"),
                            "--connect-timeout-ms '0': must be 1 or more, for example --connect-timeout-ms 2000."),
                    arguments(List.of("--connect", SERVER, "--wait-seconds", "0"),
                            "--wait-seconds '0': must be 1 or more, for example --wait-seconds 30."),
                    arguments(List.of("--connect", SERVER, "--wait-seconds", "1.5"),
                            "--wait-seconds '1.5': not a whole number. Write digits only, for example --wait-seconds"
                                    + " 30."),
                    arguments(List.of("--connect", SERVER, "--one-after-another=yes"),
                            "--one-after-another takes no value, but was given 'yes'. Write --one-after-another alone."),
                    // effects a client does not run
                    arguments(List.of("--connect", SERVER, "--effect", "rst"),
                            "--effect 'rst': unknown effect. Use one of reset, close, half-close, stall, garbage, delay,"
                                    + " throttle, slice."),
                    arguments(List.of("--connect", SERVER, "--effect", "refuse"),
                            "--effect refuse acts on a listening port, and a client has none (--connect 127.0.0.1:8080)."
                                    + " With --connect use --effect reset, close, half-close, stall, garbage, delay,"
                                    + " throttle or slice."),
                    arguments(List.of("--connect", SERVER, "--effect", "never-accept"),
                            "--effect never-accept acts on a listening port, and a client has none (--connect"
                                    + " 127.0.0.1:8080). With --connect use --effect reset, close, half-close, stall,"
                                    + " garbage, delay, throttle or slice."),
                    arguments(List.of("--connect", SERVER, "--effect", "truncate"),
                            "--effect truncate acts on a TLS connection, and the client speaks plain TCP (--connect"
                                    + " 127.0.0.1:8080). With --connect use --effect reset, close, half-close, stall,"
                                    + " garbage, delay, throttle or slice."),
                    arguments(List.of("--connect", SERVER, "--effect", "corrupt-record"),
                            "--effect corrupt-record acts on a TLS connection, and the client speaks plain TCP"
                                    + " (--connect 127.0.0.1:8080). With --connect use --effect reset, close, half-close,"
                                    + " stall, garbage, delay, throttle or slice."),
                    // shaping
                    arguments(List.of("--connect", SERVER, "--send", "x", "--effect", "slice", "--slice-bytes", "1",
                                    "--effect-direction", "downstream"),
                            "--effect-direction downstream: a client (--connect 127.0.0.1:8080) shapes only what it"
                                    + " sends (upstream); the downstream bytes are the server's to send. Drop"
                                    + " --effect-direction downstream."),
                    arguments(List.of("--connect", SERVER, "--send", "x", "--effect", "throttle", "--rate", "10",
                                    "--effect-direction", "down"),
                            "--effect-direction 'down': use upstream (the bytes the client sends) or downstream (the"
                                    + " bytes it receives)."),
                    arguments(List.of("--connect", SERVER, "--effect", "throttle", "--rate", "10"),
                            "--effect throttle shapes the bytes the client sends, but it sends nothing (no --send or"
                                    + " --send-file). Add --send TEXT or --send-file PATH."),
                    arguments(List.of("--connect", SERVER, "--effect", "reset", "--effect-direction", "upstream"),
                            "--effect-direction upstream is for --effect delay, throttle or slice, but the effect is"
                                    + " reset (--effect reset). Drop --effect-direction upstream (--direction says which"
                                    + " bytes a trigger counts)."),
                    // triggers a client does not run
                    arguments(List.of("--connect", SERVER, "--effect", "reset", "--on-pattern", "\\r\\n"),
                            "--on-pattern '\\r\\n' is a trigger a client does not run (--connect 127.0.0.1:8080). Use"
                                    + " --on-accept (once connected), --after-bytes N (of --direction upstream, what it"
                                    + " sends, or downstream, what it reads) or --after-ms MS."),
                    arguments(List.of("--connect", SERVER, "--effect", "reset", "--after-idle-ms", "100"),
                            "--after-idle-ms 100 is a trigger a client does not run (--connect 127.0.0.1:8080). Use"
                                    + " --on-accept (once connected), --after-bytes N (of --direction upstream, what it"
                                    + " sends, or downstream, what it reads) or --after-ms MS."),
                    arguments(List.of("--connect", SERVER, "--effect", "reset", "--after-exchanges", "1"),
                            "--after-exchanges 1 is a trigger a client does not run (--connect 127.0.0.1:8080). Use"
                                    + " --on-accept (once connected), --after-bytes N (of --direction upstream, what it"
                                    + " sends, or downstream, what it reads) or --after-ms MS."),
                    arguments(List.of("--connect", SERVER, "--after-bytes", "4"),
                            "--after-bytes 4 is part of a fault, but no --effect is given. Add the effect, for example"
                                    + " --effect reset --after-bytes 4."),
                    // a trigger past the request
                    arguments(List.of("--connect", SERVER, "--send", "hello", "--effect", "reset", "--after-bytes", "6"),
                            "--after-bytes 6 (--direction upstream, the default) counts the bytes the client sends, but"
                                    + " the request has 5 bytes (--send hello), so the trigger would never fire. Fire at"
                                    + " 5 bytes or fewer, or send a longer request."),
                    arguments(List.of("--connect", SERVER, "--send", "hello", "--effect", "close", "--after-bytes", "9",
                                    "--direction", "upstream"),
                            "--after-bytes 9 --direction upstream counts the bytes the client sends, but the request has"
                                    + " 5 bytes (--send hello), so the trigger would never fire. Fire at 5 bytes or"
                                    + " fewer, or send a longer request."),
                    arguments(List.of("--connect", SERVER, "--effect", "reset", "--after-bytes", "1"),
                            "--after-bytes 1 (--direction upstream, the default) counts the bytes the client sends, but"
                                    + " it sends nothing (no --send or --send-file), so the trigger would never fire."
                                    + " Add --send TEXT or --send-file PATH, or use --on-accept."));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("errors")
        @DisplayName("every wrong argument")
        void wrongArgument(List<String> args, String message) {
            assertThat(error(args.toArray(String[]::new))).isEqualTo(message);
        }

        @Test
        @DisplayName("--send-file: a directory, an empty file, and the request's bytes counted with --send's")
        void files(@TempDir Path dir) throws Exception {
            assertThat(error("--connect", SERVER, "--send-file", dir.toString())).isEqualTo("--send-file " + dir
                    + ": a directory, not a file. Give the path of the file whose bytes each connection sends.");
            Path empty = Files.createFile(dir.resolve("empty.bin"));
            assertThat(error("--connect", SERVER, "--send-file", empty.toString())).isEqualTo("--send-file " + empty
                    + ": the file is empty. Give a file with the bytes to send, or drop --send-file.");
            Path body = Files.write(dir.resolve("body.bin"), new byte[10]);
            assertThat(error("--connect", SERVER, "--send", "head", "--send-file", body.toString(), "--effect", "reset",
                    "--after-bytes", "15")).isEqualTo("--after-bytes 15 (--direction upstream, the default) counts the"
                            + " bytes the client sends, but the request has 14 bytes (--send head and --send-file " + body
                            + "), so the trigger would never fire. Fire at 14 bytes or fewer, or send a longer request.");
        }

        @Test
        @DisplayName("prints the message on standard error, prefixed, opens no connection, and exits with status 2")
        void exitStatus() {
            var out = new ByteArrayOutputStream();
            var err = new ByteArrayOutputStream();
            int status = Main.run(List.of("--connect", SERVER, "--effect", "refuse"), InputStream.nullInputStream(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(status).isEqualTo(2);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("misbehave: --effect refuse acts on a listening"
                    + " port, and a client has none (--connect 127.0.0.1:8080). With --connect use --effect reset, close,"
                    + " half-close, stall, garbage, delay, throttle or slice." + System.lineSeparator());
        }

        @Test
        @DisplayName("--help lists the client's options")
        void help() {
            var out = new ByteArrayOutputStream();
            int status = Main.run(List.of("--help"), InputStream.nullInputStream(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
            assertThat(status).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("--connect HOST:PORT", "--send TEXT",
                    "--send-file PATH", "--one-after-another", "--connect-timeout-ms MS", "--wait-seconds S",
                    "with --connect: open N");
        }
    }
}
