package dev.misbehave.junit;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.testing.Ports;
import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
@DisplayName("Under load")
class LoadTests {

    static final int CLIENTS = 200;
    static final int PEERS = 64;
    /** Generous, for a loaded machine: a connect or read that reaches it has failed the test. */
    static final int SOCKET_TIMEOUT_MILLIS = 30_000;
    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @DisplayName("200 clients connecting at once to one peer each get the planned reset, and the journal has 200 records that say so")
    void twoHundredConcurrentClients() {
        EngineRunner.run(TwoHundredClientsTestCases.class)
                .testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
    }

    @Test
    @DisplayName("64 peers alive at once, one connection each, each journalled with its own fault, all closed and their ports released")
    void sixtyFourPeersAtOnce() throws Exception {
        List<MisbehavingPeer> peers = new ArrayList<>();
        List<Ports.Listener> listeners = new ArrayList<>();
        try {
            for (int i = 0; i < PEERS; i++) {
                // each peer its own fault: reset after i + 1 request bytes
                peers.add(MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, i + 1)));
                listeners.add(Ports.Listener.of(peers.get(i).port()));
            }
            List<String> outcomes = concurrently(PEERS, i -> () -> {
                try (Socket socket = new Socket(peers.get(i).host(), peers.get(i).port())) {
                    socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                    socket.getOutputStream().write(new byte[i + 1]);
                    return readAfterReset(socket);
                }
            });

            assertThat(outcomes).hasSize(PEERS).containsOnly("reset");
            for (int i = 0; i < PEERS; i++) {
                assertThat(peers.get(i).awaitConnections(1, WAIT)).as("journal of peer %d", i).singleElement()
                        .satisfies(record -> {
                            assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
                            assertThat(record.firedTrigger()).isPresent();
                        })
                        .extracting(ConnectionRecord::receivedCount).isEqualTo(i + 1L);
            }
        } finally {
            peers.forEach(MisbehavingPeer::close);
        }
        for (int i = 0; i < PEERS; i++) {
            listeners.get(i).assertClosed(peers.get(i).toString());
        }
        assertThat(peers.stream().map(MisbehavingPeer::port).distinct()).as("distinct ports").hasSize(PEERS);
    }

    @Test
    @DisplayName("64 peers declared on one test's fields, alive at once through the engine: each resets its own client after its own byte count, all closed after")
    void sixtyFourFieldPeers() throws IOException {
        SixtyFourFieldPeersTestCases.LISTENERS.clear();
        EngineRunner.run(SixtyFourFieldPeersTestCases.class)
                .testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));

        assertThat(SixtyFourFieldPeersTestCases.LISTENERS).hasSize(PEERS)
                .extracting(Ports.Listener::port).doesNotHaveDuplicates();
        for (Ports.Listener listener : SixtyFourFieldPeersTestCases.LISTENERS) {
            listener.assertClosed("the peer on port " + listener.port());
        }
    }

    /** What a client's read saw once its peer should have reset: "reset", or what else. */
    static String readAfterReset(Socket socket) throws IOException {
        try {
            return "read " + socket.getInputStream().read() + " instead of a reset";
        } catch (SocketException e) {
            return connectionReset().matches(e) ? "reset" : e.toString();
        }
    }

    /**
     * Runs {@code count} clients on a pool of as many threads, all released at once by a latch, and
     * returns what each returned, in order.
     */
    static List<String> concurrently(int count, IntFunction<Callable<String>> client) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch ready = new CountDownLatch(count);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Callable<String> task = client.apply(i);
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    if (!go.await(SOCKET_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                        return "never released";
                    }
                    return task.call();
                }));
            }
            assertThat(ready.await(SOCKET_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)).as("all clients ready").isTrue();
            go.countDown();
            List<String> outcomes = new ArrayList<>();
            for (Future<String> future : futures) {
                outcomes.add(future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
            // ended now, not later during another test's thread count
            pool.awaitTermination(SOCKET_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    // ---- fixture: run only through EngineRunner ----

    static class TwoHundredClientsTestCases {
        /**
         * Each client sends its name, reads the answer, and starts a second request, which the peer
         * resets (a stale kept-alive connection): every connection has its own bytes in the journal.
         */
        @Test
        @PeerScript(requestEndsWith = "\n", response = "OK\n")
        @ForceResetAfter(exchanges = 1)
        void twoHundredClients(MisbehavingPeer peer) throws Exception {
            List<String> outcomes = concurrently(CLIENTS, i -> () -> {
                try (Socket socket = new Socket()) {
                    socket.connect(peer.address(), SOCKET_TIMEOUT_MILLIS);
                    socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                    socket.getOutputStream().write(String.format("client-%03d\n", i).getBytes(UTF_8));
                    String answer = new String(socket.getInputStream().readNBytes(3), UTF_8);
                    socket.getOutputStream().write("again\n".getBytes(UTF_8));
                    return answer.replace("\n", "\\n") + " then " + readAfterReset(socket);
                }
            });

            assertThat(outcomes).hasSize(CLIENTS).containsOnly("OK\\n then reset");
            List<ConnectionRecord> journal = peer.awaitConnections(CLIENTS, WAIT);
            assertThat(journal).hasSize(CLIENTS).allSatisfy(record -> {
                assertThat(record.ending()).isEqualTo(Ending.PEER_RESET);
                assertThat(record.firedTrigger()).isPresent();
                assertThat(record.sent()).asString(UTF_8).isEqualTo("OK\n");
                assertThat(record.received()).asString(UTF_8).matches("client-\\d{3}\n(a(g(a(i(n\n?)?)?)?)?)?");
            });
            Set<String> names = new TreeSet<>();
            journal.forEach(record -> names.add(new String(record.received(), 0, 10, UTF_8)));
            assertThat(names).as("the clients in the journal").hasSize(CLIENTS)
                    .contains("client-000", "client-199");
            assertThat(journal).extracting(ConnectionRecord::index).doesNotHaveDuplicates().hasSize(CLIENTS);
        }
    }

    /**
     * One test with 64 peers, one per field: peer{@code NN} resets after {@code NN + 1} request
     * bytes. All are alive for the whole test; the clients connect concurrently.
     */
    static class SixtyFourFieldPeersTestCases {
        static final List<Ports.Listener> LISTENERS = java.util.Collections.synchronizedList(new ArrayList<>());

        @ForceResetAfter(bytes = 1)
        MisbehavingPeer peer00;
        @ForceResetAfter(bytes = 2)
        MisbehavingPeer peer01;
        @ForceResetAfter(bytes = 3)
        MisbehavingPeer peer02;
        @ForceResetAfter(bytes = 4)
        MisbehavingPeer peer03;
        @ForceResetAfter(bytes = 5)
        MisbehavingPeer peer04;
        @ForceResetAfter(bytes = 6)
        MisbehavingPeer peer05;
        @ForceResetAfter(bytes = 7)
        MisbehavingPeer peer06;
        @ForceResetAfter(bytes = 8)
        MisbehavingPeer peer07;
        @ForceResetAfter(bytes = 9)
        MisbehavingPeer peer08;
        @ForceResetAfter(bytes = 10)
        MisbehavingPeer peer09;
        @ForceResetAfter(bytes = 11)
        MisbehavingPeer peer10;
        @ForceResetAfter(bytes = 12)
        MisbehavingPeer peer11;
        @ForceResetAfter(bytes = 13)
        MisbehavingPeer peer12;
        @ForceResetAfter(bytes = 14)
        MisbehavingPeer peer13;
        @ForceResetAfter(bytes = 15)
        MisbehavingPeer peer14;
        @ForceResetAfter(bytes = 16)
        MisbehavingPeer peer15;
        @ForceResetAfter(bytes = 17)
        MisbehavingPeer peer16;
        @ForceResetAfter(bytes = 18)
        MisbehavingPeer peer17;
        @ForceResetAfter(bytes = 19)
        MisbehavingPeer peer18;
        @ForceResetAfter(bytes = 20)
        MisbehavingPeer peer19;
        @ForceResetAfter(bytes = 21)
        MisbehavingPeer peer20;
        @ForceResetAfter(bytes = 22)
        MisbehavingPeer peer21;
        @ForceResetAfter(bytes = 23)
        MisbehavingPeer peer22;
        @ForceResetAfter(bytes = 24)
        MisbehavingPeer peer23;
        @ForceResetAfter(bytes = 25)
        MisbehavingPeer peer24;
        @ForceResetAfter(bytes = 26)
        MisbehavingPeer peer25;
        @ForceResetAfter(bytes = 27)
        MisbehavingPeer peer26;
        @ForceResetAfter(bytes = 28)
        MisbehavingPeer peer27;
        @ForceResetAfter(bytes = 29)
        MisbehavingPeer peer28;
        @ForceResetAfter(bytes = 30)
        MisbehavingPeer peer29;
        @ForceResetAfter(bytes = 31)
        MisbehavingPeer peer30;
        @ForceResetAfter(bytes = 32)
        MisbehavingPeer peer31;
        @ForceResetAfter(bytes = 33)
        MisbehavingPeer peer32;
        @ForceResetAfter(bytes = 34)
        MisbehavingPeer peer33;
        @ForceResetAfter(bytes = 35)
        MisbehavingPeer peer34;
        @ForceResetAfter(bytes = 36)
        MisbehavingPeer peer35;
        @ForceResetAfter(bytes = 37)
        MisbehavingPeer peer36;
        @ForceResetAfter(bytes = 38)
        MisbehavingPeer peer37;
        @ForceResetAfter(bytes = 39)
        MisbehavingPeer peer38;
        @ForceResetAfter(bytes = 40)
        MisbehavingPeer peer39;
        @ForceResetAfter(bytes = 41)
        MisbehavingPeer peer40;
        @ForceResetAfter(bytes = 42)
        MisbehavingPeer peer41;
        @ForceResetAfter(bytes = 43)
        MisbehavingPeer peer42;
        @ForceResetAfter(bytes = 44)
        MisbehavingPeer peer43;
        @ForceResetAfter(bytes = 45)
        MisbehavingPeer peer44;
        @ForceResetAfter(bytes = 46)
        MisbehavingPeer peer45;
        @ForceResetAfter(bytes = 47)
        MisbehavingPeer peer46;
        @ForceResetAfter(bytes = 48)
        MisbehavingPeer peer47;
        @ForceResetAfter(bytes = 49)
        MisbehavingPeer peer48;
        @ForceResetAfter(bytes = 50)
        MisbehavingPeer peer49;
        @ForceResetAfter(bytes = 51)
        MisbehavingPeer peer50;
        @ForceResetAfter(bytes = 52)
        MisbehavingPeer peer51;
        @ForceResetAfter(bytes = 53)
        MisbehavingPeer peer52;
        @ForceResetAfter(bytes = 54)
        MisbehavingPeer peer53;
        @ForceResetAfter(bytes = 55)
        MisbehavingPeer peer54;
        @ForceResetAfter(bytes = 56)
        MisbehavingPeer peer55;
        @ForceResetAfter(bytes = 57)
        MisbehavingPeer peer56;
        @ForceResetAfter(bytes = 58)
        MisbehavingPeer peer57;
        @ForceResetAfter(bytes = 59)
        MisbehavingPeer peer58;
        @ForceResetAfter(bytes = 60)
        MisbehavingPeer peer59;
        @ForceResetAfter(bytes = 61)
        MisbehavingPeer peer60;
        @ForceResetAfter(bytes = 62)
        MisbehavingPeer peer61;
        @ForceResetAfter(bytes = 63)
        MisbehavingPeer peer62;
        @ForceResetAfter(bytes = 64)
        MisbehavingPeer peer63;

        @Test
        void sixtyFourAtOnce() throws Exception {
            List<MisbehavingPeer> peers = new ArrayList<>();
            for (int i = 0; i < PEERS; i++) {
                peers.add((MisbehavingPeer) getClass().getDeclaredField(String.format("peer%02d", i)).get(this));
            }
            peers.forEach(peer -> LISTENERS.add(Ports.Listener.of(peer.port())));
            assertThat(peers).doesNotContainNull().doesNotHaveDuplicates();

            List<String> outcomes = concurrently(PEERS, i -> () -> {
                try (Socket socket = new Socket(peers.get(i).host(), peers.get(i).port())) {
                    socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                    socket.getOutputStream().write(new byte[i + 1]);
                    return readAfterReset(socket);
                }
            });

            assertThat(outcomes).containsOnly("reset");
            for (int i = 0; i < PEERS; i++) {
                assertThat(peers.get(i).awaitConnections(1, WAIT)).as("journal of peer%02d", i).singleElement()
                        .satisfies(record -> assertThat(record.ending()).isEqualTo(Ending.PEER_RESET))
                        .extracting(ConnectionRecord::receivedCount).isEqualTo(i + 1L);
            }
        }
    }
}
