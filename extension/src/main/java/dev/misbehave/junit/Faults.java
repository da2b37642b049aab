package dev.misbehave.junit;

import dev.misbehave.Connections;
import dev.misbehave.Delay;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.HandshakeStage;
import dev.misbehave.ForceHalfCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.NeverAccept;
import dev.misbehave.RefuseConnections;
import dev.misbehave.Schedule;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.Slice;
import dev.misbehave.StallAfter;
import dev.misbehave.Throttle;
import dev.misbehave.TlsAlert;
import dev.misbehave.Trigger;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns a fault annotation into a {@link Fault}, or fails with a message that names the annotation,
 * the attribute, the value, the element and the fix. Validates every attribute before it builds
 * anything.
 *
 * <p>Every fault annotation is one entry of {@link #KINDS}: its role and the effect its own
 * attributes describe. The attributes the terminal and shaping annotations share (the trigger and
 * the schedule) are read once, by name, into {@link Shared}; {@code AnnotationConsistencyTests}
 * checks that every such annotation declares them with the same types and defaults.
 */
final class Faults {

    /**
     * The default of a long attribute that is unset: a value no one writes, so that every value a
     * person writes (0 and negative numbers included) is checked and reported.
     */
    static final long UNSET = Long.MIN_VALUE;
    /** The default of an int attribute that is unset. */
    static final int UNSET_INT = Integer.MIN_VALUE;

    /** The most bytes {@code @SendGarbageAfter(randomBytes = ...)} may ask for (Effect.Garbage.random's bound). */
    private static final int MAX_RANDOM_BYTES = 16 * 1024 * 1024;

    /** What a fault annotation acts on, which decides the trigger it takes. */
    enum Role {
        /** Ends normal service on a connection when its trigger fires: exactly one trigger. */
        TERMINAL,
        /** Shapes one direction from its trigger on: at most one trigger; none shapes from the accept on. */
        SHAPING,
        /** Acts on the peer's port, before any connection exists: no trigger, no schedule. */
        PORT
    }

    /**
     * One fault annotation: its role, the verb messages use ("reset", "delay"), and the effect that
     * its own attributes (the ones beyond {@link Shared}) describe, validated.
     */
    record Kind(Role role, String verb, Function<Declaration, Effect> effect) {}

    /** Every fault annotation, in the order messages and {@link Declaration} list them. */
    static final Map<Class<? extends Annotation>, Kind> KINDS = kinds();

    private static Map<Class<? extends Annotation>, Kind> kinds() {
        Map<Class<? extends Annotation>, Kind> kinds = new LinkedHashMap<>();
        kinds.put(ForceResetAfter.class, new Kind(Role.TERMINAL, "reset", d -> Effect.reset()));
        kinds.put(ForceCloseAfter.class, new Kind(Role.TERMINAL, "close", Faults::close));
        kinds.put(ForceHalfCloseAfter.class, new Kind(Role.TERMINAL, "half-close", d -> Effect.halfClose()));
        kinds.put(StallAfter.class, new Kind(Role.TERMINAL, "stall", d -> Effect.stall()));
        kinds.put(SendGarbageAfter.class, new Kind(Role.TERMINAL, "send the garbage", Faults::garbage));
        kinds.put(RefuseConnections.class, new Kind(Role.PORT, "refuse", d -> Effect.refuse()));
        kinds.put(NeverAccept.class, new Kind(Role.PORT, "never accept", d -> Effect.neverAccept()));
        kinds.put(Delay.class, new Kind(Role.SHAPING, "delay", Faults::delay));
        kinds.put(Throttle.class, new Kind(Role.SHAPING, "throttle", Faults::throttle));
        kinds.put(Slice.class, new Kind(Role.SHAPING, "slice", Faults::slice));
        return Collections.unmodifiableMap(kinds);
    }

    private Faults() {}

    /** {@code @ForceCloseAfter}'s effect: a close, a truncation (closeNotify = false) or an alert. */
    private static Effect close(Declaration declaration) {
        ForceCloseAfter close = (ForceCloseAfter) declaration.annotation();
        if (close.alert() != TlsAlert.NONE && !close.closeNotify()) {
            throw declaration.invalid("`alert` = " + close.alert().name() + " and `closeNotify` = false are both set."
                    + " Keep one: an alert answers the ClientHello, closeNotify = false ends a TLS connection"
                    + " after its handshake without close_notify.");
        }
        if (close.alert() != TlsAlert.NONE) {
            return Effect.alert(close.alert());
        }
        return close.closeNotify() ? Effect.close() : Effect.truncate();
    }

    static Fault from(Declaration declaration) {
        Kind kind = KINDS.get(declaration.annotation().annotationType());
        if (kind.role() == Role.PORT) {
            Connections connections = (Connections) Declaration.attribute(declaration.annotation(), "connections");
            if (!isUnset(connections)) {
                throw declaration.invalid("`connections` = " + AnnotationText.value(connections) + " cannot be"
                        + " set: " + declaration.name() + " acts on the peer's port, before any connection"
                        + " exists. Remove connections; to stop this fault during the test, call peer.behave().");
            }
            Effect effect = kind.effect().apply(declaration);
            return build(declaration, () -> new Fault(effect, new Trigger.OnAccept()));
        }
        Shared shared = Shared.of(declaration.annotation());
        if (kind.role() == Role.SHAPING) {
            // the shaping's own attributes first: they say what to write instead of an old @Slice(bytes = N)
            Effect effect = kind.effect().apply(declaration);
            Trigger trigger = trigger(declaration, kind, shared);
            Schedule schedule = schedule(declaration, shared.connections());
            return build(declaration, () -> new Fault(effect, trigger, schedule));
        }
        Trigger trigger = trigger(declaration, kind, shared);
        Schedule schedule = schedule(declaration, shared.connections());
        Effect effect = kind.effect().apply(declaration);
        return build(declaration, () -> new Fault(effect, trigger, schedule));
    }

    // ---- the attributes the terminal and shaping annotations share ----

    /**
     * The trigger and schedule attributes of a terminal or shaping annotation, read by name: every
     * such annotation declares them (the same names, types and defaults), so one reader serves all.
     */
    record Shared(long bytes, Direction direction, String pattern, int occurrence, long idleMillis, long millis,
            int exchanges, HandshakeStage handshake, Connections connections) {

        /** The trigger attributes, in the order messages list them; at most one may be set. */
        static final List<String> TRIGGERS = List.of("bytes", "pattern", "idleMillis", "millis", "exchanges", "handshake");

        /** Every shared attribute, in declaration order. */
        static final List<String> NAMES = List.of("bytes", "direction", "pattern", "occurrence", "idleMillis", "millis",
                "exchanges", "handshake", "connections");

        static Shared of(Annotation annotation) {
            return new Shared(
                    (Long) Declaration.attribute(annotation, "bytes"),
                    (Direction) Declaration.attribute(annotation, "direction"),
                    (String) Declaration.attribute(annotation, "pattern"),
                    (Integer) Declaration.attribute(annotation, "occurrence"),
                    (Long) Declaration.attribute(annotation, "idleMillis"),
                    (Long) Declaration.attribute(annotation, "millis"),
                    (Integer) Declaration.attribute(annotation, "exchanges"),
                    (HandshakeStage) Declaration.attribute(annotation, "handshake"),
                    (Connections) Declaration.attribute(annotation, "connections"));
        }

        List<String> triggersSet() {
            List<String> set = new ArrayList<>();
            if (bytes != UNSET) {
                set.add("bytes");
            }
            if (!pattern.isEmpty()) {
                set.add("pattern");
            }
            if (idleMillis != UNSET) {
                set.add("idleMillis");
            }
            if (millis != UNSET) {
                set.add("millis");
            }
            if (exchanges != UNSET_INT) {
                set.add("exchanges");
            }
            if (handshake != HandshakeStage.NONE) {
                set.add("handshake");
            }
            return set;
        }
    }

    // ---- the trigger ----

    private static Trigger trigger(Declaration declaration, Kind kind, Shared t) {
        String verb = kind.verb();
        boolean shaping = kind.role() == Role.SHAPING;
        List<String> set = t.triggersSet();
        if (t.occurrence() != 1 && t.pattern().isEmpty()) {
            throw declaration.invalid("`occurrence` = " + t.occurrence() + " counts occurrences of `pattern`,"
                    + " but no pattern is set. Add pattern = \"...\", or remove occurrence.");
        }
        if (set.isEmpty()) {
            if (shaping) {
                return new Trigger.OnAccept();
            }
            throw declaration.invalid("no trigger is set. Set exactly one of `bytes`, `pattern`, `idleMillis`,"
                    + " `millis`, `exchanges` or `handshake`, for example bytes = 0 to " + verb + " as soon as the"
                    + " connection is accepted.");
        }
        if (set.size() > 1) {
            throw declaration.invalid(listOf(set) + (set.size() == 2 ? " are both set" : " are all set")
                    + ", but a fault has one trigger. Keep one of them.");
        }
        String which = set.get(0);
        if (!shaping && t.direction() != Direction.UPSTREAM && !which.equals("bytes") && !which.equals("pattern")) {
            throw declaration.invalid("`direction` = " + t.direction() + " applies only to `bytes` and"
                    + " `pattern`, not to `" + which + "`. Remove direction.");
        }
        // a shaping annotation without a trigger shapes from the accept on: the fix for a trigger
        // that cannot start at the accept is to remove it
        String fromTheAccept = shaping
                ? " Remove " + which + " to " + verb + " from the accept on."
                : " Use bytes = 0 to " + verb + " as soon as the connection is accepted.";
        switch (which) {
            case "handshake" -> {
                return new Trigger.OnHandshake(t.handshake());
            }
            case "bytes" -> {
                if (t.bytes() < 0) {
                    String received = t.direction() == Direction.UPSTREAM ? " has sent" : " has received";
                    throw declaration.invalid("`bytes` = " + t.bytes() + " is negative. " + (shaping
                            ? "Use N to " + verb + " after the client" + received + " N bytes, or remove bytes to "
                                    + verb + " from the accept on."
                            : "Use 0 to " + verb + " as soon as the connection is accepted, or N to " + verb
                                    + " after the client" + received + " N bytes."));
                }
                return new Trigger.AfterBytes(t.direction(), t.bytes());
            }
            case "pattern" -> {
                if (t.occurrence() < 1) {
                    throw declaration.invalid(atLeastOne("occurrence", t.occurrence())
                            + "; 1 fires on the first occurrence of the pattern.");
                }
                return new Trigger.OnPattern(
                        t.direction(), t.pattern().getBytes(StandardCharsets.UTF_8), t.occurrence());
            }
            case "idleMillis" -> {
                if (t.idleMillis() < 1) {
                    throw declaration.invalid(atLeastOne("idleMillis", t.idleMillis()) + ": how many"
                            + " milliseconds the client must have sent nothing before the fault fires.");
                }
                return new Trigger.AfterIdle(Duration.ofMillis(t.idleMillis()));
            }
            case "millis" -> {
                if (t.millis() < 1) {
                    throw declaration.invalid(atLeastOne("millis", t.millis()) + ": how many milliseconds"
                            + " after the accept the fault fires." + fromTheAccept);
                }
                return new Trigger.AfterDuration(Duration.ofMillis(t.millis()));
            }
            default -> {
                if (t.exchanges() < 1) {
                    throw declaration.invalid(atLeastOne("exchanges", t.exchanges()) + ": how many requests"
                            + " the peer answers before the fault fires." + (shaping ? fromTheAccept
                                    : " Use bytes = 1 to " + verb + " on the first byte of the first request."));
                }
                return new Trigger.AfterExchanges(t.exchanges());
            }
        }
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
        if (value == UNSET_INT) {
            return;
        }
        if (value < 1) {
            throw declaration.invalid(atLeastOne("connections." + name, value) + ": connections are counted"
                    + " from 1 (the journal's index 0 is connection 1). Remove " + name + " to apply the fault"
                    + " to every connection.");
        }
        set.add(name);
    }

    private static boolean isUnset(Connections connections) {
        return connections.first() == UNSET_INT && connections.only() == UNSET_INT
                && connections.every() == UNSET_INT && connections.allButFirst() == UNSET_INT;
    }

    // ---- the effects' own attributes ----

    private static Effect garbage(Declaration declaration) {
        SendGarbageAfter garbage = (SendGarbageAfter) declaration.annotation();
        boolean text = !garbage.text().isEmpty();
        boolean random = garbage.randomBytes() != UNSET_INT;
        if (garbage.corruptRecord()) {
            String also = text ? "text" : random ? "randomBytes" : garbage.seed() != 0 ? "seed"
                    : garbage.thenClose() ? "thenClose" : null;
            if (also != null) {
                throw declaration.invalid("`corruptRecord` = true and `" + also + "` are both set. A corrupted"
                        + " record carries the peer's own bytes and always ends with a close. Remove " + also
                        + ", or corruptRecord to send garbage.");
            }
            return Effect.corruptRecord();
        }
        if (text && random) {
            throw declaration.invalid("`text` and `randomBytes` are both set. Keep one: text for fixed"
                    + " garbage, randomBytes for pseudo-random bytes.");
        }
        if (!text && !random) {
            throw declaration.invalid("no garbage is set. Set `text` = \"...\" (sent as UTF-8) or"
                    + " `randomBytes` = N (N pseudo-random bytes from `seed`).");
        }
        if (random && garbage.randomBytes() < 1) {
            throw declaration.invalid(atLeastOne("randomBytes", garbage.randomBytes()) + ", or set `text` instead.");
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

    private static Effect delay(Declaration declaration) {
        Delay delay = (Delay) declaration.annotation();
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

    private static Effect throttle(Declaration declaration) {
        Throttle throttle = (Throttle) declaration.annotation();
        if (throttle.bytesPerSecond() < 1) {
            throw declaration.invalid(atLeastOne("bytesPerSecond", throttle.bytesPerSecond()) + ": how many"
                    + " bytes per second the peer passes on in `direction`.");
        }
        return new Effect.Throttle(throttle.direction(), throttle.bytesPerSecond());
    }

    private static Effect slice(Declaration declaration) {
        Slice slice = (Slice) declaration.annotation();
        if (slice.pieceBytes() == UNSET_INT) {
            if (slice.bytes() != UNSET) {
                // what @Slice(bytes = N) meant before bytes became the trigger
                Map<String, Object> meantBefore = Map.of("bytes", UNSET, "pieceBytes", slice.bytes());
                throw declaration.invalid("`bytes` = " + slice.bytes() + " is the trigger (slice after "
                        + slice.bytes() + " bytes), and `pieceBytes`, the size of each piece, is not set. To cut"
                        + " into pieces of " + slice.bytes() + " bytes from the accept on, write "
                        + AnnotationText.format(slice, meantBefore) + "; to slice after " + slice.bytes()
                        + " bytes, add pieceBytes = N.");
            }
            throw declaration.invalid("`pieceBytes`, the size of each piece, is not set. Set it to 1 or more,"
                    + " for example pieceBytes = 1000.");
        }
        if (slice.pieceBytes() < 1) {
            throw declaration.invalid(atLeastOne("pieceBytes", slice.pieceBytes()) + ": the size of each piece.");
        }
        notNegative(declaration, "gapMillis", slice.gapMillis(), "the pause between pieces");
        return new Effect.Slice(slice.direction(), slice.pieceBytes(), Duration.ofMillis(slice.gapMillis()));
    }

    // ---- helpers ----

    /** {@code `name` = -2 is negative. Use 1 or more}, or {@code `name` = 0 must be 1 or more}, for a value below 1. */
    private static String atLeastOne(String name, long value) {
        return "`" + name + "` = " + value + (value < 0 ? " is negative. Use 1 or more" : " must be 1 or more");
    }

    private static void notNegative(Declaration declaration, String name, long value, String meaning) {
        if (value < 0) {
            throw declaration.invalid("`" + name + "` = " + value + " is negative. Use 0 or more: " + meaning
                    + " in milliseconds, 0 for none.");
        }
    }

    /** Builds through the fault model; a rejection becomes a configuration error with context. */
    private static Fault build(Declaration declaration, Supplier<Fault> model) {
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
