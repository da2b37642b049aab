package dev.misbehave.examples;

import java.io.IOException;
import java.util.Objects;

/**
 * An upload did not get through: every attempt failed. The cause is the last attempt's failure and
 * {@link #phase()} says where in that attempt it broke.
 */
public final class UploadFailedException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Where an attempt broke. */
    public enum Phase {
        /** Opening the connection. */
        CONNECT,
        /** Writing the payload. */
        SEND,
        /** Waiting for the server's acknowledgement. */
        ACKNOWLEDGE
    }

    private final int attempts;
    private final Phase phase;

    UploadFailedException(String target, int attempts, Phase phase, IOException lastCause) {
        super("upload to " + target + " failed after " + attempts
                + (attempts == 1 ? " attempt" : " attempts")
                + " (the last one broke during " + phase + ")", lastCause);
        this.attempts = attempts;
        this.phase = Objects.requireNonNull(phase, "phase");
    }

    /**
     * How many connections the client tried.
     *
     * @return the number of attempts, 1 or more
     */
    public int attempts() {
        return attempts;
    }

    /**
     * Where the last attempt broke.
     *
     * @return the phase of the last attempt
     */
    public Phase phase() {
        return phase;
    }
}
