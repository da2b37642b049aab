package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.misbehave.Ending;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.StallAfter;
import dev.misbehave.examples.HealthCheck.Health;
import dev.misbehave.examples.HealthCheck.Status;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
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
                URI.create("http://" + peer.host() + ":" + peer.port() + "/health"), Duration.ofSeconds(1));

        Health health = probe.check();

        assertThat(health.status()).isEqualTo(Status.UNRESPONSIVE);
        assertThat(health.failure()).isInstanceOf(HttpTimeoutException.class);
        assertThat(peer.awaitTriggered(1, Duration.ofSeconds(5))) // stalled: the connection never ends
                .singleElement() // a timeout is not retried
                .satisfies(connection -> {
                    assertThat(new String(connection.received(), StandardCharsets.US_ASCII))
                            .isEqualTo("GET /health HTTP");
                    assertThat(connection.firedTrigger()).isPresent();
                    assertThat(connection.ending()).isEqualTo(Ending.OPEN); // until the test ends
                });
    }
    // end::stall-health-check[]

    @DisplayName("is not caught by TCP keepalive: the stalled server's kernel answers every probe; the read timeout catches it")
    // tag::keepalive-vs-stall[]
    @Test
    @StallAfter(bytes = 0) // a hung process: its kernel still acknowledges, the process never reads
    void keepaliveDoesNotDetectAStalledServer(MisbehavingPeer peer) throws Exception {
        Throwable thrown;
        long started = System.nanoTime();
        try (Socket socket = new Socket(peer.host(), peer.port())) {
            socket.setKeepAlive(true); // probe after 1 s idle, every 1 s, give up after 1 unanswered probe
            socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 1);
            socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
            socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 1);
            socket.setSoTimeout(2_500); // what actually detects a silent server
            socket.getOutputStream().write("PING\n".getBytes(StandardCharsets.US_ASCII));
            thrown = catchThrowable(() -> socket.getInputStream().read());
        }
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        // Keepalive would have ended a dead path after about 2 s; the stalled server's kernel
        // answered its probes, so only the 2.5 s read timeout ended the wait.
        assertThat(thrown).isInstanceOf(SocketTimeoutException.class);
        assertThat(waitedMillis).isGreaterThanOrEqualTo(2_500);
        assertThat(peer.connections()).singleElement()
                .satisfies(connection -> assertThat(connection.ending()).isEqualTo(Ending.OPEN));
    }
    // end::keepalive-vs-stall[]
}
