package dev.misbehave;

import java.util.Objects;

/**
 * A misbehaviour of the peer: an {@link Effect} (what it does) applied when a {@link Trigger} (when)
 * fires. Every connection the peer accepts gets the same fault and its own journal entry.
 *
 * <p>This version runs {@link #resetAfter(Direction, long)}, {@link #closeAfter(Direction, long)}
 * and {@link #stallAfter(Direction, long)} with {@link Direction#UPSTREAM}.
 *
 * <p>The annotations are shorthands for faults: {@code @ForceResetAfter(bytes = 16)} is {@code
 * Fault.resetAfter(Direction.UPSTREAM, 16)}. Use a fault directly with {@link
 * MisbehavingPeer#start(Fault)}.
 *
 * @param effect what the peer does
 * @param trigger when it does it
 */
public record Fault(Effect effect, Trigger trigger) {

    /**
     * Validates the values.
     *
     * @param effect what the peer does
     * @param trigger when it does it
     * @throws NullPointerException if either value is null
     */
    public Fault {
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(trigger, "trigger");
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
        return new Fault(new Effect.Reset(), new Trigger.AfterBytes(direction, bytes));
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
        return new Fault(new Effect.Close(), new Trigger.AfterBytes(direction, bytes));
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
        return new Fault(new Effect.Stall(), new Trigger.AfterBytes(direction, bytes));
    }

    @Override
    public String toString() {
        return effect + " " + trigger;
    }
}
