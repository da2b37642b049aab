package com.example.inventory;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class InventoryClientTest {

    @Test
    @ForceResetAfter(bytes = 8)
    void aResetMidRequestIsReportedAsServiceUnavailable(MisbehavingPeer peer) {
        var client = new InventoryClient(peer.host(), peer.port());

        assertThatThrownBy(() -> client.reserve("SKU-42", 3))
                .isInstanceOf(InventoryClient.ServiceUnavailableException.class)
                .hasMessageContaining("hung up")
                .is(connectionReset());

        ConnectionRecord only = peer.awaitConnections(1, Duration.ofSeconds(10)).get(0);
        assertThat(new String(only.received(), StandardCharsets.US_ASCII)).isEqualTo("RESERVE ");
        assertThat(only.ending()).isEqualTo(Ending.PEER_RESET);
        assertThat(peer.connections()).hasSize(1);
    }

    @Test
    void theProgrammaticApiWorksWithoutAnnotations() {
        try (MisbehavingPeer peer = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 0))) {
            var client = new InventoryClient(peer.host(), peer.port());
            assertThatThrownBy(() -> client.reserve("SKU-7", 1)).is(connectionReset());
            assertThat(peer.awaitConnections(1, Duration.ofSeconds(10)))
                    .singleElement()
                    .satisfies(c -> assertThat(c.receivedCount()).isZero());
        }
    }
}
