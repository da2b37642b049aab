package dev.misbehave.examples;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/**
 * Application code: publishes JSON events to a collector with the JDK {@link HttpClient} over
 * HTTP/1.1. A failed {@code send()} propagates as it is: the caller decides what a lost event
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
        this.endpoint = endpoint;
        this.http = HttpClient.newBuilder()
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
