package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JDK {@code HttpClient} (HTTP/1.1) against a collector that hangs up mid-request. */
@DisplayName("An event published with the JDK HttpClient")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HttpClientExamples {

    @DisplayName("to a collector that resets after 100 request bytes fails with a reset, without a retry")
    // tag::httpclient-post[]
    @Test
    @ForceResetAfter(bytes = 100) // inside the headers; HttpClient writes headers and body separately
    void postIsResetMidRequest(MisbehavingPeer peer) {
        var publisher = new EventPublisher(URI.create("http://" + peer.host() + ":" + peer.port() + "/events"));

        assertThatThrownBy(() -> publisher.publish("{\"type\":\"order-shipped\",\"id\":42}"))
                .isInstanceOf(IOException.class)
                .is(connectionReset());
        assertThat(peer.connections())
                .singleElement() // HttpClient does not retry a POST
                .satisfies(connection -> {
                    assertThat(connection.receivedCount()).isEqualTo(100);
                    assertThat(new String(connection.received(), StandardCharsets.US_ASCII))
                            .startsWith("POST /events ");
                    assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
                });
    }
    // end::httpclient-post[]
}
