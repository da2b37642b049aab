package dev.misbehave.examples;

import java.io.IOException;

/**
 * Application code: the client side of an artifact store's HTTP API (a small JSON catalog, large
 * downloads, uploads), written once per HTTP client a team might use: {@link JdkArtifactStore},
 * {@link UrlConnectionArtifactStore}, {@link OkHttpArtifactStore} and {@link ApacheArtifactStore}.
 * Whatever the client, two rules hold: a download shorter than its {@code Content-Length} is a
 * failure, never a result; and an upload is sent once, never again on the client's own initiative
 * (the server may have stored the first one).
 */
public interface ArtifactStore extends AutoCloseable {

    /**
     * The catalog, {@code GET /catalog.json}.
     *
     * @return the JSON text
     * @throws IOException if the call failed or the status was not 200
     */
    String catalog() throws IOException;

    /**
     * Downloads an artifact whole.
     *
     * @param path for example {@code /artifacts/app.bin}
     * @return exactly {@code Content-Length} bytes
     * @throws DownloadFailedException if the connection failed or the body was cut short
     */
    byte[] download(String path) throws DownloadFailedException;

    /**
     * Uploads an artifact ({@code POST}), once.
     *
     * @param path for example {@code /uploads/app.bin}
     * @param content the bytes
     * @return the server's status
     * @throws IOException if the upload failed; it may or may not have reached the server
     */
    int upload(String path, byte[] content) throws IOException;

    /** Releases the client's connections and threads. */
    @Override
    void close();
}
