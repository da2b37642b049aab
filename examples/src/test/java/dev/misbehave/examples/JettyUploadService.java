package dev.misbehave.examples;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.EventsHandler;

/**
 * The upload service as a team would write it on Jetty 12 with servlets (ee10): a {@link Server} on
 * 127.0.0.1, an ephemeral port, and a connector whose idle timeout is short ({@link #IDLE_TIMEOUT}
 * unless the test says otherwise).
 *
 * <ul>
 *   <li>{@code POST /upload} reads the whole body, then commits it (here: keeps it) and answers
 *       {@code 201 Created}; a body cut short commits nothing, is logged as a warning without a stack
 *       trace, and is answered with nothing (the client is gone);
 *   <li>{@code GET /download} streams a large response ({@code downloadBytes}, with its
 *       {@code Content-Length}).
 * </ul>
 *
 * What happened is recorded for a test to wait on: each servlet's {@link Outcome} (a queue), the
 * status of every response Jetty began to send, and every request Jetty completed, with its failure
 * (both from an {@link EventsHandler} round the servlets).
 */
final class JettyUploadService implements AutoCloseable {

    /** The connector's idle timeout: how long a connection may make no progress, reading or writing. */
    static final Duration IDLE_TIMEOUT = Duration.ofMillis(500);

    /** What a servlet did with one request. */
    enum Kind { COMMITTED, ABORTED, DOWNLOADED, DOWNLOAD_FAILED }

    /**
     * What a servlet did with one request: its kind, the body bytes it read (an upload) or wrote (a
     * download), and the exception that cut it short, if any.
     */
    record Outcome(Kind kind, long bytes, IOException failure) {}

    /** A request Jetty completed: the status of its response and the failure it completed with, if any. */
    record Completion(int status, Throwable failure) {}

    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final List<byte[]> committed = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final List<Integer> statuses = new CopyOnWriteArrayList<>();
    private final Server server;
    private final ServerConnector connector;

    private JettyUploadService(long downloadBytes, Duration idleTimeout) throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(idleTimeout.toMillis());
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new UploadServlet()), "/upload");
        context.addServlet(new ServletHolder(new DownloadServlet(downloadBytes)), "/download");
        server.setHandler(new EventsHandler(context) {
            @Override
            protected void onResponseBegin(Request request, int status, HttpFields headers) {
                statuses.add(status == 0 ? HttpServletResponse.SC_OK : status); // 0: none set, Jetty sends 200
            }

            @Override
            protected void onComplete(Request request, int status, HttpFields headers, Throwable failure) {
                completions.add(new Completion(status == 0 ? HttpServletResponse.SC_OK : status, failure));
            }
        });
        server.start();
    }

    /** Starts the service with the {@link #IDLE_TIMEOUT}; {@code GET /download} sends {@code downloadBytes} bytes. */
    static JettyUploadService start(long downloadBytes) throws Exception {
        return start(downloadBytes, IDLE_TIMEOUT);
    }

    /** Starts the service with another idle timeout. */
    static JettyUploadService start(long downloadBytes, Duration idleTimeout) throws Exception {
        return new JettyUploadService(downloadBytes, idleTimeout);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), connector.getLocalPort());
    }

    private final class UploadServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            long declared = request.getContentLengthLong();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            try (InputStream in = request.getInputStream()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    body.write(buffer, 0, n);
                }
                if (body.size() < declared) {
                    throw new EOFException("body ended after " + body.size() + " of " + declared + " bytes");
                }
            } catch (IOException cutShort) {
                // the client is gone: commit nothing, answer nothing, one line in the log
                warnings.add("upload cut short after " + body.size() + " bytes: " + cutShort);
                outcomes.add(new Outcome(Kind.ABORTED, body.size(), cutShort));
                return;
            }
            committed.add(body.toByteArray());
            response.setStatus(HttpServletResponse.SC_CREATED);
            response.setContentType("text/plain");
            response.getOutputStream().write(("stored " + body.size() + " bytes\n").getBytes(StandardCharsets.US_ASCII));
            outcomes.add(new Outcome(Kind.COMMITTED, body.size(), null));
        }
    }

    private final class DownloadServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final long bytes;

        DownloadServlet(long bytes) {
            this.bytes = bytes;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType("application/octet-stream");
            response.setContentLengthLong(bytes);
            long written = 0;
            try {
                OutputStream out = response.getOutputStream();
                byte[] chunk = new byte[8192];
                while (written < bytes) {
                    int length = (int) Math.min(chunk.length, bytes - written);
                    out.write(chunk, 0, length);
                    written += length;
                }
                out.flush();
            } catch (IOException clientGone) {
                warnings.add("download cut short after " + written + " bytes: " + clientGone);
                outcomes.add(new Outcome(Kind.DOWNLOAD_FAILED, written, clientGone));
                return;
            }
            outcomes.add(new Outcome(Kind.DOWNLOADED, written, null));
        }
    }

    /** The next servlet outcome, waiting at most {@code timeout}. */
    Outcome nextOutcome(Duration timeout) throws InterruptedException {
        return next(outcomes, timeout, "servlet outcome");
    }

    /** The next request Jetty completed, waiting at most {@code timeout}. */
    Completion nextCompletion(Duration timeout) throws InterruptedException {
        return next(completions, timeout, "completed request");
    }

    private static <T> T next(BlockingQueue<T> queue, Duration timeout, String what) throws InterruptedException {
        T next = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no " + what + " within " + timeout.toMillis() + " ms");
        }
        return next;
    }

    /** The bodies committed so far. */
    List<byte[]> committed() {
        return List.copyOf(committed);
    }

    /** The warnings logged so far. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    /**
     * The status of every response Jetty began to send, in order: a servlet's first write, or, for a
     * servlet that wrote nothing, the response Jetty completes the exchange with.
     */
    List<Integer> statuses() {
        return List.copyOf(statuses);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception stopFailed) {
            throw new IllegalStateException("Jetty did not stop", stopFailed);
        }
    }
}
