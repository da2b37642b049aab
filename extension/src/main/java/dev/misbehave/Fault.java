package dev.misbehave;

import java.util.Objects;

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
        if (effect instanceof Effect.Refuse || effect instanceof Effect.NeverAccept) {
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
     * A half-close (the peer's FIN, then it keeps reading) after exactly {@code bytes} bytes of
     * {@code direction}.
     *
     * @param direction which bytes are counted
     * @param bytes 0 or more
     * @return the fault
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public static Fault halfCloseAfter(Direction direction, long bytes) {
        return new Fault(new Effect.HalfClose(), new Trigger.AfterBytes(direction, bytes));
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

    /**
     * Refuse every connection: nothing listens on the reserved port.
     *
     * @return the fault
     */
    public static Fault refuse() {
        return new Fault(new Effect.Refuse(), new Trigger.OnAccept());
    }

    /**
     * Never accept: the accept queue is full and a client's connect times out.
     *
     * @return the fault
     */
    public static Fault neverAccept() {
        return new Fault(new Effect.NeverAccept(), new Trigger.OnAccept());
    }

    @Override
    public String toString() {
        String text = effect + " " + trigger;
        return schedule instanceof Schedule.All ? text : text + " " + schedule;
    }
}
