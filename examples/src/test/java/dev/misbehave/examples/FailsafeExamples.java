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
 * Failsafe in the application's shipping client: an idempotent PUT is retried until it
 * goes through, a non-idempotent POST only when it certainly never left the client.
 */
@DisplayName("A shipping client retrying with Failsafe")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
@PeerScript(requestEndsWith = "\r\n\r\n", lengthField = "Content-Length",
        response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
class FailsafeExamples {

    static ShippingClient shipping(MisbehavingPeer peer) {
        return new ShippingClient(URI.create("http://" + peer.host() + ":" + peer.port()), 3);
    }

    @DisplayName("updates an address on the third attempt when the first two connections are reset, in exactly three connections")
    // tag::failsafe-third-attempt[]
    @Test
    @ForceResetAfter(bytes = 100, connections = @Connections(first = 2))
    void idempotentPutSucceedsOnTheThirdAttempt(MisbehavingPeer peer) throws Exception {
        ShippingClient.Outcome outcome = shipping(peer).updateAddress("S-7", "1 Main St");

        assertThat(outcome).isEqualTo(new ShippingClient.Outcome(3, 200));
        List<ConnectionRecord> journal = peer.awaitConnections(2, Duration.ofSeconds(10));
        assertThat(journal).hasSize(3); // one connection per attempt, none hidden
        assertThat(journal.subList(0, 2)).allSatisfy(attempt -> {
            assertThat(attempt.receivedCount()).isEqualTo(100);
            assertThat(attempt.ending()).isEqualTo(Ending.PEER_RESET);
        });
        assertThat(new String(journal.get(2).received(), StandardCharsets.US_ASCII))
                .startsWith("PUT /shipments/S-7/address ").endsWith("1 Main St");
    }
    // end::failsafe-third-attempt[]

    @DisplayName("does not retry a booking that reached the carrier before the reset")
    // tag::failsafe-post-not-retried[]
    @Test
    @ForceResetAfter(pattern = "parcel 1 of 1") // the whole request is in: the carrier may have booked
    void postThatMayHaveArrivedIsNotRetried(MisbehavingPeer peer) {
        CallFailedException failed = catchThrowableOfType(CallFailedException.class,
                () -> shipping(peer).book("parcel 1 of 1"));

        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed).is(connectionReset());
        assertThat(peer.awaitConnections(1, Duration.ofSeconds(10))).singleElement().satisfies(booking -> {
            assertThat(new String(booking.received(), StandardCharsets.US_ASCII))
                    .startsWith("POST /shipments ").endsWith("parcel 1 of 1");
            assertThat(booking.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::failsafe-post-not-retried[]

    @DisplayName("retries a booking whose connection was refused, since it never left the client")
    // tag::failsafe-refused-retried[]
    @Test
    @RefuseConnections
    void refusedPostIsRetried(MisbehavingPeer peer) {
        CallFailedException failed = catchThrowableOfType(CallFailedException.class,
                () -> shipping(peer).book("parcel 1 of 1"));

        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed).is(connectionRefused());
        assertThat(peer.connections()).isEmpty(); // nothing reached a server
    }
    // end::failsafe-refused-retried[]
}
