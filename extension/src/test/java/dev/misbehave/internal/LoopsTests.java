package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.testing.Sockets;
import dev.misbehave.testing.TestServer;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
@DisplayName("Loops: where a connection lands, and the routes of legs between peers")
// It counts the legs of the whole JVM: no other proxy test may run beside it.
@Isolated
class LoopsTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @ParameterizedTest(name = "a connection to {0} lands on a listener on {1}: {2}")
    @CsvSource({
        "127.0.0.1:8080, 127.0.0.1:8080, true",
        "127.0.0.1:8080, 127.0.0.1:8081, false",
        "127.0.0.2:8080, 127.0.0.1:8080, false",
        "127.0.0.1:8080, 0.0.0.0:8080, true",
        "127.0.0.2:8080, 0.0.0.0:8080, true",
        "[::1]:8080, 0.0.0.0:8080, false",
        "[::1]:8080, [::]:8080, true",
        "127.0.0.1:8080, [::]:8080, true",
        "[::1]:8080, [::1]:8080, true",
        "[::1]:8080, 127.0.0.1:8080, false",
        "0.0.0.0:8080, 127.0.0.1:8080, true",
        "192.0.2.1:8080, 0.0.0.0:8080, false",
        "192.0.2.1:8080, 192.0.2.1:8080, true",
    })
    void landsOn(String upstream, String listening, boolean lands) throws Exception {
        assertThat(Loops.landsOn(address(upstream), address(listening))).isEqualTo(lands);
    }

    static InetSocketAddress address(String text) throws Exception {
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(text.substring(colon + 1)));
    }

    @Test
    @DisplayName("a leg to a forwarding peer carries the route while it is open, and leaves no entry behind")
    void legsLeaveNoEntry() throws Exception {
        int before = Loops.legs();
        try (TestServer server = TestServer.start(socket -> {
                    socket.getOutputStream().write("hi".getBytes());
                    return "served";
                });
                MisbehavingPeer back = MisbehavingPeer.start(Script.forwardTo(server.address()));
                MisbehavingPeer front = MisbehavingPeer.start(Script.forwardTo(back.address()))) {
            for (int i = 0; i < 100; i++) {
                try (Socket client = new Socket(front.host(), front.port())) {
                    assertThat(Sockets.readAll(client).text()).isEqualTo("hi");
                }
            }
            assertThat(front.awaitConnections(100, WAIT)).hasSize(100)
                    .allSatisfy(record -> assertThat(record.upstream().orElseThrow().ending())
                            .isEqualTo(UpstreamEnding.SERVER_CLOSED));
            assertThat(back.awaitConnections(100, WAIT)).hasSize(100)
                    .allSatisfy(record -> assertThat(record.upstream().orElseThrow().failure()).isEmpty());
        }
        flushEventLoops(); // a leg's entry goes in the task that closes it
        assertThat(Loops.legs()).isEqualTo(before);
    }

    @Test
    @DisplayName("only a leg to a forwarding peer of this JVM carries a route: not one to another server")
    void onlyLegsToForwardingPeers() throws Exception {
        int before = Loops.legs();
        try (TestServer server = TestServer.start(socket -> socket.getInputStream().readAllBytes().length);
                MisbehavingPeer back = MisbehavingPeer.start(Script.forwardTo(server.address()));
                MisbehavingPeer front = MisbehavingPeer.start(Script.forwardTo(back.address()));
                Socket client = new Socket(front.host(), front.port())) {
            assertThat(client.isConnected()).isTrue(); // and stays open while the legs are counted
            back.awaitJournal(journal -> journal.size() == 1
                    && journal.get(0).upstream().orElseThrow().ending() == UpstreamEnding.OPEN, WAIT);
            assertThat(Loops.legs()).as("front's leg to back; not back's leg to the server").isEqualTo(before + 1);
        }
    }

    /** Waits until every event loop has run the tasks queued before this call. */
    static void flushEventLoops() throws Exception {
        for (EventExecutor loop : EventLoops.shared()) {
            ((EventLoop) loop).submit(() -> { }).get(10, TimeUnit.SECONDS);
        }
    }

}
