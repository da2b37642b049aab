package dev.misbehave.examples;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Application code: books shipments with a carrier over the JDK {@link HttpClient}, with Failsafe.
 * Updating a delivery address ({@code PUT}) is idempotent, so any connection failure is retried.
 * Booking a shipment ({@code POST}) is not: it is retried only when the failed attempt certainly
 * did not reach the carrier ({@link RequestSafety#certainlyNotSent}), or the carrier may book
 * twice.
 */
public final class ShippingClient {

    /**
     * A call that went through.
     *
     * @param attempts how many attempts it took
     * @param status the carrier's HTTP status
     */
    public record Outcome(int attempts, int status) {}

    private final URI base;
    private final HttpClient http;
    private final RetryPolicy<Integer> idempotent;
    private final RetryPolicy<Integer> onlyIfNotSent;

    /**
     * A client of the carrier at {@code base}.
     *
     * @param base the carrier's base URI
     * @param maxAttempts attempts per call, 1 or more
     */
    public ShippingClient(URI base, int maxAttempts) {
        this.base = base;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        // tag::failsafe-policies[]
        this.idempotent = RetryPolicy.<Integer>builder()
                .handle(IOException.class)
                .withMaxAttempts(maxAttempts)
                .withDelay(Duration.ofMillis(20))
                .build();
        this.onlyIfNotSent = RetryPolicy.<Integer>builder()
                .handleIf(failure -> RequestSafety.certainlyNotSent(failure))
                .withMaxAttempts(maxAttempts)
                .withDelay(Duration.ofMillis(20))
                .build();
        // end::failsafe-policies[]
    }

    /**
     * Changes the delivery address of shipment {@code id} ({@code PUT /shipments/{id}/address}),
     * retrying any connection failure.
     *
     * @param id the shipment
     * @param address the new address
     * @return how it went
     * @throws CallFailedException once every attempt has failed
     */
    public Outcome updateAddress(String id, String address) throws CallFailedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/shipments/" + id + "/address"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "text/plain")
                .PUT(BodyPublishers.ofString(address))
                .build();
        return call("update address of " + id, idempotent, request);
    }

    /**
     * Books a shipment of a parcel ({@code POST /shipments}), retrying only failures that
     * certainly did not reach the carrier.
     *
     * @param parcel what to ship
     * @return how it went
     * @throws CallFailedException once the call has failed for good
     */
    public Outcome book(String parcel) throws CallFailedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/shipments"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofString(parcel))
                .build();
        return call("book " + parcel, onlyIfNotSent, request);
    }

    // tag::failsafe-call[]
    private Outcome call(String what, RetryPolicy<Integer> policy, HttpRequest request) throws CallFailedException {
        AtomicInteger attempts = new AtomicInteger();
        try {
            int status = Failsafe.with(policy).get(() -> {
                attempts.incrementAndGet();
                return http.send(request, BodyHandlers.discarding()).statusCode();
            });
            return new Outcome(attempts.get(), status);
        } catch (FailsafeException failed) { // wraps the checked exception of the last attempt
            if (failed.getCause() instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new CallFailedException(what, attempts.get(), failed.getCause());
        }
    }
    // end::failsafe-call[]
}
