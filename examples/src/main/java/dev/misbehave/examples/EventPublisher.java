package dev.misbehave.examples;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Application code: publishes JSON events to a collector with the JDK {@link HttpClient} over
 * HTTP/1.1, or HTTPS. A failed {@code send()} propagates as it is: the caller decides what a lost event
 * means.
 */
public final class EventPublisher {

    private final URI endpoint;
    private final HttpClient http;

    /**
     * A publisher that posts to {@code endpoint}.
     *
     * @param endpoint the collector's URI, for example {@code http://127.0.0.1:8080/events}
     */
    public EventPublisher(URI endpoint) {
        this(endpoint, HttpClient.newBuilder());
    }

    /**
     * A publisher that posts to an HTTPS {@code endpoint}, trusting the certificates {@code tls}
     * trusts (the JVM's default trust store is {@code SSLContext.getDefault()}).
     *
     * @param endpoint the collector's URI, for example {@code https://collector.example:8443/events}
     * @param tls the TLS settings, with the trust store the collector's certificate is checked against
     */
    public EventPublisher(URI endpoint, SSLContext tls) {
        this(endpoint, HttpClient.newBuilder().sslContext(tls));
    }

    private EventPublisher(URI endpoint, HttpClient.Builder builder) {
        this.endpoint = endpoint;
        this.http = builder
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /**
     * Posts one event.
     *
     * @param json the event
     * @throws IOException if the request fails or the collector answers with anything but 2xx
     * @throws InterruptedException if interrupted while waiting for the answer
     */
    public void publish(String json) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(json))
                .build();
        HttpResponse<Void> response = http.send(request, BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("the collector rejected the event: HTTP " + response.statusCode());
        }
    }
}
