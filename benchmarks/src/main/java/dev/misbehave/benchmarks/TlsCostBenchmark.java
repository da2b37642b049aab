package dev.misbehave.benchmarks;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.Tls;
import dev.misbehave.benchmarks.PerTestCases.Outcome;
import dev.misbehave.benchmarks.Samples.Stats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.net.ServerSocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * What TLS costs a test, beside OkHttp's {@link MockWebServer} serving HTTPS with okhttp-tls's
 * {@link HeldCertificate}, in one JVM:
 *
 * <ul>
 *   <li><b>certificate generation</b>, once, first in the JVM: Misbehave's first {@link
 *       Tls#generated()} (a test CA and a leaf) and okhttp-tls's CA and leaf ({@link
 *       HeldCertificate.Builder}), after an untimed first use of the JDK's own EC key generator,
 *       signature, X.509 parsing and {@code SSLContext}, which whichever came first would pay; then
 *       what a later call costs: {@link Tls#generated()} returns the same certificate, a test that
 *       builds its own {@link HeldCertificate} pays the generation again;
 *   <li><b>start + stop</b> of a TLS peer (a silent script with {@link Tls#generated()} and a reset
 *       after 10 upstream bytes), of MockWebServer with {@code useHttps}, and of the same peer
 *       without TLS, the baseline;
 *   <li><b>a test with one handshake</b>: start, one HTTPS POST from the JDK {@link HttpClient}
 *       (HTTP/1.1) that meets the fault, stop. Misbehave resets after 10 bytes of the request's
 *       plaintext; MockWebServer closes the socket once it has read the request ({@link
 *       SocketEffect.CloseSocket} before its response, a FIN: it has no reset), at its defaults and
 *       again with {@code TCP_NODELAY} on its accepted sockets, which shows how much of its figure
 *       is its handshake flight waiting for the client's delayed ACK; the baseline is the same
 *       Misbehave test over plain HTTP. Each tool's client is created once
 *       (as an application holds it), and its TLS session cache is emptied after each test,
 *       untimed, so that every test makes a full handshake, never a resumption. A POST, since the
 *       JDK client retries a failed GET on a new connection.
 * </ul>
 *
 * <p>The certificates are made before anything is timed, once per run, as Misbehave makes its own
 * once per JVM. The harness is {@link LifecycleBenchmark}'s: a warm-up of each subject, then rounds
 * in which the subjects' order rotates, every op timed alone; every count is fixed and every wait
 * bounded. After each op, untimed, its outcome is checked (the client saw a reset, or for
 * MockWebServer the end of the connection; the peer's journal holds one connection, its handshake
 * completed, reset); an op that fails a check is a mismatch, counted and shown.
 *
 * <p>{@code -Dmisbehave.bench.quick=true}: 2 rounds and a tenth of the ops, a smoke run.
 */
public final class TlsCostBenchmark {

    private static final boolean QUICK = Boolean.getBoolean("misbehave.bench.quick");
    private static final int ROUNDS = QUICK ? 2 : 10;
    /** How many later certificate generations are timed. */
    private static final int AGAIN = QUICK ? 3 : 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final InetAddress LOOPBACK = loopback();
    private static final Fault RESET = Fault.resetAfter(Direction.UPSTREAM, 10);
    private static final byte[] BODY = "{\"name\":\"misbehave\"}".getBytes(StandardCharsets.US_ASCII);
    /**
     * MockWebServer's closest effect, closing the socket once it has read the request, before its
     * response, for every request. (Closed at the request's start, as {@link PerTestCases} does over
     * plain HTTP, the socket closes as the JDK client is still finishing its handshake, which then
     * fails: no request would be sent.)
     */
    private static final MockResponse CLOSE = new MockResponse.Builder()
            .onResponseStart(new SocketEffect.CloseSocket()).build();
    private static final Dispatcher CLOSE_EVERY_REQUEST = new Dispatcher() {
        @Override
        public MockResponse peek() {
            return CLOSE;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            return CLOSE;
        }
    };

    private TlsCostBenchmark() {}

    /** One subject: a label, its op counts, and its op, which returns the op's timed nanoseconds. */
    private abstract static class Subject {
        final String name;
        final String label;
        final int warmUp;
        final int perRound;
        final long[] nanos;
        final double[] roundMedians = new double[ROUNDS];
        int mismatches;
        final List<String> notes = new ArrayList<>();

        Subject(String name, String label, int warmUp, int perRound) {
            this.name = name;
            this.label = label;
            this.warmUp = QUICK ? Math.max(1, warmUp / 10) : warmUp;
            this.perRound = QUICK ? Math.max(3, perRound / 10) : perRound;
            this.nanos = new long[ROUNDS * this.perRound];
        }

        /** Runs the op once, checks it untimed, and returns how long its timed part took. */
        abstract long op() throws Exception;

        void once(int i) {
            long took;
            try {
                took = op();
            } catch (Exception e) {
                mismatch("op failed: " + e);
                took = 0;
            }
            if (i >= 0) {
                nanos[i] = took;
            }
        }

        void mismatch(String text) {
            mismatches++;
            if (notes.size() < 5) {
                notes.add(text);
                System.out.println("  " + name + ": " + text);
            }
        }
    }

    /** The certificates of the run, and what making them cost. */
    private record Generation(double jdkMillis, double misbehaveMillis, double misbehaveAgainMicros,
            boolean sameTls, double heldMillis, double heldAgainMillis, HeldCertificate authority,
            HeldCertificate leaf) {}

    public static void main(String[] args) throws Exception {
        Results results = Results.open("tls", args);
        long began = System.nanoTime();
        Generation generation = generate();
        Tls tls = Tls.generated();
        HandshakeCertificates mockServerCertificates = new HandshakeCertificates.Builder()
                .heldCertificate(generation.leaf(), generation.authority().certificate()).build();
        SSLSocketFactory mockServerSockets = mockServerCertificates.sslSocketFactory();
        SSLContext mockClientContext = new HandshakeCertificates.Builder()
                .addTrustedCertificate(generation.authority().certificate()).build().sslContext();

        List<Subject> lifecycle = lifecycle(tls, mockServerSockets);
        run("start + stop", lifecycle);
        List<Subject> handshake = handshake(tls, mockServerSockets, mockClientContext);
        run("one handshake", handshake);
        boolean sameTls = generation.sameTls() && Tls.generated() == tls;
        report(results, generation, sameTls, lifecycle, handshake, (System.nanoTime() - began) / 1e9);
    }

    // ---- certificate generation -----------------------------------------------------------------

    private static Generation generate() throws GeneralSecurityException, IOException {
        long began = System.nanoTime();
        warmJdk();
        double jdk = (System.nanoTime() - began) / 1e6;

        began = System.nanoTime();
        Tls first = Tls.generated();
        double misbehave = (System.nanoTime() - began) / 1e6;
        long[] again = new long[AGAIN];
        boolean same = true;
        for (int i = 0; i < AGAIN; i++) {
            long t = System.nanoTime();
            same &= Tls.generated() == first;
            again[i] = System.nanoTime() - t;
        }

        began = System.nanoTime();
        HeldCertificate[] held = heldCertificates();
        double heldMillis = (System.nanoTime() - began) / 1e6;
        long[] heldAgain = new long[AGAIN];
        for (int i = 0; i < AGAIN; i++) {
            long t = System.nanoTime();
            heldCertificates();
            heldAgain[i] = System.nanoTime() - t;
        }
        return new Generation(jdk, misbehave, Samples.median(again) / 1e3, same, heldMillis,
                Samples.median(heldAgain) / 1e6, held[0], held[1]);
    }

    /** okhttp-tls's CA and a leaf it signs, for what Misbehave's leaf covers: localhost, 127.0.0.1, ::1. */
    private static HeldCertificate[] heldCertificates() {
        HeldCertificate authority = new HeldCertificate.Builder()
                .commonName("MockWebServer test CA")
                .certificateAuthority(0)
                .build();
        HeldCertificate leaf = new HeldCertificate.Builder()
                .commonName("localhost")
                .addSubjectAlternativeName("localhost")
                .addSubjectAlternativeName("127.0.0.1")
                .addSubjectAlternativeName("::1")
                .signedBy(authority)
                .build();
        return new HeldCertificate[] {authority, leaf};
    }

    /**
     * The JDK's first use of what both tools use: an EC P-256 key pair and an ECDSA signature, X.509
     * parsing (the default trust store's certificates), a PKCS12 key store, and the key manager
     * and {@code SSLContext} machinery.
     */
    private static void warmJdk() throws GeneralSecurityException, IOException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(generator.generateKeyPair().getPrivate());
        signature.update(BODY);
        signature.sign();
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).init((KeyStore) null);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm()).init(store, new char[0]);
        SSLContext.getInstance("TLS").init(null, null, null);
    }

    // ---- the subjects -----------------------------------------------------------------------------

    private static List<Subject> lifecycle(Tls tls, SSLSocketFactory mockServerSockets) {
        Script tlsScript = Script.silent().withTls(tls);
        List<Subject> subjects = new ArrayList<>();
        subjects.add(new Subject("plain peer", "Misbehave peer without TLS (baseline)", 2_000, 500) {
            @Override
            long op() {
                long began = System.nanoTime();
                MisbehavingPeer peer = MisbehavingPeer.start(RESET);
                int port = peer.port();
                peer.close();
                return checkPort(this, port, System.nanoTime() - began);
            }
        });
        subjects.add(new Subject("TLS peer", "Misbehave peer, `Script.silent().withTls(Tls.generated())`", 2_000, 500) {
            @Override
            long op() {
                long began = System.nanoTime();
                MisbehavingPeer peer = MisbehavingPeer.start(tlsScript, RESET);
                int port = peer.port();
                peer.close();
                return checkPort(this, port, System.nanoTime() - began);
            }
        });
        subjects.add(new Subject("MockWebServer HTTPS", "MockWebServer, `useHttps(...)` with a `HeldCertificate`", 500, 200) {
            @Override
            long op() throws IOException {
                long began = System.nanoTime();
                MockWebServer server = new MockWebServer();
                server.useHttps(mockServerSockets);
                server.start(LOOPBACK, 0);
                int port = server.getPort();
                server.close();
                return checkPort(this, port, System.nanoTime() - began);
            }
        });
        return subjects;
    }

    private static long checkPort(Subject subject, int port, long took) {
        if (port <= 0) {
            subject.mismatch("no port bound");
        }
        return took;
    }

    private static List<Subject> handshake(Tls tls, SSLSocketFactory mockServerSockets, SSLContext mockClientContext) {
        Script tlsScript = Script.silent().withTls(tls);
        HttpClient plainClient = client(null);
        HttpClient tlsClient = client(tls.clientContext());
        HttpClient mockClient = client(mockClientContext);
        List<Subject> subjects = new ArrayList<>();
        subjects.add(new Subject("plain peer", "Misbehave, plain HTTP POST meeting a reset (baseline)", 300, 50) {
            @Override
            long op() {
                long began = System.nanoTime();
                MisbehavingPeer peer = MisbehavingPeer.start(RESET);
                Outcome outcome = post(plainClient, "http", peer.port());
                peer.close();
                long took = System.nanoTime() - began;
                checkMisbehave(this, outcome, peer, false);
                return took;
            }
        });
        subjects.add(new Subject("TLS peer", "Misbehave, HTTPS POST meeting a reset after 10 plaintext bytes", 300, 50) {
            @Override
            long op() {
                long began = System.nanoTime();
                MisbehavingPeer peer = MisbehavingPeer.start(tlsScript, RESET);
                Outcome outcome = post(tlsClient, "https", peer.port());
                peer.close();
                long took = System.nanoTime() - began;
                checkMisbehave(this, outcome, peer, true);
                forgetSessions(tls.clientContext());
                return took;
            }
        });
        subjects.add(mockWebServer("MockWebServer HTTPS",
                "MockWebServer HTTPS, POST meeting `CloseSocket` before the response (a FIN)", mockServerSockets,
                mockClient, mockClientContext, null));
        subjects.add(mockWebServer("MockWebServer HTTPS, TCP_NODELAY",
                "the same, its accepted sockets with `TCP_NODELAY` (not its default)", mockServerSockets,
                mockClient, mockClientContext, new NoDelayServerSockets()));
        return subjects;
    }

    /** MockWebServer serving HTTPS and closing the socket before its response; {@code listeners} null for its default. */
    private static Subject mockWebServer(String name, String label, SSLSocketFactory mockServerSockets,
            HttpClient mockClient, SSLContext mockClientContext, ServerSocketFactory listeners) {
        return new Subject(name, label, 300, 50) {
            @Override
            long op() throws IOException {
                long began = System.nanoTime();
                MockWebServer server = new MockWebServer();
                if (listeners != null) {
                    server.setServerSocketFactory(listeners);
                }
                server.useHttps(mockServerSockets);
                server.setDispatcher(CLOSE_EVERY_REQUEST);
                server.start(LOOPBACK, 0);
                Outcome outcome = post(mockClient, "https", server.getPort());
                server.close();
                long took = System.nanoTime() - began;
                if (outcome != Outcome.END_OF_STREAM && outcome != Outcome.RESET) {
                    mismatch("expected the connection to end without a response, the client saw " + outcome);
                }
                if (server.getRequestCount() != 1) {
                    mismatch(server.getRequestCount() + " requests, expected 1");
                }
                forgetSessions(mockClientContext);
                return took;
            }
        };
    }

    /**
     * Listening sockets whose accepted sockets have {@code TCP_NODELAY}, so that the server's
     * handshake flight, several writes, does not wait for the client's delayed ACK (Nagle).
     */
    private static final class NoDelayServerSockets extends ServerSocketFactory {
        @Override
        public ServerSocket createServerSocket() throws IOException {
            return new ServerSocket() {
                @Override
                public Socket accept() throws IOException {
                    Socket socket = super.accept();
                    socket.setTcpNoDelay(true);
                    return socket;
                }
            };
        }

        @Override
        public ServerSocket createServerSocket(int port) {
            throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) {
            throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress address) {
            throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
        }
    }

    private static void checkMisbehave(Subject subject, Outcome outcome, MisbehavingPeer peer, boolean tls) {
        if (outcome != Outcome.RESET) {
            subject.mismatch("expected a connection reset, the client saw " + outcome);
        }
        List<ConnectionRecord> connections = peer.connections();
        if (connections.size() != 1) {
            subject.mismatch(connections.size() + " connections, expected 1");
            return;
        }
        ConnectionRecord connection = connections.get(0);
        if (connection.ending() != Ending.PEER_RESET) {
            subject.mismatch("the connection ended " + connection.ending() + ", expected PEER_RESET");
        }
        if (tls && !connection.tls().map(t -> t.handshakeCompleted()).orElse(false)) {
            subject.mismatch("no completed handshake: " + connection.tls());
        }
    }

    /** A client as an application holds it: HTTP/1.1 (both servers speak it), bounded timeouts. */
    private static HttpClient client(SSLContext context) {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT);
        if (context != null) {
            builder.sslContext(context);
        }
        return builder.build();
    }

    /** One POST of a small JSON body to 127.0.0.1; what the client saw. */
    private static Outcome post(HttpClient client, String scheme, int port) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/events"))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(BODY))
                .build();
        try {
            client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return Outcome.RESPONSE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.OTHER;
        } catch (IOException e) {
            return PerTestCases.classify(e);
        }
    }

    /** Invalidates every session the client's context holds, so that its next connection makes a full handshake. */
    private static void forgetSessions(SSLContext context) {
        SSLSessionContext sessions = context.getClientSessionContext();
        for (byte[] id : Collections.list(sessions.getIds())) {
            SSLSession session = sessions.getSession(id);
            if (session != null) {
                session.invalidate();
            }
        }
    }

    // ---- the harness ------------------------------------------------------------------------------

    private static void run(String what, List<Subject> subjects) {
        for (Subject s : subjects) {
            for (int i = 0; i < s.warmUp; i++) {
                s.once(-1);
            }
            System.out.printf(Locale.ROOT, "%s: warmed up %s, %,d ops%n", what, s.name, s.warmUp);
        }
        int n = subjects.size();
        for (int round = 0; round < ROUNDS; round++) {
            for (int k = 0; k < n; k++) {
                Subject s = subjects.get((round + k) % n);
                int from = round * s.perRound;
                for (int i = from; i < from + s.perRound; i++) {
                    s.once(i);
                }
                s.roundMedians[round] = Samples.median(Arrays.copyOfRange(s.nanos, from, from + s.perRound));
            }
            System.out.printf(Locale.ROOT, "%s: round %d of %d done%n", what, round + 1, ROUNDS);
        }
    }

    // ---- the report -------------------------------------------------------------------------------

    private static void report(Results results, Generation generation, boolean sameTls, List<Subject> lifecycle,
            List<Subject> handshake, double seconds) {
        StringBuilder out = new StringBuilder();
        out.append(Samples.environment());
        out.append(String.format(Locale.ROOT,
                "- Method: the certificates first, each once; then per table a warm-up of each subject and %d rounds,"
                        + " the subjects' order rotating each round, every op timed alone; whole run %.0f s%s%n",
                ROUNDS, seconds, QUICK ? " (quick mode: a smoke run, not a measurement)" : ""));
        out.append("- Command: `mvn -B -Pbench -pl benchmarks -am verify -DskipTests`\n\n");

        out.append("Certificate generation (a CA and a leaf for localhost, 127.0.0.1 and ::1, EC P-256), paid once per run\n\n");
        out.append("| | first time in the JVM | each later time |\n|---|---:|---:|\n");
        out.append(String.format(Locale.ROOT, "| Misbehave `Tls.generated()` | %s ms | %s µs (%s) |%n",
                num(generation.misbehaveMillis()), num(generation.misbehaveAgainMicros()),
                sameTls ? "the same `Tls`, nothing generated" : "**a different `Tls`**"));
        out.append(String.format(Locale.ROOT, "| okhttp-tls `HeldCertificate.Builder`, CA + leaf | %s ms | %s ms"
                + " (generated again, median of %d) |%n", num(generation.heldMillis()),
                num(generation.heldAgainMillis()), AGAIN));
        out.append(String.format(Locale.ROOT, "%nBefore both, untimed in the table: the JDK's own first use of its EC"
                + " key generator, signature, X.509 parsing, key stores and `SSLContext`, %s ms, which whichever tool"
                + " came first would otherwise pay. Misbehave's figure includes putting the leaf into a PKCS12 key"
                + " store; okhttp-tls's, Kotlin's and Okio's first classes.%n%n", num(generation.jdkMillis())));

        out.append(table("start + stop (µs)", lifecycle, 1_000.0));
        out.append(table("start, one HTTPS POST meeting the fault, stop (ms)", handshake, 1_000_000.0));
        out.append("Each later test in a run pays the second table's time, the certificates having been made once."
                + " After each op, untimed, its outcome is checked: the client saw a reset (Misbehave) or the end"
                + " of the connection (MockWebServer, which has no reset), and Misbehave's journal holds one"
                + " connection, its handshake completed, reset; MockWebServer recorded one request. Mismatches: an"
                + " op that failed a check.\n");
        for (List<Subject> subjects : List.of(lifecycle, handshake)) {
            for (Subject s : subjects) {
                for (String note : s.notes) {
                    out.append("- ").append(s.name).append(": ").append(note).append('\n');
                }
            }
        }
        results.section(out.toString());
        System.out.println();
        System.out.print(out);

        summary(results, "TLS peer start + stop, warm JVM (median)", lifecycle, 1_000.0, "µs");
        summary(results, "a test with one TLS handshake: start, an HTTPS POST meeting a reset, stop (median)",
                handshake, 1_000_000.0, "ms");
        results.summary("certificate generation (test CA + leaf)",
                String.format(Locale.ROOT, "%s ms, once per JVM; later calls %s µs (the same certificate)",
                        num(generation.misbehaveMillis()), num(generation.misbehaveAgainMicros())),
                String.format(Locale.ROOT, "okhttp-tls HeldCertificate %s ms first, %s ms each time a test makes its own",
                        num(generation.heldMillis()), num(generation.heldAgainMillis())),
                "at most once per run", sameTls);
        for (Subject s : lifecycle) {
            results.bar("TLS: start + stop, µs (median)", barLabel(s), new Stats(s.nanos, 1_000.0).median);
        }
        for (Subject s : handshake) {
            results.bar("TLS: a test with one handshake, ms (median)", barLabel(s), new Stats(s.nanos, 1_000_000.0).median);
        }
    }

    private static String barLabel(Subject s) {
        return switch (s.name) {
            case "plain peer" -> "plain peer, no TLS (baseline)"; // no "Misbehave": the chart colours it as a baseline
            case "TLS peer" -> "Misbehave TLS";
            default -> s.name;
        };
    }

    /** A table of the subjects' times, the first subject being the baseline. */
    private static String table(String title, List<Subject> subjects, double unit) {
        Subject baseline = subjects.get(0);
        double base = new Stats(baseline.nanos, unit).median;
        StringBuilder out = new StringBuilder();
        out.append("| ").append(title).append(" | n | median | p90 | min | max | × baseline (median) | per-round × baseline | mismatches |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Subject s : subjects) {
            Stats st = new Stats(s.nanos, unit);
            double[] ratios = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                ratios[r] = s.roundMedians[r] / baseline.roundMedians[r];
            }
            Arrays.sort(ratios);
            out.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s | %s–%s | %d |%n", s.label,
                    st.count, num(st.median), num(st.p90), num(st.min), num(st.max), ratio(st.median / base),
                    ratio(ratios[0]), ratio(ratios[ROUNDS - 1]), s.mismatches));
        }
        return out.append('\n').toString();
    }

    /**
     * A summary row: Misbehave TLS (the second subject) against the baseline (the first) and
     * MockWebServer at its defaults (the third); the others' figures follow.
     */
    private static void summary(Results results, String measure, List<Subject> subjects, double unit, String unitName) {
        double base = new Stats(subjects.get(0).nanos, unit).median;
        double misbehave = new Stats(subjects.get(1).nanos, unit).median;
        double mock = new Stats(subjects.get(2).nanos, unit).median;
        StringBuilder others = new StringBuilder(String.format(Locale.ROOT, "Misbehave without TLS %s %s", num(base),
                unitName));
        for (Subject s : subjects.subList(2, subjects.size())) {
            others.append(String.format(Locale.ROOT, "; %s %s %s", s.name.replace("MockWebServer", "MockWebServer 5.5.1"),
                    num(new Stats(s.nanos, unit).median), unitName));
        }
        results.summary(measure,
                String.format(Locale.ROOT, "%s %s (%s without TLS; %s MockWebServer HTTPS)", num(misbehave), unitName,
                        ratio(misbehave / base), ratio(misbehave / mock)),
                others.toString(), "none (reported)", subjects.stream().allMatch(s -> s.mismatches == 0));
    }

    private static String num(double value) {
        return String.format(Locale.ROOT, value < 10 ? "%.2f" : value < 100 ? "%.1f" : "%,.0f", value);
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ratio(double ratio) {
        return String.format(Locale.ROOT, ratio < 10 ? "%.2f×" : ratio < 100 ? "%.1f×" : "%,.0f×", ratio);
    }
}
