package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Ending;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.StallAfter;
import dev.misbehave.examples.HealthCheck.Health;
import dev.misbehave.examples.HealthCheck.Status;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A health check against a dependency that takes the request and never answers. */
@DisplayName("A health check against a silent server")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class StallExamples {

    @DisplayName("reports it unresponsive after its timeout instead of hanging")
    // tag::stall-health-check[]
    @Test
    @StallAfter(bytes = 16) // the request arrives; no answer ever comes
    void silentServerIsUnresponsive(MisbehavingPeer peer) {
        var probe = new HealthCheck(
                URI.create("http://" + peer.host() + ":" + peer.port() + "/health"), Duration.ofMillis(250));

        Health health = probe.check();
        List<ConnectionRecord> journal = peer.awaitTriggered(1, Duration.ofSeconds(5)); // stalled: never ends
        Observed.print("HttpClient GET, stall after 16 B", health.failure(), journal);

        assertThat(health.status()).as("outcome").isEqualTo(Status.UNRESPONSIVE);
        assertThat(health.failure()).as("outcome").isInstanceOf(HttpTimeoutException.class);
        assertThat(journal).as("journal")
                .singleElement() // a timeout is not retried
                .satisfies(connection -> {
                    assertThat(new String(connection.received(), StandardCharsets.US_ASCII))
                            .as("journal").isEqualTo("GET /health HTTP");
                    assertThat(connection.firedTrigger()).as("journal").isPresent();
                    assertThat(connection.ending()).as("journal").isEqualTo(Ending.OPEN); // until the test ends
                });
    }
    // end::stall-health-check[]
}
