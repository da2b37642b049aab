package dev.misbehave.examples;

/** The mail relay was not usable. */
public final class NotificationFailedException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     * @param cause the I/O failure, or null
     */
    public NotificationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
