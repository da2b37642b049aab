package dev.misbehave;

import java.util.Objects;
import java.util.Optional;

/**
 * A misbehaviour of the peer: an {@link Effect} (what it does) applied when a {@link Trigger} (when)
 * fires, on the connections a {@link Schedule} selects (which). The three are independent values;
 * connections outside the schedule are served normally by the peer's {@link Script}.
 *
 * <p>The annotations are shorthands for faults: {@code @ForceResetAfter(bytes = 16)} is {@code
 * Fault.resetAfter(Direction.UPSTREAM, 16)}, and {@code @ForceResetAfter(bytes = 16, connections =
 * @Connections(first = 2))} is the same {@code .on(Schedule.first(2))}. Start a peer with a fault
 * directly with {@link MisbehavingPeer#start(Script, Fault)}.
 *
 * @param effect what the peer does
 * @param trigger when it does it
 * @param schedule on which connections
 */
public record Fault(Effect effect, Trigger trigger, Schedule schedule) {

    /**
     * Validates the combination.
     *
     * @param effect what the peer does
     * @param trigger when it does it
     * @param schedule on which connections
     * @throws NullPointerException if a value is null
     * @throws IllegalArgumentException if the effect cannot run with the trigger or schedule: {@link
     *     Effect.Refuse} and {@link Effect.NeverAccept} act on the port, so they need {@link
     *     Trigger.OnAccept} and {@link Schedule.All}
     */
    public Fault {
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(schedule, "schedule");
        if (effect instanceof Effect.OnPort) {
            if (!(trigger instanceof Trigger.OnAccept)) {
                throw new IllegalArgumentException(
                        effect + " acts on the peer's port, before any connection exists, so its trigger must"
                                + " be OnAccept, not '" + trigger + "'.");
            }
            if (!(schedule instanceof Schedule.All)) {
                throw new IllegalArgumentException(
                        effect + " acts on the peer's port, so it cannot pick connections ('" + schedule
                                + "'). Use Schedule.all(), and MisbehavingPeer.behave() to stop refusing.");
            }
        }
    }

    /**
     * A fault on every connection.
     *
     * @param effect what the peer does
     * @param trigger when it does it
     * @throws IllegalArgumentException if the effect cannot run with the trigger
     */
    public Fault(Effect effect, Trigger trigger) {
        this(effect, trigger, Schedule.all());
    }

    /**
     * This fault on the connections {@code schedule} selects.
     *
     * @param schedule which connections
     * @return a new fault
     */
    public Fault on(Schedule schedule) {
        return new Fault(effect, trigger, schedule);
    }

    /**
     * A TCP reset after exactly {@code bytes} bytes of {@code direction}.
     *
     * @param direction which bytes are counted
     * @param bytes 0 or more; 0 resets as soon as the connection is accepted
     * @return the fault
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public static Fault resetAfter(Direction direction, long bytes) {
        return new Fault(Effect.reset(), Trigger.afterBytes(direction, bytes));
    }

    /**
     * An orderly close (FIN) after exactly {@code bytes} bytes of {@code direction}.
     *
     * @param direction which bytes are counted
     * @param bytes 0 or more; 0 closes as soon as the connection is accepted
     * @return the fault
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public static Fault closeAfter(Direction direction, long bytes) {
        return new Fault(Effect.close(), Trigger.afterBytes(direction, bytes));
    }

    /**
     * A half-close (the peer's FIN, then it keeps reading) after exactly {@code bytes} bytes of
     * {@code direction}.
     *
     * @param direction which bytes are counted
     * @param bytes 0 or more
     * @return the fault
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public static Fault halfCloseAfter(Direction direction, long bytes) {
        return new Fault(Effect.halfClose(), Trigger.afterBytes(direction, bytes));
    }

    /**
     * A stall after exactly {@code bytes} bytes of {@code direction}: the peer stops reading, never
     * writes, and holds the connection open until it is closed.
     *
     * @param direction which bytes are counted
     * @param bytes 0 or more; 0 stalls as soon as the connection is accepted
     * @return the fault
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public static Fault stallAfter(Direction direction, long bytes) {
        return new Fault(Effect.stall(), Trigger.afterBytes(direction, bytes));
    }

    /**
     * Refuse every connection: nothing listens on the reserved port.
     *
     * @return the fault
     */
    public static Fault refuse() {
        return new Fault(Effect.refuse(), Trigger.onAccept());
    }

    /**
     * Never accept: the accept queue is full and a client's connect times out.
     *
     * @return the fault
     */
    public static Fault neverAccept() {
        return new Fault(Effect.neverAccept(), Trigger.onAccept());
    }

    /**
     * Why a fault cannot run with a script: a trigger the script can never reach, or bytes to shape
     * that the script never sends. {@link #unrunnableBy(Script)} is the one rule the annotations, the
     * command line and the engine apply; each words the reason in its own terms.
     */
    public enum Unrunnable {
        /**
         * A fault of TLS only ({@link Effect.Truncate}, {@link Effect.Alert}, {@link
         * Effect.CorruptRecord}, {@link
         * Trigger.OnHandshake}) with a script that is plain TCP.
         */
        NEEDS_TLS,
        /** {@link Trigger.OnHandshake} with an effect that cannot act on the handshake. */
        EFFECT_NOT_AT_HANDSHAKE,
        /** {@link Effect.Alert} with a trigger other than {@link HandshakeStage#CLIENT_HELLO}. */
        ALERT_NOT_ON_CLIENT_HELLO,
        /** {@link Trigger.AfterExchanges} with a forwarding script that does not know where a request ends. */
        EXCHANGES_WITHOUT_REQUEST_END,
        /** {@link Trigger.AfterExchanges} with a script that does not respond. */
        EXCHANGES_WITHOUT_RESPONSE,
        /** A trigger that counts {@link Direction#DOWNSTREAM} bytes, with a script that sends none. */
        COUNTS_UNSENT_BYTES,
        /** A {@link Effect.Shaping} effect on {@link Direction#DOWNSTREAM}, with a script that sends nothing. */
        SHAPES_UNSENT_BYTES
    }

    /**
     * Whether the peer can run this fault with {@code script}, and if not, why.
     *
     * @param script the peer's script
     * @return empty if the fault can run; else the reason it cannot
     */
    public Optional<Unrunnable> unrunnableBy(Script script) {
        Objects.requireNonNull(script, "script");
        boolean tlsOnly = effect instanceof Effect.Truncate || effect instanceof Effect.Alert
                || effect instanceof Effect.CorruptRecord || trigger instanceof Trigger.OnHandshake;
        if (tlsOnly && script.tls().isEmpty()) {
            return Optional.of(Unrunnable.NEEDS_TLS);
        }
        if (effect instanceof Effect.Alert
                && !(trigger instanceof Trigger.OnHandshake h && h.stage() == HandshakeStage.CLIENT_HELLO)) {
            return Optional.of(Unrunnable.ALERT_NOT_ON_CLIENT_HELLO);
        }
        if (trigger instanceof Trigger.OnHandshake && !actsAtHandshake(effect)) {
            return Optional.of(Unrunnable.EFFECT_NOT_AT_HANDSHAKE);
        }
        if (trigger instanceof Trigger.AfterExchanges && script.requestEnd().isEmpty()) {
            return Optional.of(script.forwards()
                    ? Unrunnable.EXCHANGES_WITHOUT_REQUEST_END
                    : Unrunnable.EXCHANGES_WITHOUT_RESPONSE);
        }
        if (script.sends()) {
            return Optional.empty(); // a forwarding script's server sends, so downstream faults apply
        }
        if (countsSentBytes(trigger)) {
            return Optional.of(Unrunnable.COUNTS_UNSENT_BYTES);
        }
        if (effect instanceof Effect.Shaping shaping && shaping.direction() == Direction.DOWNSTREAM) {
            return Optional.of(Unrunnable.SHAPES_UNSENT_BYTES);
        }
        return Optional.empty();
    }

    /**
     * Throws unless the peer can run this fault with {@code script} (see {@link
     * #unrunnableBy(Script)}); the message says why and how to fix it.
     *
     * @param script the peer's script
     * @throws IllegalArgumentException if the fault cannot run with the script
     */
    public void requireRunnableBy(Script script) {
        Optional<Unrunnable> reason = unrunnableBy(script);
        if (reason.isEmpty()) {
            return;
        }
        switch (reason.get()) {
            case NEEDS_TLS:
                if (effect instanceof Effect.Truncate) {
                    throw new IllegalArgumentException("'" + this + "' ends a TLS connection without close_notify,"
                            + " but the script (" + script + ") is plain TCP. Give the peer TLS, for example"
                            + " Script.silent().withTls(Tls.generated()), or close with Effect.close().");
                }
                throw new IllegalArgumentException("'" + this + "' acts on "
                        + (effect instanceof Effect.CorruptRecord ? "a TLS record" : "the TLS handshake")
                        + ", but the script (" + script + ") is plain TCP."
                        + " Give the peer TLS, for example Script.silent().withTls(Tls.generated()).");
            case ALERT_NOT_ON_CLIENT_HELLO:
                throw new IllegalArgumentException("'" + this + "': a TLS alert is sent in answer to the ClientHello."
                        + " Use the trigger Trigger.onHandshake(HandshakeStage.CLIENT_HELLO).");
            case EFFECT_NOT_AT_HANDSHAKE:
                throw new IllegalArgumentException("'" + this + "': at a stage of the handshake the peer can reset,"
                        + " close, stall, send garbage or an alert, not " + effect + ". Use one of those, or a"
                        + " trigger on the plaintext (bytes, pattern, ...).");
            case EXCHANGES_WITHOUT_REQUEST_END:
                throw new IllegalArgumentException(
                        "'" + trigger + "' counts request/response exchanges, but the script (" + script
                                + ") does not know where a request ends. Tell it, for example"
                                + " Script.forwardTo(server).withRequestEnd(RequestEnd.delimiter(\"\\n\")).");
            case EXCHANGES_WITHOUT_RESPONSE:
                throw new IllegalArgumentException(
                        "'" + trigger + "' counts request/response exchanges, but the script (" + script
                                + ") does not respond. Give the peer a script that responds, for example"
                                + " Script.respond(RequestEnd.delimiter(\"\\n\"), \"OK\\n\").");
            case COUNTS_UNSENT_BYTES:
                throw new IllegalArgumentException(
                        "'" + trigger + "' counts bytes the peer sends, but the script (" + script + ")"
                                + " sends nothing, so it would never fire. Give the peer a script that"
                                + " responds, echoes or greets, or count UPSTREAM bytes.");
            default:
                throw new IllegalArgumentException(
                        "'" + effect + "' shapes the bytes the peer sends, but the script (" + script
                                + ") sends nothing. Give the peer a script that responds, echoes or greets.");
        }
    }

    /** Whether {@code effect} can act at a stage of the TLS handshake, on the TLS bytes. */
    private static boolean actsAtHandshake(Effect effect) {
        return effect instanceof Effect.Reset || effect instanceof Effect.Close || effect instanceof Effect.Stall
                || effect instanceof Effect.Garbage || effect instanceof Effect.Alert;
    }

    /** Whether {@code trigger} waits for bytes the peer sends (0 bytes fires on accept). */
    private static boolean countsSentBytes(Trigger trigger) {
        return trigger instanceof Trigger.AfterBytes b && b.direction() == Direction.DOWNSTREAM && b.bytes() > 0
                || trigger instanceof Trigger.OnPattern p && p.direction() == Direction.DOWNSTREAM;
    }

    @Override
    public String toString() {
        String text = effect + " " + trigger;
        return schedule instanceof Schedule.All ? text : text + " " + schedule;
    }
}
