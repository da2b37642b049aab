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
            assertThat(quotes.quote("ACME")).as("outcome").isEqualTo("12.34"); // connection 1
            assertThat(quotes.quote("ACME")).as("outcome").isEqualTo("12.34"); // reset, then connection 2
        }
        List<ConnectionRecord> journal = peer.awaitConnections(2, WAIT);
        Observed.print("quote client, reset on the 2nd request of a pooled connection", null, journal);

        assertThat(journal).as("journal").hasSize(2);
        assertThat(text(journal.get(0))).as("journal").isEqualTo("QUOTE ACME\nQ"); // the 1st byte of request 2
        assertThat(journal.get(0).firedTrigger()).as("journal").contains(new Trigger.AfterExchanges(1));
        assertThat(journal.get(0).ending()).as("journal").isEqualTo(Ending.PEER_RESET);
        assertThat(journal.get(1).fault()).as("journal").isEmpty(); // outside the schedule: served
    }
    // end::stale-pooled-connection[]

    @DisplayName("is closed by the server's idle timeout, and the next request goes out on a fresh connection")
    // tag::idle-timeout[]
    @Test
    @PeerScript(requestEndsWith = "\n", response = "12.34\n")
    @ForceCloseAfter(idleMillis = 100) // the server closes connections idle for 100 ms
    void idleTimeout(MisbehavingPeer peer) throws Exception {
        try (var quotes = new QuoteClient(peer.address(), 2_000)) {
            assertThat(quotes.quote("ACME")).as("outcome").isEqualTo("12.34");
            peer.awaitConnections(1, WAIT); // the pooled connection has now been closed by the server
            assertThat(quotes.quote("ACME")).as("outcome").isEqualTo("12.34");
        }
        List<ConnectionRecord> journal = peer.awaitConnections(2, WAIT);
        Observed.print("quote client, idle timeout closes the pooled connection", null, journal);

        assertThat(journal).as("journal").hasSizeGreaterThanOrEqualTo(2);
        assertThat(text(journal.get(0))).as("journal").isEqualTo("QUOTE ACME\n");
        assertThat(journal.get(0).ending()).as("journal").isEqualTo(Ending.PEER_CLOSED);
        assertThat(journal.get(0).firedTrigger()).as("journal")
                .contains(new Trigger.AfterIdle(Duration.ofMillis(100)));
    }
    // end::idle-timeout[]

    @DisplayName("is half-closed after the first answer; the peer still records what the client sends")
    // tag::half-close[]
    @Test
    @PeerScript(requestEndsWith = "\n", response = "12.34\n")
    @ForceHalfCloseAfter(bytes = 6, direction = Direction.DOWNSTREAM) // FIN after the first answer
    void halfClosed(MisbehavingPeer peer) throws Exception {
        try (var quotes = new QuoteClient(peer.address(), 2_000)) {
            assertThat(quotes.quote("ACME")).as("outcome").isEqualTo("12.34");
            assertThat(quotes.quote("BOLT")).as("outcome").isEqualTo("12.34"); // end-of-stream, retried
        }
        List<ConnectionRecord> journal = peer.awaitConnections(2, WAIT);
        Observed.print("quote client, half-close after the first answer", null, journal);

        assertThat(text(journal.get(0))).as("journal").isEqualTo("QUOTE ACME\nQUOTE BOLT\n");
        assertThat(journal.get(0).sentCount()).as("journal").isEqualTo(6);
        assertThat(journal.get(0).ending()).as("journal").isEqualTo(Ending.CLIENT_CLOSED);
        assertThat(text(journal.get(1))).as("journal").isEqualTo("QUOTE BOLT\n");
    }
    // end::half-close[]

    @DisplayName("stalls after the first answer: the read timeout fires, and the retry gets an answer")
    // tag::stall-downstream[]
    @Test
    @PeerScript(requestEndsWith = "\n", response = "12.34\n")
    @StallAfter(bytes = 6, direction = Direction.DOWNSTREAM) // silent after the first answer
    void stalledAfterFirstAnswer(MisbehavingPeer peer) throws Exception {
        try (var quotes = new QuoteClient(peer.address(), 200)) { // 200 ms read timeout
            assertThat(quotes.quote("ACME")).as("outcome").isEqualTo("12.34");
            assertThat(quotes.quote("BOLT")).as("outcome").isEqualTo("12.34"); // timed out, retried
        }
        List<ConnectionRecord> journal = peer.awaitTriggered(2, WAIT);
        Observed.print("quote client, stall after the first answer", null, journal);

        assertThat(journal).as("journal").hasSize(2);
        assertThat(text(journal.get(0))).as("journal").isEqualTo("QUOTE ACME\n"); // no read after the stall
        assertThat(journal.get(0).sentCount()).as("journal").isEqualTo(6);
        assertThat(text(journal.get(1))).as("journal").isEqualTo("QUOTE BOLT\n");
    }
    // end::stall-downstream[]
}
