package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionClosed;
import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.Ending;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JDK HttpClient against a server that closes (FIN) instead of resetting. */
@DisplayName("An event published to a server that closes mid-request")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CloseExamples {

    @DisplayName("sees end-of-stream, which is not a reset")
    // tag::httpclient-post-close[]
    @Test
    @ForceCloseAfter(bytes = 100) // an orderly close (FIN) inside the request headers
    void postMeetsEndOfStream(MisbehavingPeer peer) {
        var publisher = new EventPublisher(URI.create("http://" + peer.host() + ":" + peer.port() + "/events"));

        assertThatThrownBy(() -> publisher.publish("{\"type\":\"order-shipped\",\"id\":42}"))
                .isInstanceOf(IOException.class)
                .is(connectionClosed())
                .isNot(connectionReset());
        assertThat(peer.connections()).singleElement().satisfies(connection -> {
            assertThat(new String(connection.received(), StandardCharsets.US_ASCII))
                    .startsWith("POST /events ").hasSize(100);
            assertThat(connection.ending()).isEqualTo(Ending.PEER_CLOSED);
        });
    }
    // end::httpclient-post-close[]
}
