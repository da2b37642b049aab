package dev.misbehave.examples;

import java.net.ConnectException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;

/**
 * Application code: the one question a retry policy must answer before it sends a non-idempotent
 * request again. Did the failed attempt certainly not reach the server, or may the server have
 * acted on it?
 */
public final class RequestSafety {

    private RequestSafety() {}

    /**
     * Tells whether a failed JDK {@code HttpClient} call certainly did not deliver its request.
     * The client reports every failure before the connection was established (refused, connect
     * timed out, reset during the handshake) with a {@link ConnectException} in the chain. Over
     * HTTPS it sends no request byte before its TLS handshake has completed, so an {@link
     * SSLHandshakeException} in the chain (the server hung up or answered with an alert during the
     * handshake, or the client rejected its certificate) also means that nothing was sent. Any
     * other failure (a reset or an end of stream after the request went out) may come after the
     * server read the request and acted on it.
     *
     * @param failure what the call threw
     * @return {@code true} only if the request never left the client
     */
    // tag::certainly-not-sent[]
    public static boolean certainlyNotSent(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true; // no connection, so no request
            }
            if (t instanceof SSLHandshakeException) {
                return true; // no TLS session, so no request
            }
        }
        return false; // the server may have read the request: only an idempotent one may go again
    }
    // end::certainly-not-sent[]
}
