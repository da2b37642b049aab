package dev.misbehave.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * Application code: the {@link ArtifactStore} client with {@link HttpURLConnection}. Two of its
 * habits need code: on JDK 17 it returns a body cut short by the server's close as if it were whole,
 * so the download counts bytes against {@code Content-Length}; and it silently sends a buffered
 * POST a second time after a connection failure, so the upload streams with a fixed length, which
 * it never resends.
 */
public final class UrlConnectionArtifactStore implements ArtifactStore {

    private final URI base;
    private final SSLContext tls;

    /**
     * A client of the store at {@code base}.
     *
     * @param base for example {@code http://artifacts:8080}
     */
    public UrlConnectionArtifactStore(URI base) {
        this(base, null);
    }

    /**
     * A client of the store at an {@code https} address, trusting what {@code tls} trusts
     * ({@link HttpsURLConnection} with its socket factory).
     *
     * @param base for example {@code https://artifacts:8443}
     * @param tls the TLS context; null for the JVM's default
     */
    public UrlConnectionArtifactStore(URI base, SSLContext tls) {
        this.base = base;
        this.tls = tls;
    }

    @Override
    public String catalog() throws IOException {
        HttpURLConnection connection = open("/catalog.json");
        int status = connection.getResponseCode();
        if (status != 200) {
            throw new IOException("GET /catalog.json answered " + status);
        }
        try (InputStream body = connection.getInputStream()) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // tag::urlconnection-download[]
    @Override
    public byte[] download(String path) throws DownloadFailedException {
        InputStream body;
        long expected;
        try {
            HttpURLConnection connection = open(path);
            expected = connection.getContentLengthLong();
            body = connection.getInputStream();
        } catch (IOException broken) {
            throw new DownloadFailedException(0, -1, broken); // before the body
        }
        return WholeBody.read(body, expected); // JDK 17: a close mid-body reads as the end; the count catches it
    }
    // end::urlconnection-download[]

    // tag::urlconnection-upload[]
    @Override
    public int upload(String path, byte[] content) throws IOException {
        HttpURLConnection connection = open(path);
        connection.setRequestMethod("POST");
        connection.setRequestProperty("Content-Type", "application/octet-stream");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(content.length); // streamed: never sent a second time
        try (OutputStream out = connection.getOutputStream()) {
            out.write(content);
        }
        int status = connection.getResponseCode();
        try (InputStream answer = connection.getInputStream()) {
            answer.readAllBytes(); // read to the end: the connection goes back to the keep-alive cache now
        }
        return status;
    }
    // end::urlconnection-upload[]

    private HttpURLConnection open(String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) base.resolve(path).toURL().openConnection();
        if (tls != null && connection instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls.getSocketFactory());
        }
        connection.setConnectTimeout(2_000);
        connection.setReadTimeout(5_000);
        return connection;
    }

    @Override
    public void close() {
        // HttpURLConnection's keep-alive cache is JVM-wide; nothing of this client's to release
    }
}
