package dev.misbehave.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Application code: submits an order with {@link HttpURLConnection} ({@code POST /orders}, a JSON
 * body) and returns the HTTP status. It calls the server once per order; it never retries.
 */
public final class OrderClient {

    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final int READ_TIMEOUT_MILLIS = 5_000;

    private final URI base;

    /**
     * A client of the order service at {@code base}.
     *
     * @param base the service's base URI, for example {@code http://127.0.0.1:8080/}
     */
    public OrderClient(URI base) {
        this.base = base;
    }

    /**
     * Submits one order.
     *
     * @param orderJson the order
     * @return the HTTP status the service answered with
     * @throws IOException if the request failed
     */
    public int submit(String orderJson) throws IOException {
        HttpURLConnection connection =
                (HttpURLConnection) base.resolve("/orders").toURL().openConnection();
        try {
            connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            connection.setReadTimeout(READ_TIMEOUT_MILLIS);
            connection.setRequestMethod("POST");
            connection.setRequestProperty("Content-Type", "application/json");
            connection.setDoOutput(true);
            try (OutputStream body = connection.getOutputStream()) {
                body.write(orderJson.getBytes(StandardCharsets.UTF_8));
            }
            return connection.getResponseCode();
        } finally {
            connection.disconnect();
        }
    }
}
