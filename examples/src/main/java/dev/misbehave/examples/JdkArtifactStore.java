package dev.misbehave.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/** Application code: the {@link ArtifactStore} client with the JDK {@link HttpClient} (HTTP/1.1). */
public final class JdkArtifactStore implements ArtifactStore {

    private final URI base;
    private final HttpClient http;

    /**
     * A client of the store at {@code base}.
     *
     * @param base for example {@code http://artifacts:8080}
     */
    public JdkArtifactStore(URI base) {
        this.base = base;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    @Override
    public String catalog() throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/catalog.json")).GET(),
                BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /catalog.json answered " + response.statusCode());
        }
        return response.body();
    }

    @Override
    public byte[] download(String path) throws DownloadFailedException {
        HttpResponse<InputStream> response;
        try {
            response = send(HttpRequest.newBuilder(base.resolve(path)).GET(), BodyHandlers.ofInputStream());
        } catch (IOException broken) {
            throw new DownloadFailedException(0, -1, broken); // before the body
        }
        return WholeBody.read(response.body(), response.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    @Override
    public int upload(String path, byte[] content) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                        .header("Content-Type", "application/octet-stream")
                        .POST(BodyPublishers.ofByteArray(content)),
                BodyHandlers.discarding()).statusCode(); // HttpClient never sends a POST twice by itself
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return http.send(request.timeout(Duration.ofSeconds(5)).build(), body);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", interrupted);
        }
    }

    @Override
    public void close() {
        // JDK 17's HttpClient has no close(); its idle connections end with the client
    }
}
