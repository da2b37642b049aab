package dev.misbehave.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server for the examples: the JDK's built-in {@link HttpServer} on an ephemeral
 * loopback port, serving the artifact store's API and counting what reached it.
 *
 * <ul>
 *   <li>{@code GET /catalog.json}: a small JSON document ({@link #CATALOG}).
 *   <li>{@code GET /artifacts/app.bin}: {@value #ARTIFACT_BYTES} bytes with their {@code Content-Length}.
 *   <li>{@code GET /artifacts/cut.bin}: announces {@value #ARTIFACT_BYTES} bytes, sends {@value
 *       #CUT_AFTER}, then closes the connection (its own FIN, mid-body): a server that gives up.
 *   <li>{@code POST /uploads/...}: reads the whole body and answers {@code 201}; counts the uploads
 *       that began (the request reached the handler) and those whose body arrived whole.
 * </ul>
 */
final class ArtifactServer implements AutoCloseable {

    static final String CATALOG = "{\"artifacts\":[\"app.bin\"]}";
    static final int ARTIFACT_BYTES = 512 * 1024;
    static final int CUT_AFTER = 100 * 1024;
    static final byte[] ARTIFACT = letters(ARTIFACT_BYTES);

    private final HttpServer server;
    private final ExecutorService threads;
    private final AtomicInteger catalogRequests = new AtomicInteger();
    private final AtomicInteger uploadsBegun = new AtomicInteger();
    private final AtomicInteger uploadsWhole = new AtomicInteger();
    private final Semaphore uploadsEnded = new Semaphore(0);

    private ArtifactServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Starts a server on 127.0.0.1, on an ephemeral port. */
    static ArtifactServer start() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            ExecutorService threads = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "artifact-server");
                t.setDaemon(true);
                return t;
            });
            ArtifactServer server = new ArtifactServer(http, threads);
            http.setExecutor(threads);
            http.createContext("/catalog.json", server::catalog);
            http.createContext("/artifacts/app.bin", server::artifact);
            http.createContext("/artifacts/cut.bin", server::cutArtifact);
            http.createContext("/uploads/", server::upload);
            http.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the artifact server on 127.0.0.1", e);
        }
    }

    /** Where it listens. */
    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getAddress().getPort());
    }

    /** {@code GET /catalog.json} requests that reached the server. */
    int catalogRequests() {
        return catalogRequests.get();
    }

    /** Uploads whose request reached the server (its handler ran), whole or not. */
    int uploadsBegun() {
        return uploadsBegun.get();
    }

    /** Uploads whose body arrived whole. */
    int uploadsWhole() {
        return uploadsWhole.get();
    }

    /**
     * Waits until {@code count} uploads have ended in the handler (whole, or broken off), bounded.
     *
     * @throws AssertionError if fewer ended within {@code timeout}
     */
    void awaitUploadsEnded(int count, Duration timeout) throws InterruptedException {
        if (!uploadsEnded.tryAcquire(count, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the artifact server saw " + uploadsEnded.availablePermits() + " upload(s) end, not "
                    + count + ", within " + timeout.toMillis() + " ms (" + uploadsBegun() + " began)");
        }
        uploadsEnded.release(count);
    }

    /** Forgets the counts, for the next test. */
    void forget() {
        catalogRequests.set(0);
        uploadsBegun.set(0);
        uploadsWhole.set(0);
        uploadsEnded.drainPermits();
    }

    private void catalog(HttpExchange exchange) throws IOException {
        catalogRequests.incrementAndGet();
        respond(exchange, 200, CATALOG.getBytes(StandardCharsets.UTF_8));
    }

    private void artifact(HttpExchange exchange) throws IOException {
        respond(exchange, 200, ARTIFACT);
    }

    private void cutArtifact(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, ARTIFACT_BYTES);
        OutputStream body = exchange.getResponseBody();
        body.write(ARTIFACT, 0, CUT_AFTER);
        body.flush();
        // closing with fewer bytes than announced: the server closes the connection (a FIN)
        exchange.close();
    }

    private void upload(HttpExchange exchange) throws IOException {
        uploadsBegun.incrementAndGet();
        long announced = Long.parseLong(exchange.getRequestHeaders().getFirst("Content-Length"));
        long read = 0;
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = exchange.getRequestBody()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read += n;
            }
        } finally {
            if (read == announced) {
                uploadsWhole.incrementAndGet();
            }
            uploadsEnded.release();
        }
        respond(exchange, 201, "{\"stored\":true}".getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static byte[] letters(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
