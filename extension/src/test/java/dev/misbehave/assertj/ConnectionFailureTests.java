package dev.misbehave.assertj;

import static dev.misbehave.assertj.ConnectionConditions.connectionClosed;
import static dev.misbehave.assertj.ConnectionConditions.connectionRefused;
import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Named.named;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.Condition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("ConnectionFailure")
class ConnectionFailureTests {

    private static final String NO_BYTES = "HTTP/1.1 header parser received no bytes";
    private static final String SHORT_BODY = "fixed content-length: 1000, bytes received: 100";

    @Nested
    @DisplayName("classifies as RESET")
    class Reset {

        @ParameterizedTest(name = "{0}")
        @MethodSource("resetForms")
        @DisplayName("every form a reset takes on Linux, macOS and Windows")
        void resetForm(Throwable thrown) {
            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.RESET);
        }

        static Stream<Arguments> resetForms() {
            return Stream.of(
                    form("SocketException: Connection reset (read after RST)",
                            new SocketException("Connection reset")),
                    form("SocketException: Connection reset by peer (write after RST)",
                            new SocketException("Connection reset by peer")),
                    form("ConnectException: Connection reset by peer <- SocketException (HttpClient, RST during connect)",
                            chain(new ConnectException("Connection reset by peer"),
                                    new SocketException("Connection reset by peer"))),
                    form("IOException: Connection reset by peer (HttpClient NIO)",
                            new IOException("Connection reset by peer")),
                    form("IOException: received no bytes <- same <- SocketException: Connection reset",
                            chain(new IOException(NO_BYTES), new IOException(NO_BYTES),
                                    new SocketException("Connection reset"))),
                    form("IOException: fixed content-length <- same <- SocketException: Connection reset",
                            chain(new IOException(SHORT_BODY), new IOException(SHORT_BODY),
                                    new SocketException("Connection reset"))),
                    form("SocketException: Connection reset by peer: socket write error (JDK 8 Windows)",
                            new SocketException("Connection reset by peer: socket write error")),
                    form("SocketException: Software caused connection abort: socket write error",
                            new SocketException("Software caused connection abort: socket write error")),
                    form("SocketException: Software caused connection abort: recv failed",
                            new SocketException("Software caused connection abort: recv failed")),
                    form("IOException: existing connection forcibly closed (WSAECONNRESET)",
                            new IOException("An existing connection was forcibly closed by the remote host")),
                    form("IOException: established connection aborted (WSAECONNABORTED)",
                            new IOException("An established connection was aborted by the software in your host machine")),
                    form("SocketException: Broken pipe",
                            new SocketException("Broken pipe")),
                    form("SocketException: Broken pipe (Write failed)",
                            new SocketException("Broken pipe (Write failed)")),
                    form("IOException: Error writing to server (HttpURLConnection upload)",
                            new IOException("Error writing to server")),
                    form("IOException <- ClosedChannelException (HttpClient h2c upgrade path)",
                            new IOException(new ClosedChannelException())),
                    form("IOException with its own text <- ClosedChannelException",
                            chain(new IOException("request failed"), new ClosedChannelException())),
                    form("IOException without a message <- ClosedChannelException",
                            chain(new IOException((String) null), new ClosedChannelException())),
                    form("message containing ECONNRESET",
                            new IOException("read ECONNRESET")),
                    form("message containing errno 104",
                            new IOException("recv failed (errno 104)")),
                    form("message containing WSAECONNRESET",
                            new IOException("WSAECONNRESET")),
                    form("message containing 10054",
                            new IOException("[WinError 10054] recv failed")),
                    form("message containing WSAECONNABORTED 10053",
                            new IOException("recv failed: WSAECONNABORTED (10053)")));
        }
    }

    @Nested
    @DisplayName("classifies as CLOSED")
    class Closed {

        @ParameterizedTest(name = "{0}")
        @MethodSource("closedForms")
        @DisplayName("every form a premature end of stream takes")
        void closedForm(Throwable thrown) {
            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.CLOSED);
        }

        static Stream<Arguments> closedForms() {
            return Stream.of(
                    form("EOFException: EOF reached while reading",
                            new EOFException("EOF reached while reading")),
                    form("EOFException: \\n not found: limit=0 content=…",
                            new EOFException("\\n not found: limit=0 content=…")),
                    form("EOFException without a message",
                            new EOFException()),
                    form("IOException: received no bytes <- same <- EOFException (HttpClient after FIN)",
                            chain(new IOException(NO_BYTES), new IOException(NO_BYTES),
                                    new EOFException("EOF reached while reading"))),
                    form("SocketException: Unexpected end of file from server (HttpURLConnection)",
                            new SocketException("Unexpected end of file from server")),
                    form("IOException: Premature EOF (HttpURLConnection, FIN mid body)",
                            new IOException("Premature EOF")),
                    form("ProtocolException: unexpected end of stream (OkHttp)",
                            new ProtocolException("unexpected end of stream")),
                    form("IOException: unexpected end of stream on http://… (OkHttp)",
                            new IOException("unexpected end of stream on http://127.0.0.1:1234/...")),
                    form("IOException: received no bytes with no cause",
                            new IOException(NO_BYTES)),
                    form("IOException: fixed content-length <- EOFException",
                            chain(new IOException(SHORT_BODY),
                                    new EOFException("EOF reached while reading"))),
                    form("IOException: fixed content-length with no cause",
                            new IOException(SHORT_BODY)),
                    // Apache HttpClient 5 (org.apache.hc.core5.http), no cause in the chain; their
                    // types are IOException subclasses, which the classifier reads by message only
                    form("ConnectionClosedException: Premature end of Content-Length delimited message body (Apache)",
                            new IOException("Premature end of Content-Length delimited message body"
                                    + " (expected: 102400; received: 957)")),
                    form("ConnectionClosedException: Premature end of chunk coded message body (Apache)",
                            new IOException("Premature end of chunk coded message body: closing chunk expected")),
                    form("NoHttpResponseException: 127.0.0.1:PORT failed to respond (Apache)",
                            new IOException("127.0.0.1:40123 failed to respond")));
        }
    }

    @Nested
    @DisplayName("classifies as REFUSED")
    class Refused {

        @ParameterizedTest(name = "{0}")
        @MethodSource("refusedForms")
        @DisplayName("every form a refused connect takes")
        void refusedForm(Throwable thrown) {
            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.REFUSED);
        }

        static Stream<Arguments> refusedForms() {
            return Stream.of(
                    form("ConnectException: Connection refused",
                            new ConnectException("Connection refused")),
                    form("ConnectException: Connection refused: connect (JDK 8 Windows)",
                            new ConnectException("Connection refused: connect")),
                    form("ConnectException: null <- ConnectException: null <- ClosedChannelException (HttpClient)",
                            chain(new ConnectException(null), new ConnectException(null),
                                    new ClosedChannelException())),
                    form("ConnectException: Failed to connect <- ConnectException: Connection refused (OkHttp)",
                            chain(new ConnectException("Failed to connect to /127.0.0.1:1234"),
                                    new ConnectException("Connection refused"))),
                    form("target machine actively refused it (WSAECONNREFUSED)",
                            new ConnectException("No connection could be made because the target machine actively refused it")),
                    form("message containing ECONNREFUSED",
                            new IOException("connect ECONNREFUSED 127.0.0.1:1234")));
        }
    }

    @Nested
    @DisplayName("classifies as TLS_HANDSHAKE")
    class TlsHandshake {

        static Stream<Throwable> handshakeForms() {
            return Stream.of(
                    new javax.net.ssl.SSLHandshakeException("Received fatal alert: handshake_failure"),
                    new javax.net.ssl.SSLHandshakeException("PKIX path building failed: unable to find valid"
                            + " certification path to requested target"),
                    // SSLSocket when the server closes (FIN) during the handshake
                    withCause(new javax.net.ssl.SSLHandshakeException("Remote host terminated the handshake"),
                            new java.io.EOFException("SSL peer shut down incorrectly")),
                    // OkHttp checks the host name after the handshake
                    new javax.net.ssl.SSLPeerUnverifiedException("Hostname localhost not verified:\n"
                            + "    certificate: sha256/...\n    DN: CN=wrong.host.invalid"),
                    // the JDK HttpClient rethrows the handshake failure of its asynchronous send
                    withCause(new java.io.IOException("Received fatal alert: protocol_version"),
                            new javax.net.ssl.SSLHandshakeException("Received fatal alert: protocol_version")));
        }

        @ParameterizedTest
        @MethodSource("handshakeForms")
        @DisplayName("a handshake the server failed, and no reset in the chain")
        void handshakeForm(Throwable thrown) {
            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.TLS_HANDSHAKE);
            assertThat(thrown).is(ConnectionConditions.tlsHandshakeFailed()).isNot(ConnectionConditions.connectionClosed());
        }

        @Test
        @DisplayName("a reset during the handshake stays a reset")
        void resetDuringHandshake() {
            Throwable thrown = withCause(new javax.net.ssl.SSLHandshakeException("Connection reset"),
                    new java.net.SocketException("Connection reset"));
            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.RESET);
        }

        private static Throwable withCause(Throwable thrown, Throwable cause) {
            thrown.initCause(cause);
            return thrown;
        }
    }

    @Nested
    @DisplayName("classifies as empty")
    class NotAConnectionFailure {

        @ParameterizedTest(name = "{0}")
        @MethodSource("otherFailures")
        @DisplayName("anything that is not a reset, an end of stream or a refusal")
        void otherFailure(Throwable thrown) {
            assertThat(ConnectionFailure.classify(thrown)).isEmpty();
        }

        static Stream<Arguments> otherFailures() {
            return Stream.of(
                    form("SocketTimeoutException: Read timed out",
                            new SocketTimeoutException("Read timed out")),
                    form("SocketTimeoutException: Connect timed out",
                            new SocketTimeoutException("Connect timed out")),
                    form("HttpConnectTimeoutException <- same <- ConnectException: HTTP connect timed out",
                            chain(new HttpConnectTimeoutException("HTTP connect timed out"),
                                    new HttpConnectTimeoutException("HTTP connect timed out"),
                                    new ConnectException("HTTP connect timed out"))),
                    form("ConnectException: Connection timed out (OS connect timeout)",
                            new ConnectException("Connection timed out")),
                    form("ConnectException without a message <- SocketTimeoutException",
                            chain(new ConnectException(null), new SocketTimeoutException("Connect timed out"))),
                    form("IllegalStateException: boom",
                            new IllegalStateException("boom")),
                    form("IOException: disk full",
                            new IOException("disk full")),
                    form("UnknownHostException",
                            new UnknownHostException("no-such-host.invalid")),
                    form("SocketException: Socket closed (closed locally)",
                            new SocketException("Socket closed")),
                    form("IOException <- AsynchronousCloseException (closed locally by another thread)",
                            new IOException(new AsynchronousCloseException())),
                    form("a bare ClosedChannelException (no HttpClient wrapper)",
                            new ClosedChannelException()),
                    form("a port number that looks like error code 10054",
                            new IOException("Socket closed talking to 127.0.0.1:10054")),
                    form("a longer number that contains 10054",
                            new IOException("disk full after 2100540 writes")),
                    form("RuntimeException without a message",
                            new RuntimeException((String) null)));
        }
    }

    @Nested
    @DisplayName("when a chain has several signals")
    class Precedence {

        @Test
        @DisplayName("a reset deep in the chain beats an end-of-stream wrapper")
        void resetBeatsClosed() {
            Throwable thrown = chain(new EOFException("EOF reached while reading"),
                    new SocketException("Connection reset"));

            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.RESET);
        }

        @Test
        @DisplayName("an end of stream deep in the chain loses to a reset on top")
        void resetOnTopBeatsClosedBelow() {
            Throwable thrown = chain(new SocketException("Connection reset"), new EOFException());

            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.RESET);
        }

        @Test
        @DisplayName("a ConnectException that says 'Connection reset by peer' is a reset, not a refusal")
        void connectExceptionSayingResetIsReset() {
            Throwable thrown = new ConnectException("Connection reset by peer");

            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.RESET);
        }

        @Test
        @DisplayName("a reset beats a refusal")
        void resetBeatsRefused() {
            Throwable thrown = chain(new ConnectException("Connection refused"),
                    new SocketException("Connection reset"));

            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.RESET);
        }

        @Test
        @DisplayName("a refusal beats an end of stream")
        void refusedBeatsClosed() {
            Throwable thrown = chain(new IOException(NO_BYTES), new ConnectException("Connection refused"));

            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.REFUSED);
        }

        @Test
        @DisplayName("a closed channel under a failed connect is a refusal, not a reset")
        void closedChannelUnderConnectIsRefused() {
            Throwable thrown = chain(new IOException("request failed"), new ConnectException(null),
                    new ClosedChannelException());

            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.REFUSED);
        }

        @Test
        @DisplayName("a weaker kind does not match when a stronger one is in the chain")
        void weakerKindDoesNotMatch() {
            Throwable thrown = chain(new IOException(NO_BYTES), new SocketException("Connection reset"));

            assertThat(ConnectionFailure.CLOSED.matches(thrown)).isFalse();
            assertThat(ConnectionFailure.RESET.matches(thrown)).isTrue();
        }
    }

    @Nested
    @DisplayName("walks the cause chain")
    class CauseChain {

        @Test
        @DisplayName("finds a reset at any depth")
        void findsDeepReset() {
            Throwable thrown = new SocketException("Connection reset");
            for (int i = 0; i < 1_000; i++) {
                thrown = new IOException("wrapper " + i, thrown);
            }
            Throwable deep = thrown;

            assertThat(ConnectionFailure.classify(deep)).contains(ConnectionFailure.RESET);
        }

        @Test
        @DisplayName("terminates on a two-step loop and still finds the reset in it")
        void terminatesOnLoopWithSignal() {
            IOException wrapper = new IOException("wrapper");
            SocketException reset = new SocketException("Connection reset");
            wrapper.initCause(reset);
            reset.initCause(wrapper);

            Optional<ConnectionFailure> kind =
                    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> ConnectionFailure.classify(wrapper));

            assertThat(kind).contains(ConnectionFailure.RESET);
        }

        @Test
        @DisplayName("terminates on a loop without any signal")
        void terminatesOnLoopWithoutSignal() {
            IOException first = new IOException("first");
            IOException second = new IOException("second");
            first.initCause(second);
            second.initCause(first);

            Optional<ConnectionFailure> kind =
                    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> ConnectionFailure.classify(first));

            assertThat(kind).isEmpty();
        }

        @Test
        @DisplayName("terminates on a throwable that claims to be its own cause")
        void terminatesOnSelfCause() {
            Throwable selfCaused = new SelfCausedException("Connection refused");

            Optional<ConnectionFailure> kind =
                    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> ConnectionFailure.classify(selfCaused));

            assertThat(kind).contains(ConnectionFailure.REFUSED);
        }

        @Test
        @DisplayName("ignores suppressed exceptions")
        void ignoresSuppressed() {
            IOException thrown = new IOException("disk full");
            thrown.addSuppressed(new SocketException("Connection reset"));

            assertThat(ConnectionFailure.classify(thrown)).isEmpty();
        }
    }

    @Nested
    @DisplayName("with nulls")
    class Nulls {

        @Test
        @DisplayName("classify rejects a null throwable with a clear message")
        void classifyRejectsNull() {
            assertThatNullPointerException()
                    .isThrownBy(() -> ConnectionFailure.classify(null))
                    .withMessage("throwable to classify must not be null");
        }

        @Test
        @DisplayName("matches rejects a null throwable with the same message")
        void matchesRejectsNull() {
            assertThatNullPointerException()
                    .isThrownBy(() -> ConnectionFailure.RESET.matches(null))
                    .withMessage("throwable to classify must not be null");
        }

        @Test
        @DisplayName("null messages anywhere in the chain are fine")
        void nullMessagesInChain() {
            Throwable thrown = chain(new IOException((String) null), new SocketException((String) null),
                    new EOFException(null));

            assertThat(ConnectionFailure.classify(thrown)).contains(ConnectionFailure.CLOSED);
        }

        @Test
        @DisplayName("a SocketException without a message is not a connection failure")
        void messagelessSocketException() {
            assertThat(ConnectionFailure.classify(new SocketException((String) null))).isEmpty();
        }
    }

    @Nested
    @DisplayName("matches")
    class Matches {

        @ParameterizedTest(name = "{0}")
        @EnumSource(ConnectionFailure.class)
        @DisplayName("holds for its own kind only")
        void holdsForItsOwnKindOnly(ConnectionFailure kind) {
            Throwable sample = sampleOf(kind);

            for (ConnectionFailure other : ConnectionFailure.values()) {
                assertThat(other.matches(sample)).as("%s.matches(%s)", other, sample).isEqualTo(other == kind);
            }
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(ConnectionFailure.class)
        @DisplayName("is false for a failure that is not a connection failure")
        void falseForOtherFailures(ConnectionFailure kind) {
            assertThat(kind.matches(new SocketTimeoutException("Read timed out"))).isFalse();
        }
    }

    @Nested
    @DisplayName("AssertJ conditions")
    class Conditions {

        @Test
        @DisplayName("connectionReset() accepts a thrown reset")
        void resetAcceptsThrownReset() {
            assertThatThrownBy(() -> {
                throw new IOException(NO_BYTES, new SocketException("Connection reset"));
            }).is(connectionReset());
        }

        @Test
        @DisplayName("connectionClosed() accepts a thrown premature end of stream")
        void closedAcceptsThrownEof() {
            assertThatThrownBy(() -> {
                throw new SocketException("Unexpected end of file from server");
            }).is(connectionClosed());
        }

        @Test
        @DisplayName("connectionRefused() accepts a thrown refusal")
        void refusedAcceptsThrownRefusal() {
            assertThatThrownBy(() -> {
                throw new ConnectException("Connection refused");
            }).is(connectionRefused());
        }

        @Test
        @DisplayName("has(connectionReset()) reads well on a caught throwable")
        void hasReadsWell() {
            Throwable caught = new IOException("request failed", new SocketException("Broken pipe"));

            assertThat(caught).has(connectionReset()).doesNotHave(connectionClosed());
        }

        @Test
        @DisplayName("a failing is(connectionReset()) names the condition in its message")
        void failingResetNamesCondition() {
            assertThatExceptionOfType(AssertionError.class)
                    .isThrownBy(() -> assertThat(new EOFException()).is(connectionReset()))
                    .withMessageContaining("a connection reset (the throwable or a cause in its chain)");
        }

        @Test
        @DisplayName("a failing is(connectionClosed()) names the condition in its message")
        void failingClosedNamesCondition() {
            assertThatExceptionOfType(AssertionError.class)
                    .isThrownBy(() -> assertThat(new SocketException("Connection reset")).is(connectionClosed()))
                    .withMessageContaining("a premature end of stream (the throwable or a cause in its chain)");
        }

        @Test
        @DisplayName("a failing has(connectionRefused()) names the condition in its message")
        void failingRefusedNamesCondition() {
            assertThatExceptionOfType(AssertionError.class)
                    .isThrownBy(() -> assertThat(new SocketTimeoutException("Connect timed out"))
                            .has(connectionRefused()))
                    .withMessageContaining("a refused connection (the throwable or a cause in its chain)");
        }

        @Test
        @DisplayName("a null actual fails the condition instead of throwing NullPointerException")
        void nullActualFails() {
            assertThatExceptionOfType(AssertionError.class)
                    .isThrownBy(() -> assertThat((Throwable) null).is(connectionReset()))
                    .withMessageContaining("a connection reset");
        }

        @Test
        @DisplayName("none of the conditions holds for a timeout")
        void noneHoldsForTimeout() {
            assertThat(new SocketTimeoutException("Read timed out"))
                    .isNot(connectionReset())
                    .isNot(connectionClosed())
                    .isNot(connectionRefused());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(ConnectionFailure.class)
        @DisplayName("each condition agrees with its kind on every sample")
        void conditionAgreesWithKind(ConnectionFailure kind) {
            Condition<Throwable> condition = conditionFor(kind);

            for (ConnectionFailure sampleKind : ConnectionFailure.values()) {
                Throwable sample = sampleOf(sampleKind);
                assertThat(condition.matches(sample)).as("%s on %s", condition, sample)
                        .isEqualTo(kind.matches(sample));
            }
        }
    }

    @Nested
    @DisplayName("against real loopback sockets")
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    class RealSockets {

        private final InetAddress loopback = InetAddress.getLoopbackAddress();

        @Test
        @DisplayName("a read after the peer aborts with SO_LINGER 0 is a reset")
        void readAfterAbortIsReset() throws IOException {
            try (ServerSocket server = new ServerSocket(0, 1, loopback);
                    Socket client = connectedClient(server.getLocalPort())) {
                abort(server.accept());

                assertThatThrownBy(() -> client.getInputStream().read()).is(connectionReset());
            }
        }

        @Test
        @DisplayName("reading past an orderly close is a premature end of stream")
        void readPastOrderlyCloseIsClosed() throws IOException {
            try (ServerSocket server = new ServerSocket(0, 1, loopback);
                    Socket client = connectedClient(server.getLocalPort())) {
                server.accept().close();
                InputStream in = client.getInputStream();

                assertThatThrownBy(() -> new DataInputStream(in).readFully(new byte[1])).is(connectionClosed());
            }
        }

        @Test
        @DisplayName("connecting to a bound port nobody listens on is a refusal")
        void connectToPortWithoutListenerIsRefused() throws IOException {
            try (Socket holder = new Socket()) {
                holder.bind(new InetSocketAddress(loopback, 0));
                int port = holder.getLocalPort();

                assertThatThrownBy(() -> connectedClient(port).close()).is(connectionRefused());
            }
        }

        private Socket connectedClient(int port) throws IOException {
            Socket client = new Socket();
            client.setSoTimeout(10_000);
            client.connect(new InetSocketAddress(loopback, port), 10_000);
            return client;
        }

        private void abort(Socket accepted) throws IOException {
            accepted.setSoLinger(true, 0);
            accepted.close();
        }
    }

    /** A throwable whose cause chain points back at itself, which initCause would not allow. */
    private static final class SelfCausedException extends ConnectException {

        private static final long serialVersionUID = 1L;

        SelfCausedException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable getCause() {
            return this;
        }
    }

    private static Arguments form(String name, Throwable thrown) {
        return Arguments.of(named(name, thrown));
    }

    /** Links each throwable to the next one as its cause and returns the first. */
    private static Throwable chain(Throwable top, Throwable... causes) {
        Throwable current = top;
        for (Throwable cause : causes) {
            current.initCause(cause);
            current = cause;
        }
        return top;
    }

    private static Throwable sampleOf(ConnectionFailure kind) {
        return switch (kind) {
            case RESET -> new SocketException("Connection reset");
            case CLOSED -> new EOFException("EOF reached while reading");
            case REFUSED -> new ConnectException("Connection refused");
            case TLS_HANDSHAKE -> new javax.net.ssl.SSLHandshakeException("Received fatal alert: handshake_failure");
        };
    }

    private static Condition<Throwable> conditionFor(ConnectionFailure kind) {
        return switch (kind) {
            case RESET -> connectionReset();
            case CLOSED -> connectionClosed();
            case REFUSED -> connectionRefused();
            case TLS_HANDSHAKE -> ConnectionConditions.tlsHandshakeFailed();
        };
    }
}
