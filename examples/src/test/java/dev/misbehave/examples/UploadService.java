package dev.misbehave.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An upload service as a team would write it on the JDK's {@code HttpServer}: {@code POST /upload}
 * reads the whole body, then commits it (here: keeps it) and answers {@code 201 Created}; a body cut
 * short commits nothing and is logged as a warning, without a stack trace, and answers nothing (the
 * client is gone). {@code GET /export} streams a large export. Each handler's outcome is published
 * (the {@code outcomes} queue), so a test can wait for it.
 */
final class UploadService implements AutoCloseable {

    /** What one request's handler did: "committed 1000 bytes", "aborted: (exception)", "exported ..." or "export failed ...". */
    private final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
    private final List<byte[]> committed = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final List<Integer> statuses = new CopyOnWriteArrayList<>();
    private final HttpServer http;
    private final ExecutorService workers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "upload-service-worker");
        thread.setDaemon(true);
        return thread;
    });

    private UploadService(int exportBytes) throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        http.setExecutor(workers);
        http.createContext("/upload", this::upload);
        http.createContext("/export", exchange -> export(exchange, exportBytes));
        http.start();
    }

    /** Starts the service on an ephemeral loopback port; {@code GET /export} sends {@code exportBytes} bytes. */
    static UploadService start(int exportBytes) throws IOException {
        return new UploadService(exportBytes);
    }

    InetSocketAddress address() {
        return http.getAddress();
    }

    private void upload(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            long declared = Long.parseLong(exchange.getRequestHeaders().getFirst("Content-Length"));
            body = in.readNBytes((int) declared);
            if (body.length < declared) {
                throw new IOException("body ended after " + body.length + " of " + declared + " bytes");
            }
        } catch (IOException cutShort) {
            String what = cutShort.getClass().getSimpleName() + ": " + cutShort.getMessage();
            warnings.add("upload aborted by the client: " + what); // a warning, no stack trace
            outcomes.add("aborted: " + what);
            exchange.close();
            return;
        }
        committed.add(body);
        byte[] answer = ("stored " + body.length + " bytes\n").getBytes(StandardCharsets.US_ASCII);
        statuses.add(201);
        exchange.sendResponseHeaders(201, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
        outcomes.add("committed " + body.length + " bytes");
    }

    private void export(HttpExchange exchange, int bytes) throws IOException {
        exchange.getRequestBody().readAllBytes();
        statuses.add(200);
        exchange.sendResponseHeaders(200, bytes);
        long written = 0;
        try (OutputStream out = exchange.getResponseBody()) {
            byte[] chunk = new byte[8192];
            while (written < bytes) {
                int length = (int) Math.min(chunk.length, bytes - written);
                out.write(chunk, 0, length);
                written += length;
            }
            outcomes.add("exported " + written + " bytes");
        } catch (IOException clientGone) {
            outcomes.add("export failed after " + written + " bytes: " + clientGone.getClass().getSimpleName() + ": "
                    + clientGone.getMessage());
            exchange.close();
        }
    }

    /** The next handler outcome, waiting at most {@code seconds}; null if none came. */
    String nextOutcome(long seconds) throws InterruptedException {
        return outcomes.poll(seconds, TimeUnit.SECONDS);
    }

    /** The bodies committed so far. */
    List<byte[]> committed() {
        return List.copyOf(committed);
    }

    /** The warnings logged so far. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The statuses of the responses started so far. */
    List<Integer> statuses() {
        return List.copyOf(statuses);
    }

    @Override
    public void close() {
        http.stop(0);
        workers.shutdownNow();
    }
}
