package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

        Throwable thrown = catchThrowable(() -> publisher.publish("{\"type\":\"order-shipped\",\"id\":42}"));
        List<ConnectionRecord> journal = peer.connections();
        Observed.print("HttpClient POST, reset after 100 B", thrown, journal);

        assertThat(thrown).as("outcome").isInstanceOf(IOException.class).is(connectionReset());
        assertThat(journal).as("journal")
                .singleElement() // HttpClient does not retry a POST
                .satisfies(connection -> {
                    assertThat(connection.receivedCount()).as("journal").isEqualTo(100);
                    assertThat(new String(connection.received(), StandardCharsets.US_ASCII))
                            .as("journal").startsWith("POST /events ");
                    assertThat(connection.ending()).as("journal").isEqualTo(Ending.PEER_RESET);
                });
    }
    // end::httpclient-post[]
}
