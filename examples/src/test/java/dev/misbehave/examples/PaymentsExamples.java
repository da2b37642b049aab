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

        assertThat(receipt).isEqualTo(new PaymentsClient.Receipt(3, 201));
        List<ConnectionRecord> journal = peer.awaitConnections(2, Duration.ofSeconds(10));
        assertThat(journal).extracting(connection -> connection.fault().isPresent())
                .containsExactly(true, true, false); // three connections, the first two with the fault
        assertThat(journal.subList(0, 2)).allSatisfy(attempt -> {
            assertThat(attempt.receivedCount()).isEqualTo(100);
            assertThat(attempt.ending()).isEqualTo(Ending.PEER_RESET);
        });
        String served = new String(journal.get(2).received(), StandardCharsets.US_ASCII);
        assertThat(served).startsWith("POST /charges ").endsWith("{\"amount\":4200}");
        assertThat(served.toLowerCase()).contains("idempotency-key: ");
    }
    // end::first-two-reset[]
}
