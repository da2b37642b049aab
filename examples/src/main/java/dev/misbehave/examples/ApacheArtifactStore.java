package dev.misbehave.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/**
 * Application code: the {@link ArtifactStore} client with Apache HttpClient 5 (classic API), its
 * defaults but for timeouts.
 */
public final class ApacheArtifactStore implements ArtifactStore {

    private final URI base;
    private final CloseableHttpClient http;

    /**
     * A client of the store at {@code base}.
     *
     * @param base for example {@code http://artifacts:8080}
     */
    public ApacheArtifactStore(URI base) {
        this(base, PoolingHttpClientConnectionManagerBuilder.create());
    }

    /**
     * A client of the store at an HTTPS {@code base}, trusting what {@code tls} trusts.
     *
     * @param base for example {@code https://artifacts:8443}
     * @param tls the TLS context, with the trust store the server's certificate is checked against
     */
    public ApacheArtifactStore(URI base, SSLContext tls) {
        this(base, PoolingHttpClientConnectionManagerBuilder.create().setTlsSocketStrategy(new DefaultClientTlsStrategy(tls)));
    }

    private ApacheArtifactStore(URI base, PoolingHttpClientConnectionManagerBuilder connections) {
        this.base = base;
        this.http = HttpClients.custom()
                .setConnectionManager(connections
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(2))
                                .setSocketTimeout(Timeout.ofSeconds(5))
                                .build())
                        .build())
                .build();
    }

    @Override
    public String catalog() throws IOException {
        try (ClassicHttpResponse response = http.executeOpen(null, new HttpGet(base.resolve("/catalog.json")), null)) {
            if (response.getCode() != 200) {
                throw new IOException("GET /catalog.json answered " + response.getCode());
            }
            return EntityUtils.toString(response.getEntity());
        } catch (org.apache.hc.core5.http.ParseException unparsable) {
            throw new IOException(unparsable);
        }
    }

    @Override
    public byte[] download(String path) throws DownloadFailedException {
        try (ClassicHttpResponse response = http.executeOpen(null, new HttpGet(base.resolve(path)), null)) {
            return WholeBody.read(response.getEntity().getContent(), response.getEntity().getContentLength());
        } catch (IOException broken) {
            throw new DownloadFailedException(0, -1, broken); // before the body
        }
    }

    @Override
    public int upload(String path, byte[] content) throws IOException {
        HttpPost post = new HttpPost(base.resolve(path));
        post.setEntity(new ByteArrayEntity(content, ContentType.APPLICATION_OCTET_STREAM));
        try (ClassicHttpResponse response = http.executeOpen(null, post, null)) {
            EntityUtils.consume(response.getEntity());
            return response.getCode();
        }
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException closing) {
            throw new UncheckedIOException(closing);
        }
    }
}
