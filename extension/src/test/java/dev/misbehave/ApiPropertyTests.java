package dev.misbehave;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.testing.Footprint;
import dev.misbehave.testing.Inputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Random arguments thrown at the programmatic API, as a user's code could call it: the factories
 * of {@link Fault}, {@link Trigger}, {@link Schedule}, {@link Effect}, {@link RequestEnd} and
 * {@link Script}, and {@link MisbehavingPeer#start(Script, Fault, int)} with any port. Each call
 * either works or throws what its Javadoc says: IllegalArgumentException (or IllegalStateException
 * for a method the script does not have) with a message, NullPointerException only for a null
 * argument, UncheckedIOException only when a port cannot be bound. A start that fails leaves no
 * socket open; a peer that starts is closed and leaves none either; no thread but the shared event
 * loop's ever appears.
 */
@DisplayName("The programmatic API, given random arguments")
@Isolated("counts every socket and thread of the JVM: another test running beside it would open some")
class ApiPropertyTests {

    /** A port this class holds, so that a start on it must fail to bind. */
    private static ServerSocket taken;
    private static Set<Long> threadsBefore;

    @BeforeAll
    static void holdAPort() throws IOException {
        taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MisbehavingPeer.start(Script.silent()).close(); // the shared event loop exists from here on
        threadsBefore = Footprint.now().threads();
    }

    @AfterAll
    static void releaseThePort() throws IOException {
        taken.close();
    }

    @Test
    @DisplayName("faults, triggers, schedules, effects, request ends and scripts: built, or rejected as documented")
    void factories() {
        Inputs.check("API factories", 5_000, in -> {
            Nulls nulls = new Nulls();
            attempt(nulls, () -> fault(in, nulls));
            attempt(nulls, () -> script(in, nulls));
        });
    }

    @Test
    @DisplayName("MisbehavingPeer.start with any script, fault and port: starts and closes, or fails without a socket left open")
    void starts() {
        Inputs.check("MisbehavingPeer.start", 600, in -> {
            Nulls nulls = new Nulls();
            Script script = in.note(orNull(in, nulls, () -> in.oneOf(Script.silent(), Script.echo(),
                    Script.respond(RequestEnd.delimiter("\n"), "ok\n"), Script.forwardTo("127.0.0.1", 9),
                    Script.echo().withGreeting("hi"))));
            Fault fault = in.note(in.oneIn(4) ? null : validFault(in));
            int port = in.note(in.oneIn(3) ? 0 : in.oneIn(3) ? taken.getLocalPort()
                    : in.oneIn(2) ? in.between(1, 1024) : in.intValue(0));
            Footprint before = Footprint.now();
            MisbehavingPeer peer = null;
            try {
                peer = MisbehavingPeer.start(script, fault, port);
                assertThat(peer.port()).isPositive();
                if (port != 0) {
                    assertThat(peer.port()).isEqualTo(port);
                }
                awaitsReturnOrRejectClearly(in, peer);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                assertThat(e.getMessage()).isNotBlank();
                if (e instanceof UncheckedIOException) {
                    assertThat(e.getMessage()).contains(String.valueOf(port));
                }
            } catch (NullPointerException e) {
                assertThat(nulls.given).as("a NullPointerException without a null argument").isTrue();
                assertThat(e.getMessage()).isNotBlank();
            } finally {
                if (peer != null) {
                    peer.close();
                }
            }
            assertThat(Footprint.now().newSockets(before)).as("sockets left open").isEmpty();
        });
        Set<String> newThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !threadsBefore.contains(thread.getId()))
                .map(Thread::getName)
                .filter(name -> !name.startsWith("misbehave-io"))
                .collect(Collectors.toSet());
        assertThat(newThreads).as("threads started and still alive").isEmpty();
    }

    /** The peer's waits with any count and timeout: a snapshot, a clear rejection, or the journal's assertion. */
    private static void awaitsReturnOrRejectClearly(Inputs in, MisbehavingPeer peer) {
        Duration timeout = in.note(duration(in));
        int count = in.note(in.intValue(0));
        try {
            // the condition holds at once, so only a bad argument can make this fail
            assertThat(peer.awaitJournal(records -> true, timeout)).isEmpty();
        } catch (IllegalArgumentException e) {
            assertThat(timeout.isNegative()).isTrue();
        }
        if (count < 1) {
            try {
                peer.awaitConnections(count, Duration.ZERO);
                throw new AssertionError("awaitConnections(" + count + ", 0) returned");
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).contains(String.valueOf(count));
            }
        }
    }

    // ---- calls with random arguments ----

    /** Runs {@code call}: it works, or fails as the API documents. */
    private static void attempt(Nulls nulls, Supplier<?> call) {
        try {
            assertThat(call.get()).isNotNull();
        } catch (IllegalArgumentException | IllegalStateException e) {
            assertThat(e.getMessage()).isNotBlank();
        } catch (NullPointerException e) {
            assertThat(nulls.given).as("a NullPointerException without a null argument: " + e).isTrue();
            assertThat(e.getMessage()).as("the NullPointerException names the argument").isNotBlank();
        }
    }

    /** Whether a null was given to any call of this try. */
    private static final class Nulls {
        boolean given;
    }

    private static <T> T orNull(Inputs in, Nulls nulls, Supplier<T> value) {
        if (in.oneIn(12)) {
            nulls.given = true;
            return null;
        }
        return value.get();
    }

    private static Duration duration(Inputs in) {
        return switch (in.between(0, 6)) {
            case 0 -> Duration.ofMillis(in.longValue(1));
            case 1 -> Duration.ofNanos(in.longValue(1));
            case 2 -> Duration.ofSeconds(in.longValue(0));
            case 3 -> Duration.ZERO;
            case 4 -> Duration.ofMillis(Long.MAX_VALUE);
            default -> Duration.ofSeconds(Long.MAX_VALUE);
        };
    }

    private static Fault fault(Inputs in, Nulls nulls) {
        Direction direction = orNull(in, nulls, () -> in.oneOf(Direction.values()));
        long bytes = in.longValue(0);
        return in.note(switch (in.between(0, 6)) {
            case 0 -> Fault.resetAfter(direction, bytes);
            case 1 -> Fault.closeAfter(direction, bytes);
            case 2 -> Fault.halfCloseAfter(direction, bytes);
            case 3 -> Fault.stallAfter(direction, bytes);
            case 4 -> new Fault(orNull(in, nulls, () -> effect(in, nulls)), orNull(in, nulls, () -> trigger(in, nulls)));
            default -> new Fault(orNull(in, nulls, () -> effect(in, nulls)), orNull(in, nulls, () -> trigger(in, nulls)),
                    orNull(in, nulls, () -> schedule(in)));
        });
    }

    /** A fault that may or may not be valid, built without a null. */
    private static Fault validFault(Inputs in) {
        try {
            return fault(in, new Nulls());
        } catch (RuntimeException rejected) {
            return Fault.resetAfter(Direction.UPSTREAM, 1);
        }
    }

    private static Trigger trigger(Inputs in, Nulls nulls) {
        Direction direction = orNull(in, nulls, () -> in.oneOf(Direction.values()));
        return switch (in.between(0, 7)) {
            case 0 -> new Trigger.OnAccept();
            case 1 -> new Trigger.AfterBytes(direction, in.longValue(0));
            case 2 -> new Trigger.OnPattern(direction, orNull(in, nulls, () -> in.text().getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)), in.intValue(1));
            case 3 -> Trigger.OnPattern.of(direction, orNull(in, nulls, in::text));
            case 4 -> new Trigger.AfterIdle(orNull(in, nulls, () -> duration(in)));
            case 5 -> new Trigger.AfterDuration(orNull(in, nulls, () -> duration(in)));
            default -> new Trigger.AfterExchanges(in.intValue(1));
        };
    }

    private static Schedule schedule(Inputs in) {
        int n = in.intValue(1);
        return switch (in.between(0, 5)) {
            case 0 -> Schedule.all();
            case 1 -> Schedule.first(n);
            case 2 -> Schedule.only(n);
            case 3 -> Schedule.every(n);
            default -> Schedule.allButFirst(n);
        };
    }

    private static Effect effect(Inputs in, Nulls nulls) {
        Direction direction = orNull(in, nulls, () -> in.oneOf(Direction.values()));
        Effect then = orNull(in, nulls, () -> in.oneOf(new Effect.Reset(), new Effect.Close(), new Effect.Stall()));
        return switch (in.between(0, 11)) {
            case 0 -> new Effect.Reset();
            case 1 -> new Effect.Close();
            case 2 -> new Effect.HalfClose();
            case 3 -> new Effect.Stall();
            case 4 -> new Effect.Garbage(orNull(in, nulls, () -> in.text().getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)), then);
            case 5 -> Effect.Garbage.random(in.oneIn(2) ? in.intValue(1) : in.between(1, 1 << 16), in.longValue(0), then);
            case 6 -> new Effect.Delay(direction, orNull(in, nulls, () -> duration(in)),
                    orNull(in, nulls, () -> duration(in)));
            case 7 -> new Effect.Throttle(direction, in.longValue(1024));
            case 8 -> new Effect.Slice(direction, in.intValue(1), orNull(in, nulls, () -> duration(in)));
            case 9 -> new Effect.Refuse();
            default -> new Effect.NeverAccept();
        };
    }

    private static RequestEnd requestEnd(Inputs in, Nulls nulls) {
        return switch (in.between(0, 3)) {
            case 0 -> RequestEnd.length(in.intValue(1));
            case 1 -> RequestEnd.delimiter(orNull(in, nulls, in::text));
            default -> RequestEnd.headersThenLength(orNull(in, nulls, in::text), orNull(in, nulls, in::text));
        };
    }

    private static Script script(Inputs in, Nulls nulls) {
        Script script = in.note(switch (in.between(0, 6)) {
            case 0 -> Script.silent();
            case 1 -> Script.echo();
            case 2 -> Script.respond(orNull(in, nulls, () -> requestEnd(in, nulls)), orNull(in, nulls, in::text));
            case 3 -> Script.forwardTo(orNull(in, nulls, () -> in.oneOf("127.0.0.1", "localhost", "::1", "",
                    "no-such-host.invalid", "300.1.1.1")), in.intValue(80));
            case 4 -> Script.forwardTo((InetSocketAddress) orNull(in, nulls, () -> in.oneOf(new InetSocketAddress("127.0.0.1", 0),
                    new InetSocketAddress("127.0.0.1", 80), InetSocketAddress.createUnresolved("example.invalid", 80))));
            default -> {
                Supplier<InetSocketAddress> upstream = () -> new InetSocketAddress("127.0.0.1", 9);
                yield Script.forwardTo(orNull(in, nulls, () -> upstream));
            }
        });
        return switch (in.between(0, 4)) {
            case 0 -> script.withGreeting(orNull(in, nulls, in::text));
            case 1 -> script.withRequestEnd(orNull(in, nulls, () -> requestEnd(in, nulls)));
            case 2 -> script.whenUnreachable(orNull(in, nulls, () -> in.oneOf(Unreachable.values())));
            default -> script;
        };
    }
}
