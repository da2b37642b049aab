package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Ending;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerName;
import dev.misbehave.ProxyTo;
import dev.misbehave.Script;
import dev.misbehave.Unreachable;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.UpstreamRecord;
import dev.misbehave.testing.DocOutputs;
import dev.misbehave.testing.Sockets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A forwarding peer whose upstream leads back to itself (its own address, or a cycle through other
 * peers of the JVM) must not forward round without end (issue 13: 10,000 connections in 1.5 s,
 * then no file descriptor left). Each connection is unreachable instead, with the reason.
 */
@Timeout(60)
@DisplayName("A proxy whose upstream leads back to itself")
class ProxyLoopTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** How the client's connection ended: the error of its connect or read, or null at end-of-stream. */
    static IOException clientOutcome(MisbehavingPeer peer) {
        try (Socket client = new Socket(peer.host(), peer.port())) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            return Sockets.readAll(client).failure();
        } catch (IOException e) {
            return e; // a reset can already reach connect(), or the write
        }
    }

    /** The only connection {@code peer} accepted, once it has ended, and its upstream leg. */
    static UpstreamRecord onlyLeg(MisbehavingPeer peer) {
        ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
        assertThat(peer.connections()).as("the journal of %s", peer).hasSize(1);
        return record.upstream().orElseThrow();
    }

    static String text(InetSocketAddress address) {
        return "127.0.0.1:" + address.getPort();
    }

    @Test
    @DisplayName("its own address: the connection is unreachable, ends as whenUnreachable says, and the journal says why")
    void self() {
        EngineRunner.run(SelfTestCases.class).testEvents()
                .assertStatistics(stats -> stats.started(2).succeeded(2));
    }

    @Test
    @DisplayName("two peers forwarding to each other: the second one does not forward back")
    void twoPeers() {
        EngineRunner.run(TwoPeerLoopTestCases.class).testEvents()
                .assertStatistics(stats -> stats.started(1).succeeded(1));
    }

    @Test
    @DisplayName("three peers in a cycle: the last one does not forward to the first")
    void threePeers() {
        EngineRunner.run(ThreePeerLoopTestCases.class).testEvents()
                .assertStatistics(stats -> stats.started(1).succeeded(1));
    }

    @Test
    @DisplayName("a stopped server's port, then held by a peer: the peer forwarding to it, or to a peer that forwards back, does not loop")
    void freedPort() {
        EngineRunner.run(FreedPortTestCases.class).testEvents()
                .assertStatistics(stats -> stats.started(2).succeeded(2));
    }

    // ---- fixtures: run only through EngineRunner ----

    static class SelfTestCases {
        InetSocketAddress self; // read at each connection: the peer's own address

        @Test
        @ProxyTo("self")
        void reset(MisbehavingPeer peer) {
            self = peer.address();

            assertThat(clientOutcome(peer)).isInstanceOf(SocketException.class);
            UpstreamRecord leg = onlyLeg(peer);
            assertThat(peer.connections().get(0).ending()).isEqualTo(Ending.PEER_RESET);
            assertThat(leg.ending()).isEqualTo(UpstreamEnding.NOT_CONNECTED);
            assertThat(leg.address()).contains(self);
            assertThat(leg.failure()).contains("the upstream " + text(self) + " is this peer's own address;"
                    + " forwarding to it would loop without end");
            DocOutputs.capture("proxy-loop-self", DocOutputs.ports(leg.toString()));
        }

        @Test
        @ProxyTo(value = "self", whenUnreachable = Unreachable.CLOSE)
        void close(MisbehavingPeer peer) {
            self = peer.address();

            assertThat(clientOutcome(peer)).isNull(); // end-of-stream
            UpstreamRecord leg = onlyLeg(peer);
            assertThat(peer.connections().get(0).ending()).isEqualTo(Ending.PEER_CLOSED);
            assertThat(leg.failure()).hasValueSatisfying(why -> assertThat(why).contains("this peer's own address"));
        }
    }

    static class TwoPeerLoopTestCases {
        InetSocketAddress toA;
        InetSocketAddress toB;

        @Test
        @ProxyTo(peer = "a", value = "toB")
        @ProxyTo(peer = "b", value = "toA")
        void test(@PeerName("a") MisbehavingPeer a, @PeerName("b") MisbehavingPeer b) {
            toA = a.address();
            toB = b.address();

            assertThat(clientOutcome(a)).isInstanceOf(SocketException.class);
            UpstreamRecord back = onlyLeg(b);
            assertThat(back.ending()).isEqualTo(UpstreamEnding.NOT_CONNECTED);
            assertThat(back.failure()).contains("the upstream " + text(toA) + " is a peer this connection"
                    + " already passed through (" + text(toA) + " → " + text(toB) + " → " + text(toA) + ");"
                    + " forwarding to it would loop without end");
            DocOutputs.capture("proxy-loop-cycle", back.toString()
                    .replace(text(toA), "127.0.0.1:PORT_A").replace(text(toB), "127.0.0.1:PORT_B"));
            UpstreamRecord forth = onlyLeg(a);
            assertThat(forth.address()).contains(toB);
            assertThat(forth.ending()).isEqualTo(UpstreamEnding.SERVER_RESET); // b reset it, as b's whenUnreachable says
        }
    }

    static class ThreePeerLoopTestCases {
        InetSocketAddress toA;
        InetSocketAddress toB;
        InetSocketAddress toC;

        @Test
        @ProxyTo(peer = "a", value = "toB")
        @ProxyTo(peer = "b", value = "toC")
        @ProxyTo(peer = "c", value = "toA", whenUnreachable = Unreachable.CLOSE)
        void test(@PeerName("a") MisbehavingPeer a, @PeerName("b") MisbehavingPeer b, @PeerName("c") MisbehavingPeer c) {
            toA = a.address();
            toB = b.address();
            toC = c.address();

            assertThat(clientOutcome(a)).isNull(); // c closes, and the close is passed on
            assertThat(onlyLeg(c).failure()).contains("the upstream " + text(toA) + " is a peer this connection"
                    + " already passed through (" + text(toA) + " → " + text(toB) + " → " + text(toC) + " → "
                    + text(toA) + "); forwarding to it would loop without end");
            assertThat(onlyLeg(b).ending()).isEqualTo(UpstreamEnding.SERVER_CLOSED);
            assertThat(onlyLeg(a).ending()).isEqualTo(UpstreamEnding.SERVER_CLOSED);
        }
    }

    static class FreedPortTestCases {
        /** A port a server held, free again now that it stopped. */
        static int freedPort() throws IOException {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return server.getLocalPort();
            }
        }

        int upstreamPort; // where the annotated peer forwards

        @Test
        @DisplayName("a peer started on the port, forwarding to the port")
        void self() throws IOException {
            int port = freedPort();
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo("127.0.0.1", port), null, port)) {
                assertThat(clientOutcome(peer)).isInstanceOf(SocketException.class);
                assertThat(onlyLeg(peer).failure())
                        .contains("the upstream 127.0.0.1:" + port + " is this peer's own address; forwarding to it"
                                + " would loop without end");
            }
        }

        @Test
        @ProxyTo("upstreamPort")
        @DisplayName("a peer forwarding to the port, where a peer that forwards back now listens")
        void loop(MisbehavingPeer peer) throws IOException {
            upstreamPort = freedPort();
            try (MisbehavingPeer onFreedPort =
                    MisbehavingPeer.start(Script.forwardTo(peer::address), null, upstreamPort)) {
                assertThat(clientOutcome(peer)).isInstanceOf(SocketException.class);
                assertThat(onlyLeg(onFreedPort).failure()).hasValueSatisfying(why -> assertThat(why)
                        .startsWith("the upstream " + text(peer.address()) + " is a peer this connection already"
                                + " passed through"));
                assertThat(onlyLeg(peer).ending()).isEqualTo(UpstreamEnding.SERVER_RESET);
            }
        }
    }
}
