package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionRefused;
import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.RefuseConnections;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resilience4j Retry in the application's inventory client: an idempotent PUT is retried until it
 * goes through, a non-idempotent POST only when it certainly never left the client.
 */
@DisplayName("An inventory client retrying with Resilience4j")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
@PeerScript(requestEndsWith = "\r\n\r\n", lengthField = "Content-Length",
        response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
class Resilience4jExamples {

    static InventoryClient inventory(MisbehavingPeer peer) {
        return new InventoryClient(URI.create("http://" + peer.host() + ":" + peer.port()), 3);
    }

    @DisplayName("sets a stock level on the third attempt when the first two connections are reset, in exactly three connections")
    // tag::resilience4j-third-attempt[]
    @Test
    @ForceResetAfter(bytes = 100, connections = @Connections(first = 2))
    void idempotentPutSucceedsOnTheThirdAttempt(MisbehavingPeer peer) throws Exception {
        InventoryClient.Outcome outcome = inventory(peer).setLevel("SKU-42", 7);

        assertThat(outcome).isEqualTo(new InventoryClient.Outcome(3, 200));
        List<ConnectionRecord> journal = peer.awaitConnections(2, Duration.ofSeconds(10));
        assertThat(journal).hasSize(3); // one connection per attempt, none hidden
        assertThat(journal.subList(0, 2)).allSatisfy(attempt -> {
            assertThat(attempt.receivedCount()).isEqualTo(100);
            assertThat(attempt.ending()).isEqualTo(Ending.PEER_RESET);
        });
        assertThat(new String(journal.get(2).received(), StandardCharsets.US_ASCII))
                .startsWith("PUT /stock/SKU-42 ").endsWith("{\"level\":7}");
    }
    // end::resilience4j-third-attempt[]

    @DisplayName("does not retry a reservation that reached the service before the reset")
    // tag::resilience4j-post-not-retried[]
    @Test
    @ForceResetAfter(pattern = "\"quantity\":2}") // the whole request is in: the service may have reserved
    void postThatMayHaveArrivedIsNotRetried(MisbehavingPeer peer) {
        CallFailedException failed = catchThrowableOfType(CallFailedException.class,
                () -> inventory(peer).reserve("SKU-42", 2));

        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed).is(connectionReset());
        assertThat(peer.awaitConnections(1, Duration.ofSeconds(10))).singleElement().satisfies(reservation -> {
            assertThat(new String(reservation.received(), StandardCharsets.US_ASCII))
                    .startsWith("POST /reservations ").endsWith("{\"sku\":\"SKU-42\",\"quantity\":2}");
            assertThat(reservation.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::resilience4j-post-not-retried[]

    @DisplayName("retries a reservation whose connection was refused, since it never left the client")
    // tag::resilience4j-refused-retried[]
    @Test
    @RefuseConnections
    void refusedPostIsRetried(MisbehavingPeer peer) {
        CallFailedException failed = catchThrowableOfType(CallFailedException.class,
                () -> inventory(peer).reserve("SKU-42", 2));

        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed).is(connectionRefused());
        assertThat(peer.connections()).isEmpty(); // nothing reached a server
    }
    // end::resilience4j-refused-retried[]
}
