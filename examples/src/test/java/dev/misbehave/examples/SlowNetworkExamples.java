package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.Throttle;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
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
        List<ConnectionRecord> journal = peer.connections();
        Observed.print("raw socket 64 KiB upload, uplink throttled to 256 KB/s", null, journal);

        assertThat(ack).as("outcome").isEqualTo("OK");
        assertThat(took).as("outcome").isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(journal).as("journal").singleElement().satisfies(connection ->
                assertThat(connection.receivedCount()).as("journal").isEqualTo(65_536));
    }
    // end::throttle-upstream[]

    @DisplayName("512 random bytes instead of an HTTP response: the download fails, and says so")
    // tag::garbage-random[]
    @Test
    @SendGarbageAfter(pattern = "\r\n\r\n", randomBytes = 512, seed = 42) // then a reset
    void noiseInsteadOfAResponse(MisbehavingPeer peer) {
        var downloader = DownloadExamples.downloader(peer);

        Throwable thrown = catchThrowable(downloader::download);
        List<ConnectionRecord> journal = peer.awaitConnections(1, Duration.ofSeconds(10));
        Observed.print("HttpClient download, 512 random bytes then reset", thrown, journal);

        assertThat(thrown).as("outcome").isInstanceOf(DownloadFailedException.class)
                .hasCauseInstanceOf(IOException.class);
        assertThat(journal).as("journal").singleElement().satisfies(connection -> {
            // the same seed gives the same bytes in every run
            assertThat(connection.sent()).as("journal")
                    .isEqualTo(Effect.Garbage.random(512, 42, new Effect.Reset()).bytes());
        });
    }
    // end::garbage-random[]
}
