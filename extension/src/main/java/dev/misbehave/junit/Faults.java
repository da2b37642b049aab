package dev.misbehave.junit;

import dev.misbehave.Connections;
import dev.misbehave.Delay;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceHalfCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.NeverAccept;
import dev.misbehave.RefuseConnections;
import dev.misbehave.Schedule;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.Slice;
import dev.misbehave.StallAfter;
import dev.misbehave.Throttle;
import dev.misbehave.Trigger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a fault annotation into a {@link Fault}, or fails with a message that names the annotation,
 * the attribute, the value, the element and the fix. Validates every attribute before it builds
 * anything.
 */
final class Faults {

    /** The most bytes {@code @SendGarbageAfter(randomBytes = ...)} may ask for (Effect.Garbage.random's bound). */
    private static final int MAX_RANDOM_BYTES = 16 * 1024 * 1024;

    private Faults() {}

    static Fault from(Declaration declaration) {
        Object annotation = declaration.annotation();
        if (annotation instanceof RefuseConnections refuse) {
            return listener(declaration, refuse.connections(), Fault.refuse());
        }
        if (annotation instanceof NeverAccept never) {
            return listener(declaration, never.connections(), Fault.neverAccept());
        }
        if (annotation instanceof Delay delay) {
            return shaping(declaration, delay(declaration, delay), delay.connections());
        }
        if (annotation instanceof Throttle throttle) {
            return shaping(declaration, throttle(declaration, throttle), throttle.connections());
        }
        if (annotation instanceof Slice slice) {
            return shaping(declaration, slice(declaration, slice), slice.connections());
        }
        Terminal terminal = Terminal.of(declaration);
        Trigger trigger = trigger(declaration, terminal);
        Schedule schedule = schedule(declaration, terminal.connections());
        Effect effect = terminal.effect(declaration);
        return build(declaration, () -> new Fault(effect, trigger, schedule));
    }

    // ---- terminal effects: one trigger, a schedule ----

    /** The attributes the terminal-effect annotations share, and what each does when it fires. */
    private record Terminal(
            String verb, long bytes, Direction direction, String pattern, int occurrence, long idleMillis,
            long millis, int exchanges, Connections connections, SendGarbageAfter garbage, Effect effect) {

        static Terminal of(Declaration declaration) {
            Object annotation = declaration.annotation();
            if (annotation instanceof ForceResetAfter a) {
                return new Terminal("reset", a.bytes(), a.direction(), a.pattern(), a.occurrence(),
                        a.idleMillis(), a.millis(), a.exchanges(), a.connections(), null, new Effect.Reset());
            }
            if (annotation instanceof ForceCloseAfter a) {
                return new Terminal("close", a.bytes(), a.direction(), a.pattern(), a.occurrence(),
                        a.idleMillis(), a.millis(), a.exchanges(), a.connections(), null, new Effect.Close());
            }
            if (annotation instanceof ForceHalfCloseAfter a) {
                return new Terminal("half-close", a.bytes(), a.direction(), a.pattern(), a.occurrence(),
                        a.idleMillis(), a.millis(), a.exchanges(), a.connections(), null,
                        new Effect.HalfClose());
            }
            if (annotation instanceof StallAfter a) {
                return new Terminal("stall", a.bytes(), a.direction(), a.pattern(), a.occurrence(),
                        a.idleMillis(), a.millis(), a.exchanges(), a.connections(), null, new Effect.Stall());
            }
            SendGarbageAfter a = (SendGarbageAfter) annotation;
            return new Terminal("send the garbage", a.bytes(), a.direction(), a.pattern(), a.occurrence(),
                    a.idleMillis(), a.millis(), a.exchanges(), a.connections(), a, null);
        }

        Effect effect(Declaration declaration) {
            return garbage == null ? effect : Faults.garbage(declaration, garbage);
        }

        List<String> triggersSet() {
            List<String> set = new ArrayList<>();
            if (bytes != -1) {
                set.add("bytes");
            }
            if (!pattern.isEmpty()) {
                set.add("pattern");
            }
            if (idleMillis != -1) {
                set.add("idleMillis");
            }
            if (millis != -1) {
                set.add("millis");
            }
            if (exchanges != -1) {
                set.add("exchanges");
            }
            return set;
        }
    }

    private static Trigger trigger(Declaration declaration, Terminal t) {
        String verb = t.verb();
        List<String> set = t.triggersSet();
        if (t.occurrence() != 1 && t.pattern().isEmpty()) {
            throw declaration.invalid("`occurrence` = " + t.occurrence() + " counts occurrences of `pattern`,"
                    + " but no pattern is set. Add pattern = \"...\", or remove occurrence.");
        }
        if (set.isEmpty()) {
            throw declaration.invalid("no trigger is set. Set exactly one of `bytes`, `pattern`, `idleMillis`,"
                    + " `millis` or `exchanges`, for example bytes = 0 to " + verb + " as soon as the"
                    + " connection is accepted.");
        }
        if (set.size() > 1) {
            throw declaration.invalid(listOf(set) + (set.size() == 2 ? " are both set" : " are all set")
                    + ", but a fault has one trigger. Keep one of them.");
        }
        String which = set.get(0);
        if (t.direction() != Direction.UPSTREAM && !which.equals("bytes") && !which.equals("pattern")) {
            throw declaration.invalid("`direction` = " + t.direction() + " applies only to `bytes` and"
                    + " `pattern`, not to `" + which + "`. Remove direction.");
        }
        switch (which) {
            case "bytes" -> {
                if (t.bytes() < 0) {
                    throw declaration.invalid("`bytes` = " + t.bytes() + " is negative. Use 0 to " + verb
                            + " as soon as the connection is accepted, or N to " + verb + " after the client"
                            + (t.direction() == Direction.UPSTREAM ? " has sent" : " has received")
                            + " N bytes.");
                }
                return new Trigger.AfterBytes(t.direction(), t.bytes());
            }
            case "pattern" -> {
                if (t.occurrence() < 1) {
                    throw declaration.invalid("`occurrence` = " + t.occurrence() + " must be 1 or more; 1"
                            + " fires on the first occurrence of the pattern.");
                }
                return new Trigger.OnPattern(
                        t.direction(), t.pattern().getBytes(StandardCharsets.UTF_8), t.occurrence());
            }
            case "idleMillis" -> {
                if (t.idleMillis() < 1) {
                    throw declaration.invalid("`idleMillis` = " + t.idleMillis() + " must be 1 or more: how"
                            + " many milliseconds the client must have sent nothing before the fault fires.");
                }
                return new Trigger.AfterIdle(Duration.ofMillis(t.idleMillis()));
            }
            case "millis" -> {
                if (t.millis() < 1) {
                    throw declaration.invalid("`millis` = " + t.millis() + " must be 1 or more: how many"
                            + " milliseconds after the accept the fault fires. Use bytes = 0 to " + verb
                            + " as soon as the connection is accepted.");
                }
                return new Trigger.AfterDuration(Duration.ofMillis(t.millis()));
            }
            default -> {
                if (t.exchanges() < 1) {
                    throw declaration.invalid("`exchanges` = " + t.exchanges() + " must be 1 or more: how"
                            + " many requests the peer answers before the fault fires. Use bytes = 1 to "
                            + verb + " on the first byte of the first request.");
                }
                return new Trigger.AfterExchanges(t.exchanges());
            }
        }
    }

    private static Effect garbage(Declaration declaration, SendGarbageAfter garbage) {
        boolean text = !garbage.text().isEmpty();
        boolean random = garbage.randomBytes() != 0;
        if (text && random) {
            throw declaration.invalid("`text` and `randomBytes` are both set. Keep one: text for fixed"
                    + " garbage, randomBytes for pseudo-random bytes.");
        }
        if (!text && !random) {
            throw declaration.invalid("no garbage is set. Set `text` = \"...\" (sent as UTF-8) or"
                    + " `randomBytes` = N (N pseudo-random bytes from `seed`).");
        }
        if (garbage.randomBytes() < 0) {
            throw declaration.invalid("`randomBytes` = " + garbage.randomBytes() + " is negative. Use 1 or"
                    + " more, or set `text` instead.");
        }
        if (garbage.randomBytes() > MAX_RANDOM_BYTES) {
            throw declaration.invalid("`randomBytes` = " + garbage.randomBytes() + " is more than " + MAX_RANDOM_BYTES
                    + " (16 MiB), the most the peer makes. Use 1 to " + MAX_RANDOM_BYTES + ".");
        }
        if (text && garbage.seed() != 0) {
            throw declaration.invalid("`seed` = " + garbage.seed() + " seeds `randomBytes`, but randomBytes"
                    + " is not set. Set randomBytes = N, or remove seed.");
        }
        Effect then = garbage.thenClose() ? new Effect.Close() : new Effect.Reset();
        return text
                ? new Effect.Garbage(garbage.text().getBytes(StandardCharsets.UTF_8), then)
                : Effect.Garbage.random(garbage.randomBytes(), garbage.seed(), then);
    }

    // ---- schedules ----

    static Schedule schedule(Declaration declaration, Connections connections) {
        List<String> set = new ArrayList<>();
        addIfSet(declaration, "first", connections.first(), set);
        addIfSet(declaration, "only", connections.only(), set);
        addIfSet(declaration, "every", connections.every(), set);
        addIfSet(declaration, "allButFirst", connections.allButFirst(), set);
        if (set.size() > 1) {
            throw declaration.invalid("`connections` sets " + listOf(set) + ", but a fault has one"
                    + " schedule. Keep one of them, or none to apply the fault to every connection.");
        }
        if (set.isEmpty()) {
            return Schedule.all();
        }
        return switch (set.get(0)) {
            case "first" -> Schedule.first(connections.first());
            case "only" -> Schedule.only(connections.only());
            case "every" -> Schedule.every(connections.every());
            default -> Schedule.allButFirst(connections.allButFirst());
        };
    }

    private static void addIfSet(Declaration declaration, String name, int value, List<String> set) {
        if (value < 0) {
            throw declaration.invalid("`connections." + name + "` = " + value + " is negative. Use 1 or"
                    + " more, or 0 to leave it unset.");
        }
        if (value > 0) {
            set.add(name);
        }
    }

    // ---- listener and shaping effects ----

    private static Fault listener(Declaration declaration, Connections connections, Fault fault) {
        if (!(schedule(declaration, connections) instanceof Schedule.All)) {
            throw declaration.invalid("`connections` = " + AnnotationText.value(connections) + " cannot be"
                    + " set: " + declaration.name() + " acts on the peer's port, before any connection"
                    + " exists. Remove connections; to stop this fault during the test, call peer.behave().");
        }
        return fault;
    }

    private static Fault shaping(Declaration declaration, Effect effect, Connections connections) {
        Schedule schedule = schedule(declaration, connections);
        return build(declaration, () -> new Fault(effect, new Trigger.OnAccept(), schedule));
    }

    private static Effect delay(Declaration declaration, Delay delay) {
        notNegative(declaration, "firstMillis", delay.firstMillis(), "the delay before the first chunk");
        notNegative(declaration, "perChunkMillis", delay.perChunkMillis(), "the delay before each later chunk");
        if (delay.firstMillis() == 0 && delay.perChunkMillis() == 0) {
            throw declaration.invalid("`firstMillis` and `perChunkMillis` are both 0, so nothing would be"
                    + " delayed. Set firstMillis = N to delay the first chunk, perChunkMillis = N to delay"
                    + " every later one.");
        }
        return new Effect.Delay(delay.direction(), Duration.ofMillis(delay.firstMillis()),
                Duration.ofMillis(delay.perChunkMillis()));
    }

    private static Effect throttle(Declaration declaration, Throttle throttle) {
        if (throttle.bytesPerSecond() < 1) {
            throw declaration.invalid("`bytesPerSecond` = " + throttle.bytesPerSecond() + " must be 1 or"
                    + " more: how many bytes per second the peer passes on in `direction`.");
        }
        return new Effect.Throttle(throttle.direction(), throttle.bytesPerSecond());
    }

    private static Effect slice(Declaration declaration, Slice slice) {
        if (slice.bytes() < 1) {
            throw declaration.invalid("`bytes` = " + slice.bytes() + " must be 1 or more: the size of each"
                    + " piece.");
        }
        notNegative(declaration, "gapMillis", slice.gapMillis(), "the pause between pieces");
        return new Effect.Slice(slice.direction(), slice.bytes(), Duration.ofMillis(slice.gapMillis()));
    }

    private static void notNegative(Declaration declaration, String name, long value, String meaning) {
        if (value < 0) {
            throw declaration.invalid("`" + name + "` = " + value + " is negative. Use 0 or more: " + meaning
                    + " in milliseconds, 0 for none.");
        }
    }

    // ---- helpers ----

    /** Builds through the fault model; a rejection becomes a configuration error with context. */
    private static Fault build(Declaration declaration, java.util.function.Supplier<Fault> model) {
        try {
            return model.get();
        } catch (IllegalArgumentException rejected) {
            throw declaration.invalid("the fault model rejects it: " + rejected.getMessage());
        }
    }

    /** {@code `a` and `b`}, {@code `a`, `b` and `c`}. */
    static String listOf(List<String> names) {
        List<String> quoted = names.stream().map(n -> "`" + n + "`").toList();
        if (quoted.size() == 1) {
            return quoted.get(0);
        }
        return String.join(", ", quoted.subList(0, quoted.size() - 1)) + " and " + quoted.get(quoted.size() - 1);
    }
}
