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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 *   <li>Any method on {@code /stock/...}, {@code /reservations} and {@code /shipments...} (the retry
 *       examples' services): reads the whole body, counts the request by method and path, and
 *       answers {@code 200} with no body.
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
    private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    private final Semaphore handledAny = new Semaphore(0);

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
            for (String service : List.of("/stock/", "/reservations", "/shipments")) {
                http.createContext(service, server::handle);
            }
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

    /**
     * How many requests the service endpoints handled (whole requests only), by {@code "METHOD
     * /path"}, for example {@code "POST /reservations"}.
     */
    int handled(String methodAndPath) {
        AtomicInteger count = handled.get(methodAndPath);
        return count == null ? 0 : count.get();
    }

    /**
     * Waits until the service endpoints have handled {@code count} requests in all, bounded.
     *
     * @throws AssertionError if fewer were handled within {@code timeout}
     */
    void awaitHandled(int count, Duration timeout) throws InterruptedException {
        if (!handledAny.tryAcquire(count, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the artifact server handled " + handled + ", fewer than " + count
                    + " request(s), within " + timeout.toMillis() + " ms");
        }
        handledAny.release(count);
    }

    /** Forgets the counts, for the next test. */
    void forget() {
        handled.clear();
        handledAny.drainPermits();
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

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
        String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
        handled.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        handledAny.release(); // the service acted on the request, whatever becomes of its answer
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
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
