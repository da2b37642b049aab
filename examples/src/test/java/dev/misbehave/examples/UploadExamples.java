package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.examples.UploadFailedException.Phase;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A raw {@code java.net.Socket} upload client against a server that hangs up mid-upload. */
@DisplayName("An upload over a raw socket")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class UploadExamples {

    @DisplayName("that the server resets after 16 bytes surfaces the reset (the README's quick start)")
    // tag::quick-start[]
    @Test
    @ForceResetAfter(bytes = 16)
    void uploadSurfacesTheReset(MisbehavingPeer peer) {
        var client = new UploadClient(peer.host(), peer.port());   // the application's own code
        assertThatThrownBy(() -> client.upload(new byte[1024])).is(connectionReset());
        assertThat(peer.connections()).singleElement()
            .satisfies(c -> assertThat(c.received()).hasSize(16));
    }
    // end::quick-start[]

    @DisplayName("that the server resets after 16 bytes is retried once, then fails with the reset as its cause")
    // tag::retry-then-fail[]
    @Test
    @FlakyUploadServer // @ForceResetAfter(bytes = 16), composed
    void retriesOnceThenFails(MisbehavingPeer peer) {
        byte[] payload = payload(1024);
        var client = new UploadClient(peer.host(), peer.port(), 2);

        assertThatThrownBy(() -> client.upload(payload))
                .isInstanceOfSatisfying(UploadFailedException.class,
                        failed -> assertThat(failed.attempts()).isEqualTo(2))
                .hasMessageContaining("failed after 2 attempts")
                .cause().is(connectionReset());
        assertThat(peer.connections()).hasSize(2).allSatisfy(connection -> {
            assertThat(connection.received()).isEqualTo(Arrays.copyOf(payload, 16));
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::retry-then-fail[]

    @DisplayName("of 8 MiB that the server resets after 100 bytes fails while sending")
    // tag::write-side[]
    @Test
    @ForceResetAfter(bytes = 100)
    void largeUploadFailsOnWrite(MisbehavingPeer peer) {
        byte[] payload = payload(8 * 1024 * 1024); // more than 5 MiB after byte 100
        var client = new UploadClient(peer.host(), peer.port());

        assertThatThrownBy(() -> client.upload(payload))
                .isInstanceOfSatisfying(UploadFailedException.class,
                        failed -> assertThat(failed.phase()).isEqualTo(Phase.SEND))
                .cause().is(connectionReset());
        assertThat(peer.connections()).singleElement().satisfies(connection -> {
            assertThat(connection.received()).isEqualTo(Arrays.copyOf(payload, 100));
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::write-side[]

    @DisplayName("to a server that resets every connection as soon as it accepts it fails with a reset")
    // tag::on-accept[]
    @Test
    @ForceResetAfter(bytes = 0)
    void resetOnAccept(MisbehavingPeer peer) {
        var client = new UploadClient(peer.host(), peer.port());

        // connect, write or read: whichever call met the reset, it is a reset
        assertThatThrownBy(() -> client.upload(payload(1024)))
                .isInstanceOf(UploadFailedException.class)
                .is(connectionReset());
        assertThat(peer.connections()).singleElement().satisfies(connection -> {
            assertThat(connection.receivedCount()).isZero();
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::on-accept[]

    /** Distinct, recognisable bytes: 0, 1, 2, ... 255, 0, 1, ... */
    private static byte[] payload(int size) {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) i;
        }
        return payload;
    }
}
