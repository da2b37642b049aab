package dev.misbehave.benchmarks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.assertj.ConnectionFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
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
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * The test classes {@link PerTestOverheadBenchmark} runs through the JUnit Platform launcher, one
 * per tool, each written the way a user of that tool would write it. Every test method is a
 * {@link Repeat} template (like {@code @RepeatedTest}, with the count from the launcher's
 * configuration parameter {@value Repeat#COUNT}), so each invocation is a whole test with its own
 * extension callbacks, its own peer or server, and its own call. The call (which client, GET or a
 * small POST) is a {@link Call} parameter, chosen by the configuration parameters {@value
 * Repeat#CLIENT} and {@value Repeat#METHOD}.
 */
final class PerTestCases {

    private PerTestCases() {}

    /** A test run as many times as the configuration parameter {@value #COUNT} says (default 100). */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @TestTemplate
    @ExtendWith(Repeat.Invocations.class)
    @interface Repeat {
        String COUNT = "misbehave.bench.tests";
        String CLIENT = "misbehave.bench.client";
        String METHOD = "misbehave.bench.method";

        /** One invocation per repetition; each is a test of its own, as with {@code @RepeatedTest}. */
        final class Invocations implements TestTemplateInvocationContextProvider {

            @Override
            public boolean supportsTestTemplate(ExtensionContext context) {
                return true;
            }

            @Override
            public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
                int count = context.getConfigurationParameter(COUNT).map(Integer::parseInt).orElse(100);
                Call call = new Call(
                        context.getConfigurationParameter(CLIENT).map(Client::valueOf).orElse(Client.SOCKET),
                        context.getConfigurationParameter(METHOD).map(Method::valueOf).orElse(Method.GET));
                TestTemplateInvocationContext invocation = new TestTemplateInvocationContext() {
                    @Override
                    public List<Extension> getAdditionalExtensions() {
                        return List.of(new CallResolver(call));
                    }
                };
                return IntStream.range(0, count).mapToObj(i -> invocation);
            }
        }
    }

    /** Resolves the invocation's {@link Call}. */
    private record CallResolver(Call call) implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == Call.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return call;
        }
    }

    // ---- the tools ---------------------------------------------------------------------------------

    /** The baseline: an empty test. */
    static class Empty {
        @Repeat
        void empty() {}
    }

    /**
     * Misbehave's flagship at its defaults: {@code @ForceResetAfter(bytes = 10)}, a reset after the
     * client's first 10 bytes, with no setting changed.
     */
    static class Misbehave {
        @Repeat
        @ForceResetAfter(bytes = 10)
        void reset(MisbehavingPeer peer, Call call) {
            call.expectReset(call.run(peer.address()));
        }
    }

    /** WireMock's JUnit 5 extension: one server for the class, a {@code CONNECTION_RESET_BY_PEER} stub per test. */
    @WireMockTest
    static class WireMock {
        @Repeat
        void reset(WireMockRuntimeInfo wireMock, Call call) {
            wireMock.getWireMock().register(resetStub());
            call.expectReset(call.run(new InetSocketAddress("127.0.0.1", wireMock.getHttpPort())));
        }

        private static MappingBuilder resetStub() {
            return any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        }
    }

    /**
     * MockWebServer per test ({@code @StartStop}) with its closest effect, closing the socket at the
     * request's start, for every request (a dispatcher, not a queue: a client that retries on a new
     * connection would otherwise wait on an empty queue). MockWebServer has no reset: its close is a
     * FIN, so the test asserts that the call ended without a response.
     */
    static class MockWebServerPerTest {
        private static final MockResponse CLOSE = new MockResponse.Builder()
                .onRequestStart(new SocketEffect.CloseSocket()).build();

        @StartStop
        final MockWebServer server = new MockWebServer();

        @Repeat
        void disconnect(Call call) {
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse peek() {
                    return CLOSE; // what the server applies at the request's start
                }

                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return CLOSE;
                }
            });
            call.expectDisconnect(call.run(server.getSocketAddress()));
        }
    }

    // ---- the calls ---------------------------------------------------------------------------------

    /** What a call saw. */
    enum Outcome {
        /** A reset ({@link ConnectionFailure#RESET} anywhere in the exception's chain). */
        RESET,
        /** An orderly end before a response ({@link ConnectionFailure#CLOSED}). */
        END_OF_STREAM,
        RESPONSE,
        TIMEOUT,
        OTHER
    }

    /** The request. */
    enum Method {
        GET,
        /** A POST of a small JSON body ({@code {"name":"misbehave"}}, 20 bytes). */
        POST
    }

    /** The clients, each with its defaults but for bounded timeouts, shared by every test of a run as an application shares it. */
    enum Client {
        HTTP_CLIENT_11("JDK `HttpClient`, HTTP/1.1"),
        HTTP_CLIENT_DEFAULT("JDK `HttpClient`, default version"),
        URL_CONNECTION("`HttpURLConnection`"),
        OKHTTP("OkHttp"),
        APACHE("Apache HttpClient 5"),
        SOCKET("raw `Socket`");

        final String label;

        Client(String label) {
            this.label = label;
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final byte[] BODY = "{\"name\":\"misbehave\"}".getBytes(StandardCharsets.US_ASCII);
    private static final String PATH = "/reset";

    /** One call of one client; counts what every call saw since the last {@link #clear()}. */
    record Call(Client client, Method method) {
        /** By {@link Outcome#ordinal()}. */
        private static final AtomicIntegerArray TALLY = new AtomicIntegerArray(Outcome.values().length);

        static void clear() {
            for (int i = 0; i < TALLY.length(); i++) {
                TALLY.set(i, 0);
            }
        }

        static int count(Outcome outcome) {
            return TALLY.get(outcome.ordinal());
        }

        /** Makes the call, counts and returns what it saw. */
        Outcome run(InetSocketAddress address) {
            Outcome outcome;
            try {
                outcome = switch (client) {
                    case HTTP_CLIENT_11 -> Clients.httpClient(Clients.HTTP_11, address, method);
                    case HTTP_CLIENT_DEFAULT -> Clients.httpClient(Clients.HTTP_DEFAULT, address, method);
                    case URL_CONNECTION -> Clients.urlConnection(address, method);
                    case OKHTTP -> Clients.okHttp(address, method);
                    case APACHE -> Clients.apache(address, method);
                    case SOCKET -> Clients.socket(address, method);
                };
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome = Outcome.OTHER;
            } catch (Exception e) {
                outcome = classify(e);
            }
            TALLY.incrementAndGet(outcome.ordinal());
            return outcome;
        }

        void expectReset(Outcome outcome) {
            if (outcome != Outcome.RESET) {
                throw new AssertionError(this + ": expected a connection reset, the client saw " + outcome);
            }
        }

        void expectDisconnect(Outcome outcome) {
            if (outcome != Outcome.RESET && outcome != Outcome.END_OF_STREAM) {
                throw new AssertionError(this + ": expected the connection to end without a response, the client saw "
                        + outcome);
            }
        }

        @Override
        public String toString() {
            return client.label + " " + method;
        }
    }

    static Outcome classify(Throwable thrown) {
        Optional<ConnectionFailure> failure = ConnectionFailure.classify(thrown);
        if (failure.isPresent()) {
            return switch (failure.get()) {
                case RESET -> Outcome.RESET;
                case CLOSED -> Outcome.END_OF_STREAM;
                case REFUSED, TLS_HANDSHAKE -> Outcome.OTHER;
            };
        }
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof HttpTimeoutException
                    || t instanceof java.io.InterruptedIOException
                            && String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
                return Outcome.TIMEOUT;
            }
        }
        return Outcome.OTHER;
    }

    /** The clients, each created once and shared, as an application holds its client. */
    private static final class Clients {
        static final HttpClient HTTP_11 = HttpClient.newBuilder().connectTimeout(TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1).build();
        static final HttpClient HTTP_DEFAULT = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        private static volatile OkHttpClient okHttp;
        private static volatile CloseableHttpClient apache;

        private Clients() {}

        static Outcome httpClient(HttpClient http, InetSocketAddress address, Method method)
                throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(address)).timeout(TIMEOUT);
            if (method == Method.POST) {
                request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(BODY));
            }
            http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return Outcome.RESPONSE;
        }

        static Outcome urlConnection(InetSocketAddress address, Method method) throws IOException {
            HttpURLConnection connection = (HttpURLConnection) uri(address).toURL().openConnection();
            connection.setConnectTimeout((int) TIMEOUT.toMillis());
            connection.setReadTimeout((int) TIMEOUT.toMillis());
            try {
                if (method == Method.POST) {
                    connection.setRequestMethod("POST");
                    connection.setDoOutput(true);
                    connection.setRequestProperty("Content-Type", "application/json");
                    try (OutputStream out = connection.getOutputStream()) {
                        out.write(BODY);
                    }
                }
                int code = connection.getResponseCode();
                try (InputStream in = code >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                    if (in != null) {
                        in.readAllBytes();
                    }
                }
                return Outcome.RESPONSE;
            } finally {
                connection.disconnect();
            }
        }

        static Outcome okHttp(InetSocketAddress address, Method method) throws IOException {
            if (okHttp == null) {
                synchronized (Clients.class) {
                    if (okHttp == null) {
                        okHttp = new OkHttpClient.Builder().connectTimeout(TIMEOUT).readTimeout(TIMEOUT)
                                .writeTimeout(TIMEOUT).callTimeout(TIMEOUT.multipliedBy(2)).build();
                    }
                }
            }
            Request.Builder request = new Request.Builder().url(uri(address).toString());
            if (method == Method.POST) {
                request.post(RequestBody.create(BODY, MediaType.get("application/json")));
            }
            try (Response response = okHttp.newCall(request.build()).execute()) {
                response.body().bytes();
                return Outcome.RESPONSE;
            }
        }

        static Outcome apache(InetSocketAddress address, Method method) throws IOException {
            if (apache == null) {
                synchronized (Clients.class) {
                    if (apache == null) {
                        apache = HttpClients.custom()
                                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                                .setConnectTimeout(Timeout.of(TIMEOUT))
                                                .setSocketTimeout(Timeout.of(TIMEOUT))
                                                .build())
                                        .build())
                                .build();
                    }
                }
            }
            HttpUriRequestBase request;
            if (method == Method.POST) {
                HttpPost post = new HttpPost(uri(address));
                post.setEntity(new ByteArrayEntity(BODY, ContentType.APPLICATION_JSON));
                request = post;
            } else {
                request = new HttpGet(uri(address));
            }
            try (ClassicHttpResponse response = apache.executeOpen(null, request, null)) {
                EntityUtils.consume(response.getEntity());
                return Outcome.RESPONSE;
            }
        }

        /** Sends a minimal HTTP/1.1 request in one write, then reads until the connection ends. */
        static Outcome socket(InetSocketAddress address, Method method) throws IOException {
            String head = method == Method.POST
                    ? "POST " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                            + BODY.length + "\r\n\r\n"
                    : "GET " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            byte[] request = head.getBytes(StandardCharsets.US_ASCII);
            if (method == Method.POST) {
                request = FidelityBenchmark.concat(request, BODY);
            }
            Socket socket = new Socket();
            try {
                socket.setSoTimeout((int) TIMEOUT.toMillis());
                socket.connect(address, (int) TIMEOUT.toMillis());
                socket.getOutputStream().write(request);
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[4096];
                long received = 0;
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received += n;
                }
                return received > 0 ? Outcome.RESPONSE : Outcome.END_OF_STREAM;
            } finally {
                Samples.closeAbruptly(socket);
            }
        }

        private static URI uri(InetSocketAddress address) {
            return URI.create("http://127.0.0.1:" + address.getPort() + PATH);
        }
    }
}
