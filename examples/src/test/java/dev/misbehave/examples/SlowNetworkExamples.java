package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.Throttle;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A slow uplink, and a server that answers with noise. */
@DisplayName("Uploads over a slow uplink, and downloads of noise")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SlowNetworkExamples {

    @DisplayName("a 64 KiB upload over a 256 KB/s uplink completes, in no less than 200 ms")
    // tag::throttle-upstream[]
    @Test
    @PeerScript(requestLength = 65_536, response = "OK\n")
    @Throttle(direction = Direction.UPSTREAM, bytesPerSecond = 256_000) // the peer reads at 256 KB/s
    void slowUplink(MisbehavingPeer peer) throws Exception {
        var uploads = new UploadClient(peer.host(), peer.port());
        long started = System.nanoTime();
        String ack = uploads.upload(new byte[65_536]);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(ack).isEqualTo("OK");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(peer.connections()).singleElement()
                .satisfies(connection -> assertThat(connection.receivedCount()).isEqualTo(65_536));
    }
    // end::throttle-upstream[]

    @DisplayName("512 random bytes instead of an HTTP response: the download fails, and says so")
    // tag::garbage-random[]
    @Test
    @SendGarbageAfter(pattern = "\r\n\r\n", randomBytes = 512, seed = 42) // then a reset
    void noiseInsteadOfAResponse(MisbehavingPeer peer) {
        var downloader = DownloadExamples.downloader(peer);

        assertThatThrownBy(downloader::download)
                .isInstanceOf(DownloadFailedException.class)
                .hasCauseInstanceOf(IOException.class);
        byte[] noise = Effect.Garbage.random(512, 42, new Effect.Reset()).bytes(); // the same seed, the same bytes
        assertThat(peer.awaitConnections(1, Duration.ofSeconds(10))).singleElement()
                .satisfies(connection -> assertThat(connection.sent()).isEqualTo(noise));
    }
    // end::garbage-random[]
}
