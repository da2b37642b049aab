package dev.misbehave.examples;

import java.sql.SQLException;

/**
 * A reservation's connection failed after its {@code UPDATE} was sent: the database may have
 * committed it or not. The repository does not retry it (that could reserve twice); the caller has
 * to find out, for example by reading the quantity again.
 */
public final class ReservationOutcomeUnknownException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ReservationOutcomeUnknownException(String sku, int quantity, SQLException cause) {
        super("reserving " + quantity + " of " + sku + " may or may not have been committed: the connection failed"
                + " after the statement was sent (SQLState " + cause.getSQLState() + "); not retried", cause);
    }

    /**
     * The driver's exception.
     *
     * @return the connection failure, SQLState of class {@code 08}
     */
    @Override
    public synchronized SQLException getCause() {
        return (SQLException) super.getCause();
    }
}
