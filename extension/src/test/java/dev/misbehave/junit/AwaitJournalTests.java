package dev.misbehave.junit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Ending;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.ProxyTo;
import dev.misbehave.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code awaitJournal(condition)} re-checks its condition on every change of the journal the
 * condition can observe, not only on accept, trigger or end (issue 13: a condition on the bytes
 * received burned its whole timeout before it passed).
 *
 * <p>Each fixture waits with a timeout of {@link #LONG} inside a test whose {@code @Timeout} is
 * {@link #SHORT}: a wait that is woken passes, a wait that sleeps until its timeout fails the
 * test. No timing is asserted. The client's bytes are sent by the condition's first check, so they
 * arrive only once the wait has begun, and nothing else (no accept, no trigger, no end) happens
 * after them that would wake it.
 */
@DisplayName("awaitJournal wakes on every journal change")
class AwaitJournalTests {

    static final Duration LONG = Duration.ofSeconds(60);
    static final int SHORT = 10;

    @Test
    @DisplayName("bytes received, bytes sent, and bytes forwarded to the server each wake a waiting condition")
    void wakesOnBytes() {
        EngineRunner.run(BytesTestCases.class).testEvents()
                .assertStatistics(stats -> stats.started(3).succeeded(3));
    }

    /** A condition that sends {@code bytes} from {@code client} when first checked, then tests {@code done}. */
    static Predicate<List<ConnectionRecord>> sendingFirst(Socket client, String bytes,
            Predicate<List<ConnectionRecord>> done) {
        boolean[] sent = {false};
        return journal -> {
            if (!sent[0]) {
                sent[0] = true;
                try {
                    OutputStream out = client.getOutputStream();
                    out.write(bytes.getBytes(UTF_8));
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return done.test(journal);
        };
    }

    // ---- fixtures: run only through EngineRunner ----

    @Timeout(SHORT)
    static class BytesTestCases {
        TestServer server;

        @BeforeEach
        void start() {
            // reads until the client has gone: no end of its leg wakes the wait
            server = TestServer.start(socket -> new String(socket.getInputStream().readAllBytes(), UTF_8));
        }

        @AfterEach
        void stop() throws IOException {
            server.close();
        }

        InetSocketAddress server() {
            return server.address();
        }

        @Test
        @PeerScript
        void received(MisbehavingPeer peer) throws IOException {
            try (Socket client = new Socket(peer.host(), peer.port())) {
                peer.awaitJournal(journal -> !journal.isEmpty(), LONG);

                List<ConnectionRecord> journal = peer.awaitJournal(
                        sendingFirst(client, "ping", j -> j.get(0).receivedCount() == 4), LONG);

                assertThat(journal.get(0).ending()).isEqualTo(Ending.OPEN);
            }
        }

        @Test
        @PeerScript(echo = true)
        void sent(MisbehavingPeer peer) throws IOException {
            try (Socket client = new Socket(peer.host(), peer.port())) {
                peer.awaitJournal(journal -> !journal.isEmpty(), LONG);

                List<ConnectionRecord> journal = peer.awaitJournal(
                        sendingFirst(client, "ping", j -> j.get(0).sentCount() == 4), LONG);

                assertThat(journal.get(0).ending()).isEqualTo(Ending.OPEN);
            }
        }

        @Test
        @ProxyTo("server")
        void forwarded(MisbehavingPeer peer) throws IOException {
            try (Socket client = new Socket(peer.host(), peer.port())) {
                peer.awaitJournal(journal -> !journal.isEmpty(), LONG);

                List<ConnectionRecord> journal = peer.awaitJournal(sendingFirst(client, "ping",
                        j -> j.get(0).upstream().orElseThrow().sentCount() == 4), LONG);

                assertThat(journal.get(0).ending()).isEqualTo(Ending.OPEN);
            }
        }
    }
}
