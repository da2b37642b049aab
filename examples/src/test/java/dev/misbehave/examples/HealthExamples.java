package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.Delay;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.NeverAccept;
import dev.misbehave.PeerScript;
import dev.misbehave.RefuseConnections;
import dev.misbehave.examples.HealthCheck.Health;
import dev.misbehave.examples.HealthCheck.Status;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A health probe (JDK HttpClient, 1 s timeout) against a dependency that is down, full or slow. */
@DisplayName("A health probe against a dependency that is down, full or slow")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HealthExamples {

    static final Duration WAIT = Duration.ofSeconds(10);

    static HealthCheck probe(MisbehavingPeer peer) {
        return new HealthCheck(URI.create("http://" + peer.host() + ":" + peer.port() + "/health"), Duration.ofSeconds(1));
    }

    @DisplayName("reports DOWN when nothing listens (connection refused)")
    // tag::refused[]
    @Test
    @RefuseConnections // the port is reserved, but nothing listens on it
    void refused(MisbehavingPeer peer) {
        Health health = probe(peer).check();

        assertThat(health.status()).isEqualTo(Status.DOWN);
        assertThat(health.failure()).is(connectionRefused());
        assertThat(peer.connections()).isEmpty();
    }
    // end::refused[]

    @DisplayName("reports UNRESPONSIVE when the server never accepts (connect timeout)")
    // tag::never-accept[]
    @Test
    @NeverAccept // the accept queue is full: the kernel drops the client's SYN
    void neverAccepts(MisbehavingPeer peer) {
        Health health = probe(peer).check();

        assertThat(health.status()).isEqualTo(Status.UNRESPONSIVE);
        assertThat(health.failure()).isInstanceOf(HttpConnectTimeoutException.class);
        assertThat(peer.connections()).isEmpty();
    }
    // end::never-accept[]

    @DisplayName("reports UNRESPONSIVE when the answer is 2 s late")
    // tag::delay[]
    @Test
    @PeerScript(requestEndsWith = "\r\n\r\n", response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    @Delay(firstMillis = 2_000) // every response waits 2 s before its first byte
    void slowAnswer(MisbehavingPeer peer) {
        Health health = probe(peer).check();

        assertThat(health.status()).isEqualTo(Status.UNRESPONSIVE);
        assertThat(health.failure()).isInstanceOf(HttpTimeoutException.class);
        assertThat(peer.awaitConnections(1, WAIT)) // the client closes on its timeout
                .singleElement().satisfies(connection -> {
                    assertThat(new String(connection.received())).startsWith("GET /health HTTP/1.1\r\n");
                    assertThat(connection.sentCount()).isZero();
                });
    }
    // end::delay[]

    @DisplayName("reports DOWN, then UP once the dependency is back on the same port")
    // tag::restart[]
    @Test
    @PeerScript(requestEndsWith = "\r\n\r\n", response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    @RefuseConnections
    void recoversWhenTheDependencyComesBack(MisbehavingPeer peer) {
        HealthCheck probe = probe(peer);
        Health before = probe.check();
        peer.behave(); // the dependency is back: the peer listens again, on the same port
        Health after = probe.check();

        assertThat(before.status()).isEqualTo(Status.DOWN);
        assertThat(after.status()).isEqualTo(Status.UP);
        assertThat(peer.connections()).singleElement()
                .satisfies(connection -> assertThat(connection.fault()).isEmpty());
    }
    // end::restart[]
}
