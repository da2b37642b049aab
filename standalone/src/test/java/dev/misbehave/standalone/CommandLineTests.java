package dev.misbehave.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.RequestEnd;
import dev.misbehave.Schedule;
import dev.misbehave.Trigger;
import dev.misbehave.Unreachable;
import dev.misbehave.standalone.CommandLine.Options;
import dev.misbehave.standalone.CommandLine.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("The standalone command line")
class CommandLineTests {

    static Options parse(String... args) throws UsageException {
        return CommandLine.parse(List.of(args));
    }

    static Fault fault(String... args) throws UsageException {
        return parse(args).fault().orElseThrow();
    }

    static String error(String... args) {
        UsageException thrown = catchThrowableOfType(UsageException.class, () -> parse(args));
        assertThat(thrown).as("a usage error for %s", List.of(args)).isNotNull();
        return thrown.getMessage();
    }

    @Nested
    @DisplayName("with no options")
    class Defaults {

        @Test
        @DisplayName("starts a silent, well-behaved peer on 127.0.0.1, an ephemeral port, until it is stopped")
        void defaults() throws Exception {
            Options options = parse();
            assertThat(options.help()).isFalse();
            assertThat(options.listenHost()).isEqualTo("127.0.0.1");
            assertThat(options.listenPort()).isZero();
            assertThat(options.script().toString()).isEqualTo("silent");
            assertThat(options.fault()).isEmpty();
            assertThat(options.connections()).isZero();
            assertThat(options.untilStdinCloses()).isFalse();
        }

        @Test
        @DisplayName("listens on a chosen port of 127.0.0.1 (or localhost)")
        void chosenPort() throws Exception {
            assertThat(parse("--listen", "127.0.0.1:8125").listenPort()).isEqualTo(8125);
            assertThat(parse("--listen", "localhost:8125").listenPort()).isEqualTo(8125);
        }

        @Test
        @DisplayName("listens on another loopback address, or, with --allow-remote only, on any address")
        void otherAddresses() throws Exception {
            Options ipv6 = parse("--listen", "[::1]:8125");
            assertThat(ipv6.listenHost()).isEqualTo("::1");
            assertThat(ipv6.listenPort()).isEqualTo(8125);
            Options everywhere = parse("--listen", "0.0.0.0:0", "--allow-remote");
            assertThat(everywhere.listenHost()).isEqualTo("0.0.0.0");
            assertThat(everywhere.listenPort()).isZero();
        }

        @Test
        @DisplayName("an effect alone fires on accept, on every connection")
        void effectAlone() throws Exception {
            assertThat(fault("--effect", "reset"))
                    .isEqualTo(new Fault(new Effect.Reset(), new Trigger.OnAccept(), Schedule.all()));
        }
    }

    @Nested
    @DisplayName("maps to the public API")
    class Mapping {

        static Stream<Arguments> effects() {
            return Stream.of(
                    arguments(List.of("--effect", "reset"), new Effect.Reset()),
                    arguments(List.of("--effect", "close"), new Effect.Close()),
                    arguments(List.of("--effect", "half-close"), new Effect.HalfClose()),
                    arguments(List.of("--effect", "stall"), new Effect.Stall()),
                    arguments(List.of("--effect", "refuse"), new Effect.Refuse()),
                    arguments(List.of("--effect", "never-accept"), new Effect.NeverAccept()),
                    arguments(List.of("--effect", "garbage", "--garbage", "NO\\r\\n\\x00"),
                            new Effect.Garbage(new byte[] {'N', 'O', '\r', '\n', 0}, new Effect.Reset())),
                    arguments(List.of("--effect", "garbage", "--garbage-random", "16", "--seed", "7", "--then", "close"),
                            Effect.Garbage.random(16, 7, new Effect.Close())),
                    arguments(List.of("--effect", "garbage", "--garbage-random", "4"),
                            Effect.Garbage.random(4, 0, new Effect.Reset())),
                    arguments(List.of("--script", "echo", "--effect", "delay", "--delay-ms", "500"),
                            new Effect.Delay(Direction.DOWNSTREAM, Duration.ofMillis(500), Duration.ZERO)),
                    arguments(List.of("--effect", "delay", "--per-chunk-ms", "20", "--effect-direction", "upstream"),
                            new Effect.Delay(Direction.UPSTREAM, Duration.ZERO, Duration.ofMillis(20))),
                    arguments(List.of("--script", "echo", "--effect", "throttle", "--rate", "1000"),
                            new Effect.Throttle(Direction.DOWNSTREAM, 1000)),
                    arguments(List.of("--effect", "slice", "--slice-bytes", "1", "--gap-ms", "10",
                                    "--effect-direction", "UPSTREAM"),
                            new Effect.Slice(Direction.UPSTREAM, 1, Duration.ofMillis(10))),
                    arguments(List.of("--greeting", "220 hi\\r\\n", "--effect", "slice", "--slice-bytes", "3"),
                            new Effect.Slice(Direction.DOWNSTREAM, 3, Duration.ZERO)));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("effects")
        @DisplayName("every effect")
        void effect(List<String> args, Effect expected) throws Exception {
            assertThat(fault(args.toArray(String[]::new)).effect()).isEqualTo(expected);
        }

        static Stream<Arguments> triggers() {
            return Stream.of(
                    arguments(List.of("--on-accept"), new Trigger.OnAccept()),
                    arguments(List.of("--after-bytes", "14"), new Trigger.AfterBytes(Direction.UPSTREAM, 14)),
                    arguments(List.of("--after-bytes", "0"), new Trigger.AfterBytes(Direction.UPSTREAM, 0)),
                    arguments(List.of("--script", "echo", "--after-bytes", "5", "--direction", "downstream"),
                            new Trigger.AfterBytes(Direction.DOWNSTREAM, 5)),
                    arguments(List.of("--on-pattern", "\\r\\n\\r\\n"),
                            new Trigger.OnPattern(Direction.UPSTREAM, "\r\n\r\n".getBytes(StandardCharsets.UTF_8), 1)),
                    arguments(List.of("--on-pattern=--boundary", "--occurrence", "2", "--direction", "upstream"),
                            new Trigger.OnPattern(Direction.UPSTREAM, "--boundary".getBytes(StandardCharsets.UTF_8), 2)),
                    arguments(List.of("--after-idle-ms", "100"), new Trigger.AfterIdle(Duration.ofMillis(100))),
                    arguments(List.of("--after-ms", "250"), new Trigger.AfterDuration(Duration.ofMillis(250))),
                    arguments(List.of("--script", "respond", "--request-delimiter", "\\n", "--response", "OK\\n",
                            "--after-exchanges", "1"), new Trigger.AfterExchanges(1)));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("triggers")
        @DisplayName("every trigger")
        void trigger(List<String> args, Trigger expected) throws Exception {
            List<String> all = new java.util.ArrayList<>(List.of("--effect", "reset"));
            all.addAll(args);
            assertThat(fault(all.toArray(String[]::new)).trigger()).isEqualTo(expected);
        }

        static Stream<Arguments> schedules() {
            return Stream.of(
                    arguments(List.of(), Schedule.all()),
                    arguments(List.of("--first", "2"), Schedule.first(2)),
                    arguments(List.of("--only", "3"), Schedule.only(3)),
                    arguments(List.of("--every", "2"), Schedule.every(2)),
                    arguments(List.of("--all-but-first", "1"), Schedule.allButFirst(1)));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("schedules")
        @DisplayName("every schedule")
        void schedule(List<String> args, Schedule expected) throws Exception {
            List<String> all = new java.util.ArrayList<>(List.of("--effect", "close"));
            all.addAll(args);
            assertThat(fault(all.toArray(String[]::new)).schedule()).isEqualTo(expected);
        }

        @Test
        @DisplayName("--every 2 and --every 22 read as English ordinals on standard error")
        void ordinals() {
            for (String n : List.of("2", "22")) {
                var err = new ByteArrayOutputStream();
                int status = Main.run(List.of("--effect", "reset", "--every", n, "--until-stdin-closes"),
                        InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream(), true,
                                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
                assertThat(status).isZero();
                assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("misbehave: script silent; fault 'reset on"
                        + " accept on every " + n + "nd connection'" + System.lineSeparator());
            }
        }

        @Test
        @DisplayName("every script, with the three request ends and a greeting")
        void scripts() throws Exception {
            assertThat(parse("--script", "silent").script().toString()).isEqualTo("silent");
            assertThat(parse("--script", "echo").script().echoes()).isTrue();
            var delimited = parse("--script", "respond", "--request-delimiter", "\\n", "--response", "OK\\n").script();
            assertThat(delimited.requestEnd()).contains(RequestEnd.delimiter("\n"));
            assertThat(delimited.response()).hasValueSatisfying(r -> assertThat(r).isEqualTo("OK\n".getBytes()));
            assertThat(parse("--script", "respond", "--request-length", "14", "--response", "x").script().requestEnd())
                    .contains(RequestEnd.length(14));
            assertThat(parse("--script", "respond", "--request-http", "--response", "x").script().requestEnd())
                    .contains(RequestEnd.headersThenLength("\r\n\r\n", "Content-Length"));
            assertThat(parse("--script", "echo", "--greeting", "220 ready\\r\\n").script().greeting())
                    .isEqualTo("220 ready\r\n".getBytes());
        }

        @Test
        @DisplayName("proxy mode: --upstream, with a request end and what an unreachable server gives")
        void upstream() throws Exception {
            Options options = parse("--upstream", "127.0.0.1:8080", "--request-delimiter", "\\n",
                    "--when-unreachable", "close", "--effect", "reset", "--after-exchanges", "2");
            assertThat(options.script().forwards()).isTrue();
            assertThat(options.script().upstream().orElseThrow().get())
                    .isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
            assertThat(options.script().requestEnd()).contains(RequestEnd.delimiter("\n"));
            assertThat(options.script().unreachable()).isEqualTo(Unreachable.CLOSE);
            assertThat(options.fault().orElseThrow().trigger()).isEqualTo(new Trigger.AfterExchanges(2));
            assertThat(parse("--upstream", "localhost:8080").script().unreachable()).isEqualTo(Unreachable.RESET);
            assertThat(fault("--upstream", "127.0.0.1:8080", "--effect", "reset", "--after-bytes", "5",
                    "--direction", "downstream").trigger()).isEqualTo(new Trigger.AfterBytes(Direction.DOWNSTREAM, 5));
        }

        @Test
        @DisplayName("stop conditions, localhost, the --name=value form and --help")
        void running() throws Exception {
            Options options = parse("--connections=3", "--until-stdin-closes", "--listen", "localhost:0");
            assertThat(options.connections()).isEqualTo(3);
            assertThat(options.untilStdinCloses()).isTrue();
            assertThat(options.listenHost()).isEqualTo("localhost");
            assertThat(parse("--effect", "boom", "--help").help()).as("--help wins over the rest").isTrue();
        }
    }

    @Nested
    @DisplayName("rejects, in one line that names the option, the value and the fix")
    class Errors {

        static Stream<Arguments> errors() {
            return Stream.of(
                    // reading the arguments
                    arguments(List.of("reset"),
                            "unexpected argument 'reset': options start with --. Run with --help to see the options."),
                    arguments(List.of("--efect", "reset"),
                            "unknown option '--efect'. Run with --help to see the options."),
                    arguments(List.of("--allow-remote=yes"),
                            "--allow-remote takes no value, but was given 'yes'. Write --allow-remote alone."),
                    arguments(List.of("--effect"),
                            "--effect needs a value: --effect NAME (write --effect=NAME for a value that starts with --)."),
                    arguments(List.of("--on-pattern", "--x", "--effect", "reset"),
                            "--on-pattern needs a value: --on-pattern TEXT (write --on-pattern=TEXT for a value that"
                                    + " starts with --)."),
                    arguments(List.of("--effect", "reset", "--effect", "close"),
                            "--effect is given twice ('reset', then 'close'): give it once."),
                    arguments(List.of("--on-accept", "--on-accept"), "--on-accept is given twice: give it once."),
                    // where the peer listens
                    arguments(List.of("--listen", "8080"),
                            "--listen '8080': expected HOST:PORT, for example --listen 127.0.0.1:0."),
                    arguments(List.of("--listen", "127.0.0.1:70000"),
                            "--listen '127.0.0.1:70000': the port '70000' must be 0 to 65535; use 0 for an ephemeral"
                                    + " port, for example --listen 127.0.0.1:0."),
                    arguments(List.of("--listen", "127.0.0.1:http"),
                            "--listen '127.0.0.1:http': the port 'http' must be 0 to 65535; use 0 for an ephemeral"
                                    + " port, for example --listen 127.0.0.1:0."),
                    arguments(List.of("--listen", "no-such-host.invalid:0"),
                            "--listen 'no-such-host.invalid:0': unknown host 'no-such-host.invalid'. Give an address"
                                    + " of this machine, for example --listen 127.0.0.1:0."),
                    arguments(List.of("--listen", "0.0.0.0:0"),
                            "--listen '0.0.0.0:0': 0.0.0.0 is not a loopback address, so other hosts could connect to"
                                    + " the peer. Add --allow-remote if that is what you want."),
                    arguments(List.of("--listen", "192.0.2.1:0"),
                            "--listen '192.0.2.1:0': 192.0.2.1 is not a loopback address, so other hosts could connect"
                                    + " to the peer. Add --allow-remote if that is what you want."),
                    // the script
                    arguments(List.of("--script", "http"), "--script 'http': unknown script. Use silent, echo or respond."),
                    arguments(List.of("--response", "OK"),
                            "--response OK is for --script respond, but the script is silent (the default). Add"
                                    + " --script respond, or drop --response OK."),
                    arguments(List.of("--response", "OK\\n"),
                            "--response 'OK\\n' is for --script respond, but the script is silent (the default). Add"
                                    + " --script respond, or drop --response 'OK\\n'."),
                    arguments(List.of("--script", "echo", "--request-length", "4"),
                            "--request-length 4 is for --script respond or --upstream, but the script is echo (--script"
                                    + " echo). Add --script respond, or drop --request-length 4."),
                    // proxy mode
                    arguments(List.of("--upstream", "8080"),
                            "--upstream '8080': expected HOST:PORT, for example --upstream 127.0.0.1:8080."),
                    arguments(List.of("--upstream", "127.0.0.1:0"),
                            "--upstream '127.0.0.1:0': the port '0' must be 1 to 65535, for example --upstream"
                                    + " 127.0.0.1:8080."),
                    arguments(List.of("--upstream", "no-such-host.invalid:80"),
                            "--upstream 'no-such-host.invalid:80': unknown host 'no-such-host.invalid'. Give the"
                                    + " server's address, for example --upstream 127.0.0.1:8080."),
                    arguments(List.of("--upstream", "127.0.0.1:8080", "--script", "echo"),
                            "--script echo cannot go with --upstream 127.0.0.1:8080: the server says what the peer"
                                    + " sends. Drop --script echo, or drop --upstream to script the peer."),
                    arguments(List.of("--upstream", "127.0.0.1:8080", "--greeting", "hi"),
                            "--greeting hi cannot go with --upstream 127.0.0.1:8080: the server says what the peer"
                                    + " sends. Drop --greeting hi, or drop --upstream to script the peer."),
                    arguments(List.of("--listen", "127.0.0.1:8125", "--upstream", "127.0.0.1:8125"),
                            "--upstream 127.0.0.1:8125 is the peer's own address (--listen 127.0.0.1:8125): every"
                                    + " connection would be forwarded to the peer itself, round and round. Give the"
                                    + " server's address in --upstream, or listen elsewhere, for example --listen"
                                    + " 127.0.0.1:0."),
                    arguments(List.of("--listen", "0.0.0.0:8125", "--allow-remote", "--upstream", "localhost:8125"),
                            "--upstream localhost:8125 is the peer's own address (--listen 0.0.0.0:8125): every"
                                    + " connection would be forwarded to the peer itself, round and round. Give the"
                                    + " server's address in --upstream, or listen elsewhere, for example --listen"
                                    + " 127.0.0.1:0."),
                    arguments(List.of("--when-unreachable", "close"),
                            "--when-unreachable close is for --upstream, but the peer does not forward. Add --upstream"
                                    + " HOST:PORT, or drop --when-unreachable close."),
                    arguments(List.of("--upstream", "127.0.0.1:8080", "--when-unreachable", "refuse"),
                            "--when-unreachable 'refuse': use reset (the client's connection is reset) or close (it is"
                                    + " closed without a byte)."),
                    arguments(List.of("--upstream", "127.0.0.1:8080", "--effect", "reset", "--after-exchanges", "1"),
                            "--after-exchanges 1 counts requests, but --upstream 127.0.0.1:8080 alone does not say where"
                                    + " a request ends. Add --request-delimiter TEXT, --request-length BYTES or"
                                    + " --request-http."),
                    arguments(List.of("--script", "respond", "--request-http"),
                            "--script respond needs --response TEXT, the bytes sent after each request, for example"
                                    + " --response 'OK\\n'."),
                    arguments(List.of("--script", "respond", "--response", "OK"),
                            "--script respond needs to know where a request ends: add --request-delimiter TEXT,"
                                    + " --request-length BYTES or --request-http."),
                    arguments(List.of("--script", "respond", "--response", "OK", "--request-http", "--request-length", "4"),
                            "--request-length 4 and --request-http both say where a request ends: give one of them."),
                    arguments(List.of("--script", "respond", "--response=", "--request-http"),
                            "--response '': the response must not be empty. Use --script silent to send nothing."),
                    arguments(List.of("--script", "respond", "--response", "OK", "--request-delimiter="),
                            "--request-delimiter '': the delimiter must not be empty, for example --request-delimiter"
                                    + " '\\n'."),
                    arguments(List.of("--script", "respond", "--response", "OK", "--request-length", "0"),
                            "--request-length '0': must be 1 or more, for example --request-length 14."),
                    // the fault: options without an effect, unknown and mismatched options
                    arguments(List.of("--after-bytes", "14"),
                            "--after-bytes 14 is part of a fault, but no --effect is given. Add the effect, for example"
                                    + " --effect reset --after-bytes 14."),
                    arguments(List.of("--after-bytes", "5", "--direction", "downstream", "--first", "2"),
                            "--after-bytes 5, --direction downstream and --first 2 are part of a fault, but no"
                                    + " --effect is given. Add the effect, for example --effect reset --after-bytes 5"
                                    + " --direction downstream --first 2."),
                    arguments(List.of("--rate", "100"),
                            "--rate 100 is part of a fault, but no --effect is given. Add the effect, for example"
                                    + " --effect reset --rate 100."),
                    arguments(List.of("--on-pattern=--boundary"),
                            "--on-pattern=--boundary is part of a fault, but no --effect is given. Add the effect, for"
                                    + " example --effect reset --on-pattern=--boundary."),
                    arguments(List.of("--on-accept"),
                            "--on-accept is part of a fault, but no --effect is given. Add the effect, for example"
                                    + " --effect reset --on-accept."),
                    arguments(List.of("--script", "echo", "--effect", "truncate", "--after-bytes", "4"),
                            "--effect truncate ends a TLS connection without close_notify, but the peer is plain TCP."
                                    + " Add --tls, or use --effect close."),
                    arguments(List.of("--script", "echo", "--effect", "corrupt-record", "--after-bytes", "4"),
                            "--effect corrupt-record corrupts a TLS record, but the peer is plain TCP. Add --tls, or use"
                                    + " --effect garbage."),
                    arguments(List.of("--effect", "rst"),
                            "--effect 'rst': unknown effect. Use one of reset, close, truncate, corrupt-record, half-close,"
                                    + " stall, refuse, never-accept, garbage, delay, throttle, slice."),
                    arguments(List.of("--effect", "reset", "--rate", "100"),
                            "--rate 100 is for --effect throttle, but the effect is reset (--effect reset). Drop"
                                    + " --rate 100, or use --effect throttle."),
                    arguments(List.of("--effect", "garbage", "--garbage", "x", "--seed", "1"),
                            "--seed 1 is for --garbage-random, which is not given. Drop --seed 1, or give"
                                    + " --garbage-random LENGTH."),
                    arguments(List.of("--effect", "reset", "--effect-direction", "upstream"),
                            "--effect-direction upstream is for --effect delay, throttle or slice, but the effect is"
                                    + " reset (--effect reset). Drop --effect-direction upstream (--direction says which"
                                    + " bytes a trigger counts)."),
                    arguments(List.of("--effect", "reset", "--after-bytes", "1", "--after-ms", "5"),
                            "--after-bytes 1 and --after-ms 5 are both triggers: give one of them."),
                    arguments(List.of("--effect", "reset", "--first", "1", "--every", "2"),
                            "--first 1 and --every 2 are both schedules: give one of them."),
                    arguments(List.of("--effect", "refuse", "--after-bytes", "1"),
                            "--effect refuse acts on the port before any connection exists, so it takes no trigger"
                                    + " (--after-bytes 1). Drop --after-bytes 1."),
                    arguments(List.of("--effect", "never-accept", "--first", "1"),
                            "--effect never-accept acts on the port, so it cannot pick connections (--first 1). Drop"
                                    + " --first 1."),
                    // the fault: effect values
                    arguments(List.of("--effect", "throttle"),
                            "--effect throttle needs --rate BYTES_PER_SECOND, for example --rate 1000."),
                    arguments(List.of("--effect", "slice"),
                            "--effect slice needs --slice-bytes BYTES, for example --slice-bytes 1."),
                    arguments(List.of("--effect", "garbage", "--garbage", "x", "--then", "stall"),
                            "--then 'stall': a connection ends after the garbage with reset or close."),
                    arguments(List.of("--effect", "garbage"),
                            "--effect garbage needs --garbage TEXT or --garbage-random LENGTH, for example"
                                    + " --garbage-random 16."),
                    arguments(List.of("--effect", "garbage", "--garbage", "x", "--garbage-random", "2"),
                            "--garbage x and --garbage-random 2 both say what --effect garbage sends: give one of"
                                    + " them."),
                    arguments(List.of("--effect", "garbage", "--garbage="),
                            "--garbage '': the garbage must not be empty, for example --garbage '\\x00\\xff'."),
                    arguments(List.of("--effect", "delay"),
                            "--effect delay needs --delay-ms MS (before the first chunk) or --per-chunk-ms MS (before"
                                    + " each later one), for example --delay-ms 500."),
                    arguments(List.of("--script", "echo", "--effect", "delay", "--delay-ms", "0"),
                            "--delay-ms 0 (and --per-chunk-ms, 0 by default): nothing would be delayed. Give one of"
                                    + " them 1 or more, for example --delay-ms 500."),
                    arguments(List.of("--script", "echo", "--effect", "delay", "--delay-ms", "0", "--per-chunk-ms", "0"),
                            "--delay-ms 0 and --per-chunk-ms 0: nothing would be delayed. Give one of them 1 or more,"
                                    + " for example --delay-ms 500."),
                    arguments(List.of("--script", "echo", "--effect", "slice", "--slice-bytes", "1",
                                    "--effect-direction", "down"),
                            "--effect-direction 'down': use upstream (the bytes the client sends) or downstream (the"
                                    + " bytes it receives)."),
                    // the fault: trigger values
                    arguments(List.of("--effect", "reset", "--after-ms", "5", "--direction", "upstream"),
                            "--direction upstream is for --after-bytes or --on-pattern, but the trigger is --after-ms 5."
                                    + " Drop --direction upstream."),
                    arguments(List.of("--effect", "reset", "--direction", "downstream"),
                            "--direction downstream is for --after-bytes or --on-pattern, but the trigger is"
                                    + " --on-accept (the default). Drop --direction downstream."),
                    arguments(List.of("--effect", "reset", "--after-bytes", "5", "--occurrence", "2"),
                            "--occurrence 2 is for --on-pattern, but the trigger is --after-bytes 5. Drop"
                                    + " --occurrence 2."),
                    arguments(List.of("--effect", "reset", "--on-pattern="),
                            "--on-pattern '': the pattern must not be empty, for example --on-pattern '\\r\\n\\r\\n'."),
                    arguments(List.of("--effect", "reset", "--after-exchanges", "1"),
                            "--after-exchanges 1 counts request/response exchanges, but the script is silent (the"
                                    + " default), which does not respond. Add --script respond with --response and a"
                                    + " request end."),
                    arguments(List.of("--effect", "reset", "--after-bytes", "5", "--direction", "downstream"),
                            "--after-bytes 5 --direction downstream counts the bytes the peer sends, but the script is"
                                    + " silent (the default), which sends nothing, so the trigger would never fire. Use"
                                    + " --script echo or respond, or --greeting, or count upstream bytes."),
                    arguments(List.of("--effect", "throttle", "--rate", "10"),
                            "--effect throttle shapes the bytes the peer sends (--effect-direction downstream, the"
                                    + " default), but the script is silent (the default), which sends nothing. Use"
                                    + " --script echo or respond, or --effect-direction upstream."),
                    arguments(List.of("--effect", "reset", "--after-bytes", "5", "--direction", "sideways"),
                            "--direction 'sideways': use upstream (the bytes the client sends) or downstream (the"
                                    + " bytes it receives)."),
                    // numbers and text
                    arguments(List.of("--effect", "reset", "--after-bytes", "14B"),
                            "--after-bytes '14B': not a whole number. Write digits only, for example --after-bytes 14."),
                    arguments(List.of("--effect", "reset", "--after-bytes", "-1"),
                            "--after-bytes '-1': must be 0 or more, for example --after-bytes 14."),
                    arguments(List.of("--effect", "reset", "--after-idle-ms", "0"),
                            "--after-idle-ms '0': must be 1 or more, for example --after-idle-ms 1000."),
                    arguments(List.of("--effect", "reset", "--only", "0"),
                            "--only '0': must be 1 or more, for example --only 2."),
                    arguments(List.of("--connections", "3000000000"),
                            "--connections '3000000000': must be at most 2147483647, for example --connections 3."),
                    arguments(List.of("--effect", "garbage", "--garbage", "a\\qb"),
                            "--garbage 'a\\qb': unknown escape '\\q' at position 2. Use \\r, \\n, \\t, \\\\ or \\xHH."),
                    arguments(List.of("--effect", "reset", "--on-pattern", "x\\"),
                            "--on-pattern 'x\\': unknown escape '\\' at position 2. Use \\r, \\n, \\t, \\\\ or \\xHH."),
                    arguments(List.of("--effect", "garbage", "--garbage", "\\xg1"),
                            "--garbage '\\xg1': '\\xg1' at position 1 needs two hex digits, for example \\x0a."));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("errors")
        @DisplayName("every wrong argument")
        void wrongArgument(List<String> args, String message) {
            assertThat(error(args.toArray(String[]::new))).isEqualTo(message);
        }

        @Test
        @DisplayName("prints the message on standard error, prefixed, and exits with status 2")
        void exitStatus() {
            var out = new ByteArrayOutputStream();
            var err = new ByteArrayOutputStream();
            int status = Main.run(List.of("--effect", "rst"), InputStream.nullInputStream(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(status).isEqualTo(2);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("misbehave: --effect 'rst': unknown effect."
                    + " Use one of reset, close, truncate, corrupt-record, half-close, stall, refuse, never-accept,"
                    + " garbage, delay, throttle, slice." + System.lineSeparator());
        }

        @Test
        @DisplayName("a port another program listens on: the message names --listen and its value, and the status is 1")
        void portTaken() throws Exception {
            try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                    java.net.InetAddress.getByName("127.0.0.1"))) {
                var err = new ByteArrayOutputStream();
                int port = taken.getLocalPort();
                int status = Main.run(List.of("--listen", "localhost:" + port), InputStream.nullInputStream(),
                        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
                assertThat(status).isEqualTo(1);
                assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("misbehave: --listen 127.0.0.1:" + port
                        + ": the peer cannot listen there (Address already in use): another program may be listening"
                        + " on that port. Choose another port, or 0 for an ephemeral one (--listen 127.0.0.1:0)."
                        + System.lineSeparator());
            }
        }

        @Test
        @DisplayName("docs/standalone.md shows what four wrong command lines print on standard error")
        void documentedErrors() {
            List<String> printed = new ArrayList<>();
            for (List<String> args : List.of(List.of("--effect", "rst"), List.of("--effect", "reset", "--after-bytes", "14B"),
                    List.of("--effect", "reset", "--after-exchanges", "1"),
                    List.of("--connect", "127.0.0.1:8080", "--send", "hello", "--effect", "reset", "--after-bytes", "6"))) {
                var err = new ByteArrayOutputStream();
                int status = Main.run(args, InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
                assertThat(status).as("exit status of %s", args).isEqualTo(2);
                printed.add(err.toString(StandardCharsets.UTF_8).strip());
            }
            assertThat(printed).allSatisfy(line -> assertThat(line).startsWith("misbehave: "));
            DocOutputs.capture("cli-errors", String.join("\n", printed));
        }

        @Test
        @DisplayName("--help prints every option on standard output and exits with status 0")
        void help() {
            var out = new ByteArrayOutputStream();
            int status = Main.run(List.of("--help"), InputStream.nullInputStream(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
            assertThat(status).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .startsWith("Usage: java -jar misbehave-standalone.jar [OPTIONS]")
                    .contains("--listen HOST:PORT", "--allow-remote", "--effect NAME", "--after-bytes N",
                            "--all-but-first K", "--connections N", "--until-stdin-closes");
        }
    }
}
