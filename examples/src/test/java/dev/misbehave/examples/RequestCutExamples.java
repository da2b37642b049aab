package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Trigger;
import dev.misbehave.examples.UploadFailedException.Phase;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Requests cut where a server really cuts them: after the headers, or at a deadline. */
@DisplayName("Requests cut after the headers or at a deadline")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RequestCutExamples {

    static final Duration WAIT = Duration.ofSeconds(10);

    @DisplayName("a server that reads the headers and resets before the body")
    // tag::reset-after-headers[]
    @Test
    @ForceResetAfter(pattern = "\r\n\r\n") // right after the end of the HTTP headers
    void resetAfterHeaders(MisbehavingPeer peer) {
        var publisher = new EventPublisher(URI.create("http://" + peer.host() + ":" + peer.port() + "/events"));

        assertThatThrownBy(() -> publisher.publish("{\"type\":\"order-shipped\",\"id\":42}"))
                .isInstanceOf(IOException.class)
                .is(connectionReset());
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            String received = new String(connection.received(), StandardCharsets.US_ASCII);
            assertThat(received).startsWith("POST /events HTTP/1.1\r\n").endsWith("\r\n\r\n");
            assertThat(received).doesNotContain("order-shipped"); // the body was never read
            assertThat(connection.firedTrigger()).containsInstanceOf(Trigger.OnPattern.class);
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::reset-after-headers[]

    @DisplayName("a server that resets a request still waiting for its answer after 200 ms")
    // tag::deadline[]
    @Test
    @ForceResetAfter(millis = 200) // 200 ms after the accept, whatever the client is doing
    void deadline(MisbehavingPeer peer) {
        var uploads = new UploadClient(peer.host(), peer.port());

        assertThatThrownBy(() -> uploads.upload(new byte[1024]))
                .isInstanceOfSatisfying(UploadFailedException.class,
                        failed -> assertThat(failed.phase()).isEqualTo(Phase.ACKNOWLEDGE))
                .is(connectionReset());
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.receivedCount()).isEqualTo(1024);
            assertThat(connection.firedTrigger()).contains(new Trigger.AfterDuration(Duration.ofMillis(200)));
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::deadline[]
}
