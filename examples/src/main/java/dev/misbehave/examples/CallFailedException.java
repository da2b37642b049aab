package dev.misbehave.examples;

import java.io.IOException;

/** A call to a service that failed for good, after every attempt its retry policy allowed. */
public final class CallFailedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int attempts;

    /**
     * A failed call.
     *
     * @param call what was called, for the message
     * @param attempts how many attempts were made
     * @param cause the last attempt's failure
     */
    public CallFailedException(String call, int attempts, Throwable cause) {
        super(call + " failed after " + attempts + (attempts == 1 ? " attempt" : " attempts"), cause);
        this.attempts = attempts;
    }

    /**
     * How many attempts were made.
     *
     * @return 1 or more
     */
    public int attempts() {
        return attempts;
    }
}
