package dev.misbehave.examples;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Application code: the {@link ArtifactStore} client with OkHttp, its defaults but for timeouts. */
public final class OkHttpArtifactStore implements ArtifactStore {

    private static final MediaType OCTETS = MediaType.get("application/octet-stream");

    private final URI base;
    private final OkHttpClient http;

    /**
     * A client of the store at {@code base}.
     *
     * @param base for example {@code http://artifacts:8080}
     */
    public OkHttpArtifactStore(URI base) {
        this(base, new OkHttpClient.Builder());
    }

    /**
     * A client of the store at an HTTPS {@code base}, trusting what {@code trust} trusts.
     *
     * @param base for example {@code https://artifacts:8443}
     * @param tls the TLS context whose socket factory the client uses
     * @param trust the trust manager the server's certificate is checked with (OkHttp asks for both)
     */
    public OkHttpArtifactStore(URI base, SSLContext tls, X509TrustManager trust) {
        this(base, new OkHttpClient.Builder().sslSocketFactory(tls.getSocketFactory(), trust));
    }

    private OkHttpArtifactStore(URI base, OkHttpClient.Builder builder) {
        this.base = base;
        this.http = builder
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(5))
                .writeTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Override
    public String catalog() throws IOException {
        try (Response response = http.newCall(get("/catalog.json")).execute()) {
            if (response.code() != 200) {
                throw new IOException("GET /catalog.json answered " + response.code());
            }
            return response.body().string();
        }
    }

    @Override
    public byte[] download(String path) throws DownloadFailedException {
        try (Response response = http.newCall(get(path)).execute()) {
            return WholeBody.read(response.body().byteStream(), response.body().contentLength());
        } catch (IOException broken) {
            throw new DownloadFailedException(0, -1, broken); // before the body
        }
    }

    @Override
    public int upload(String path, byte[] content) throws IOException {
        Request request = new Request.Builder().url(base.resolve(path).toString())
                .post(RequestBody.create(content, OCTETS))
                .build();
        try (Response response = http.newCall(request).execute()) {
            return response.code();
        }
    }

    private Request get(String path) {
        return new Request.Builder().url(base.resolve(path).toString()).build();
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
