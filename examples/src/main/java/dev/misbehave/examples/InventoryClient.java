package dev.misbehave.examples;

import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * Application code: keeps stock in an inventory service over the JDK {@link HttpClient}, with
 * Resilience4j Retry. Setting a stock level ({@code PUT}) is idempotent, so any connection failure
 * is retried. A reservation ({@code POST}) is not: it is retried only when the failed attempt
 * certainly did not reach the service ({@link RequestSafety#certainlyNotSent}), because a reset
 * after the request went out may come after the service reserved the stock.
 */
public final class InventoryClient {

    /**
     * A call that went through.
     *
     * @param attempts how many attempts it took
     * @param status the service's HTTP status
     */
    public record Outcome(int attempts, int status) {}

    private final URI base;
    private final HttpClient http;
    private final Retry idempotent;
    private final Retry onlyIfNotSent;

    /**
     * A client of the inventory service at {@code base}.
     *
     * @param base the service's base URI, for example {@code http://inventory:8080}
     * @param maxAttempts attempts per call, 1 or more
     */
    public InventoryClient(URI base, int maxAttempts) {
        this(base, maxAttempts, HttpClient.newBuilder());
    }

    /**
     * A client of the inventory service at an HTTPS {@code base}, trusting the certificates {@code
     * tls} trusts.
     *
     * @param base the service's base URI, for example {@code https://inventory:8443}
     * @param maxAttempts attempts per call, 1 or more
     * @param tls the TLS settings, with the trust store the service's certificate is checked against
     */
    public InventoryClient(URI base, int maxAttempts, SSLContext tls) {
        this(base, maxAttempts, HttpClient.newBuilder().sslContext(tls));
    }

    private InventoryClient(URI base, int maxAttempts, HttpClient.Builder builder) {
        this.base = base;
        this.http = builder
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        // tag::resilience4j-policies[]
        RetryConfig anyConnectionFailure = RetryConfig.custom()
                .maxAttempts(maxAttempts)
                .waitDuration(Duration.ofMillis(20))
                .retryExceptions(IOException.class)
                .build();
        RetryConfig certainlyNotSent = RetryConfig.custom()
                .maxAttempts(maxAttempts)
                .waitDuration(Duration.ofMillis(20))
                .retryOnException(RequestSafety::certainlyNotSent)
                .build();
        // end::resilience4j-policies[]
        this.idempotent = Retry.of("inventory-idempotent", anyConnectionFailure);
        this.onlyIfNotSent = Retry.of("inventory-not-idempotent", certainlyNotSent);
    }

    /**
     * Sets the stock level of {@code sku} ({@code PUT /stock/{sku}}), retrying any connection failure.
     *
     * @param sku the article
     * @param level the new level
     * @return how it went
     * @throws CallFailedException once every attempt has failed
     */
    public Outcome setLevel(String sku, int level) throws CallFailedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/stock/" + sku))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString("{\"level\":" + level + "}"))
                .build();
        return call("set level of " + sku, idempotent, request);
    }

    /**
     * Reserves {@code quantity} of {@code sku} ({@code POST /reservations}), retrying only
     * failures that certainly did not reach the service.
     *
     * @param sku the article
     * @param quantity how many
     * @return how it went
     * @throws CallFailedException once the call has failed for good
     */
    public Outcome reserve(String sku, int quantity) throws CallFailedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/reservations"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}"))
                .build();
        return call("reserve " + quantity + " of " + sku, onlyIfNotSent, request);
    }

    // tag::resilience4j-call[]
    private Outcome call(String what, Retry retry, HttpRequest request) throws CallFailedException {
        AtomicInteger attempts = new AtomicInteger();
        CheckedSupplier<Outcome> withRetry = Retry.decorateCheckedSupplier(retry, () -> {
            int attempt = attempts.incrementAndGet();
            return new Outcome(attempt, http.send(request, BodyHandlers.discarding()).statusCode());
        });
        try {
            return withRetry.get();
        } catch (Throwable failed) { // CheckedSupplier.get() declares Throwable
            if (failed instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new CallFailedException(what, attempts.get(), failed);
        }
    }
    // end::resilience4j-call[]
}
