package com.example.prices;

import java.io.IOException;
import java.time.Duration;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;

/**
 * A price service's client, built on Reactor Netty (and so on the application's own Netty): GET
 * /price/{sku} answers the price as text. A connection lost before the whole answer arrived is
 * reported as {@link PriceUnavailableException}, so callers can retry it; anything else is a bug.
 */
public final class PriceClient {

    private final HttpClient http;

    public PriceClient(String host, int port) {
        this.http = HttpClient.create(ConnectionProvider.newConnection())
                .host(host)
                .port(port)
                .responseTimeout(Duration.ofSeconds(5));
    }

    public String price(String sku) {
        try {
            return http.get()
                    .uri("/price/" + sku)
                    .responseSingle((response, body) -> body.asString())
                    .block(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            if (lostConnection(e)) {
                throw new PriceUnavailableException("price service hung up while answering for " + sku, e);
            }
            throw e;
        }
    }

    private static boolean lostConnection(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PrematureCloseException || t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** The service dropped the connection before its answer was complete; the call may be retried. */
    public static final class PriceUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PriceUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
