package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.RequestEnd;
import dev.misbehave.Schedule;
import dev.misbehave.Script;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The programmatic door: no annotation, a peer in try-with-resources, the fault changed mid-test. */
@DisplayName("A peer started and changed in code")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ProgrammaticExamples {

    @DisplayName("healthy for the warm-up, then reset on every connection, then healthy again")
    // tag::programmatic[]
    @Test
    void changeTheFaultMidTest() throws Exception {
        Script quotes = Script.respond(RequestEnd.delimiter("\n"), "12.34\n");
        try (MisbehavingPeer peer = MisbehavingPeer.start(quotes)) {
            try (var warmUp = new QuoteClient(peer.address(), 2_000)) {
                assertThat(warmUp.quote("ACME")).isEqualTo("12.34");
            }

            peer.misbehave(Fault.resetAfter(Direction.UPSTREAM, 1).on(Schedule.all()));
            try (var client = new QuoteClient(peer.address(), 2_000)) {
                assertThatThrownBy(() -> client.quote("ACME"))
                        .isInstanceOf(QuoteUnavailableException.class)
                        .is(connectionReset());
            }

            peer.behave();
            try (var client = new QuoteClient(peer.address(), 2_000)) {
                assertThat(client.quote("ACME")).isEqualTo("12.34");
            }

            assertThat(peer.awaitConnections(3, Duration.ofSeconds(10)))
                    .extracting(connection -> connection.fault().isPresent())
                    .containsExactly(false, true, false);
        }
    }
    // end::programmatic[]
}
