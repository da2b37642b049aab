package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.Connections;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The field form: a static field is one peer for the whole class (its journal spans the tests); an
 * instance field would be a fresh peer for every test.
 */
@DisplayName("A quote server shared by the tests of a class")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedPeerExamples {

    // tag::field[]
    @PeerScript(requestEndsWith = "\n", response = "12.34\n")
    @ForceResetAfter(exchanges = 1, connections = @Connections(only = 1))
    static MisbehavingPeer quotes; // started before the first test, closed after the last
    // end::field[]

    @Test
    @Order(1)
    @DisplayName("the first client meets the stale connection and recovers")
    void firstClient() throws Exception {
        try (var client = new QuoteClient(quotes.address(), 2_000)) {
            assertThat(client.quote("ACME")).isEqualTo("12.34");
            assertThat(client.quote("ACME")).isEqualTo("12.34");
        }
        assertThat(quotes.connections()).hasSize(2);
    }

    @Test
    @Order(2)
    @DisplayName("a later test sees the same peer, and its journal so far")
    void laterClient() throws Exception {
        try (var client = new QuoteClient(quotes.address(), 2_000)) {
            assertThat(client.quote("BOLT")).isEqualTo("12.34");
        }
        assertThat(quotes.connections()).hasSize(3);
        assertThat(quotes.connections().get(2).fault()).isEmpty();
    }
}
