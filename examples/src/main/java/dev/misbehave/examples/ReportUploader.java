package dev.misbehave.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Application code: uploads a report of unknown length with the JDK {@link HttpClient} over
 * HTTP/1.1, streamed from an {@link InputStream}, so the body goes out in chunked transfer coding.
 */
public final class ReportUploader {

    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    /**
     * An uploader that PUTs to {@code endpoint}.
     *
     * @param endpoint for example {@code http://127.0.0.1:8080/reports/daily}
     */
    public ReportUploader(URI endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Uploads the report the supplier's stream holds.
     *
     * @param report opens the report's content
     * @return the server's status code
     * @throws IOException if the upload fails
     * @throws InterruptedException if interrupted while waiting for the answer
     */
    public int upload(Supplier<InputStream> report) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(5))
                .PUT(BodyPublishers.ofInputStream(report))
                .build();
        return http.send(request, BodyHandlers.discarding()).statusCode();
    }
}
