package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.examples.UploadFailedException.Phase;
import java.util.Arrays;
import java.util.List;
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

        Throwable thrown = catchThrowable(() -> client.upload(payload));
        List<ConnectionRecord> journal = peer.connections();
        Observed.print("raw socket upload, 2 attempts, reset after 16 B", thrown, journal);

        assertThat(thrown).as("outcome")
                .isInstanceOfSatisfying(UploadFailedException.class,
                        failed -> assertThat(failed.attempts()).as("outcome").isEqualTo(2))
                .hasMessageContaining("failed after 2 attempts")
                .cause().as("outcome").is(connectionReset());
        assertThat(journal).as("journal")
                .hasSize(2)
                .allSatisfy(connection -> {
                    assertThat(connection.received()).as("journal")
                            .isEqualTo(Arrays.copyOf(payload, 16));
                    assertThat(connection.ending()).as("journal").isEqualTo(Ending.PEER_RESET);
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

        Throwable thrown = catchThrowable(() -> client.upload(payload));
        List<ConnectionRecord> journal = peer.connections();
        Observed.print("raw socket 8 MiB upload, reset after 100 B", thrown, journal);

        assertThat(thrown).as("outcome")
                .isInstanceOfSatisfying(UploadFailedException.class,
                        failed -> assertThat(failed.phase()).as("outcome").isEqualTo(Phase.SEND))
                .cause().as("outcome").is(connectionReset());
        assertThat(journal).as("journal")
                .singleElement()
                .satisfies(connection -> {
                    assertThat(connection.received()).as("journal")
                            .isEqualTo(Arrays.copyOf(payload, 100));
                    assertThat(connection.ending()).as("journal").isEqualTo(Ending.PEER_RESET);
                });
    }
    // end::write-side[]

    @DisplayName("to a server that resets every connection as soon as it accepts it fails with a reset")
    // tag::on-accept[]
    @Test
    @ForceResetAfter(bytes = 0)
    void resetOnAccept(MisbehavingPeer peer) {
        var client = new UploadClient(peer.host(), peer.port());

        Throwable thrown = catchThrowable(() -> client.upload(payload(1024)));
        List<ConnectionRecord> journal = peer.connections();
        Observed.print("raw socket upload, reset on accept", thrown, journal);

        // connect, write or read: whichever call met the reset, it is a reset
        assertThat(thrown).as("outcome")
                .isInstanceOf(UploadFailedException.class)
                .is(connectionReset());
        assertThat(journal).as("journal")
                .singleElement()
                .satisfies(connection -> {
                    assertThat(connection.receivedCount()).as("journal").isZero();
                    assertThat(connection.ending()).as("journal").isEqualTo(Ending.PEER_RESET);
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
