package dev.misbehave.examples;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Application code: reads the latest price of a symbol with {@link HttpURLConnection} ({@code GET
 * /prices/SYMBOL}, a plain-text decimal). Any failure becomes a {@link PriceFeedUnavailableException}
 * that names the feed and the symbol.
 */
public final class PriceFeed {

    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final int READ_TIMEOUT_MILLIS = 5_000;

    private final URI base;

    /**
     * A feed at {@code base}.
     *
     * @param base the feed's base URI, for example {@code http://127.0.0.1:8080/}
     */
    public PriceFeed(URI base) {
        this.base = base;
    }

    /**
     * The latest price of {@code symbol}.
     *
     * @param symbol for example {@code ACME}
     * @return the price
     * @throws PriceFeedUnavailableException if the feed did not answer with a price
     */
    public BigDecimal latestPrice(String symbol) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) base.resolve("/prices/" + symbol).toURL().openConnection();
            connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            connection.setReadTimeout(READ_TIMEOUT_MILLIS);
            int status = connection.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw new PriceFeedUnavailableException(
                        "price feed " + base + " answered HTTP " + status + " for " + symbol, null);
            }
            try (InputStream body = connection.getInputStream()) {
                return new BigDecimal(new String(body.readAllBytes(), StandardCharsets.US_ASCII).trim());
            }
        } catch (IOException | NumberFormatException e) {
            throw new PriceFeedUnavailableException(
                    "price feed " + base + " gave no price for " + symbol, e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }
}
