package dev.misbehave.assertj;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;

/**
 * The kind of connection failure a {@link Throwable} reports, as seen from the client side of a
 * TCP connection.
 *
 * <p>The JDK, its HTTP clients and popular third-party clients report the same event in many
 * different ways: different exception types, different wrapping, and operating-system text that
 * varies between Linux, macOS and Windows. {@link #classify(Throwable)} looks at a throwable and
 * its whole {@linkplain Throwable#getCause() cause chain} and maps all of these onto four kinds.
 * It matches exception types and case-insensitive message fragments, never exact OS text, and it
 * copes with {@code null} messages and with cause chains that loop.
 *
 * <p>When a chain carries more than one signal, the strongest wins: {@link #RESET} over
 * {@link #REFUSED} over {@link #TLS_HANDSHAKE} over {@link #CLOSED}. For example, a JDK HttpClient
 * {@code IOException: HTTP/1.1 header parser received no bytes} whose cause is
 * {@code SocketException: Connection reset} is a reset, and a
 * {@code ConnectException: Connection reset by peer} is a reset, not a refusal.
 *
 * <p>Timeouts, unknown hosts and sockets closed locally are not connection failures in this sense;
 * they classify as empty.
 *
 * <p>The classifier is usable outside tests as well, for example to decide whether a request may
 * be retried:
 *
 * <pre>{@code
 * if (ConnectionFailure.REFUSED.matches(e)) {
 *     // nothing reached the server; safe to retry
 * }
 * }</pre>
 */
public enum ConnectionFailure {

    /**
     * The peer aborted the connection with a TCP RST, or the local stack aborted it after a reset.
     *
     * <p>Covers, among others, {@code Connection reset}, {@code Connection reset by peer},
     * {@code Broken pipe}, the Windows texts for {@code WSAECONNRESET} (10054) and
     * {@code WSAECONNABORTED} (10053), {@code Software caused connection abort},
     * HttpURLConnection's {@code Error writing to server}, and the JDK HttpClient's
     * {@code IOException} caused by a {@link ClosedChannelException} when no connect attempt
     * failed.
     */
    RESET,

    /**
     * The peer closed the connection in an orderly way (a FIN) before the client got everything it
     * expected: a premature end of stream.
     *
     * <p>Covers {@link EOFException}, {@code Unexpected end of file from server},
     * {@code Premature EOF}, {@code unexpected end of stream}, Apache HttpClient 5's {@code
     * Premature end of Content-Length delimited message body} and {@code failed to respond}, and
     * the JDK HttpClient's
     * {@code header parser received no bytes} and {@code fixed content-length: N, bytes received: M}
     * when nothing in their chain says the connection was reset.
     */
    CLOSED,

    /**
     * Nothing accepted the connection: the connect attempt was refused.
     *
     * <p>Covers {@code Connection refused} (with or without the Windows {@code : connect} suffix),
     * the Windows text for {@code WSAECONNREFUSED} (10061), and a {@link ConnectException} without
     * a message (as the JDK HttpClient throws) when nothing in the chain says it timed out.
     */
    REFUSED,

    /**
     * The TLS handshake failed without a reset: the server answered with an alert, the client did
     * not accept the server's certificate, or the server closed the connection during the
     * handshake. Covers an {@link javax.net.ssl.SSLHandshakeException} anywhere in the chain, for
     * example {@code Received fatal alert: handshake_failure}, {@code PKIX path building failed}
     * and {@code Remote host terminated the handshake} (whose cause, an {@link EOFException}, is no
     * longer a {@link #CLOSED} then), and an {@link javax.net.ssl.SSLPeerUnverifiedException}, which
     * clients that check the host name after the handshake (OkHttp) throw for a certificate of
     * another host. A reset during the handshake is a {@link #RESET}.
     */
    TLS_HANDSHAKE;

    /** Kinds from strongest to weakest; the first one signalled anywhere in a chain wins. */
    private static final List<ConnectionFailure> PRECEDENCE = List.of(RESET, REFUSED, TLS_HANDSHAKE, CLOSED);

    private static final List<String> RESET_PHRASES = List.of(
            "connection reset",
            "broken pipe",
            "software caused connection abort",
            "connection was aborted",
            "forcibly closed by the remote host",
            "error writing to server",
            "econnreset",
            "econnaborted");

    private static final List<String> REFUSED_PHRASES = List.of(
            "connection refused",
            "actively refused",
            "econnrefused");

    private static final List<String> PREMATURE_END_PHRASES = List.of(
            "unexpected end of file",
            "unexpected end of stream",
            "premature eof",
            "received no bytes",
            // Apache HttpClient 5: ConnectionClosedException "Premature end of Content-Length
            // delimited message body (expected: N; received: M)" (or "... chunk coded ..."), and
            // NoHttpResponseException "HOST:PORT failed to respond" (the stream ended before a response)
            "premature end of",
            "failed to respond");

    /**
     * Error codes: a bare number must not be part of a longer number, a port ({@code :10054}) or
     * an address; {@code errno 104} and friends may be written with a space, {@code =} or {@code :}.
     */
    private static final Pattern RESET_CODES =
            Pattern.compile("(?<![\\d:.])(?:10054|10053)(?!\\d)|errno[\\s=:]*104(?!\\d)");

    private static final Pattern REFUSED_CODES =
            Pattern.compile("(?<![\\d:.])10061(?!\\d)|errno[\\s=:]*111(?!\\d)");

    /**
     * Classifies a throwable by looking at it and at every cause in its chain.
     *
     * @param throwable the throwable to classify; its messages may be {@code null} and its cause
     *     chain may loop
     * @return the strongest kind of connection failure signalled anywhere in the chain, or empty if
     *     the throwable does not report a connection failure (for example a timeout)
     * @throws NullPointerException if {@code throwable} is {@code null}
     */
    public static Optional<ConnectionFailure> classify(Throwable throwable) {
        Objects.requireNonNull(throwable, "throwable to classify must not be null");
        List<Throwable> chain = causeChain(throwable);
        return strongest(signalsIn(chain));
    }

    /**
     * Tells whether a throwable reports exactly this kind of connection failure, that is whether
     * {@link #classify(Throwable)} returns this constant. A chain that signals a stronger kind as
     * well does not match the weaker one.
     *
     * @param throwable the throwable to test
     * @return {@code true} if the throwable classifies as this kind
     * @throws NullPointerException if {@code throwable} is {@code null}
     */
    public boolean matches(Throwable throwable) {
        return classify(throwable).equals(Optional.of(this));
    }

    /** The throwable followed by its causes, each once, stopping where the chain loops. */
    private static List<Throwable> causeChain(Throwable throwable) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = throwable; t != null && seen.add(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    private static Set<ConnectionFailure> signalsIn(List<Throwable> chain) {
        Set<ConnectionFailure> signals = EnumSet.noneOf(ConnectionFailure.class);
        if (isClosedChannelUnderIoWrapper(chain) && !hasConnectAttempt(chain)) {
            signals.add(RESET);
        }
        if (isMessagelessConnectFailure(chain) && !mentionsTimeout(chain)) {
            signals.add(REFUSED);
        }
        for (Throwable t : chain) {
            signalOf(t).ifPresent(signals::add);
        }
        return signals;
    }

    /** What a single throwable says about itself, by its type and its message. */
    private static Optional<ConnectionFailure> signalOf(Throwable t) {
        String message = lowerCaseMessage(t);
        if (saysReset(message)) {
            return Optional.of(RESET);
        }
        if (saysRefused(message)) {
            return Optional.of(REFUSED);
        }
        if (t instanceof SSLHandshakeException || t instanceof javax.net.ssl.SSLPeerUnverifiedException) {
            return Optional.of(TLS_HANDSHAKE);
        }
        if (t instanceof EOFException || saysPrematureEnd(message)) {
            return Optional.of(CLOSED);
        }
        return Optional.empty();
    }

    private static Optional<ConnectionFailure> strongest(Set<ConnectionFailure> signals) {
        return PRECEDENCE.stream().filter(signals::contains).findFirst();
    }

    private static boolean saysReset(String message) {
        return containsAny(message, RESET_PHRASES) || RESET_CODES.matcher(message).find();
    }

    private static boolean saysRefused(String message) {
        return containsAny(message, REFUSED_PHRASES) || REFUSED_CODES.matcher(message).find();
    }

    /**
     * Premature end-of-stream texts, including the JDK HttpClient's complaint that a fixed-length
     * body came up short ({@code fixed content-length: 1000, bytes received: 100}).
     */
    private static boolean saysPrematureEnd(String message) {
        return containsAny(message, PREMATURE_END_PHRASES) || saysFixedLengthBodyCameUpShort(message);
    }

    private static boolean saysFixedLengthBodyCameUpShort(String message) {
        return message.contains("content-length") && message.contains("bytes received");
    }

    /**
     * The JDK HttpClient reports a reset on its default (h2c upgrade) path as an
     * {@link IOException} caused by a {@link ClosedChannelException}. Asynchronous closes and
     * interrupts are local events, so those subclasses do not count.
     */
    private static boolean isClosedChannelUnderIoWrapper(List<Throwable> chain) {
        for (int i = 1; i < chain.size(); i++) {
            if (isPlainClosedChannel(chain.get(i)) && chain.get(i - 1) instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPlainClosedChannel(Throwable t) {
        return t instanceof ClosedChannelException && !(t instanceof AsynchronousCloseException);
    }

    private static boolean hasConnectAttempt(List<Throwable> chain) {
        return chain.stream().anyMatch(ConnectException.class::isInstance);
    }

    /** The JDK HttpClient reports a refused connection as {@code ConnectException} with no text. */
    private static boolean isMessagelessConnectFailure(List<Throwable> chain) {
        return chain.stream()
                .anyMatch(t -> t instanceof ConnectException && lowerCaseMessage(t).isBlank());
    }

    private static boolean mentionsTimeout(List<Throwable> chain) {
        return chain.stream()
                .anyMatch(t -> t instanceof SocketTimeoutException
                        || lowerCaseMessage(t).contains("timed out"));
    }

    private static boolean containsAny(String message, List<String> phrases) {
        return phrases.stream().anyMatch(message::contains);
    }

    /** The message in lower case, or the empty string when there is none. */
    private static String lowerCaseMessage(Throwable t) {
        String message = t.getMessage();
        return message == null ? "" : message.toLowerCase(Locale.ROOT);
    }
}
