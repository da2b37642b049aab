package dev.misbehave.junit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerName;
import dev.misbehave.PeerScript;
import dev.misbehave.ProxyTo;
import dev.misbehave.Unreachable;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.UpstreamRecord;
import dev.misbehave.testing.Sockets;
import dev.misbehave.testing.Sockets.Read;
import dev.misbehave.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

@Timeout(60)
@DisplayName("@ProxyTo through the Jupiter engine")
class ProxyToTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String PREFIX = "void dev.misbehave.junit.ProxyToTests$";

    static TestServer hello() {
        return TestServer.start(socket -> {
            socket.getOutputStream().write("hello from the server".getBytes(UTF_8));
            return "served";
        });
    }

    static UpstreamRecord upstream(MisbehavingPeer peer) {
        ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
        assertThat(record.upstream()).isPresent();
        return record.upstream().orElseThrow();
    }

    static String readThrough(MisbehavingPeer peer) throws IOException {
        try (Socket client = new Socket(peer.host(), peer.port())) {
            Read read = Sockets.readAll(client);
            assertThat(read.failure()).isNull();
            return read.text();
        }
    }

    @Nested
    @DisplayName("finds the server")
    class FindsTheServer {

        @Test
        @DisplayName("through a static method, an instance field set in @BeforeEach, a string, a URI, another peer and a static field's peer")
        void everyForm() {
            for (Class<?> fixture : new Class<?>[] {StaticMethodTestCases.class, InstanceFieldTestCases.class,
                    TextTestCases.class, ChainedTestCases.class, StaticFieldPeerTestCases.class}) {
                EngineRunner.run(fixture).testEvents()
                        .assertStatistics(stats -> stats.started(1).succeeded(1).failed(0));
            }
        }

        @Test
        @DisplayName("a fixed port where nothing listens: the client is reset (or closed, when told), and the journal says why")
        void unreachable() {
            EngineRunner.run(UnreachableTestCases.class).testEvents()
                    .assertStatistics(stats -> stats.started(2).succeeded(2));
        }

        @Test
        @DisplayName("a member that gives null at a connection: the client is reset, and the journal says why")
        void givesNull() {
            EngineRunner.run(NullTestCases.class).testEvents()
                    .assertStatistics(stats -> stats.started(1).succeeded(1));
        }
    }

    @Nested
    @DisplayName("rejects misconfiguration, naming the attribute, the value and the fix")
    class Rejects {

        private void assertConfigurationError(Class<?> fixture, String expected) {
            EngineRunner.run(fixture).testEvents().assertThatEvents().haveExactly(1,
                    event(test("test"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                            message(expected))));
        }

        private String on(Class<?> fixture) {
            return " on [method " + PREFIX + fixture.getSimpleName() + ".test()]: ";
        }

        @Test
        @DisplayName("value and port together")
        void both() {
            assertConfigurationError(BothTestCases.class, "@ProxyTo(value = \"server\", port = 80)" + on(BothTestCases.class)
                    + "`value` = \"server\" and `port` = 80 are both set. Keep one: value names a field or method that"
                    + " gives the server's address when the test runs; port (with host) is a fixed address.");
        }

        @Test
        @DisplayName("neither value nor port")
        void neither() {
            assertConfigurationError(NeitherTestCases.class, "@ProxyTo" + on(NeitherTestCases.class)
                    + "neither `value` nor `port` is set, so the peer has no server to forward to. Name a field or"
                    + " method that gives the server's address, @ProxyTo(\"server\"), or set port (and host) for a"
                    + " fixed address.");
        }

        @Test
        @DisplayName("a port out of range")
        void badPort() {
            assertConfigurationError(BadPortTestCases.class, "@ProxyTo(port = 70000)" + on(BadPortTestCases.class)
                    + "`port` = 70000 is not a TCP port. Give the port the server listens on, 1 to 65535.");
        }

        @Test
        @DisplayName("a name that matches nothing")
        void noSuchMember() {
            assertConfigurationError(NoSuchMemberTestCases.class, "@ProxyTo(\"srever\")" + on(NoSuchMemberTestCases.class)
                    + "`value` = \"srever\" names no field and no no-arg method of"
                    + " dev.misbehave.junit.ProxyToTests$NoSuchMemberTestCases (or their superclasses). Add one that"
                    + " gives the server's address (InetSocketAddress, URI, String (\"host:port\"), int (a port on"
                    + " 127.0.0.1) or MisbehavingPeer), or correct the name.");
        }

        @Test
        @DisplayName("a member of a type that gives no address")
        void wrongType() {
            assertConfigurationError(WrongTypeTestCases.class, "@ProxyTo(\"server\")" + on(WrongTypeTestCases.class)
                    + "`value` = \"server\" names field server of dev.misbehave.junit.ProxyToTests$WrongTypeTestCases,"
                    + " of type dev.misbehave.testing.TestServer, which gives no address. Make it give an"
                    + " InetSocketAddress, URI, String (\"host:port\"), int (a port on 127.0.0.1) or"
                    + " MisbehavingPeer.");
        }

        @Test
        @DisplayName("a lengthField without requestEndsWith")
        void lengthFieldAlone() {
            assertConfigurationError(LengthFieldTestCases.class,
                    "@ProxyTo(port = 80, lengthField = \"Content-Length\")" + on(LengthFieldTestCases.class)
                            + "`lengthField` = \"Content-Length\" needs `requestEndsWith`, the end of the head the"
                            + " field is in. Add requestEndsWith = \"\\r\\n\\r\\n\", or remove lengthField.");
        }

        @Test
        @DisplayName("@PeerScript and @ProxyTo for one peer")
        void scriptAndProxy() {
            EngineRunner.run(ScriptAndProxyTestCases.class).testEvents().assertThatEvents().haveExactly(1,
                    event(test("test"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                            message(m -> m.startsWith("2 Misbehave script annotations are present on [method ")
                                    && m.endsWith("Keep one: a peer has a single script (@PeerScript, or @ProxyTo for"
                                    + " a proxy). To give several peers their own, set a different `peer` on each.")))));
        }

        @Test
        @DisplayName("an instance member for a peer in a static field")
        void instanceMemberForStaticPeer() {
            EngineRunner.run(InstanceMemberStaticPeerTestCases.class).containerEvents().assertThatEvents()
                    .haveExactly(1, event(finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                            message(m -> m.contains("`value` = \"address\" names method address() of")
                                    && m.endsWith("an instance member, but this peer is held in a static field and"
                                    + " starts before any test instance exists. Make it static, or hold the peer"
                                    + " in an instance field.")))));
        }

        @Test
        @DisplayName("an exchanges trigger without requestEndsWith")
        void exchangesWithoutRequestEnd() {
            EngineRunner.run(ExchangesTestCases.class).testEvents().assertThatEvents().haveExactly(1,
                    event(test("test"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                            message(m -> m.contains("does not know where a request ends")
                                    && m.endsWith("Change the fault or the peer's @ProxyTo.")))));
        }
    }

    // ---- fixtures: run only through EngineRunner ----

    static void mustNotRun() {
        throw new AssertionError("a misconfigured test must not run");
    }

    static class StaticMethodTestCases {
        static TestServer server; // the method of the same name wins

        @BeforeAll
        static void start() {
            server = hello();
        }

        @AfterAll
        static void stop() throws IOException {
            server.close();
        }

        static InetSocketAddress server() {
            return server.address();
        }

        @Test
        @ProxyTo("server")
        void test(MisbehavingPeer peer) throws IOException {
            assertThat(readThrough(peer)).isEqualTo("hello from the server");
            assertThat(upstream(peer).address()).contains(server.address());
            assertThat(upstream(peer).ending()).isEqualTo(UpstreamEnding.SERVER_CLOSED);
        }
    }

    static class InstanceFieldTestCases {
        TestServer server;
        int port; // set after the peer started: read at each connection

        @BeforeEach
        void start() {
            server = hello();
            port = server.port();
        }

        @AfterEach
        void stop() throws IOException {
            server.close();
        }

        @Test
        @ProxyTo("port")
        @ForceResetAfter(bytes = 5, direction = Direction.DOWNSTREAM)
        void test(MisbehavingPeer peer) throws IOException {
            try (Socket client = new Socket(peer.host(), peer.port())) {
                Read read = Sockets.readAll(client);
                assertThat(read.text()).isEqualTo("hello");
                assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            assertThat(upstream(peer).address()).contains(new InetSocketAddress("127.0.0.1", port));
        }
    }

    static class TextTestCases {
        static TestServer server;

        @BeforeAll
        static void start() {
            server = hello();
        }

        @AfterAll
        static void stop() throws IOException {
            server.close();
        }

        static String text() {
            return "127.0.0.1:" + server.port();
        }

        static URI uri() {
            return URI.create("tcp://127.0.0.1:" + server.port());
        }

        @Test
        @ProxyTo(peer = "text", value = "text")
        @ProxyTo(peer = "uri", value = "uri")
        void test(@PeerName("text") MisbehavingPeer text, @PeerName("uri") MisbehavingPeer uri) throws IOException {
            assertThat(readThrough(text)).isEqualTo("hello from the server");
            assertThat(readThrough(uri)).isEqualTo("hello from the server");
        }
    }

    static class ChainedTestCases {
        @PeerScript(greeting = "hi from the backend peer")
        static MisbehavingPeer backend;

        @Test
        @ProxyTo("backend")
        void test(MisbehavingPeer peer) throws IOException {
            try (Socket client = new Socket(peer.host(), peer.port())) {
                assertThat(new String(Sockets.readExactly(client, 24), UTF_8)).isEqualTo("hi from the backend peer");
            }
            assertThat(upstream(peer).address()).contains(backend.address());
        }
    }

    static class StaticFieldPeerTestCases {
        static final TestServer SERVER = hello();

        static InetSocketAddress address() {
            return SERVER.address();
        }

        @ProxyTo("address")
        static MisbehavingPeer proxy;

        @AfterAll
        static void stop() throws IOException {
            SERVER.close();
        }

        @Test
        void test() throws IOException {
            assertThat(readThrough(proxy)).isEqualTo("hello from the server");
        }
    }

    static class UnreachableTestCases {
        @Test
        @ProxyTo(port = 1)
        void reset(MisbehavingPeer peer) throws IOException {
            try (Socket client = new Socket(peer.host(), peer.port())) {
                assertThat(Sockets.readAll(client).failure()).isInstanceOf(SocketException.class);
            }
            assertThat(upstream(peer).failure()).hasValueSatisfying(why ->
                    assertThat(why).isEqualTo("connect to 127.0.0.1:1 failed: Connection refused"));
        }

        @Test
        @ProxyTo(port = 1, whenUnreachable = Unreachable.CLOSE)
        void close(MisbehavingPeer peer) throws IOException {
            assertThat(readThrough(peer)).isEmpty();
            assertThat(peer.awaitConnections(1, WAIT).get(0).ending()).isEqualTo(Ending.PEER_CLOSED);
        }
    }

    static class NullTestCases {
        InetSocketAddress server; // never set

        @Test
        @ProxyTo("server")
        void test(MisbehavingPeer peer) throws IOException {
            try (Socket client = new Socket(peer.host(), peer.port())) {
                assertThat(Sockets.readAll(client).failure()).isInstanceOf(SocketException.class);
            }
            assertThat(upstream(peer).failure()).hasValueSatisfying(why -> assertThat(why).endsWith(
                    "field server of dev.misbehave.junit.ProxyToTests$NullTestCases gave null (is the server"
                            + " started?)"));
        }
    }

    static class BothTestCases {
        static int server;

        @Test @ProxyTo(value = "server", port = 80) void test() { mustNotRun(); }
    }

    static class NeitherTestCases {
        @Test @ProxyTo void test() { mustNotRun(); }
    }

    static class BadPortTestCases {
        @Test @ProxyTo(port = 70000) void test() { mustNotRun(); }
    }

    static class NoSuchMemberTestCases {
        static int server;

        @Test @ProxyTo("srever") void test() { mustNotRun(); }
    }

    static class WrongTypeTestCases {
        static TestServer server;

        @Test @ProxyTo("server") void test() { mustNotRun(); }
    }

    static class LengthFieldTestCases {
        @Test @ProxyTo(port = 80, lengthField = "Content-Length") void test() { mustNotRun(); }
    }

    static class ScriptAndProxyTestCases {
        @Test @ProxyTo(port = 80) @PeerScript(echo = true) void test() { mustNotRun(); }
    }

    static class InstanceMemberStaticPeerTestCases {
        @ProxyTo("address")
        static MisbehavingPeer proxy;

        InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", 80);
        }

        @Test void test() { mustNotRun(); }
    }

    static class ExchangesTestCases {
        @Test @ProxyTo(port = 80) @ForceResetAfter(exchanges = 1) void test() { mustNotRun(); }
    }
}
