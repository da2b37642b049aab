package dev.misbehave.assertj;

import org.assertj.core.api.Condition;

/**
 * AssertJ {@link Condition}s that recognise connection failures in a throwable or anywhere in its
 * cause chain, whichever way the JVM, the operating system or the HTTP client reports them.
 *
 * <pre>{@code
 * import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
 *
 * assertThatThrownBy(() -> client.upload(bytes)).is(connectionReset());
 * assertThat(throwable).has(connectionReset());
 * }</pre>
 *
 * <p>Each condition holds exactly when {@link ConnectionFailure#classify(Throwable)} returns the
 * corresponding kind, so a chain that shows both a reset and an end of stream is a reset only.
 * A {@code null} throwable satisfies none of them.
 */
public final class ConnectionConditions {

    private ConnectionConditions() {
    }

    /**
     * The throwable or any cause in its chain is a connection reset in any form a JVM shows on
     * Linux, macOS or Windows: {@code Connection reset}, {@code Connection reset by peer},
     * {@code Broken pipe}, {@code Software caused connection abort}, the Windows texts for
     * {@code WSAECONNRESET} and {@code WSAECONNABORTED}, HttpURLConnection's
     * {@code Error writing to server}, and the JDK HttpClient's wrappers around any of these.
     *
     * @return a condition satisfied by throwables that {@link ConnectionFailure#RESET} matches
     * @see ConnectionFailure#RESET
     */
    public static Condition<Throwable> connectionReset() {
        return conditionFor(ConnectionFailure.RESET,
                "a connection reset (the throwable or a cause in its chain)");
    }

    /**
     * The throwable or any cause in its chain reports that the peer closed the connection in an
     * orderly way before the client got everything it expected: an {@link java.io.EOFException},
     * {@code Unexpected end of file from server}, {@code Premature EOF},
     * {@code unexpected end of stream}, or the JDK HttpClient's {@code received no bytes} and
     * short fixed-length body, with no reset anywhere in the chain.
     *
     * @return a condition satisfied by throwables that {@link ConnectionFailure#CLOSED} matches
     * @see ConnectionFailure#CLOSED
     */
    public static Condition<Throwable> connectionClosed() {
        return conditionFor(ConnectionFailure.CLOSED,
                "a premature end of stream (the throwable or a cause in its chain)");
    }

    /**
     * The throwable or any cause in its chain reports a refused connection attempt:
     * {@code Connection refused} (also with the Windows {@code : connect} suffix), the Windows text
     * for {@code WSAECONNREFUSED}, or the JDK HttpClient's {@code ConnectException} without a
     * message. A {@code ConnectException} that says it timed out is not a refusal.
     *
     * @return a condition satisfied by throwables that {@link ConnectionFailure#REFUSED} matches
     * @see ConnectionFailure#REFUSED
     */
    public static Condition<Throwable> connectionRefused() {
        return conditionFor(ConnectionFailure.REFUSED,
                "a refused connection (the throwable or a cause in its chain)");
    }

    /**
     * The throwable or any cause in its chain reports a failed TLS handshake, with no reset or
     * refusal in the chain: an {@link javax.net.ssl.SSLHandshakeException}, whether for the
     * server's alert, a certificate the client did not accept, or a close during the handshake.
     *
     * @return a condition satisfied by throwables that {@link ConnectionFailure#TLS_HANDSHAKE}
     *     matches
     * @see ConnectionFailure#TLS_HANDSHAKE
     */
    public static Condition<Throwable> tlsHandshakeFailed() {
        return conditionFor(ConnectionFailure.TLS_HANDSHAKE,
                "a failed TLS handshake (the throwable or a cause in its chain)");
    }

    /** A null actual value fails the condition instead of blowing up inside AssertJ. */
    private static Condition<Throwable> conditionFor(ConnectionFailure kind, String description) {
        return new Condition<>(t -> t != null && kind.matches(t), description);
    }
}
