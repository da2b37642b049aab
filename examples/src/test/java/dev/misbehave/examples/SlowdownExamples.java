package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.Delay;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.Slice;
import dev.misbehave.Throttle;
import dev.misbehave.Trigger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that turns slow part-way: the shaping annotations with a trigger (and a schedule), so
 * that what comes before the trigger is served at full speed.
 */
@DisplayName("A server that turns slow part-way through a connection")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SlowdownExamples {

    static final Duration WAIT = Duration.ofSeconds(10);

    @DisplayName("a pooled connection slows down after its first answer: the read timeout and one retry on a"
            + " fresh connection save the second quote")
    // tag::slow-after-first-exchange[]
    @Test
    @PeerScript(requestEndsWith = "\n", response = "12.34\n")
    @Delay(exchanges = 1, firstMillis = 5_000, connections = @Connections(first = 1))
    void slowPooledConnection(MisbehavingPeer peer) throws Exception {
        try (var quotes = new QuoteClient(peer.address(), 500)) {
            assertThat(quotes.quote("ACME")).isEqualTo("12.34"); // connection 1, at full speed
            assertThat(quotes.quote("ACME")).isEqualTo("12.34"); // 500 ms timeout, then connection 2
        }

        List<ConnectionRecord> journal = peer.awaitConnections(2, WAIT);
        assertThat(journal).hasSize(2);
        assertThat(journal.get(0).firedTrigger()).contains(new Trigger.AfterExchanges(1));
        assertThat(new String(journal.get(0).sent(), StandardCharsets.US_ASCII)).isEqualTo("12.34\n");
        assertThat(journal.get(1).fault()).isEmpty(); // outside the schedule: served at full speed
    }
    // end::slow-after-first-exchange[]

    @DisplayName("the head arrives in one piece, the body in 1,000-byte writes: the download is whole")
    // tag::slice-after-head[]
    @Test
    @PeerScript(requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @Slice(bytes = DownloadExamples.HEAD, pieceBytes = 1_000) // after the 67-byte head
    void bodyInPieces(MisbehavingPeer peer) throws Exception {
        byte[] report = DownloadExamples.downloader(peer).download();

        assertThat(report).isEqualTo(DownloadExamples.body());
        assertThat(peer.connections()).singleElement().satisfies(connection -> {
            assertThat(connection.sentCount()).isEqualTo(DownloadExamples.HEAD + 300_000);
            assertThat(connection.firedTrigger()).containsInstanceOf(Trigger.AfterBytes.class);
        });
    }
    // end::slice-after-head[]

    @DisplayName("a link that slows to 2 MB/s once the head has passed delivers the 300 KB body in no less"
            + " than 140 ms")
    // tag::throttle-after-head[]
    @Test
    @PeerScript(requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @Throttle(pattern = "\r\n\r\n", bytesPerSecond = 2_000_000) // counts the response: its head ends here
    void bodyThrottled(MisbehavingPeer peer) throws Exception {
        long started = System.nanoTime();
        byte[] report = DownloadExamples.downloader(peer).download();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(report).isEqualTo(DownloadExamples.body());
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(140));
        assertThat(peer.connections()).singleElement()
                .satisfies(connection -> assertThat(connection.firedTrigger()).containsInstanceOf(Trigger.OnPattern.class));
    }
    // end::throttle-after-head[]
}
