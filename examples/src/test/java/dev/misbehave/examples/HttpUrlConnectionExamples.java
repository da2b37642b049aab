package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code HttpURLConnection} against a server that hangs up mid-request. The JDK retries GET and
 * POST once on a fresh connection without telling the application; the journal shows it.
 */
@DisplayName("HttpURLConnection against a server that resets mid-request")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
// tag::class-level[]
@ForceResetAfter(bytes = 1) // every test of this class, unless a method says otherwise
class HttpUrlConnectionExamples {
    // end::class-level[]

    @DisplayName("makes a GET fail with a clear error, after a second connection the application never asked for")
    // tag::urlconnection-get[]
    @Test
    void getIsRetriedSilently(MisbehavingPeer peer) {
        var feed = new PriceFeed(URI.create("http://" + peer.host() + ":" + peer.port() + "/"));

        assertThatThrownBy(() -> feed.latestPrice("ACME"))
                .isInstanceOf(PriceFeedUnavailableException.class)
                .hasMessageContaining("gave no price for ACME")
                .cause().is(connectionReset());
        assertThat(peer.connections())
                .hasSize(2) // one call to latestPrice, two connections: the JDK retried
                .allSatisfy(connection -> {
                    assertThat(connection.received()).isEqualTo(new byte[] {'G'});
                    assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
                });
    }
    // end::urlconnection-get[]

    @DisplayName("sends a POST twice although the application sent it once")
    // tag::urlconnection-post[]
    @Test
    @ForceResetAfter(bytes = 100) // a method-level annotation wins over the class's
    void postIsRetriedSilently(MisbehavingPeer peer) {
        var orders = new OrderClient(URI.create("http://" + peer.host() + ":" + peer.port() + "/"));

        assertThatThrownBy(() -> orders.submit("{\"sku\":\"ACME-1\",\"quantity\":3}")).is(connectionReset());
        assertThat(peer.connections())
                .hasSize(2) // a non-idempotent request, sent twice
                .allSatisfy(connection -> {
                    assertThat(connection.receivedCount()).isEqualTo(100);
                    assertThat(new String(connection.received(), StandardCharsets.US_ASCII))
                            .startsWith("POST /orders ");
                    assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
                });
    }
    // end::urlconnection-post[]
}
