package dev.misbehave.examples;

/** The price feed gave no usable answer. The cause, if any, says why. */
public final class PriceFeedUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    PriceFeedUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
