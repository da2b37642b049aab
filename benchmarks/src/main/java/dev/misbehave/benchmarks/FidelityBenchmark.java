package dev.misbehave.benchmarks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static java.nio.charset.StandardCharsets.US_ASCII;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import dev.misbehave.Trigger;
import dev.misbehave.assertj.ConnectionFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

/**
 * Fidelity side by side: the same three faults, asked of Misbehave, WireMock 3.13.2 and OkHttp's
 * MockWebServer 5.5.1 with each tool's closest offering, and what four clients then saw: a raw
 * {@link Socket}, the JDK {@link HttpClient} forced to HTTP/1.1, the JDK {@code HttpClient} in its
 * default version (HTTP/2, which on plain {@code http} is an HTTP/1.1 request with an h2c upgrade),
 * and {@link HttpURLConnection}. Every request is a GET of {@value #PATH}, whose whole answer is
 * {@code 200 OK} with a known body of {@value #BODY_BYTES} bytes.
 *
 * <ol>
 *   <li><b>Reset after the request</b>: the client must see a reset ({@link ConnectionFailure#RESET})
 *       before any response byte.
 *   <li><b>Reset mid-response after exactly K = {@value #K_BODY} body bytes</b> (half the body, the
 *       point where MockWebServer's {@code onResponseBody} effect fires): the client must have
 *       received exactly the first K bytes of the body (a raw socket: the whole head and K body
 *       bytes, compared byte by byte), then a reset.
 *   <li><b>FIN mid-body</b>: the client must get the head and a proper prefix of the body (0 &lt; n
 *       &lt; Content-Length), then end-of-stream or its premature-end error ({@link
 *       ConnectionFailure#CLOSED}), or, for {@code HttpURLConnection} on JDK 17, a short body
 *       without an error.
 * </ol>
 *
 * <p>One server per tool: WireMock and MockWebServer each run one server for the whole program,
 * with its stub replaced before each scenario ({@code resetAll()} + {@code stubFor}, a {@link
 * Dispatcher} that answers every request with the scenario's {@link MockResponse}); Misbehave
 * starts one peer per scenario with the scenario's fault. Every trial uses fresh clients (a new
 * {@code HttpClient}, so a new connection pool; {@code HttpURLConnection} disconnected after each
 * trial, so no kept-alive connection passes to the next trial). In a trial the four clients run at
 * the same time, each on its own thread, against the tool's one server, and the three tools take
 * turns (the order rotates every trial), so the machine's noise falls on every tool alike.
 *
 * <p>Run by {@code mvn -B -Pbench -pl benchmarks -am verify -DskipTests}; 1,000 trials per
 * (scenario, tool, client), 20 with {@code -Dmisbehave.bench.quick=true}. Results id {@code
 * fidelity}; args[0] is the results directory.
 */
public final class FidelityBenchmark {

    static final int FULL_TRIALS = 1_000;
    static final int QUICK_TRIALS = 20;
    static final int WARM_UP_TRIALS = 30;
    static final String PATH = "/fidelity";
    static final int BODY_BYTES = 64 * 1024;
    static final int K_BODY = BODY_BYTES / 2;
    static final byte[] BODY = body();
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    /** The longest one client call may take before it counts as hung (its own timeouts first). */
    static final Duration CALL_BOUND = Duration.ofSeconds(10);
    /** The most one scenario may take; trials not run by then are reported as not run. */
    static final Duration SCENARIO_BOUND = Duration.ofSeconds(200);

    private FidelityBenchmark() {}

    private static byte[] body() {
        byte[] body = new byte[BODY_BYTES];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }

    // ---- scenarios, clients, tools -------------------------------------------------------------

    enum Scenario {
        RESET_AFTER_REQUEST("a", "reset after the request", "reset after request", "a reset, before any response byte"),
        RESET_MID_RESPONSE("b", "reset after exactly K = 32,768 body bytes", "reset after 32,768 body B",
                "exactly the first 32,768 body bytes, then a reset"),
        FIN_MID_BODY("c", "FIN mid-body", "FIN mid-body", "the head and part of the body, then end-of-stream");

        final String letter;
        final String title;
        final String shortTitle;
        final String asked;

        Scenario(String letter, String title, String shortTitle, String asked) {
            this.letter = letter;
            this.title = title;
            this.shortTitle = shortTitle;
            this.asked = asked;
        }
    }

    enum Client {
        RAW("raw `Socket`"),
        HTTP_CLIENT_11("`HttpClient` HTTP/1.1"),
        HTTP_CLIENT_DEFAULT("`HttpClient` default (h2c)"),
        URL_CONNECTION("`HttpURLConnection`");

        final String title;

        Client(String title) {
            this.title = title;
        }
    }

    /** A tool under test: one server, configured per scenario with its closest offering. */
    interface Tool extends AutoCloseable {
        String name();

        /** Configures the scenario; returns what was used, or empty if the tool has no way to ask for it. */
        Optional<String> prepare(Scenario scenario);

        /** Why a scenario is not offered: the features tried. */
        String notOffered(Scenario scenario);

        /** Serves the whole answer, for the warm-up. */
        void prepareWholeAnswer();

        int port();

        @Override
        void close();
    }

    static final class Misbehave implements Tool {
        static final String HEAD = "HTTP/1.1 200 OK\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n";
        static final Script SCRIPT = Script.respond(RequestEnd.headersThenLength("\r\n\r\n", "Content-Length"),
                concat(HEAD.getBytes(US_ASCII), BODY));
        private MisbehavingPeer peer;

        @Override
        public String name() {
            return "Misbehave";
        }

        @Override
        public Optional<String> prepare(Scenario scenario) {
            int head = HEAD.length();
            Fault fault;
            String used;
            switch (scenario) {
                case RESET_AFTER_REQUEST -> {
                    fault = new Fault(new Effect.Reset(), Trigger.OnPattern.of(Direction.UPSTREAM, "\r\n\r\n"));
                    used = "`new Fault(new Effect.Reset(), Trigger.OnPattern.of(UPSTREAM, \"\\r\\n\\r\\n\"))`";
                }
                case RESET_MID_RESPONSE -> {
                    fault = Fault.resetAfter(Direction.DOWNSTREAM, head + K_BODY);
                    used = "`Fault.resetAfter(DOWNSTREAM, head + 32768)`";
                }
                case FIN_MID_BODY -> {
                    fault = Fault.closeAfter(Direction.DOWNSTREAM, head + K_BODY);
                    used = "`Fault.closeAfter(DOWNSTREAM, head + 32768)`";
                }
                default -> throw new IllegalArgumentException(scenario.name());
            }
            restart(fault);
            return Optional.of(used);
        }

        @Override
        public String notOffered(Scenario scenario) {
            return "";
        }

        @Override
        public void prepareWholeAnswer() {
            restart(null);
        }

        private void restart(Fault fault) {
            close();
            peer = fault == null ? MisbehavingPeer.start(SCRIPT) : MisbehavingPeer.start(SCRIPT, fault);
        }

        @Override
        public int port() {
            return peer.port();
        }

        @Override
        public void close() {
            if (peer != null) {
                peer.close();
                peer = null;
            }
        }
    }

    static final class WireMock implements Tool {
        private final WireMockServer server;

        WireMock() {
            server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
            server.start();
        }

        @Override
        public String name() {
            return "WireMock";
        }

        @Override
        public Optional<String> prepare(Scenario scenario) {
            switch (scenario) {
                case RESET_AFTER_REQUEST -> {
                    stub(aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER));
                    return Optional.of("`withFault(Fault.CONNECTION_RESET_BY_PEER)`");
                }
                case FIN_MID_BODY -> {
                    stub(aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.MALFORMED_RESPONSE_CHUNK));
                    return Optional.of("`withFault(Fault.MALFORMED_RESPONSE_CHUNK)` (a 200 head, a garbage chunk, close)");
                }
                default -> {
                    return Optional.empty();
                }
            }
        }

        @Override
        public String notOffered(Scenario scenario) {
            return "no fault acts after part of a response: `Fault` has four values, and the two that send "
                    + "response bytes send garbage, not the body (`RANDOM_DATA_THEN_CLOSE`, `MALFORMED_RESPONSE_CHUNK`); "
                    + "`withChunkedDribbleDelay` and `withFixedDelay` only delay";
        }

        @Override
        public void prepareWholeAnswer() {
            stub(aResponse().withStatus(200).withBody(BODY));
        }

        private void stub(ResponseDefinitionBuilder response) {
            server.resetAll();
            server.stubFor(get(urlEqualTo(PATH)).willReturn(response));
        }

        @Override
        public int port() {
            return server.port();
        }

        @Override
        public void close() {
            server.stop();
        }
    }

    static final class MockWebServerTool implements Tool {
        private final MockWebServer server = new MockWebServer();

        MockWebServerTool() {
            try {
                server.start(InetAddress.getLoopbackAddress(), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String name() {
            return "MockWebServer";
        }

        @Override
        public Optional<String> prepare(Scenario scenario) {
            MockResponse.Builder response = new MockResponse.Builder().code(200).body(new okio.Buffer().write(BODY));
            switch (scenario) {
                case RESET_AFTER_REQUEST -> {
                    answer(response.onResponseStart(new SocketEffect.CloseSocket(true, false, false)).build());
                    return Optional.of("`onResponseStart(new SocketEffect.CloseSocket())` (the former `DISCONNECT_AFTER_REQUEST`)");
                }
                case RESET_MID_RESPONSE, FIN_MID_BODY -> {
                    answer(response.onResponseBody(new SocketEffect.CloseSocket(true, false, false)).build());
                    return Optional.of("`onResponseBody(new SocketEffect.CloseSocket())` (fires after half the body)");
                }
                default -> throw new IllegalArgumentException(scenario.name());
            }
        }

        @Override
        public String notOffered(Scenario scenario) {
            return "";
        }

        @Override
        public void prepareWholeAnswer() {
            answer(new MockResponse.Builder().code(200).body(new okio.Buffer().write(BODY)).build());
        }

        private void answer(MockResponse response) {
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return response;
                }

                @Override
                public MockResponse peek() {
                    return response;
                }
            });
        }

        @Override
        public int port() {
            return server.getPort();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    // ---- what a client saw -----------------------------------------------------------------------

    /**
     * What one client call saw.
     *
     * @param thrown the failure, or null
     * @param eof a raw socket read end-of-stream (no exception)
     * @param head whether the response head arrived (null: the client does not say)
     * @param bodyBytes body bytes received (-1: unknown)
     * @param bodyIsPrefix the body bytes are the first bytes of the known body
     * @param hung the call outlived {@link #CALL_BOUND}
     */
    record Seen(Throwable thrown, boolean eof, Boolean head, long bodyBytes, boolean bodyIsPrefix, boolean hung) {

        static Seen timedOut() {
            return new Seen(null, false, null, -1, false, true);
        }
    }

    /** A trial's verdict: whether the client saw what was asked, and a short label for the breakdown. */
    record Verdict(boolean asked, String label) {}

    static Verdict judge(Scenario scenario, Seen seen) {
        String kind = kind(seen);
        String where = seen.head() == null ? ""
                : !seen.head() ? ", before the head"
                : seen.bodyBytes() < 0 ? ", after the head"
                : String.format(Locale.ROOT, ", after %,d body B%s", seen.bodyBytes(),
                        seen.bodyIsPrefix() ? "" : " (not the body)");
        boolean asked = switch (scenario) {
            case RESET_AFTER_REQUEST -> kind.equals("reset") && !Boolean.TRUE.equals(seen.head());
            case RESET_MID_RESPONSE -> kind.equals("reset") && Boolean.TRUE.equals(seen.head())
                    && seen.bodyBytes() == K_BODY && seen.bodyIsPrefix();
            case FIN_MID_BODY -> (kind.equals("closed") || kind.equals("short body, no error"))
                    && Boolean.TRUE.equals(seen.head()) && seen.bodyBytes() > 0 && seen.bodyBytes() < BODY_BYTES
                    && seen.bodyIsPrefix();
        };
        return new Verdict(asked, kind + where);
    }

    static String kind(Seen seen) {
        if (seen.hung()) {
            return "hung";
        }
        if (seen.thrown() == null) {
            if (seen.eof()) {
                return "closed";
            }
            return seen.bodyBytes() == BODY_BYTES && seen.bodyIsPrefix() ? "whole response" : "short body, no error";
        }
        Optional<ConnectionFailure> failure = ConnectionFailure.classify(seen.thrown());
        if (failure.isPresent()) {
            return failure.get().name().toLowerCase(Locale.ROOT);
        }
        if (isTimeout(seen.thrown())) {
            return "timeout";
        }
        return "error " + describe(seen.thrown());
    }

    static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SocketTimeoutException || c instanceof HttpTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The cause chain, compactly: each type and a short message, outermost first. */
    static String describe(Throwable t) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (Throwable c = t; c != null && depth < 4; c = c.getCause() == c ? null : c.getCause(), depth++) {
            String message = c.getMessage() == null ? "" : ": " + c.getMessage();
            if (message.length() > 50) {
                message = message.substring(0, 47) + "...";
            }
            out.append(depth == 0 ? "" : " <- ").append(c.getClass().getSimpleName()).append(message);
        }
        return out.toString();
    }

    // ---- the clients -------------------------------------------------------------------------------

    static final ExecutorService HTTP_CLIENT_THREADS = Executors.newCachedThreadPool(daemon("fidelity-httpclient"));

    static Seen call(Client client, int port) throws Exception {
        return switch (client) {
            case RAW -> raw(port);
            case HTTP_CLIENT_11 -> httpClient(port, HttpClient.Version.HTTP_1_1);
            case HTTP_CLIENT_DEFAULT -> httpClient(port, null);
            case URL_CONNECTION -> urlConnection(port);
        };
    }

    /** Connect, one write of the GET, then read to -1 or an exception; keeps every byte. */
    static Seen raw(int port) throws IOException {
        byte[] request = ("GET " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUser-Agent: raw-socket\r\nAccept: */*\r\n\r\n").getBytes(US_ASCII);
        ByteArrayOutputStream received = new ByteArrayOutputStream(BODY_BYTES + 1024);
        byte[] buffer = new byte[16 * 1024];
        Throwable thrown = null;
        boolean eof = false;
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                        (int) CONNECT_TIMEOUT.toMillis());
                socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                InputStream in = socket.getInputStream();
                for (int guard = 0; guard < 1_000_000 && !wholeResponse(received); guard++) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                    received.write(buffer, 0, n);
                }
            } catch (IOException e) {
                thrown = e;
            }
            if (!eof) {
                socket.setSoLinger(true, 0); // a connection still open (a timeout) ends here, no TIME_WAIT
            }
        }
        byte[] bytes = received.toByteArray();
        if (thrown == null && !eof && wholeResponse(received)) {
            return new Seen(null, false, true, BODY_BYTES, true, false); // chunked or not: the whole answer
        }
        int headEnd = indexOf(bytes, "\r\n\r\n".getBytes(US_ASCII));
        if (headEnd < 0) {
            return new Seen(thrown, eof, false, 0, true, false);
        }
        int bodyStart = headEnd + 4;
        int bodyBytes = bytes.length - bodyStart;
        return new Seen(thrown, eof, true, bodyBytes, isBodyPrefix(bytes, bodyStart, bodyBytes), false);
    }

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)\r\n");

    /**
     * Whether the bytes hold a whole response, by its Content-Length or its last chunk (a kept-alive
     * server sends no end-of-stream after it).
     */
    static boolean wholeResponse(ByteArrayOutputStream received) {
        if (received.size() < BODY_BYTES) {
            return false;
        }
        byte[] bytes = received.toByteArray();
        int headEnd = indexOf(bytes, "\r\n\r\n".getBytes(US_ASCII));
        if (headEnd < 0) {
            return false;
        }
        String head = new String(bytes, 0, headEnd + 2, US_ASCII);
        Matcher length = CONTENT_LENGTH.matcher(head);
        if (length.find()) {
            return bytes.length - headEnd - 4 >= Long.parseLong(length.group(1));
        }
        byte[] lastChunk = "\r\n0\r\n\r\n".getBytes(US_ASCII);
        return head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")
                && Arrays.equals(bytes, bytes.length - lastChunk.length, bytes.length, lastChunk, 0, lastChunk.length);
    }

    private static final Pattern BYTES_RECEIVED = Pattern.compile("fixed content-length: (\\d+), bytes received: (\\d+)");

    /**
     * A new client (and pool) per call, {@code send} as applications call it (it rethrows what
     * failed as an {@link IOException} of the caller's thread, with the original as its cause); the
     * body as bytes; how much body arrived is read from its exception. The call is bounded by the
     * request timeout up to the response head, and by the trial's bound after it.
     */
    static Seen httpClient(int port, HttpClient.Version version) throws InterruptedException {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).executor(HTTP_CLIENT_THREADS);
        if (version != null) {
            builder.version(version);
        }
        HttpClient http = builder.build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH))
                .timeout(READ_TIMEOUT).GET().build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = response.body();
            return new Seen(null, false, true, body.length, isBodyPrefix(body, 0, body.length), false);
        } catch (IOException thrown) {
            for (Throwable c = thrown; c != null; c = c.getCause() == c ? null : c.getCause()) {
                String message = String.valueOf(c.getMessage());
                Matcher matcher = BYTES_RECEIVED.matcher(message);
                if (matcher.find()) {
                    return new Seen(thrown, false, true, Long.parseLong(matcher.group(2)), true, false);
                }
                if (message.contains("header parser received no bytes")) {
                    return new Seen(thrown, false, false, 0, true, false);
                }
            }
            return new Seen(thrown, false, null, -1, true, false);
        }
    }

    /** getResponseCode, then the body to -1; disconnect() after, with the body stream still open. */
    static Seen urlConnection(int port) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + PATH).toURL()
                .openConnection();
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
        boolean head = false;
        ByteArrayOutputStream body = new ByteArrayOutputStream(BODY_BYTES);
        try {
            int code = connection.getResponseCode();
            head = true;
            InputStream in = code >= 400 ? connection.getErrorStream() : connection.getInputStream();
            if (in != null) {
                byte[] buffer = new byte[16 * 1024];
                for (int guard = 0; guard < 1_000_000; guard++) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    body.write(buffer, 0, n);
                }
            }
            byte[] bytes = body.toByteArray();
            return new Seen(null, false, true, bytes.length, isBodyPrefix(bytes, 0, bytes.length), false);
        } catch (IOException e) {
            byte[] bytes = body.toByteArray();
            return new Seen(e, false, head, bytes.length, isBodyPrefix(bytes, 0, bytes.length), false);
        } finally {
            connection.disconnect();
        }
    }

    static boolean isBodyPrefix(byte[] bytes, int from, int length) {
        return length <= BODY_BYTES && Arrays.equals(bytes, from, from + length, BODY, 0, length);
    }

    static int indexOf(byte[] bytes, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= bytes.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    // ---- the run -------------------------------------------------------------------------------------

    /** The tally of one (scenario, tool, client) cell. */
    static final class Cell {
        int trials;
        int asked;
        final Map<String, Integer> labels = new LinkedHashMap<>();
        /** The first failure of each label, as its cause chain, printed to the console. */
        final Map<String, String> examples = new LinkedHashMap<>();

        void add(Verdict verdict, Seen seen) {
            trials++;
            if (verdict.asked()) {
                asked++;
            }
            labels.merge(verdict.label(), 1, Integer::sum);
            examples.computeIfAbsent(verdict.label(), k -> seen.thrown() == null ? "no exception" : describe(seen.thrown()));
        }

        String breakdown() {
            List<Map.Entry<String, Integer>> entries = new ArrayList<>(labels.entrySet());
            entries.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()));
            StringBuilder out = new StringBuilder();
            int shown = 0;
            int rest = 0;
            for (Map.Entry<String, Integer> e : entries) {
                if (shown < 5) {
                    out.append(shown++ == 0 ? "" : "; ").append(e.getKey()).append(": ")
                            .append(String.format(Locale.ROOT, "%,d", e.getValue()));
                } else {
                    rest += e.getValue();
                }
            }
            if (rest > 0) {
                out.append(String.format(Locale.ROOT, "; %,d more in %d other outcomes", rest, entries.size() - 5));
            }
            return out.toString().replace("|", "\\|");
        }
    }

    record ScenarioRun(Scenario scenario, Map<String, Optional<String>> used, Map<String, Map<Client, Cell>> cells,
            int trialsRun, long nanos) {}

    public static void main(String[] args) throws Exception {
        Results results = Results.open("fidelity", args);
        boolean quick = Boolean.getBoolean("misbehave.bench.quick");
        int trials = quick ? QUICK_TRIALS : FULL_TRIALS;
        long started = System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(Client.values().length, daemon("fidelity-client"));
        List<Tool> tools = List.of(new Misbehave(), new WireMock(), new MockWebServerTool());
        List<ScenarioRun> runs = new ArrayList<>();
        try {
            warmUp(tools, clients);
            for (Scenario scenario : Scenario.values()) {
                runs.add(run(scenario, tools, clients, trials));
            }
        } finally {
            for (Tool tool : tools) {
                tool.close();
            }
            clients.shutdownNow();
        }
        long nanos = System.nanoTime() - started;
        write(results, quick, trials, tools, runs, nanos);
    }

    /**
     * Each tool serves the whole answer to every client a few times, so class loading and the first
     * compilations do not land in the first trials; what the clients saw is printed, not counted.
     */
    static void warmUp(List<Tool> tools, ExecutorService clients) throws Exception {
        for (Tool tool : tools) {
            tool.prepareWholeAnswer();
            Map<Client, Map<String, Integer>> seen = new EnumMap<>(Client.class);
            long started = System.nanoTime();
            for (int i = 0; i < WARM_UP_TRIALS; i++) {
                trial(tool, clients).forEach((client, s) ->
                        seen.computeIfAbsent(client, c -> new LinkedHashMap<>()).merge(kind(s), 1, Integer::sum));
            }
            System.out.printf(Locale.ROOT, "warm-up %s (%.1f s): %s%n", tool.name(), (System.nanoTime() - started) / 1e9, seen);
        }
    }

    static ScenarioRun run(Scenario scenario, List<Tool> tools, ExecutorService clients, int trials) throws Exception {
        Map<String, Optional<String>> used = new LinkedHashMap<>();
        Map<String, Map<Client, Cell>> cells = new LinkedHashMap<>();
        List<Tool> offering = new ArrayList<>();
        for (Tool tool : tools) {
            Optional<String> feature = tool.prepare(scenario);
            used.put(tool.name(), feature);
            if (feature.isPresent()) {
                offering.add(tool);
                Map<Client, Cell> perClient = new EnumMap<>(Client.class);
                for (Client client : Client.values()) {
                    perClient.put(client, new Cell());
                }
                cells.put(tool.name(), perClient);
            }
        }
        long started = System.nanoTime();
        long deadline = started + SCENARIO_BOUND.toNanos();
        int done = 0;
        for (int i = 0; i < trials && System.nanoTime() < deadline; i++, done++) {
            for (int t = 0; t < offering.size(); t++) {
                Tool tool = offering.get((i + t) % offering.size());
                Map<Client, Cell> perClient = cells.get(tool.name());
                trial(tool, clients).forEach((client, seen) -> perClient.get(client).add(judge(scenario, seen), seen));
            }
        }
        long nanos = System.nanoTime() - started;
        System.out.printf(Locale.ROOT, "(%s) %s: %,d trials in %.1f s%n", scenario.letter, scenario.title, done, nanos / 1e9);
        for (var e : cells.entrySet()) {
            for (var c : e.getValue().entrySet()) {
                System.out.printf(Locale.ROOT, "  %-13s %-28s %4d/%d  %s%n", e.getKey(), c.getKey().title,
                        c.getValue().asked, c.getValue().trials, c.getValue().breakdown());
                c.getValue().examples.forEach((label, chain) -> System.out.printf(Locale.ROOT, "      %s = %s%n", label, chain));
            }
        }
        return new ScenarioRun(scenario, used, cells, done, nanos);
    }

    /** The four clients at once against the tool's server; each call bounded. */
    static Map<Client, Seen> trial(Tool tool, ExecutorService clients) throws InterruptedException {
        int port = tool.port();
        Map<Client, Future<Seen>> futures = new EnumMap<>(Client.class);
        for (Client client : Client.values()) {
            futures.put(client, clients.submit(() -> call(client, port)));
        }
        Map<Client, Seen> seen = new EnumMap<>(Client.class);
        for (var e : futures.entrySet()) {
            try {
                seen.put(e.getKey(), e.getValue().get(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException stillRunning) {
                e.getValue().cancel(true);
                seen.put(e.getKey(), Seen.timedOut());
            } catch (ExecutionException failed) {
                seen.put(e.getKey(), new Seen(failed.getCause(), false, null, -1, false, false));
            }
        }
        return seen;
    }

    // ---- the report ----------------------------------------------------------------------------------

    static void write(Results results, boolean quick, int trials, List<Tool> tools, List<ScenarioRun> runs, long nanos) {
        StringBuilder out = new StringBuilder();
        out.append(Samples.environment());
        out.append(String.format(Locale.ROOT, "- Trials: %,d per (scenario, tool, client)%s; the program took %.0f s%n",
                trials, quick ? " (quick mode: a smoke run, not the measurement)" : "", nanos / 1e9));
        for (ScenarioRun run : runs) {
            out.append(String.format(Locale.ROOT, "%n**(%s) %s.** Asked: %s. %,d trials in %.1f s.%n%n",
                    run.scenario().letter, capitalise(run.scenario().title), run.scenario().asked, run.trialsRun(),
                    run.nanos() / 1e9));
            if (run.trialsRun() < trials) {
                out.append(String.format(Locale.ROOT,
                        "Stopped at the scenario's time bound (%d s): %,d of %,d trials not run.%n%n",
                        SCENARIO_BOUND.toSeconds(), trials - run.trialsRun(), trials));
            }
            out.append("| tool (feature used) | client | saw what was asked | what the clients saw |\n");
            out.append("|---|---|---:|---|\n");
            for (Tool tool : tools) {
                Optional<String> used = run.used().get(tool.name());
                if (used.isEmpty()) {
                    out.append(String.format(Locale.ROOT, "| %s | all | not offered | %s |%n", tool.name(),
                            tool.notOffered(run.scenario())));
                    continue;
                }
                boolean first = true;
                for (Client client : Client.values()) {
                    Cell cell = run.cells().get(tool.name()).get(client);
                    out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n",
                            first ? "**" + tool.name() + "** " + used.get() : "", client.title,
                            share(cell.asked, cell.trials), cell.breakdown()));
                    first = false;
                }
            }
        }
        results.section(out.toString());
        System.out.print(out);

        for (ScenarioRun run : runs) {
            Map<String, String> figures = new LinkedHashMap<>();
            Map<String, Double> shares = new LinkedHashMap<>();
            for (Tool tool : tools) {
                Map<Client, Cell> perClient = run.cells().get(tool.name());
                if (perClient == null) {
                    figures.put(tool.name(), "not offered");
                    continue;
                }
                int asked = perClient.values().stream().mapToInt(c -> c.asked).sum();
                int total = perClient.values().stream().mapToInt(c -> c.trials).sum();
                String figure = share(asked, total);
                if (asked > 0 && asked < total) {
                    Map.Entry<Client, Cell> lowest = perClient.entrySet().stream()
                            .min(Comparator.comparingDouble(e -> e.getValue().asked / (double) Math.max(1, e.getValue().trials)))
                            .orElseThrow();
                    figure += "; lowest " + lowest.getKey().title + " " + share(lowest.getValue().asked, lowest.getValue().trials);
                }
                figures.put(tool.name(), figure);
                shares.put(tool.name(), total == 0 ? 0 : 100.0 * asked / total);
            }
            String panel = "fidelity (" + run.scenario().letter + ") " + run.scenario().shortTitle + ", % as asked";
            shares.forEach((tool, share) -> results.bar(panel, tool, share));
            StringBuilder others = new StringBuilder();
            figures.forEach((tool, figure) -> {
                if (!tool.equals("Misbehave")) {
                    others.append(others.length() == 0 ? "" : "; ").append(tool).append(' ').append(figure);
                }
            });
            Double misbehave = shares.get("Misbehave");
            results.summary("fidelity (" + run.scenario().letter + ") " + run.scenario().title
                            + ": trials in which the client saw it (4 clients)",
                    figures.get("Misbehave"), others.toString(), "100%",
                    misbehave != null && misbehave == 100.0);
        }
    }

    static String share(int asked, int total) {
        if (total == 0) {
            return "no trials";
        }
        double percent = 100.0 * asked / total;
        String p = asked == total || asked == 0 ? String.format(Locale.ROOT, "%.0f%%", percent)
                : String.format(Locale.ROOT, "%.1f%%", Math.min(99.9, Math.max(0.1, percent)));
        return String.format(Locale.ROOT, "%s (%,d/%,d)", p, asked, total);
    }

    static String capitalise(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
