package dev.misbehave.examples;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.UUID;
import javax.net.ssl.SSLContext;

/**
 * Application code: charges a card through a payments gateway with the JDK {@link HttpClient}.
 * Every charge carries an {@code Idempotency-Key}, so a charge whose connection broke can be sent
 * again safely: the gateway applies a key once. It makes at most {@code maxAttempts} attempts and
 * retries only connection failures, never an answer.
 */
public final class PaymentsClient {

    /**
     * A charge that went through.
     *
     * @param attempts how many attempts it took
     * @param status the gateway's HTTP status
     */
    public record Receipt(int attempts, int status) {}

    private final URI endpoint;
    private final int maxAttempts;
    private final HttpClient http;

    /**
     * A client of the gateway at {@code endpoint}.
     *
     * @param endpoint the charge URI
     * @param maxAttempts 1 or more
     */
    public PaymentsClient(URI endpoint, int maxAttempts) {
        this(endpoint, maxAttempts, HttpClient.newBuilder());
    }

    /**
     * A client of the gateway at an HTTPS {@code endpoint}, trusting the certificates {@code tls}
     * trusts.
     *
     * @param endpoint the charge URI
     * @param maxAttempts 1 or more
     * @param tls the TLS settings, with the trust store the gateway's certificate is checked against
     */
    public PaymentsClient(URI endpoint, int maxAttempts, SSLContext tls) {
        this(endpoint, maxAttempts, HttpClient.newBuilder().sslContext(tls));
    }

    private PaymentsClient(URI endpoint, int maxAttempts, HttpClient.Builder builder) {
        this.endpoint = endpoint;
        this.maxAttempts = maxAttempts;
        this.http = builder
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /**
     * Charges {@code cents}.
     *
     * @param cents the amount
     * @return the receipt
     * @throws IOException the last connection failure, once every attempt has failed
     * @throws InterruptedException if interrupted
     */
    // tag::charge-with-retry[]
    public Receipt charge(long cents) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(BodyPublishers.ofString("{\"amount\":" + cents + "}"))
                .build();
        IOException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                int status = http.send(request, BodyHandlers.discarding()).statusCode();
                return new Receipt(attempt, status);
            } catch (IOException connectionFailed) {
                last = connectionFailed; // the same key makes the next attempt safe
            }
        }
        throw last;
    }
    // end::charge-with-retry[]
}
