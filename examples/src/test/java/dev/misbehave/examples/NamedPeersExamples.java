package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerName;
import dev.misbehave.PeerScript;
import dev.misbehave.RefuseConnections;
import dev.misbehave.examples.HealthCheck.Health;
import dev.misbehave.examples.HealthCheck.Status;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two peers in one test, each injected by name: a healthy "api" and a "db" that is down. */
@DisplayName("Two dependencies, one healthy and one down")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class NamedPeersExamples {

    static HealthCheck probe(MisbehavingPeer peer) {
        return new HealthCheck(URI.create("http://" + peer.host() + ":" + peer.port() + "/health"), Duration.ofSeconds(2));
    }

    @DisplayName("are probed separately")
    // tag::named-peers[]
    @Test
    @PeerScript(peer = "api", requestEndsWith = "\r\n\r\n", response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    @RefuseConnections(peer = "db")
    void oneUpOneDown(@PeerName("api") MisbehavingPeer api, @PeerName("db") MisbehavingPeer db) {
        Health apiHealth = probe(api).check();
        Health dbHealth = probe(db).check();

        assertThat(apiHealth.status()).isEqualTo(Status.UP);
        assertThat(dbHealth.status()).isEqualTo(Status.DOWN);
        assertThat(dbHealth.failure()).is(connectionRefused());
        assertThat(api.port()).isNotEqualTo(db.port());
        assertThat(api.connections()).hasSize(1);
        assertThat(db.connections()).isEmpty();
    }
    // end::named-peers[]
}
