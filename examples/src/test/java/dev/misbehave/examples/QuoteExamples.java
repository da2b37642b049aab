package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceHalfCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.StallAfter;
import dev.misbehave.Trigger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A quote client that keeps its connection open between requests, against a line-protocol server
 * whose pooled connections go stale. The peer's script answers each line with {@code "12.34\n"}.
 */
@DisplayName("A pooled quote connection that goes stale")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class QuoteExamples {

    static final Duration WAIT = Duration.ofSeconds(10);

    static String text(ConnectionRecord connection) {
        return new String(connection.received(), StandardCharsets.US_ASCII);
    }

    @DisplayName("is reset on its second request, and the client retries once on a fresh connection")
    // tag::stale-pooled-connection[]
    @Test
    @PeerScript(requestEndsWith = "\n", response = "12.34\n")
    @ForceResetAfter(exchanges = 1, connections = @Connections(first = 1))
    void staleConnectionIsRetriedOnce(MisbehavingPeer peer) throws Exception {
        try (var quotes = new QuoteClient(peer.address(), 2_000)) {
            assertThat(quotes.quote("ACME")).isEqualTo("12.34"); // connection 1
            assertThat(quotes.quote("ACME")).isEqualTo("12.34"); // reset, then connection 2
        }

        assertThat(peer.awaitConnections(2, WAIT)).satisfiesExactly(
                stale -> {
                    assertThat(text(stale)).isEqualTo("QUOTE ACME\nQ"); // the 1st byte of request 2
                    assertThat(stale.firedTrigger()).contains(new Trigger.AfterExchanges(1));
                    assertThat(stale.ending()).isEqualTo(Ending.PEER_RESET);
                },
                fresh -> assertThat(fresh.fault()).isEmpty()); // outside the schedule: served
    }
    // end::stale-pooled-connection[]

    @DisplayName("is closed by the server's idle timeout, and the next request goes out on a fresh connection")
    // tag::idle-timeout[]
    @Test
    @PeerScript(requestEndsWith = "\n", response = "12.34\n")
    @ForceCloseAfter(idleMillis = 100, connections = @Connections(first = 1)) // closes the pooled one when idle
    void idleTimeout(MisbehavingPeer peer) throws Exception {
        try (var quotes = new QuoteClient(peer.address(), 2_000)) {
            assertThat(quotes.quote("ACME")).isEqualTo("12.34");
            peer.awaitConnections(1, WAIT); // the pooled connection has now been closed by the server
            assertThat(quotes.quote("ACME")).isEqualTo("12.34");
        }

        List<ConnectionRecord> journal = peer.awaitConnections(2, WAIT);
        assertThat(journal).hasSizeGreaterThanOrEqualTo(2);
        assertThat(text(journal.get(0))).isEqualTo("QUOTE ACME\n");
        assertThat(journal.get(0).ending()).isEqualTo(Ending.PEER_CLOSED);
        assertThat(journal.get(0).firedTrigger()).contains(new Trigger.AfterIdle(Duration.ofMillis(100)));
    }
    // end::idle-timeout[]

    @DisplayName("is half-closed after the first answer; the peer still records what the client sends")
    // tag::half-close[]
    @Test
    @PeerScript(requestEndsWith = "\n", response = "12.34\n")
    @ForceHalfCloseAfter(bytes = 6, direction = Direction.DOWNSTREAM) // FIN after the first answer
    void halfClosed(MisbehavingPeer peer) throws Exception {
        try (var quotes = new QuoteClient(peer.address(), 2_000)) {
            assertThat(quotes.quote("ACME")).isEqualTo("12.34");
            assertThat(quotes.quote("BOLT")).isEqualTo("12.34"); // end-of-stream, retried
        }

        List<ConnectionRecord> journal = peer.awaitConnections(2, WAIT);
        assertThat(text(journal.get(0))).isEqualTo("QUOTE ACME\nQUOTE BOLT\n");
        assertThat(journal.get(0).sentCount()).isEqualTo(6);
        assertThat(journal.get(0).ending()).isEqualTo(Ending.CLIENT_CLOSED);
        assertThat(text(journal.get(1))).isEqualTo("QUOTE BOLT\n");
    }
    // end::half-close[]

    @DisplayName("stalls after the first answer: the read timeout fires, and the retry gets an answer")
    // tag::stall-downstream[]
    @Test
    @PeerScript(requestEndsWith = "\n", response = "12.34\n")
    @StallAfter(bytes = 6, direction = Direction.DOWNSTREAM) // silent after the first answer
    void stalledAfterFirstAnswer(MisbehavingPeer peer) throws Exception {
        try (var quotes = new QuoteClient(peer.address(), 200)) { // 200 ms read timeout
            assertThat(quotes.quote("ACME")).isEqualTo("12.34");
            assertThat(quotes.quote("BOLT")).isEqualTo("12.34"); // timed out, retried
        }

        assertThat(peer.awaitTriggered(2, WAIT)).satisfiesExactly(
                stalled -> {
                    assertThat(text(stalled)).isEqualTo("QUOTE ACME\n"); // no read after the stall
                    assertThat(stalled.sentCount()).isEqualTo(6);
                },
                retry -> assertThat(text(retry)).isEqualTo("QUOTE BOLT\n"));
    }
    // end::stall-downstream[]
}
