package dev.misbehave.examples;

/** No quote could be had, even on a fresh connection. */
public final class QuoteUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param symbol the instrument asked for
     * @param cause the failure on the fresh connection
     */
    public QuoteUnavailableException(String symbol, Throwable cause) {
        super("No quote for " + symbol, cause);
    }
}
