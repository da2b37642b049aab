package dev.misbehave.examples.outputs;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.examples.EventPublisher;
import dev.misbehave.examples.UploadClient;
import dev.misbehave.examples.UploadFailedException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Producers of the exception chains docs/reset-after-n-bytes.md shows: the application code of the
 * examples on that page, against a peer with the same fault, and what it threw, captured for the
 * docs module ({@link DocOutputs}). The examples themselves assert these outcomes; these runs only
 * show their text. Ports are shown as PORT.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("The exception chains the reset guide shows")
class ClientOutputsTests {

    private static byte[] payload(int size) {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) i;
        }
        return payload;
    }

    @Test
    @DisplayName("the retrying upload, both attempts reset after 16 B: UploadFailedException caused by a reset")
    void retriedUpload() {
        try (MisbehavingPeer peer = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 16))) {
            Throwable thrown = catchThrowable(() -> new UploadClient(peer.host(), peer.port(), 2).upload(payload(1024)));

            assertThat(thrown).isInstanceOf(UploadFailedException.class).is(connectionReset());
            DocOutputs.capture("upload-retried-chain", DocOutputs.ports(DocOutputs.chain(thrown, " <- ")));
        }
    }

    @Test
    @DisplayName("the 8 MiB upload reset after 100 B: the write fails")
    void largeUpload() {
        try (MisbehavingPeer peer = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 100))) {
            Throwable thrown = catchThrowable(() -> new UploadClient(peer.host(), peer.port()).upload(payload(8 << 20)));

            assertThat(thrown).isInstanceOf(UploadFailedException.class).is(connectionReset());
            DocOutputs.capture("upload-large-chain", DocOutputs.ports(DocOutputs.chain(thrown, " <- ")));
        }
    }

    @Test
    @DisplayName("the JDK HttpClient POST reset after 100 B")
    void httpClientPost() {
        try (MisbehavingPeer peer = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 100))) {
            var publisher = new EventPublisher(URI.create("http://" + peer.host() + ":" + peer.port() + "/events"));
            Throwable thrown = catchThrowable(() -> publisher.publish("{\"type\":\"order-shipped\",\"id\":42}"));

            assertThat(thrown).is(connectionReset());
            DocOutputs.capture("httpclient-post-chain", DocOutputs.ports(DocOutputs.chain(thrown, " <- ")));
        }
    }
}
