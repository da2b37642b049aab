package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Ending;
import dev.misbehave.MisbehavingPeer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Retry logic made testable: a schedule decides which connections misbehave. */
@DisplayName("An idempotent charge against a flaky payments gateway")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PaymentsExamples {

    @DisplayName("succeeds on the third attempt, and the journal proves exactly three connections")
    // tag::first-two-reset[]
    @Test
    @FlakyPaymentsGateway // the first two connections are reset after 100 bytes; the third is served
    void thirdAttemptSucceeds(MisbehavingPeer peer) throws Exception {
        var payments = new PaymentsClient(URI.create("http://" + peer.host() + ":" + peer.port() + "/charges"), 3);

        PaymentsClient.Receipt receipt = payments.charge(4_200);
        List<ConnectionRecord> journal = peer.awaitConnections(2, Duration.ofSeconds(10));
        Observed.print("HttpClient POST with retries, first 2 connections reset after 100 B", null, journal);

        assertThat(receipt).as("outcome").isEqualTo(new PaymentsClient.Receipt(3, 201));
        assertThat(journal).as("journal").hasSize(3);
        assertThat(journal).as("journal").extracting(connection -> connection.fault().isPresent())
                .containsExactly(true, true, false);
        assertThat(journal.subList(0, 2)).as("journal").allSatisfy(attempt -> {
            assertThat(attempt.receivedCount()).as("journal").isEqualTo(100);
            assertThat(attempt.ending()).as("journal").isEqualTo(Ending.PEER_RESET);
        });
        String served = new String(journal.get(2).received(), StandardCharsets.US_ASCII);
        assertThat(served).as("journal").startsWith("POST /charges ").endsWith("{\"amount\":4200}");
        assertThat(served.toLowerCase()).as("journal").contains("idempotency-key: ");
    }
    // end::first-two-reset[]
}
