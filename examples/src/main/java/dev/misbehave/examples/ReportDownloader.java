package dev.misbehave.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Application code: downloads a report over HTTP/1.1 with the JDK {@link HttpClient}, counting the
 * body bytes as they arrive, and refuses to return a body shorter than its {@code Content-Length}.
 * A transfer that breaks part-way fails with {@link DownloadFailedException}, which says how much
 * arrived, so the caller can resume or retry.
 */
public final class ReportDownloader {

    private final URI endpoint;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * A downloader for {@code endpoint}.
     *
     * @param endpoint the report's URI
     * @param timeout the request timeout (until the response headers arrive)
     */
    public ReportDownloader(URI endpoint, Duration timeout) {
        this(endpoint, timeout, HttpClient.newBuilder());
    }

    /**
     * A downloader for an HTTPS {@code endpoint}, trusting the certificates {@code tls} trusts.
     *
     * @param endpoint the report's URI
     * @param timeout the request timeout (until the response headers arrive)
     * @param tls the TLS settings, with the trust store the server's certificate is checked against
     */
    public ReportDownloader(URI endpoint, Duration timeout, SSLContext tls) {
        this(endpoint, timeout, HttpClient.newBuilder().sslContext(tls));
    }

    private ReportDownloader(URI endpoint, Duration timeout, HttpClient.Builder builder) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.http = builder
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
    }

    /**
     * Downloads the whole report.
     *
     * @return the body, exactly {@code Content-Length} bytes
     * @throws DownloadFailedException if the connection failed or the body was cut short
     * @throws InterruptedException if interrupted while waiting
     */
    // tag::download[]
    public byte[] download() throws DownloadFailedException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(timeout).GET().build();
        long received = 0;
        try {
            HttpResponse<InputStream> response = http.send(request, BodyHandlers.ofInputStream());
            long expected = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            try (InputStream body = response.body()) {
                var bytes = new java.io.ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                for (int n; (n = body.read(buffer)) >= 0; received += n) {
                    bytes.write(buffer, 0, n);
                }
                if (expected >= 0 && received != expected) {
                    throw new DownloadFailedException(received, expected, null);
                }
                return bytes.toByteArray();
            }
        } catch (IOException broken) {
            throw new DownloadFailedException(received, -1, broken);
        }
    }
    // end::download[]
}
