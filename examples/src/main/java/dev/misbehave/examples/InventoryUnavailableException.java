package dev.misbehave.examples;

import java.sql.SQLException;

/**
 * The inventory database did not answer. The cause is the last attempt's {@link SQLException};
 * its SQLState says why (class {@code 08}: the connection failed).
 */
public final class InventoryUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int attempts;

    InventoryUnavailableException(String what, int attempts, SQLException cause) {
        super("inventory database failed to " + what + " after " + attempts
                + (attempts == 1 ? " attempt" : " attempts") + " (SQLState " + cause.getSQLState() + ")", cause);
        this.attempts = attempts;
    }

    /**
     * How many times the repository tried.
     *
     * @return 1 or 2
     */
    public int attempts() {
        return attempts;
    }

    /**
     * The last attempt's failure.
     *
     * @return the driver's (or the pool's) exception
     */
    @Override
    public synchronized SQLException getCause() {
        return (SQLException) super.getCause();
    }
}
