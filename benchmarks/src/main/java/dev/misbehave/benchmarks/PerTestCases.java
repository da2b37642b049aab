package dev.misbehave.benchmarks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * The test classes {@link PerTestOverheadBenchmark} runs through the JUnit Platform launcher, one
 * per kind, each written the way a user of that tool would write it. Every test method is a
 * {@link Repeat} template (like {@code @RepeatedTest}, with the count from the launcher's
 * configuration parameter {@value Repeat#COUNT}), so each invocation is a whole test with its own
 * extension callbacks, its own peer or server, and its own client round trip.
 */
final class PerTestCases {

    private PerTestCases() {}

    /** A test run as many times as the configuration parameter {@value #COUNT} says (default 1,000). */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @TestTemplate
    @ExtendWith(Repeat.Invocations.class)
    @interface Repeat {
        String COUNT = "misbehave.bench.tests";

        /** One invocation per repetition; each is a test of its own, as with {@code @RepeatedTest}. */
        final class Invocations implements TestTemplateInvocationContextProvider {
            private static final TestTemplateInvocationContext ONE = new TestTemplateInvocationContext() {};

            @Override
            public boolean supportsTestTemplate(ExtensionContext context) {
                return true;
            }

            @Override
            public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
                int count = context.getConfigurationParameter(COUNT).map(Integer::parseInt).orElse(1_000);
                return IntStream.range(0, count).mapToObj(i -> ONE);
            }
        }
    }

    // ---- the kinds --------------------------------------------------------------------------------

    /** (a) The baseline: an empty test. */
    static class Empty {
        @Repeat
        void empty() {}
    }

    /** (b) Misbehave, reset on accept: no quiet wait. */
    static class MisbehaveResetOnAccept {
        @Repeat
        @ForceResetAfter(bytes = 0)
        void reset(MisbehavingPeer peer) {
            Client.expectReset(Client.get(peer.address()));
        }
    }

    /**
     * (b') Misbehave, reset once the request's head has arrived (after {@code \r\n\r\n}): the peer
     * reads the request, then resets, as WireMock's {@code CONNECTION_RESET_BY_PEER} does. It waits
     * for the quiet period first.
     */
    static class MisbehaveResetAfterRequest {
        @Repeat
        @ForceResetAfter(pattern = "\r\n\r\n")
        void reset(MisbehavingPeer peer) {
            Client.expectReset(Client.get(peer.address()));
        }
    }

    /** (c) WireMock's JUnit 5 extension: one server for the class, a stub per test. */
    @WireMockTest
    static class WireMockDeclarative {
        @Repeat
        void reset(WireMockRuntimeInfo wireMock) {
            wireMock.getWireMock().register(resetStub());
            Client.expectReset(Client.get(new InetSocketAddress("127.0.0.1", wireMock.getHttpPort())));
        }
    }

    /** (d) WireMock with a fresh server per test. */
    static class WireMockServerPerTest {
        @Repeat
        void reset() {
            WireMockServer server = new WireMockServer(
                    WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
            server.start();
            try {
                server.stubFor(resetStub());
                Client.expectReset(Client.get(new InetSocketAddress("127.0.0.1", server.port())));
            } finally {
                server.stop();
            }
        }
    }

    /**
     * (e) MockWebServer per test ({@code @StartStop}) with its closest effect, closing the socket at
     * the request's start. MockWebServer has no reset: its close is a FIN, so the test asserts that
     * the connection ended without a response, and the tally shows which ending the client saw.
     */
    static class MockWebServerPerTest {
        @StartStop
        final MockWebServer server = new MockWebServer();

        @Repeat
        void disconnect() {
            server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
            Client.expectDisconnect(Client.get(server.getSocketAddress()));
        }
    }

    private static MappingBuilder resetStub() {
        return any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    }

    // ---- the client ---------------------------------------------------------------------------------

    /** What the client saw. */
    enum Outcome {
        RESET,
        END_OF_STREAM,
        RESPONSE,
        TIMEOUT,
        OTHER
    }

    /** A raw {@link Socket}: sends a minimal HTTP/1.1 GET, then reads until the connection ends. */
    static final class Client {
        private static final byte[] GET = "GET /reset HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        private static final int TIMEOUT_MILLIS = 5_000;
        /** What the clients saw since the last {@link #clear()}, by {@link Outcome#ordinal()}. */
        private static final AtomicIntegerArray TALLY = new AtomicIntegerArray(Outcome.values().length);

        private Client() {}

        static void clear() {
            for (int i = 0; i < TALLY.length(); i++) {
                TALLY.set(i, 0);
            }
        }

        static int count(Outcome outcome) {
            return TALLY.get(outcome.ordinal());
        }

        static Outcome get(InetSocketAddress address) {
            Outcome outcome = exchange(address);
            TALLY.incrementAndGet(outcome.ordinal());
            return outcome;
        }

        private static Outcome exchange(InetSocketAddress address) {
            Socket socket = new Socket();
            try {
                socket.setSoTimeout(TIMEOUT_MILLIS);
                socket.connect(address, TIMEOUT_MILLIS);
                socket.getOutputStream().write(GET);
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[4096];
                long received = 0;
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received += n;
                }
                return received > 0 ? Outcome.RESPONSE : Outcome.END_OF_STREAM;
            } catch (SocketTimeoutException e) {
                return Outcome.TIMEOUT;
            } catch (SocketException e) {
                // a reset surfaces in connect(), write() or read(), depending on when it arrives
                String message = String.valueOf(e.getMessage());
                return message.startsWith("Connection reset") ? Outcome.RESET : Outcome.OTHER;
            } catch (IOException e) {
                return Outcome.OTHER;
            } finally {
                Samples.closeAbruptly(socket);
            }
        }

        static void expectReset(Outcome outcome) {
            if (outcome != Outcome.RESET) {
                throw new AssertionError("expected a connection reset, the client saw " + outcome);
            }
        }

        static void expectDisconnect(Outcome outcome) {
            if (outcome != Outcome.RESET && outcome != Outcome.END_OF_STREAM) {
                throw new AssertionError("expected the connection to end without a response, the client saw " + outcome);
            }
        }

    }
}
