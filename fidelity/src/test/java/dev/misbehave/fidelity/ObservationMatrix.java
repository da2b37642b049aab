package dev.misbehave.fidelity;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.HandshakeStage;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import dev.misbehave.Tls;
import dev.misbehave.TlsAlert;
import dev.misbehave.Trigger;
import dev.misbehave.assertj.ConnectionFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix for this machine, behind the fault catalogue's table: for each fault row, what a
 * raw {@link Socket}, the JDK {@link HttpClient} (HTTP/1.1 forced, and its default version),
 * {@link HttpURLConnection}, OkHttp and Apache HttpClient 5 observe on loopback (the exception and
 * its cause chain, or the bytes they got), what {@link ConnectionFailure#classify(Throwable)} makes
 * of it, and what the peer's journal shows. Only the public programmatic API is used ({@link
 * MisbehavingPeer#start(Script, Fault)}), as a downstream project would. The README's main job
 * ({@code mvn -B -Pexamples verify}) runs it in the build's last module, and it prints the matrix,
 * what each client observed and one sample journal to the console, at the end of the build's output.
 *
 * <p>Each cell (row × client) runs {@code misbehave.observations.trials} times (3 in the normal
 * build; the six clients of a row side by side, about 30 s in all on 2 CPUs), every trial against
 * a fresh peer and a fresh client. The test then requires,
 * per cell, that every trial agreed (outcome, bytes, classification and journal; a raw socket's
 * read count is reported but not compared) and that the classification is the one encoded in
 * {@link #ROWS}, so the catalogue cannot silently drift from what the clients do. A cell that
 * differs between trials by design (a reset on accept races the client's connect) is declared
 * with {@link Row#varies}: the race, and the classifications it may show; its trials need not
 * agree, but each must classify within that set. The tables go to {@code target/observations.md},
 * written even when an assertion fails; with {@code -Dmisbehave.observations.publish=true} also to
 * {@code target/generated-docs/client-observations.md}, which {@code mvn -B -pl docs test
 * -Ddocs.update=true} then publishes as {@code docs/client-observations.md}, the page the fault
 * catalogue links to.
 *
 * <p>The long run (the trials of each client in sequence, its row's other clients side by side;
 * {@code -Dmisbehave.observations.sideBySide=false} runs the clients one after another as well):
 *
 * <pre>
 * mvn -B -pl fidelity -am verify -Dtest=ObservationMatrix -Dsurefire.failIfNoSpecifiedTests=false -DskipITs -Dmisbehave.observations.trials=20
 * </pre>
 *
 * <p>The {@link #TLS_ROWS} run the same clients over TLS against a peer that terminates it, and
 * go to a table of their own, one per JDK: what the JDK's TLS does differs between versions, so
 * a run on JDK 17 and one on JDK 25 each stage their table ({@code
 * target/generated-docs/client-observations-tls-jdk17.md}, {@code ...-jdk25.md}), each a generated
 * region of docs/client-observations.md, published by the same docs step. {@code
 * -Dmisbehave.observations.rows=tls} runs only the TLS rows (and publishes only the TLS table:
 * the TCP page stays from its JDK 17 run), {@code tcp} only the others; the default runs both.
 * With a JDK 25 at {@code /usr/lib/jvm/temurin-25-jdk-amd64}:
 *
 * <pre>
 * mvn -B -pl fidelity -am verify -Dtest=ObservationMatrix -Dsurefire.failIfNoSpecifiedTests=false -DskipITs -Dmisbehave.observations.trials=20 -Dmisbehave.observations.rows=tls -Dmisbehave.observations.publish=true
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow" mvn -B -pl fidelity -am verify -Dtest=ObservationMatrix -Dsurefire.failIfNoSpecifiedTests=false -DskipITs -Dmisbehave.observations.trials=20 -Dmisbehave.observations.rows=tls -Dmisbehave.observations.publish=true
 * mvn -B -pl docs test -Ddocs.update=true
 * </pre>
 *
 * <p>How the clients are driven:
 *
 * <ul>
 *   <li>The peer's script answers every HTTP request ({@code headersThenLength("\r\n\r\n",
 *       "Content-Length")}) with {@code 200 OK} and a 100 KiB body ({@value #RESPONSE_BYTES} bytes
 *       with the head).
 *   <li>GET, or POST with a 10 KiB body (one row: 8 MiB); path {@code /observe}; connect timeout
 *       2 s (500 ms where the row says so), read/request timeout 2 s, 500 ms where the row is a
 *       stall, 300 ms for the delay row.
 *   <li>Raw socket: connect with the connect timeout, one write of the request bytes (118 B for a
 *       GET, so that "after 100 upstream B" falls inside it), then read until -1 or an exception
 *       with {@code SO_TIMEOUT} set; its bytes are everything it read. With two requests, the
 *       first response is read by its length and the second request goes on the same socket.
 *   <li>HttpClient: a new client per trial, {@code send} with {@code BodyHandlers.ofByteArray()};
 *       its bytes are the body {@code send} returned. Its default version (HTTP/2) on plain
 *       {@code http} sends an HTTP/1.1 request with an h2c upgrade, which the peer answers with
 *       HTTP/1.1.
 *   <li>HttpURLConnection: {@code getResponseCode()}, then the body read to -1 (the POST body is
 *       written first, buffered as by default); its bytes are the body bytes read. Between two
 *       requests the body stream is closed (the connection goes back to the keep-alive cache);
 *       after the last one, {@code disconnect()} with the stream still open closes it.
 *   <li>OkHttp and Apache HttpClient 5 (classic): a new client with its own pool per trial, connect
 *       timeout and read (socket) timeout as above, their defaults otherwise (both retry: OkHttp on
 *       connection failures, Apache an idempotent request once, a second later); {@code execute},
 *       then the body read to -1. After the last request OkHttp's pool is emptied and the Apache
 *       client is closed, which closes the kept-alive connection.
 *   <li>Each client call runs under a bound; a call still blocked after it is recorded as hung,
 *       then the peer is closed (which resets its connections) and what the client saw then is
 *       recorded too.
 *   <li>The journal is read after the client call, once every connection that is going to end
 *       has ended (a bounded wait): a stalled connection stays open, and so does an HttpClient
 *       connection kept alive in its pool after a complete response.
 *   <li>The slice row (about 5.5 s per call) runs all its trials concurrently, each with its own
 *       peer; every other row runs one trial at a time per client, the clients side by side.
 * </ul>
 *
 * <p>Before the rows, each client makes a GET and a POST to a peer that serves one whole response
 * per connection, so that class loading does not land in the first trial of the first row.
 */
@DisplayName("The client observation matrix behind the fault catalogue")
@Timeout(value = 10, unit = TimeUnit.MINUTES) // per row; every wait inside is bounded
class ObservationMatrix {

    static final int TRIALS = Integer.getInteger("misbehave.observations.trials", 3);
    /**
     * The clients of a row run side by side (each trial still has its own peer and its own client);
     * false runs them one after another.
     */
    static final boolean SIDE_BY_SIDE =
            Boolean.parseBoolean(System.getProperty("misbehave.observations.sideBySide", "true"));

    static final int BODY_BYTES = 100 * 1024;
    static final String HEAD = "HTTP/1.1 200 OK\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n";
    static final int RESPONSE_BYTES = 102_443;
    static final Script HTTP = Script.respond(
            RequestEnd.headersThenLength("\r\n\r\n", "Content-Length"), response());
    static final byte[] POST_BODY = letters(10 * 1024);
    static final String PATH = "/observe";
    static final MediaType OCTETS = MediaType.get("application/octet-stream");

    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final Duration STALL_TIMEOUT = Duration.ofMillis(500);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long the journal may take to settle after the client call. */
    static final Duration SETTLE = Duration.ofSeconds(2);
    /** How long a wait on the peer between two requests may take. */
    static final Duration PEER_WAIT = Duration.ofSeconds(5);

    /** What {@link ConnectionFailure#classify} returns; NONE is empty (success or a timeout). */
    enum Kind {
        RESET, CLOSED, REFUSED,
        /** An {@code SSLHandshakeException} with no reset or refusal beside it. */
        TLS_HANDSHAKE,
        NONE,
        /** The client call was still blocked when its bound ran out: no timeout of its own fired. */
        HUNG;

        static Kind of(Throwable thrown) {
            return thrown == null ? NONE
                    : ConnectionFailure.classify(thrown).map(k -> Kind.valueOf(k.name())).orElse(NONE);
        }
    }

    /** The request: a GET, or a POST of a body of {@code bodyBytes}. */
    enum Method {
        GET("GET", 0), POST("POST", 10 * 1024), POST_8_MIB("POST 8 MiB", 8 << 20);

        final String title;
        final int bodyBytes;

        Method(String title, int bodyBytes) {
            this.title = title;
            this.bodyBytes = bodyBytes;
        }

        boolean posts() {
            return bodyBytes > 0;
        }

        byte[] body() {
            return bodyBytes == POST_BODY.length ? POST_BODY : Big.BODY;
        }
    }

    /** The 8 MiB body, made on first use. */
    static final class Big {
        static final byte[] BODY = letters(8 << 20);

        private Big() {}
    }

    /**
     * A cell whose trials differ by design: why, and the classifications it shows besides the
     * expected one. Its trials are not required to agree; their classification must stay in the set,
     * and include the expected one, unless the cell is a toss-up: a race that either side wins often
     * enough that a few trials may all land on one side.
     */
    record Varies(String why, Set<Kind> alsoSeen, boolean tossUp) {
        Varies(String why, Set<Kind> alsoSeen) {
            this(why, alsoSeen, false);
        }
    }

    /** What the clients do in a row. */
    enum Procedure {
        /** One request. */
        ONE(1),
        /** Two requests on one kept-alive connection (the HTTP clients: two sequential requests). */
        TWO(2),
        /** One request, wait until the peer has ended that connection, then a second request. */
        TWO_AFTER_PEER_ENDED(2);

        final int requests;

        Procedure(int requests) {
            this.requests = requests;
        }
    }

    enum Client {
        RAW("raw `java.net.Socket`", "raw `javax.net.ssl.SSLSocket`", "Socket"),
        HTTP_CLIENT("JDK `HttpClient` (HTTP/1.1)", "JDK `HttpClient` (HTTP/1.1)", "HttpClient 1.1"),
        URL_CONNECTION("`HttpURLConnection`", "`HttpsURLConnection`", "HttpURLConn"),
        HTTP_CLIENT_DEFAULT("JDK `HttpClient` (default version: h2c upgrade)",
                "JDK `HttpClient` (default version: ALPN offers h2, the peer chooses none)", "HttpClient dflt"),
        OKHTTP("OkHttp 5", "OkHttp 5", "OkHttp"),
        APACHE("Apache HttpClient 5 (classic)", "Apache HttpClient 5 (classic)", "Apache HC5");

        final String title;
        /** The column head of the TLS table. */
        final String tlsTitle;
        /** The column head of the console table. */
        final String shortTitle;

        Client(String title, String tlsTitle, String shortTitle) {
            this.title = title;
            this.tlsTitle = tlsTitle;
            this.shortTitle = shortTitle;
        }

        /** A JDK HttpClient keeps a connection idle in its pool after a whole response; it cannot be closed on JDK 17. */
        boolean keepsIdleConnections() {
            return this == HTTP_CLIENT || this == HTTP_CLIENT_DEFAULT;
        }
    }

    /**
     * One row of the catalogue table: a fault, the request, and the classification each client's
     * outcome has (measured, then encoded here).
     */
    record Row(String name, String code, Fault fault, Method method, Procedure procedure,
            Duration timeout, Duration connectTimeout, boolean concurrent, Duration slowest, Map<Client, Kind> expected,
            Map<Client, Varies> varies, Tls tls) {

        Row with(Procedure p) {
            return new Row(name, code, fault, method, p, timeout, connectTimeout, concurrent, slowest, expected, varies, tls);
        }

        Row timeout(Duration t) {
            return new Row(name, code, fault, method, procedure, t, connectTimeout, concurrent, slowest, expected, varies, tls);
        }

        Row connectTimeout(Duration t) {
            return new Row(name, code, fault, method, procedure, timeout, t, concurrent, slowest, expected, varies, tls);
        }

        /** Runs its trials concurrently: a slow row whose outcome does not hang on timing. */
        Row concurrently() {
            return new Row(name, code, fault, method, procedure, timeout, connectTimeout, true, slowest, expected, varies, tls);
        }

        Row expect(Kind raw, Kind httpClient, Kind urlConnection) {
            Map<Client, Kind> map = new EnumMap<>(Client.class);
            map.putAll(expected);
            map.put(Client.RAW, raw);
            map.put(Client.HTTP_CLIENT, httpClient);
            map.put(Client.URL_CONNECTION, urlConnection);
            return new Row(name, code, fault, method, procedure, timeout, connectTimeout, concurrent, slowest, map, varies, tls);
        }

        /**
         * A reset on accept races the client's connect and first write: every client may see it at
         * either step, and the clients that write after the RST may read end-of-stream instead.
         */
        Row racingTheConnect() {
            return varies(Client.RAW, ON_ACCEPT)
                    .varies(Client.HTTP_CLIENT, ON_ACCEPT + "; a write after the RST turns the read into EOF", CLOSED)
                    .varies(Client.URL_CONNECTION, ON_ACCEPT
                            + "; its silent retry can meet end-of-stream (\"Unexpected end of file from server\")", CLOSED)
                    .varies(Client.HTTP_CLIENT_DEFAULT, ON_ACCEPT + "; a write after the RST turns the read into EOF", CLOSED)
                    .varies(Client.OKHTTP, ON_ACCEPT)
                    .varies(Client.APACHE, ON_ACCEPT);
        }

        /**
         * The classification of one client on JDKs newer than 17, where it differs from JDK 17's.
         *
         * @param client the client
         * @param kind what the client shows there
         * @param why what changed in the JDK, for the reader of the row
         */
        Row afterJdk17(Client client, Kind kind, String why) {
            if (Runtime.version().feature() <= 17) {
                return this;
            }
            Map<Client, Kind> map = new EnumMap<>(Client.class);
            map.putAll(expected);
            map.put(client, kind);
            return new Row(name, code, fault, method, procedure, timeout, connectTimeout, concurrent, slowest, map, varies, tls);
        }

        /** The classification of the three clients added later: {@code also(HttpClient default version, OkHttp, Apache)}. */
        Row also(Kind httpClientDefault, Kind okHttp, Kind apache) {
            Map<Client, Kind> map = new EnumMap<>(Client.class);
            map.putAll(expected);
            map.put(Client.HTTP_CLIENT_DEFAULT, httpClientDefault);
            map.put(Client.OKHTTP, okHttp);
            map.put(Client.APACHE, apache);
            return new Row(name, code, fault, method, procedure, timeout, connectTimeout, concurrent, slowest, map, varies, tls);
        }

        /**
         * Marks a cell whose outcome differs between trials by design.
         *
         * @param client the client
         * @param why the race, for the report
         * @param alsoSeen classifications seen besides the expected one
         */
        Row varies(Client client, String why, Kind... alsoSeen) {
            Map<Client, Varies> map = new EnumMap<>(Client.class);
            map.putAll(varies);
            map.put(client, new Varies(why, Set.of(alsoSeen)));
            return new Row(name, code, fault, method, procedure, timeout, connectTimeout, concurrent, slowest, expected,
                    map, tls);
        }

        /**
         * Marks a cell whose classification is a toss-up between the expected one and {@code
         * alsoSeen}: its trials may all show any of them.
         */
        Row tossUp(Client client, String why, Kind... alsoSeen) {
            Map<Client, Varies> map = new EnumMap<>(Client.class);
            map.putAll(varies);
            map.put(client, new Varies(why, Set.of(alsoSeen), true));
            return new Row(name, code, fault, method, procedure, timeout, connectTimeout, concurrent, slowest, expected,
                    map, tls);
        }

        /** Marks every client's cell as varying by design, in the same way: see {@link #varies}. */
        Row variesForAll(String why, Kind... alsoSeen) {
            Row row = this;
            for (Client client : Client.values()) {
                row = row.varies(client, why, alsoSeen);
            }
            return row;
        }

        String title() {
            return (tls == null ? "" : "TLS: ") + name + " — " + method.title + (procedure == Procedure.ONE ? "" : " ×2");
        }

        /** The title in a table of TLS rows, which need no prefix. */
        String tableTitle() {
            return tls == null ? title() : title().substring("TLS: ".length());
        }

        /** Whether the peer terminates TLS, and the clients speak it. */
        boolean overTls() {
            return tls != null;
        }

        /** What the peer serves: {@link #HTTP}, over TLS for a TLS row. */
        Script script() {
            return tls == null ? HTTP : HTTP.withTls(tls);
        }

        /** Over TLS, the peer presenting {@code certificate}; the clients trust {@link Tls#generated()}'s authority. */
        Row presenting(Tls.Certificate certificate) {
            return new Row(name, code, fault, method, procedure, timeout, connectTimeout, concurrent, slowest, expected,
                    varies, Tls.generated(certificate));
        }

        /** A row whose peer takes this long to send a whole response, however well the client does. */
        Row takes(Duration d) {
            return new Row(name, code, fault, method, procedure, timeout, connectTimeout, concurrent, d, expected, varies, tls);
        }

        /**
         * A client call may take this long before it counts as hung: two attempts per request (a
         * silent retry), each as long as its timeouts allow (a loopback connect is immediate unless
         * the row sets a connect timeout), plus the time the peer takes, plus a second.
         */
        Duration bound() {
            long connecting = connectTimeout.equals(CONNECT_TIMEOUT) ? 0 : connectTimeout.toMillis(); // loopback
            return Duration.ofMillis(2L * procedure.requests * (timeout.toMillis() + connecting)
                    + slowest.toMillis() + 1_000);
        }

        @Override
        public String toString() {
            return title();
        }
    }

    static Row row(String name, String code, Fault fault, Method method) {
        return new Row(name, code, fault, method, Procedure.ONE, TIMEOUT, CONNECT_TIMEOUT, false, Duration.ZERO,
                Map.of(), Map.of(), null);
    }

    /** A row over TLS: the peer terminates it with {@link Tls#generated()}, the clients trust its authority. */
    static Row tlsRow(String name, String code, Fault fault, Method method) {
        return row(name, code, fault, method).presenting(Tls.Certificate.VALID);
    }

    static final Direction UP = Direction.UPSTREAM;
    static final Direction DOWN = Direction.DOWNSTREAM;
    static final Kind RESET = Kind.RESET;
    static final Kind CLOSED = Kind.CLOSED;
    static final Kind REFUSED = Kind.REFUSED;
    static final Kind NONE = Kind.NONE;
    static final Kind HUNG = Kind.HUNG;
    static final Kind TLS_HANDSHAKE = Kind.TLS_HANDSHAKE;

    /** Measured on JDK 25 (the JDKs between 17 and 25 were not run). */
    static final String SHORT_GET = "the JDK's HttpClient no longer sends `Content-Length: 0` with a GET, so its"
            + " HTTP/1.1 request ends before byte 100 and the fault never fires";
    /** Measured on JDK 25 (the JDKs between 17 and 25 were not run). */
    static final String PREMATURE_EOF = "HttpURLConnection reports a body cut short: IOException \"Premature EOF\"";
    static final String ON_ACCEPT = "the RST races the client's connect, write and read";
    static final String OKHTTP_TIMEOUT = "OkHttp's own timeout watchdog (which closes the socket: \"Socket closed\") "
            + "races the socket's read timeout (\"Read timed out\"); either is a SocketTimeoutException \"timeout\"";

    /**
     * The rows, in catalogue order, each with the classification measured per client: {@code
     * expect(raw socket, HttpClient, HttpURLConnection).also(HttpClient default version, OkHttp,
     * Apache HttpClient 5)}. A change here is a change of the catalogue's table.
     */
    static final List<Row> TCP_ROWS = List.of(
            row("reset after 100 upstream B", "Fault.resetAfter(UPSTREAM, 100)",
                    Fault.resetAfter(UP, 100), Method.GET)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET)
                    .afterJdk17(Client.HTTP_CLIENT, NONE, SHORT_GET),
            row("reset after 100 upstream B", "Fault.resetAfter(UPSTREAM, 100)",
                    Fault.resetAfter(UP, 100), Method.POST)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET),
            row("reset after 100 upstream B", "Fault.resetAfter(UPSTREAM, 100)",
                    Fault.resetAfter(UP, 100), Method.POST_8_MIB)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET) // the upload is still being written when the RST comes
                    .varies(Client.HTTP_CLIENT, "HttpClient's writer and its reader both meet the RST; either reports first")
                    .varies(Client.HTTP_CLIENT_DEFAULT, "HttpClient's writer and its reader both meet the RST; either reports first"),
            row("reset after 1 upstream B", "Fault.resetAfter(UPSTREAM, 1)",
                    Fault.resetAfter(UP, 1), Method.GET)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET), // the deterministic "reset before any response"
            row("reset after 1 upstream B", "Fault.resetAfter(UPSTREAM, 1)",
                    Fault.resetAfter(UP, 1), Method.POST)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET),
            row("reset on accept", "Fault.resetAfter(UPSTREAM, 0)",
                    Fault.resetAfter(UP, 0), Method.GET)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET)
                    .racingTheConnect(),
            row("reset on accept", "Fault.resetAfter(UPSTREAM, 0)",
                    Fault.resetAfter(UP, 0), Method.POST)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET)
                    .racingTheConnect(),
            row("reset after 1000 downstream B", "Fault.resetAfter(DOWNSTREAM, 1000)",
                    Fault.resetAfter(DOWN, 1000), Method.GET)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET),
            row("reset after 65536 downstream B", "Fault.resetAfter(DOWNSTREAM, 65536)",
                    Fault.resetAfter(DOWN, 65536), Method.GET)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET),
            row("reset on the upstream pattern `\\r\\n\\r\\n`",
                    "new Fault(new Effect.Reset(), Trigger.OnPattern.of(UPSTREAM, \"\\r\\n\\r\\n\"))",
                    new Fault(new Effect.Reset(), Trigger.OnPattern.of(UP, "\r\n\r\n")), Method.GET)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET),
            row("reset on the upstream pattern `\\r\\n\\r\\n`",
                    "new Fault(new Effect.Reset(), Trigger.OnPattern.of(UPSTREAM, \"\\r\\n\\r\\n\"))",
                    new Fault(new Effect.Reset(), Trigger.OnPattern.of(UP, "\r\n\r\n")), Method.POST)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET),
            row("reset after 1 exchange", "new Fault(new Effect.Reset(), new Trigger.AfterExchanges(1))",
                    new Fault(new Effect.Reset(), new Trigger.AfterExchanges(1)), Method.GET)
                    .with(Procedure.TWO)
                    .expect(RESET, NONE, NONE).also(NONE, NONE, NONE), // both HTTP clients retry the 2nd GET on a new connection
            row("reset after 200 ms", "new Fault(new Effect.Reset(), new Trigger.AfterDuration(200 ms))",
                    new Fault(new Effect.Reset(), new Trigger.AfterDuration(Duration.ofMillis(200))), Method.GET)
                    .expect(RESET, NONE, NONE).also(NONE, NONE, NONE), // the HTTP clients are done before 200 ms
            row("close after 100 upstream B", "Fault.closeAfter(UPSTREAM, 100)",
                    Fault.closeAfter(UP, 100), Method.GET)
                    // raw: read() returns -1; Apache: NoHttpResponseException "failed to respond"
                    .expect(NONE, CLOSED, CLOSED).also(CLOSED, CLOSED, CLOSED)
                    .afterJdk17(Client.HTTP_CLIENT, NONE, SHORT_GET),
            row("close after 100 upstream B", "Fault.closeAfter(UPSTREAM, 100)",
                    Fault.closeAfter(UP, 100), Method.POST)
                    .expect(NONE, CLOSED, CLOSED).also(CLOSED, CLOSED, CLOSED),
            row("close after 1000 downstream B", "Fault.closeAfter(DOWNSTREAM, 1000)",
                    Fault.closeAfter(DOWN, 1000), Method.GET)
                    // JDK 17 HttpURLConnection: a short body, no exception; Apache: ConnectionClosedException
                    // "Premature end of Content-Length delimited message body"
                    .expect(NONE, CLOSED, NONE).also(CLOSED, CLOSED, CLOSED)
                    .afterJdk17(Client.URL_CONNECTION, CLOSED, PREMATURE_EOF),
            row("close after 200 ms idle, then a second request",
                    "new Fault(new Effect.Close(), new Trigger.AfterIdle(200 ms))",
                    new Fault(new Effect.Close(), new Trigger.AfterIdle(Duration.ofMillis(200))), Method.GET)
                    .with(Procedure.TWO_AFTER_PEER_ENDED)
                    .expect(NONE, NONE, NONE).also(NONE, NONE, NONE),
            row("half-close after 1000 downstream B", "Fault.halfCloseAfter(DOWNSTREAM, 1000)",
                    Fault.halfCloseAfter(DOWN, 1000), Method.GET)
                    .expect(NONE, CLOSED, NONE).also(CLOSED, CLOSED, CLOSED)
                    .afterJdk17(Client.URL_CONNECTION, CLOSED, PREMATURE_EOF),
            row("stall after 16 upstream B", "Fault.stallAfter(UPSTREAM, 16)",
                    Fault.stallAfter(UP, 16), Method.GET).timeout(STALL_TIMEOUT)
                    .expect(NONE, NONE, NONE).also(NONE, NONE, NONE) // timeouts
                    .varies(Client.OKHTTP, OKHTTP_TIMEOUT),
            row("stall after 16 upstream B", "Fault.stallAfter(UPSTREAM, 16)",
                    Fault.stallAfter(UP, 16), Method.POST).timeout(STALL_TIMEOUT)
                    .expect(NONE, NONE, NONE).also(NONE, NONE, NONE)
                    .varies(Client.OKHTTP, OKHTTP_TIMEOUT),
            row("stall after 1000 downstream B", "Fault.stallAfter(DOWNSTREAM, 1000)",
                    Fault.stallAfter(DOWN, 1000), Method.GET).timeout(STALL_TIMEOUT)
                    .expect(NONE, HUNG, NONE).also(HUNG, NONE, NONE) // HttpClient's request timeout ends with the response head
                    .varies(Client.OKHTTP, OKHTTP_TIMEOUT),
            row("delay the response 1000 ms, client timeout 300 ms",
                    "new Fault(new Effect.Delay(DOWNSTREAM, 1000 ms, 0), new Trigger.OnAccept())",
                    new Fault(new Effect.Delay(DOWN, Duration.ofMillis(1000), Duration.ZERO), new Trigger.OnAccept()),
                    Method.GET).timeout(Duration.ofMillis(300))
                    .expect(NONE, NONE, NONE).also(NONE, NONE, NONE)
                    .varies(Client.OKHTTP, OKHTTP_TIMEOUT),
            row("slice the response into 100 B pieces 5 ms apart",
                    "new Fault(new Effect.Slice(DOWNSTREAM, 100, 5 ms), new Trigger.OnAccept())",
                    new Fault(new Effect.Slice(DOWN, 100, Duration.ofMillis(5)), new Trigger.OnAccept()),
                    Method.GET).concurrently().takes(Duration.ofSeconds(7)) // 1,025 pieces: about 5.5 s
                    .expect(NONE, NONE, NONE).also(NONE, NONE, NONE), // raw: the whole response, then its read timeout
            row("garbage `NOT HTTP\\r\\n\\r\\n` instead of the response, then close",
                    "new Fault(new Effect.Garbage(\"NOT HTTP\\r\\n\\r\\n\", new Effect.Close()), Trigger.OnPattern.of(UPSTREAM, \"\\r\\n\\r\\n\"))",
                    new Fault(new Effect.Garbage("NOT HTTP\r\n\r\n".getBytes(US_ASCII), new Effect.Close()),
                            Trigger.OnPattern.of(UP, "\r\n\r\n")), Method.GET)
                    // protocol errors, not connection failures; Apache skips the garbage line, meets the end of
                    // the stream (NoHttpResponseException: CLOSED) and retries the GET once
                    .expect(NONE, NONE, NONE).also(NONE, NONE, CLOSED),
            row("refuse", "Fault.refuse()", Fault.refuse(), Method.GET)
                    .expect(REFUSED, REFUSED, REFUSED).also(REFUSED, REFUSED, REFUSED),
            row("never accept, connect timeout 500 ms", "Fault.neverAccept()", Fault.neverAccept(), Method.GET)
                    .connectTimeout(Duration.ofMillis(500))
                    .expect(NONE, NONE, NONE).also(NONE, NONE, NONE)); // connect timeouts

    static final String FLIGHT_RACE = "the RST races the client's Finished and its request: the client meets it"
            + " in its handshake or after it, writing or reading, and may retry";
    static final String FIN_THEN_RST = "the client's Finished reaches a socket the peer has closed, whose kernel"
            + " answers with an RST: the client reads the FIN first, or meets the RST first (\"Broken pipe\")";
    static final String HTTP_CLIENT_DROPS = "HttpClient's TLS layer drops the records it has read but not yet"
            + " decrypted when the RST comes, so the count in its message varies";

    static final HandshakeStage HELLO = HandshakeStage.CLIENT_HELLO;
    static final HandshakeStage FLIGHT = HandshakeStage.SERVER_FLIGHT;
    static final HandshakeStage COMPLETED = HandshakeStage.COMPLETED;

    /**
     * The TLS rows: the peer terminates TLS ({@link Script#withTls(Tls)}) and every client trusts
     * {@link Tls#generated()}'s authority, host name checked; faults at a stage of the handshake
     * act on the TLS bytes, the others count plaintext. Measured per JDK: {@link Row#afterJdk17}
     * encodes what JDK 25 shows where it differs. Stalls are left to the TCP rows (a stall is the
     * same timeout over TLS).
     */
    static final List<Row> TLS_ROWS = List.of(
            tlsRow("reset on the ClientHello", "new Fault(Effect.reset(), Trigger.onHandshake(CLIENT_HELLO))",
                    new Fault(Effect.reset(), Trigger.onHandshake(HELLO)), Method.GET)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET), // Apache retries: a 2nd connection
            tlsRow("close (FIN) on the ClientHello", "new Fault(Effect.close(), Trigger.onHandshake(CLIENT_HELLO))",
                    new Fault(Effect.close(), Trigger.onHandshake(HELLO)), Method.GET)
                    // SSLHandshakeException: Remote host terminated the handshake
                    .expect(TLS_HANDSHAKE, TLS_HANDSHAKE, TLS_HANDSHAKE).also(TLS_HANDSHAKE, TLS_HANDSHAKE, TLS_HANDSHAKE),
            tlsRow("alert `handshake_failure` on the ClientHello",
                    "new Fault(Effect.alert(TlsAlert.HANDSHAKE_FAILURE), Trigger.onHandshake(CLIENT_HELLO))",
                    new Fault(Effect.alert(TlsAlert.HANDSHAKE_FAILURE), Trigger.onHandshake(HELLO)), Method.GET)
                    .expect(TLS_HANDSHAKE, TLS_HANDSHAKE, TLS_HANDSHAKE).also(TLS_HANDSHAKE, TLS_HANDSHAKE, TLS_HANDSHAKE),
            tlsRow("reset after the server's flight", "new Fault(Effect.reset(), Trigger.onHandshake(SERVER_FLIGHT))",
                    new Fault(Effect.reset(), Trigger.onHandshake(FLIGHT)), Method.GET)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET)
                    .variesForAll(FLIGHT_RACE)
                    .varies(Client.URL_CONNECTION, FLIGHT_RACE + "; its silent retry can meet end-of-stream"
                            + " (\"Unexpected end of file from server\")", CLOSED),
            tlsRow("close (FIN) after the server's flight", "new Fault(Effect.close(), Trigger.onHandshake(SERVER_FLIGHT))",
                    new Fault(Effect.close(), Trigger.onHandshake(FLIGHT)), Method.GET)
                    .expect(RESET, RESET, RESET).also(RESET, CLOSED, RESET)
                    .tossUp(Client.RAW, FIN_THEN_RST, NONE) // NONE: the handshake ends, then its read meets the FIN
                    .tossUp(Client.HTTP_CLIENT, FIN_THEN_RST, CLOSED)
                    .tossUp(Client.URL_CONNECTION, FIN_THEN_RST, CLOSED)
                    .tossUp(Client.HTTP_CLIENT_DEFAULT, FIN_THEN_RST, CLOSED)
                    .tossUp(Client.OKHTTP, FIN_THEN_RST, RESET)
                    .tossUp(Client.APACHE, FIN_THEN_RST, CLOSED),
            tlsRow("reset after the handshake", "new Fault(Effect.reset(), Trigger.onHandshake(COMPLETED))",
                    new Fault(Effect.reset(), Trigger.onHandshake(COMPLETED)), Method.GET)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET)
                    .variesForAll("the client meets the RST writing its request or reading the answer")
                    .tossUp(Client.URL_CONNECTION, "the RST races its write and read; its silent retry can meet"
                            + " end-of-stream (\"Unexpected end of file from server\")", CLOSED),
            tlsRow("close (FIN) after the handshake", "new Fault(Effect.close(), Trigger.onHandshake(COMPLETED))",
                    new Fault(Effect.close(), Trigger.onHandshake(COMPLETED)), Method.GET)
                    .expect(NONE, CLOSED, CLOSED).also(CLOSED, CLOSED, CLOSED), // raw: read() returns -1
            tlsRow("reset after 100 upstream plaintext B", "Fault.resetAfter(UPSTREAM, 100)",
                    Fault.resetAfter(UP, 100), Method.POST)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET),
            tlsRow("reset after 65536 downstream plaintext B", "Fault.resetAfter(DOWNSTREAM, 65536)",
                    Fault.resetAfter(DOWN, 65536), Method.GET)
                    .expect(RESET, RESET, RESET).also(RESET, RESET, RESET)
                    .varies(Client.HTTP_CLIENT, HTTP_CLIENT_DROPS)
                    .varies(Client.HTTP_CLIENT_DEFAULT, HTTP_CLIENT_DROPS),
            tlsRow("close (`close_notify`, FIN) after 65536 downstream plaintext B", "Fault.closeAfter(DOWNSTREAM, 65536)",
                    Fault.closeAfter(DOWN, 65536), Method.GET)
                    .expect(NONE, CLOSED, NONE).also(CLOSED, CLOSED, CLOSED) // as over TCP
                    .afterJdk17(Client.URL_CONNECTION, CLOSED, PREMATURE_EOF),
            tlsRow("truncate (FIN, no `close_notify`) after 65536 downstream plaintext B",
                    "new Fault(Effect.truncate(), Trigger.afterBytes(DOWNSTREAM, 65536))",
                    new Fault(Effect.truncate(), Trigger.afterBytes(DOWN, 65536)), Method.GET)
                    // every client reads it as it reads a close_notify: nothing tells a truncation apart
                    .expect(NONE, CLOSED, NONE).also(CLOSED, CLOSED, CLOSED)
                    .afterJdk17(Client.URL_CONNECTION, CLOSED, PREMATURE_EOF),
            tlsRow("corrupted record after 65536 downstream plaintext B",
                    "new Fault(Effect.corruptRecord(), Trigger.afterBytes(DOWNSTREAM, 65536))",
                    new Fault(Effect.corruptRecord(), Trigger.afterBytes(DOWN, 65536)), Method.GET)
                    // the client's TLS layer rejects the record (bad_record_mac): no reset; the JDK
                    // HttpClient reports the short body ("fixed content-length"), with the tag's failure as its cause
                    .expect(NONE, CLOSED, NONE).also(CLOSED, NONE, NONE),
            row("certificate expired", "Tls.generated(Certificate.EXPIRED), no fault", null, Method.GET)
                    .presenting(Tls.Certificate.EXPIRED)
                    .expect(TLS_HANDSHAKE, TLS_HANDSHAKE, TLS_HANDSHAKE).also(TLS_HANDSHAKE, TLS_HANDSHAKE, TLS_HANDSHAKE),
            row("certificate for another host", "Tls.generated(Certificate.WRONG_HOST), no fault", null, Method.GET)
                    .presenting(Tls.Certificate.WRONG_HOST)
                    // OkHttp checks the host name after the handshake: SSLPeerUnverifiedException
                    .expect(TLS_HANDSHAKE, TLS_HANDSHAKE, TLS_HANDSHAKE).also(TLS_HANDSHAKE, TLS_HANDSHAKE, TLS_HANDSHAKE),
            row("certificate from an untrusted issuer", "Tls.generated(Certificate.UNTRUSTED_ISSUER), no fault", null,
                    Method.GET)
                    .presenting(Tls.Certificate.UNTRUSTED_ISSUER)
                    .expect(TLS_HANDSHAKE, TLS_HANDSHAKE, TLS_HANDSHAKE).also(TLS_HANDSHAKE, TLS_HANDSHAKE, TLS_HANDSHAKE));

    /**
     * Which rows run: {@code -Dmisbehave.observations.rows=tcp} or {@code tls} for one table,
     * anything else (the default, {@code all}) for both.
     */
    static final String SELECTED = System.getProperty("misbehave.observations.rows", "all");

    static final List<Row> ROWS = SELECTED.equals("tcp") ? TCP_ROWS
            : SELECTED.equals("tls") ? TLS_ROWS
            : Stream.concat(TCP_ROWS.stream(), TLS_ROWS.stream()).collect(Collectors.toUnmodifiableList());

    // ---- one trial -------------------------------------------------------------------------------

    /** What a client call saw. */
    record Seen(String outcome, Throwable thrown, long bytes, int reads) {}

    /**
     * One trial of a cell. The key is what must agree across trials: the journal without the TLS
     * stage, which the report shows but which may be missing (see {@link Report#journal}).
     */
    record Trial(String outcome, Kind kind, long bytes, int reads, int connections, String journal,
            List<String> records) {
        String key() {
            return outcome + "\u0000" + kind + "\u0000" + bytes + "\u0000" + TLS_STAGE.matcher(journal).replaceAll("");
        }
    }

    /** The TLS part of a journal line, as {@link Report#journal} writes it. */
    static final Pattern TLS_STAGE = Pattern.compile(" / (TLS [A-Z_]+|no TLS record)");

    /** All trials of a cell; {@code pending} is set when the engine does not run the fault yet. */
    record Cell(List<Trial> trials, String pending) {
        Map<String, List<Trial>> distinct() {
            return trials.stream().collect(Collectors.groupingBy(Trial::key, LinkedHashMap::new, Collectors.toList()));
        }

        boolean agreed() {
            return distinct().size() == 1;
        }
    }

    static final Map<Row, Map<Client, Cell>> RESULTS = new ConcurrentHashMap<>();
    static ExecutorService calls;
    static ExecutorService httpClientThreads;
    static Instant started;

    @BeforeAll
    static void startAndWarmUp() throws Exception {
        calls = Executors.newCachedThreadPool(daemons("observation-call"));
        httpClientThreads = Executors.newCachedThreadPool(daemons("observation-httpclient"));
        started = Instant.now();
        // the peer closes after one whole response, so the raw socket reads it and then -1
        // (over TLS: close_notify, then the FIN)
        for (boolean tls : new boolean[] {false, true}) {
            if (ROWS.stream().noneMatch(r -> r.overTls() == tls)) {
                continue;
            }
            Row warmUp = tls ? tlsRow("warm-up", "", null, Method.GET) : row("warm-up", "", null, Method.GET);
            try (MisbehavingPeer peer = MisbehavingPeer.start(warmUp.script(), Fault.closeAfter(DOWN, RESPONSE_BYTES))) {
                for (Client client : Client.values()) {
                    for (Method method : tls ? EnumSet.of(Method.GET, Method.POST) : EnumSet.allOf(Method.class)) {
                        Row row = tls ? tlsRow("warm-up", "", null, method) : row("warm-up", "", null, method);
                        Seen seen = call(client, row, peer);
                        assertThat(seen.thrown()).as("warm-up %s %s%s", client, method, tls ? " over TLS" : "").isNull();
                    }
                }
            }
        }
    }

    @AfterAll
    static void writeReport() throws IOException {
        calls.shutdownNow();
        httpClientThreads.shutdownNow();
        Path target = Path.of("target");
        Files.createDirectories(target);
        List<Row> tcp = ROWS.stream().filter(r -> !r.overTls()).collect(Collectors.toList());
        List<Row> tls = ROWS.stream().filter(Row::overTls).collect(Collectors.toList());
        String report = tcp.isEmpty() ? "" : Report.markdown(tcp, RESULTS, TRIALS, started);
        String tlsReport = tls.isEmpty() ? "" : Report.tlsMarkdown(tls, RESULTS, TRIALS, started);
        Files.writeString(target.resolve("observations.md"),
                report + (report.isEmpty() || tlsReport.isEmpty() ? "" : "\n") + tlsReport);
        System.out.println(Report.console(ROWS, RESULTS, TRIALS));
        if (Boolean.getBoolean("misbehave.observations.publish")) {
            // the docs page, from a long run, on request: staged for the docs module, whose
            // -Ddocs.update=true publishes it into docs/client-observations.md (generated regions:
            // the TCP page, and the TLS table of each JDK, from a run on that JDK)
            Path staged = target.resolve("generated-docs");
            Files.createDirectories(staged);
            if (tcp.size() == TCP_ROWS.size()) {
                Files.writeString(staged.resolve("client-observations.md"), report);
            }
            String region = TLS_REGIONS.get(Runtime.version().feature());
            if (tls.size() == TLS_ROWS.size() && RESULTS.keySet().containsAll(tls) && region != null) {
                Files.writeString(staged.resolve(region + ".md"), tlsReport);
            } else if (!tls.isEmpty()) {
                System.out.println("No TLS region of docs/client-observations.md for JDK " + Runtime.version().feature()
                        + " (there is one for JDK " + TLS_REGIONS.keySet() + "): its TLS table is not staged.");
            }
        }
    }

    /**
     * The generated regions of docs/client-observations.md that hold the TLS table, by the JDK
     * (feature version) whose run they show; a run publishes only its own JDK's.
     */
    static final Map<Integer, String> TLS_REGIONS = Map.of(
            17, "client-observations-tls-jdk17",
            25, "client-observations-tls-jdk25");

    static Stream<Row> rows() {
        return ROWS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void row(Row row) throws Exception {
        Map<Client, Cell> cells = new EnumMap<>(Client.class);
        String pending = pending(row);
        if (pending != null) {
            for (Client client : Client.values()) {
                cells.put(client, new Cell(List.of(), pending));
            }
            RESULTS.put(row, cells);
            Assumptions.abort("pending engine work: " + pending);
        }
        Map<Client, List<Trial>> trials = row.concurrent() ? concurrentTrials(row)
                : SIDE_BY_SIDE ? sideBySideTrials(row) : sequentialTrials(row);
        trials.forEach((client, list) -> cells.put(client, new Cell(list, null)));
        RESULTS.put(row, cells);

        SoftAssertions softly = new SoftAssertions();
        for (Client client : Client.values()) {
            Cell cell = cells.get(client);
            String described = row.title() + " / " + client;
            Kind expected = row.expected().get(client);
            Varies varies = row.varies().get(client);
            List<String> outcomes = cell.trials().stream().map(Trial::outcome).distinct().collect(Collectors.toList());
            if (varies == null) {
                softly.assertThat(cell.distinct().keySet().stream().map(k -> k.replace('\u0000', '|')))
                        .as("%s: every trial agrees", described)
                        .hasSize(1);
                softly.assertThat(cell.trials()).extracting(Trial::kind)
                        .as("%s: classification of every trial (outcomes: %s)", described, outcomes)
                        .containsOnly(expected);
            } else {
                Set<Kind> allowed = new HashSet<>(varies.alsoSeen());
                allowed.add(expected);
                softly.assertThat(cell.trials()).extracting(Trial::kind)
                        .as("%s: classification of every trial, which varies by design (outcomes: %s)", described,
                                outcomes)
                        .isSubsetOf(allowed)
                        .contains(varies.tossUp() ? cell.trials().get(0).kind() : expected);
            }
        }
        softly.assertAll();
    }

    /** The reason the engine cannot run the row's fault yet, or null if it runs it. */
    static String pending(Row row) {
        try (MisbehavingPeer peer = MisbehavingPeer.start(row.script(), row.fault())) {
            return peer == null ? "no peer" : null;
        } catch (IllegalArgumentException e) {
            if (String.valueOf(e.getMessage()).contains("Unsupported")) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            throw e;
        }
    }

    static Map<Client, List<Trial>> sequentialTrials(Row row) throws Exception {
        Map<Client, List<Trial>> trials = new EnumMap<>(Client.class);
        for (Client client : Client.values()) {
            List<Trial> list = new ArrayList<>();
            for (int i = 0; i < TRIALS; i++) {
                list.add(trial(row, client));
            }
            trials.put(client, list);
        }
        return trials;
    }

    /** Each client's trials one after another, the clients side by side; every trial has its own peer. */
    static Map<Client, List<Trial>> sideBySideTrials(Row row) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Client.values().length, daemons("observation-client"));
        try {
            Map<Client, Future<List<Trial>>> futures = new EnumMap<>(Client.class);
            for (Client client : Client.values()) {
                futures.put(client, pool.submit(() -> {
                    List<Trial> list = new ArrayList<>();
                    for (int i = 0; i < TRIALS; i++) {
                        list.add(trial(row, client));
                    }
                    return list;
                }));
            }
            long perTrial = 2 * row.bound().plus(SETTLE).plusSeconds(1).toMillis(); // a hung call waits twice
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(perTrial * TRIALS);
            Map<Client, List<Trial>> trials = new EnumMap<>(Client.class);
            for (Map.Entry<Client, Future<List<Trial>>> e : futures.entrySet()) {
                trials.put(e.getKey(), e.getValue().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return trials;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every trial of every client at once (at most 24 at a time), each with its own peer. */
    static Map<Client, List<Trial>> concurrentTrials(Row row) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(24, Client.values().length * TRIALS),
                daemons("observation-trial"));
        try {
            Map<Client, List<Future<Trial>>> futures = new EnumMap<>(Client.class);
            for (Client client : Client.values()) {
                List<Future<Trial>> list = new ArrayList<>();
                for (int i = 0; i < TRIALS; i++) {
                    list.add(pool.submit(() -> trial(row, client)));
                }
                futures.put(client, list);
            }
            Map<Client, List<Trial>> trials = new EnumMap<>(Client.class);
            long perTrial = row.bound().plus(SETTLE).plusSeconds(10).toMillis();
            long waves = ((long) Client.values().length * TRIALS + 23) / 24;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(perTrial * (waves + 1));
            for (Map.Entry<Client, List<Future<Trial>>> e : futures.entrySet()) {
                List<Trial> list = new ArrayList<>();
                for (Future<Trial> f : e.getValue()) {
                    list.add(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                }
                trials.put(e.getKey(), list);
            }
            return trials;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One trial: a fresh peer, one client call under a bound, then the settled journal. */
    @SuppressWarnings("try") // the peer is closed early, on purpose, when the client hangs
    static Trial trial(Row row, Client client) throws Exception {
        try (MisbehavingPeer peer = MisbehavingPeer.start(row.script(), row.fault())) {
            Future<Seen> call = calls.submit(() -> call(client, row, peer));
            Seen seen;
            List<ConnectionRecord> journal;
            boolean hung = false;
            try {
                seen = call.get(row.bound().toMillis(), TimeUnit.MILLISECONDS);
                journal = settle(peer, client);
            } catch (TimeoutException stillWaiting) {
                hung = true;
                journal = peer.connections();
                peer.close(); // resets every open connection: the client is released
                Seen after = call.get(row.bound().toMillis(), TimeUnit.MILLISECONDS);
                seen = new Seen("still waiting after " + row.bound().toMillis() + " ms (hung); when the peer closed: "
                        + after.outcome(), after.thrown(), after.bytes(), after.reads());
            }
            return new Trial(normalize(seen.outcome()), hung ? Kind.HUNG : Kind.of(seen.thrown()), seen.bytes(),
                    seen.reads(), journal.size(), Report.journal(journal, row.overTls()),
                    journal.stream().map(c -> normalize(c.toString())).collect(Collectors.toList()));
        }
    }

    /**
     * The journal once every connection that will end has ended: a stalled connection stays open
     * while the peer runs, and so does an HttpClient connection idle in its pool after complete
     * responses (JDK 17's HttpClient cannot be closed).
     */
    static List<ConnectionRecord> settle(MisbehavingPeer peer, Client client) {
        List<ConnectionRecord> now = peer.connections();
        int willEnd = 0;
        int ended = 0;
        for (ConnectionRecord c : now) {
            if (c.ending().ended()) {
                ended++;
                willEnd++;
            } else if (!stalled(c) && !(client.keepsIdleConnections() && idleAfterResponses(c))) {
                willEnd++;
            }
        }
        if (willEnd == ended || willEnd == 0) {
            return now;
        }
        try {
            return peer.awaitConnections(willEnd, SETTLE);
        } catch (AssertionError notSettled) {
            return peer.connections(); // reported as it stands: OPEN where it did not end
        }
    }

    static boolean stalled(ConnectionRecord c) {
        return c.firedTrigger().isPresent()
                && c.fault().map(f -> f.effect() instanceof Effect.Stall).orElse(false);
    }

    static boolean idleAfterResponses(ConnectionRecord c) {
        return c.sentCount() > 0 && c.sentCount() % RESPONSE_BYTES == 0;
    }

    // ---- the clients -----------------------------------------------------------------------------

    static Seen call(Client client, Row row, MisbehavingPeer peer) throws Exception {
        switch (client) {
            case RAW:
                return raw(row, peer);
            case HTTP_CLIENT:
                return httpClient(row, peer, HttpClient.Version.HTTP_1_1);
            case HTTP_CLIENT_DEFAULT:
                return httpClient(row, peer, null);
            case URL_CONNECTION:
                return urlConnection(row, peer);
            case OKHTTP:
                return okHttp(row, peer);
            default:
                return apache(row, peer);
        }
    }

    /**
     * What every client trusts over TLS: the generated test authority, whichever certificate the
     * row's peer presents (they are all issued by it, but for the untrusted issuer's).
     */
    static final Tls TRUST = Tls.generated();

    /** The URL of the peer's path, https for a TLS row. */
    static String url(Row row, MisbehavingPeer peer) {
        return (row.overTls() ? "https" : "http") + "://" + peer.host() + ":" + peer.port() + PATH;
    }

    /** Between two requests: wait until the peer has ended the first connection. */
    static void betweenRequests(Row row, MisbehavingPeer peer) {
        if (row.procedure() == Procedure.TWO_AFTER_PEER_ENDED) {
            peer.awaitConnections(1, PEER_WAIT);
        }
    }

    static String ordinal(int i, Row row) {
        return row.procedure().requests == 1 ? "" : (i == 0 ? "1st: " : "2nd: ");
    }

    /**
     * What an HTTP client driver saw over a cell's requests: one part per request, the body bytes
     * of the request in progress (kept when reading fails) and of all of them.
     */
    static final class Requests {
        private final Row row;
        private final List<String> parts = new ArrayList<>();
        private final byte[] buffer = new byte[16 * 1024];
        private long total;
        private long body;

        Requests(Row row) {
            this.row = row;
        }

        /** Reads {@code in} to its end (bounded), counting the request's body bytes as they come. */
        void readBody(InputStream in) throws IOException {
            body = 0;
            for (int guard = 0; guard < 10_000_000; guard++) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                body += n;
                total += n;
            }
        }

        /** Request {@code i} ended with status {@code code} and its whole body. */
        void answered(int i, int code) {
            parts.add(ordinal(i, row) + "no exception, " + code + ", " + body + " body B");
            body = 0; // the next request's count starts afresh, even if it fails before its body
        }

        /** Request {@code i} failed at {@code stage}: what the trial saw. */
        Seen failed(int i, String stage, IOException e) {
            parts.add(ordinal(i, row) + stage + ": " + chain(e)
                    + (stage.equals("read body") ? " after " + body + " body B" : ""));
            return new Seen(String.join("; ", parts), e, total, 0);
        }

        /** Every request was answered. */
        Seen done() {
            return new Seen(String.join("; ", parts), null, total, 0);
        }
    }

    static byte[] rawRequest(Method method, MisbehavingPeer peer) {
        byte[] body = method.body();
        String host = "Host: " + peer.host() + ":" + peer.port() + "\r\nUser-Agent: raw-java.net.Socket\r\n"
                + "Accept: */*\r\nConnection: keep-alive\r\n";
        if (method == Method.GET) {
            return ("GET " + PATH + " HTTP/1.1\r\n" + host + "\r\n").getBytes(US_ASCII);
        }
        byte[] head = ("POST " + PATH + " HTTP/1.1\r\n" + host + "Content-Type: application/octet-stream\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(US_ASCII);
        byte[] request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }

    /**
     * Raw socket: connect, write the request, read until -1 or an exception. With two requests, the
     * first response is read by its known length, then the second request goes on the same socket.
     */
    static Seen raw(Row row, MisbehavingPeer peer) {
        List<String> parts = new ArrayList<>();
        long total = 0;
        int reads = 0;
        String stage = "connect";
        byte[] request = rawRequest(row.method(), peer);
        byte[] buffer = new byte[16 * 1024];
        try (Socket plain = new Socket()) {
            int i = 0;
            long before = 0;
            SSLSocket tls = null;
            try {
                plain.connect(peer.address(), (int) row.connectTimeout().toMillis());
                plain.setSoTimeout((int) row.timeout().toMillis());
                Socket socket = plain;
                if (row.overTls()) {
                    // TLS over the connected socket, the host name checked as an HTTPS client does
                    stage = "handshake";
                    tls = (SSLSocket) TRUST.clientContext().getSocketFactory()
                            .createSocket(plain, peer.host(), peer.port(), true);
                    SSLParameters parameters = tls.getSSLParameters();
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    tls.setSSLParameters(parameters);
                    tls.startHandshake();
                    socket = tls;
                }
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                for (; i < row.procedure().requests; i++) {
                    if (i > 0) {
                        betweenRequests(row, peer);
                    }
                    before = total;
                    stage = "write";
                    out.write(request);
                    out.flush();
                    stage = "read";
                    boolean last = i == row.procedure().requests - 1;
                    long want = last ? Long.MAX_VALUE : RESPONSE_BYTES;
                    boolean eof = false;
                    for (int guard = 0; guard < 10_000_000 && total - before < want; guard++) {
                        int n = in.read(buffer, 0, (int) Math.min(buffer.length, want - (total - before)));
                        if (n < 0) {
                            eof = true;
                            break;
                        }
                        total += n;
                        reads++;
                    }
                    parts.add(ordinal(i, row) + (eof ? "EOF (-1) after " : "read ") + (total - before) + " B");
                }
                return new Seen(String.join("; ", parts), null, total, reads);
            } catch (IOException e) {
                String where = stage.equals("connect") ? "connect: " : stage + ": ";
                parts.add(ordinal(i, row) + where + chain(e) + (stage.equals("connect") ? "" : " after " + (total - before) + " B"));
                return new Seen(String.join("; ", parts), e, total, reads);
            } finally {
                closeQuietly(tls); // with its close_notify, before the socket under it closes
            }
        } catch (IOException closing) {
            throw new UncheckedIOException(closing);
        }
    }

    /**
     * JDK HttpClient, a new client per trial, HTTP/1.1 forced or (version null) its default (HTTP/2,
     * which on plain http is an h2c upgrade request); requests in sequence.
     */
    static Seen httpClient(Row row, MisbehavingPeer peer, HttpClient.Version version) throws InterruptedException {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(row.connectTimeout())
                .executor(httpClientThreads);
        if (version != null) {
            builder.version(version);
        }
        if (row.overTls()) {
            builder.sslContext(TRUST.clientContext());
        }
        HttpClient http = builder.build();
        URI uri = URI.create(url(row, peer));
        List<String> parts = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < row.procedure().requests; i++) {
            if (i > 0) {
                betweenRequests(row, peer);
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(row.timeout());
            if (row.method().posts()) {
                request.POST(HttpRequest.BodyPublishers.ofByteArray(row.method().body()));
            }
            try {
                HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                total += response.body().length;
                parts.add(ordinal(i, row) + "no exception, " + response.statusCode() + ", "
                        + response.body().length + " body B");
            } catch (IOException e) {
                parts.add(ordinal(i, row) + chain(e));
                return new Seen(String.join("; ", parts), e, total, 0);
            }
        }
        return new Seen(String.join("; ", parts), null, total, 0);
    }

    /** HttpURLConnection; {@code disconnect()} only after the last request (keep-alive between). */
    static Seen urlConnection(Row row, MisbehavingPeer peer) throws IOException {
        URI uri = URI.create(url(row, peer));
        Requests seen = new Requests(row);
        for (int i = 0; i < row.procedure().requests; i++) {
            if (i > 0) {
                betweenRequests(row, peer);
            }
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            if (connection instanceof HttpsURLConnection https) {
                https.setSSLSocketFactory(TRUST.clientContext().getSocketFactory());
            }
            String stage = "connect";
            int code;
            try {
                connection.setConnectTimeout((int) row.connectTimeout().toMillis());
                connection.setReadTimeout((int) row.timeout().toMillis());
                if (row.method().posts()) {
                    connection.setRequestMethod("POST");
                    connection.setRequestProperty("Content-Type", "application/octet-stream");
                    connection.setDoOutput(true);
                    stage = "getOutputStream";
                    try (OutputStream out = connection.getOutputStream()) {
                        out.write(row.method().body());
                    }
                }
                stage = "getResponseCode";
                code = connection.getResponseCode();
                stage = "getInputStream (status " + code + ")";
                InputStream in = connection.getInputStream();
                stage = "read body";
                seen.readBody(in);
                if (i < row.procedure().requests - 1) {
                    in.close(); // the connection goes back to the keep-alive cache for the next request
                }
                seen.answered(i, code);
            } catch (IOException e) {
                connection.disconnect();
                return seen.failed(i, stage, e);
            }
            if (i == row.procedure().requests - 1) {
                connection.disconnect(); // with the body stream still open: closes the connection
            }
        }
        return seen.done();
    }

    /**
     * OkHttp, a new client (with its own connection pool) per trial, its defaults otherwise: it
     * retries on connection failure. After the last request its pool is emptied, which closes the
     * idle connection, as {@code disconnect()} does for HttpURLConnection.
     */
    static Seen okHttp(Row row, MisbehavingPeer peer) {
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                .connectTimeout(row.connectTimeout())
                .readTimeout(row.timeout())
                .writeTimeout(row.timeout());
        if (row.overTls()) {
            builder.sslSocketFactory(TRUST.clientContext().getSocketFactory(), TRUST.trustManager());
        }
        OkHttpClient ok = builder.build();
        String url = url(row, peer);
        Requests seen = new Requests(row);
        try {
            for (int i = 0; i < row.procedure().requests; i++) {
                if (i > 0) {
                    betweenRequests(row, peer);
                }
                Request.Builder request = new Request.Builder().url(url);
                if (row.method().posts()) {
                    request.post(RequestBody.create(row.method().body(), OCTETS));
                }
                String stage = "execute";
                try (Response response = ok.newCall(request.build()).execute()) {
                    stage = "read body";
                    seen.readBody(response.body().byteStream());
                    seen.answered(i, response.code());
                } catch (IOException e) {
                    return seen.failed(i, stage, e);
                }
            }
            return seen.done();
        } finally {
            ok.connectionPool().evictAll();
            ok.dispatcher().executorService().shutdown();
        }
    }

    /**
     * Apache HttpClient 5, classic API, a new client (with its own pool) per trial, its defaults
     * otherwise: it retries an idempotent request once, a second later, after an I/O error other
     * than a refused or timed-out connect. Closing the client after the last request closes the
     * pooled connection.
     */
    static Seen apache(Row row, MisbehavingPeer peer) throws IOException {
        PoolingHttpClientConnectionManagerBuilder builder = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(org.apache.hc.core5.util.Timeout.of(row.connectTimeout()))
                        .setSocketTimeout(org.apache.hc.core5.util.Timeout.of(row.timeout()))
                        .build());
        if (row.overTls()) {
            builder.setTlsSocketStrategy(new DefaultClientTlsStrategy(TRUST.clientContext()));
        }
        PoolingHttpClientConnectionManager pool = builder.build();
        URI uri = URI.create(url(row, peer));
        Requests seen = new Requests(row);
        try (CloseableHttpClient apache = HttpClients.custom().setConnectionManager(pool).build()) {
            for (int i = 0; i < row.procedure().requests; i++) {
                if (i > 0) {
                    betweenRequests(row, peer);
                }
                HttpUriRequestBase request;
                if (row.method().posts()) {
                    HttpPost post = new HttpPost(uri);
                    post.setEntity(new ByteArrayEntity(row.method().body(), ContentType.APPLICATION_OCTET_STREAM));
                    request = post;
                } else {
                    request = new HttpGet(uri);
                }
                String stage = "executeOpen";
                try (ClassicHttpResponse response = apache.executeOpen(null, request, null)) {
                    stage = "read body";
                    seen.readBody(response.getEntity().getContent());
                    seen.answered(i, response.getCode());
                } catch (IOException e) {
                    return seen.failed(i, stage, e);
                }
            }
            return seen.done();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException alreadyBroken) {
                // the connection is gone; what the client saw is recorded already
            }
        }
    }

    /** {@code Type: message <- Cause: message <- ...}, each throwable once. */
    static String chain(Throwable thrown) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<String> parts = new ArrayList<>();
        for (Throwable t = thrown; t != null && seen.add(t); t = t.getCause()) {
            parts.add(t.getClass().getSimpleName() + ": " + t.getMessage());
        }
        return String.join(" <- ", parts);
    }

    private static final Pattern PORT = Pattern.compile("(127\\.0\\.0\\.1|localhost):\\d+");

    static String normalize(String text) {
        return PORT.matcher(text.replace('\r', ' ').replace('\n', ' ')).replaceAll("$1:PORT");
    }

    static byte[] response() {
        byte[] head = HEAD.getBytes(US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + BODY_BYTES);
        System.arraycopy(letters(BODY_BYTES), 0, all, head.length, BODY_BYTES);
        if (all.length != RESPONSE_BYTES) {
            throw new AssertionError("response is " + all.length + " B, not " + RESPONSE_BYTES);
        }
        return all;
    }

    static byte[] letters(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---- the report ------------------------------------------------------------------------------

    /** Writes the two tables. */
    static final class Report {

        private Report() {}

        /**
         * The journal in one line; over TLS each connection's ends with the last stage of the
         * handshake it reached, or "no TLS record" where the record has its ending but not yet its
         * TLS facts (seen once in 20 trials on JDK 25, for an alert: the engine publishes the
         * ending first).
         */
        static String journal(List<ConnectionRecord> journal, boolean tls) {
            if (journal.isEmpty()) {
                return "0 connections";
            }
            return journal.size() + (journal.size() == 1 ? " connection: " : " connections: ")
                    + journal.stream()
                            .map(c -> "#" + c.index() + " recv " + c.receivedCount() + " / sent " + c.sentCount()
                                    + " / " + c.ending() + " / " + c.delivery()
                                    + (tls ? c.tls().map(t -> " / TLS " + t.stageReached().name()).orElse(" / no TLS record")
                                            : ""))
                            .collect(Collectors.joining("; "));
        }

        /** The row and client whose first trial's journal the console shows in full. */
        static final String SAMPLE_ROW = "reset after 1 exchange — GET ×2";
        static final Client SAMPLE_CLIENT = Client.OKHTTP;
        static final int TITLE_WIDTH = 58;
        static final int CELL_WIDTH = 17;

        /**
         * The console version: one line per row, one column per client, each cell the
         * classification every trial had and whether it is the documented one; then what each
         * client observed (its first trial) and one sample journal.
         */
        static String console(List<Row> rows, Map<Row, Map<Client, Cell>> results, int trials) {
            StringBuilder out = new StringBuilder("\n");
            String rule = "=".repeat(TITLE_WIDTH + Client.values().length * (CELL_WIDTH + 3));
            out.append(rule).append('\n')
                    .append("Fault matrix for this machine: ").append(machine()).append(", loopback, ")
                    .append(trials).append(" trial(s) per cell\n")
                    .append("Each cell: what ConnectionFailure.classify makes of what the client observed (RESET, CLOSED,\n")
                    .append("REFUSED; NONE = no connection failure: a whole answer, a timeout or a protocol error; HUNG = the\n")
                    .append("call outlived every timeout of its own), then `ok` if every trial had the documented outcome,\n")
                    .append("or `DIFFERS` and what is documented. `~` marks a cell whose trials may differ by design.\n")
                    .append(rule).append('\n');
            out.append(pad("fault — request", TITLE_WIDTH));
            for (Client client : Client.values()) {
                out.append(" | ").append(pad(client.shortTitle, CELL_WIDTH));
            }
            out.append('\n').append("-".repeat(rule.length())).append('\n');
            int cells = 0;
            int matched = 0;
            for (Row row : rows) {
                Map<Client, Cell> byClient = results.getOrDefault(row, Map.of());
                out.append(pad(row.title(), TITLE_WIDTH));
                for (Client client : Client.values()) {
                    Cell cell = byClient.get(client);
                    String text;
                    if (cell == null || cell.pending() != null) {
                        text = cell == null ? "not run" : "pending";
                    } else {
                        cells++;
                        Kind expected = row.expected().get(client);
                        Varies varies = row.varies().get(client);
                        Set<Kind> seen = cell.trials().stream().map(Trial::kind)
                                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Kind.class)));
                        boolean ok = matches(seen, expected, varies);
                        if (ok) {
                            matched++;
                        }
                        text = seen.stream().map(Kind::name).collect(Collectors.joining("/"))
                                + (varies == null ? "" : "~")
                                + (ok ? " ok" : " DIFFERS, doc " + expected);
                    }
                    out.append(" | ").append(pad(text, CELL_WIDTH));
                }
                out.append('\n');
            }
            out.append("-".repeat(rule.length())).append('\n')
                    .append(matched).append(" of ").append(cells).append(" cells as documented.\n\n")
                    .append("What each client observed (its first trial; every trial: fidelity/target/observations.md):\n");
            for (Row row : rows) {
                Map<Client, Cell> byClient = results.getOrDefault(row, Map.of());
                out.append(row.title()).append('\n');
                for (Client client : Client.values()) {
                    Cell cell = byClient.get(client);
                    if (cell != null && !cell.trials().isEmpty()) {
                        Trial t = cell.trials().get(0);
                        out.append("  ").append(pad(client.shortTitle, 16)).append(' ')
                                .append(shorten(t.outcome(), 200)).append(" [conns ").append(t.connections())
                                .append("]\n");
                    }
                }
            }
            rows.stream().filter(r -> r.title().equals(SAMPLE_ROW)).findFirst()
                    .map(r -> results.getOrDefault(r, Map.of()).get(SAMPLE_CLIENT))
                    .filter(cell -> !cell.trials().isEmpty())
                    .ifPresent(cell -> {
                        out.append("\nSample journal (").append(SAMPLE_ROW).append(", ").append(SAMPLE_CLIENT.shortTitle)
                                .append(", first trial: peer.connections(), one line per connection):\n");
                        cell.trials().get(0).records().forEach(line -> out.append("  ").append(line).append('\n'));
                    });
            return out.append(rule).append('\n').toString();
        }

        static boolean matches(Set<Kind> seen, Kind expected, Varies varies) {
            if (expected == null) {
                return false;
            }
            if (varies == null) {
                return seen.equals(EnumSet.of(expected));
            }
            Set<Kind> allowed = EnumSet.copyOf(varies.alsoSeen().isEmpty() ? Set.of(expected) : varies.alsoSeen());
            allowed.add(expected);
            return allowed.containsAll(seen) && (varies.tossUp() || seen.contains(expected));
        }

        static String machine() {
            return System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                    + System.getProperty("os.arch") + ", JDK " + System.getProperty("java.runtime.version") + ", "
                    + Runtime.getRuntime().availableProcessors() + " CPUs";
        }

        static String pad(String text, int width) {
            String cut = shorten(text, width);
            return cut + " ".repeat(width - cut.length());
        }

        static String shorten(String text, int width) {
            return text.length() <= width ? text : text.substring(0, width - 1) + "…";
        }

        static String markdown(List<Row> rows, Map<Row, Map<Client, Cell>> results, int trials, Instant started) {
            StringBuilder md = new StringBuilder();
            md.append("# What a client observes, per fault (measured)\n\n")
                    .append("Written by `fidelity/src/test/java/dev/misbehave/fidelity/ObservationMatrix.java`. ")
                    .append(trials).append(" trial(s) per cell; ")
                    .append("JDK ").append(System.getProperty("java.runtime.version")).append(" (")
                    .append(System.getProperty("java.vm.vendor")).append("), ")
                    .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                    .append(' ').append(System.getProperty("os.arch")).append(", ")
                    .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, loopback; run started ")
                    .append(started).append(".\n\n")
                    .append("Every peer serves `Script.respond(RequestEnd.headersThenLength(\"\\r\\n\\r\\n\", \"Content-Length\"), ")
                    .append("\"HTTP/1.1 200 OK\\r\\nContent-Length: 102400\\r\\n\\r\\n\" + 100 KiB)` (")
                    .append(RESPONSE_BYTES).append(" B per response). ")
                    .append("Requests: GET, or POST with a 10 KiB body; connect timeout 2 s, read/request timeout 2 s ")
                    .append("unless the row says otherwise (stalls: 500 ms).\n\n")
                    .append("Each cell: the outcome (the exception as `Type: message <- Cause: message`, or `no exception`; ")
                    .append("the raw socket, `HttpURLConnection`, OkHttp and Apache HttpClient also say at which step), then **bytes** ")
                    .append("(raw socket: every byte read, head included; HTTP clients: body bytes the application got), ")
                    .append("**classify** (`ConnectionFailure.classify`: RESET, CLOSED, REFUSED, TLS_HANDSHAKE, or none) and ")
                    .append("**agree** (trials with this outcome, bytes, classification and journal). ")
                    .append("A cell whose trials differ lists each distinct outcome with its count.\n\n");
            return md.append(tables(rows, results, "##", false)).toString();
        }

        /**
         * The TLS table of one JDK: a generated region of its own in docs/client-observations.md,
         * below the TCP page, as the run on that JDK wrote it.
         */
        static String tlsMarkdown(List<Row> rows, Map<Row, Map<Client, Cell>> results, int trials, Instant started) {
            StringBuilder md = new StringBuilder();
            md.append("## Over TLS, JDK ").append(Runtime.version().feature()).append("\n\n")
                    .append("Written by `fidelity/src/test/java/dev/misbehave/fidelity/ObservationMatrix.java`. ")
                    .append(trials).append(" trial(s) per cell; ")
                    .append("JDK ").append(System.getProperty("java.runtime.version")).append(" (")
                    .append(System.getProperty("java.vm.vendor")).append("), ")
                    .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                    .append(' ').append(System.getProperty("os.arch")).append(", ")
                    .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, loopback; run started ")
                    .append(started).append(".\n\n")
                    .append("The peer serves the same script over TLS (`Script.withTls(Tls.generated())`, or the ")
                    .append("certificate the row names), and the peer and the clients run on the same JDK. Every ")
                    .append("client trusts the generated test authority, with `Tls.generated().clientContext()` ")
                    .append("(OkHttp also `trustManager()`; Apache HttpClient 5 a `DefaultClientTlsStrategy` over ")
                    .append("the context), and checks the host name `127.0.0.1`; the raw `SSLSocket` is layered ")
                    .append("over a connected socket, with the endpoint identification algorithm `HTTPS`, and ")
                    .append("starts its handshake before it writes. A fault at a stage of the handshake acts on ")
                    .append("the TLS bytes: a reset is an RST, a close a bare FIN. Every other fault counts ")
                    .append("plaintext: a close sends `close_notify`, then the FIN; a truncation the FIN alone; ")
                    .append("a downstream reset waits until the client's kernel holds every record of the bytes ")
                    .append("sent. Cells and journal lines read as in the TCP tables at the top of this page, ")
                    .append("with plaintext bytes; a TLS connection's journal line ends with the last stage of the ")
                    .append("handshake it reached (`TLS COMPLETED`, ...), or `no TLS record` where the journal had ")
                    .append("the connection's ending but not yet its TLS facts; trials that differ only there ")
                    .append("count as agreeing.\n\n");
            return md.append(tables(rows, results, "###", true)).toString();
        }

        /** The count of cells, then the outcome table and the journal table, under headings of {@code level}. */
        static String tables(List<Row> rows, Map<Row, Map<Client, Cell>> results, String level, boolean tls) {
            StringBuilder md = new StringBuilder();
            int cells = 0;
            int agreed = 0;
            int pending = 0;
            StringBuilder outcomes = new StringBuilder();
            StringBuilder journals = new StringBuilder();
            String header = "| row | " + Arrays.stream(Client.values()).map(c -> tls ? c.tlsTitle : c.title)
                            .collect(Collectors.joining(" | "))
                    + " |\n|---|" + "---|".repeat(Client.values().length) + "\n";
            outcomes.append(header);
            journals.append(header);
            for (Row row : rows) {
                Map<Client, Cell> byClient = results.get(row);
                String title = "**" + row.tableTitle() + "**<br>`" + row.code() + "`"
                        + (row.timeout().equals(TIMEOUT) ? "" : "<br>timeout " + row.timeout().toMillis() + " ms")
                        + (row.connectTimeout().equals(CONNECT_TIMEOUT) ? ""
                                : "<br>connect timeout " + row.connectTimeout().toMillis() + " ms");
                outcomes.append("| ").append(title);
                journals.append("| ").append(title);
                for (Client client : Client.values()) {
                    Cell cell = byClient == null ? null : byClient.get(client);
                    if (cell == null) {
                        outcomes.append(" | not run");
                        journals.append(" | not run");
                        continue;
                    }
                    if (cell.pending() != null) {
                        pending++;
                        outcomes.append(" | **pending**: engine says `").append(esc(cell.pending())).append('`');
                        journals.append(" | pending");
                        continue;
                    }
                    cells++;
                    if (cell.agreed()) {
                        agreed++;
                    }
                    outcomes.append(" | ").append(outcomeCell(cell, client, row.varies().get(client)));
                    journals.append(" | ").append(journalCell(cell));
                }
                outcomes.append(" |\n");
                journals.append(" |\n");
            }
            md.append("Cells: ").append(cells).append(" run, ").append(agreed).append(" with every trial in agreement")
                    .append(pending > 0 ? ", " + pending + " pending (the engine does not run the fault yet)" : "")
                    .append(".\n\n").append(level).append(" What the client observes\n\n").append(outcomes)
                    .append('\n').append(level).append(" What the peer's journal shows\n\n")
                    .append("Per connection: `#index recv <bytes the peer consumed> / sent <bytes the peer sent> / ")
                    .append("<ending> / <delivery>`, read after the client call once every connection that ends has ")
                    .append("ended (a stalled connection, and an HttpClient connection idle in its pool, stay OPEN). ")
                    .append("More connections than requests means the client retried on its own.\n\n")
                    .append(journals);
            return md.toString();
        }

        static String outcomeCell(Cell cell, Client client, Varies varies) {
            Map<String, List<Trial>> distinct = cell.distinct();
            int n = cell.trials().size();
            List<String> parts = new ArrayList<>();
            for (List<Trial> same : distinct.values()) {
                Trial t = same.get(0);
                String text = esc(t.outcome()) + "<br>bytes " + t.bytes() + " · classify " + t.kind()
                        + (client == Client.RAW ? " · reads " + range(same, Trial::reads) : "")
                        + " · conns " + t.connections() + " · agree " + same.size() + "/" + n;
                parts.add(text);
            }
            String head = distinct.size() == 1 ? ""
                    : "**varies** (" + distinct.size() + " outcomes" + (varies == null ? ", not expected" : "; " + esc(varies.why()))
                            + "):<br>";
            return head + String.join("<br>—<br>", parts);
        }

        static String journalCell(Cell cell) {
            Map<String, List<Trial>> byJournal = cell.trials().stream()
                    .collect(Collectors.groupingBy(Trial::journal, LinkedHashMap::new, Collectors.toList()));
            int n = cell.trials().size();
            return byJournal.entrySet().stream()
                    .map(e -> esc(e.getKey()) + (byJournal.size() > 1 ? " (" + e.getValue().size() + "/" + n + ")" : ""))
                    .collect(Collectors.joining("<br>—<br>"));
        }

        static String range(List<Trial> trials, Function<Trial, Integer> value) {
            int min = trials.stream().map(value).min(Integer::compare).orElse(0);
            int max = trials.stream().map(value).max(Integer::compare).orElse(0);
            return min == max ? String.valueOf(min) : min + "–" + max;
        }

        static String esc(String text) {
            return text.replace("|", "\\|").replace("<-", "&lt;-");
        }
    }
}
