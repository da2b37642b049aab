package dev.misbehave.examples;

import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Redis did not answer a session command. The cause is the last attempt's Jedis exception;
 * {@link #timedOut()} says whether the server went silent rather than breaking the connection.
 */
public final class SessionStoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int attempts;
    private final boolean timedOut;

    SessionStoreUnavailableException(String what, String server, int attempts, boolean timedOut,
            JedisConnectionException cause) {
        super("session store at " + server + " failed to " + what + " after " + attempts
                + (attempts == 1 ? " attempt" : " attempts")
                + (timedOut ? ": no answer within the socket timeout" : ": the connection broke"), cause);
        this.attempts = attempts;
        this.timedOut = timedOut;
    }

    /**
     * How many connections the store tried.
     *
     * @return 1 or 2
     */
    public int attempts() {
        return attempts;
    }

    /**
     * Whether the last attempt timed out (the server, or something between, went silent).
     *
     * @return true for a socket timeout, false for a broken connection
     */
    public boolean timedOut() {
        return timedOut;
    }
}
