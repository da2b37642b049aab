package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.misbehave.Delivery;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.Slice;
import dev.misbehave.Throttle;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A report download (JDK HttpClient) from a server that fails mid-transfer. The peer's script
 * answers every request with {@code responses/report.http}: a 67-byte head and a 300,000-byte
 * body.
 */
@DisplayName("A report download from a server that fails mid-transfer")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DownloadExamples {

    static final int HEAD = 67;
    static final Duration WAIT = Duration.ofSeconds(10);

    static ReportDownloader downloader(MisbehavingPeer peer) {
        return new ReportDownloader(URI.create("http://" + peer.host() + ":" + peer.port() + "/report.csv"),
                Duration.ofSeconds(5));
    }

    /** The messages of {@code thrown} and its causes. */
    static List<String> messages(Throwable thrown) {
        List<String> messages = new java.util.ArrayList<>();
        for (Throwable t = thrown; t != null && messages.size() < 20; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()));
        }
        return messages;
    }

    static byte[] body() throws IOException {
        try (InputStream in = DownloadExamples.class.getResourceAsStream("/responses/report.http")) {
            byte[] all = in.readAllBytes();
            return Arrays.copyOfRange(all, HEAD, all.length);
        }
    }

    @DisplayName("a crash after 256 KiB of the body: HttpClient received exactly 256 KiB, then the reset")
    // tag::download-reset-mid-body[]
    @Test
    @PeerScript(requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @ForceResetAfter(bytes = HEAD + 262_144, direction = Direction.DOWNSTREAM) // head + 256 KiB of body
    void crashMidTransfer(MisbehavingPeer peer) {
        var failed = catchThrowableOfType(DownloadFailedException.class, () -> downloader(peer).download());

        assertThat(failed).is(connectionReset());
        // HttpClient itself received exactly 256 KiB of body; the application may have read fewer,
        // because HttpClient's body stream drops what it buffered when the connection fails
        assertThat(messages(failed)).contains("fixed content-length: 300000, bytes received: 262144");
        assertThat(failed.bytesReceived()).isBetween(1L, 262_144L);
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.sentCount()).isEqualTo(HEAD + 262_144);
            assertThat(connection.delivery()).isEqualTo(Delivery.CONFIRMED);
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::download-reset-mid-body[]

    @DisplayName("a close after 100,000 body bytes: the short body is caught, not returned")
    // tag::download-close-mid-body[]
    @Test
    @PeerScript(requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @ForceCloseAfter(bytes = HEAD + 100_000, direction = Direction.DOWNSTREAM)
    void truncatedBody(MisbehavingPeer peer) {
        var failed = catchThrowableOfType(DownloadFailedException.class, () -> downloader(peer).download());

        assertThat(failed).isNotNull().isNot(connectionReset());
        assertThat(messages(failed)).contains("fixed content-length: 300000, bytes received: 100000");
        assertThat(failed.bytesReceived()).isBetween(1L, 100_000L);
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.sentCount()).isEqualTo(HEAD + 100_000);
            assertThat(connection.ending()).isEqualTo(Ending.PEER_CLOSED);
        });
    }
    // end::download-close-mid-body[]

    @DisplayName("a response sliced into 1,000-byte writes still arrives whole")
    // tag::download-sliced[]
    @Test
    @PeerScript(requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @Slice(pieceBytes = 1_000) // every write of the peer carries at most 1,000 bytes
    void slicedResponse(MisbehavingPeer peer) throws Exception {
        byte[] report = downloader(peer).download();

        assertThat(report).isEqualTo(body());
        assertThat(peer.connections()).singleElement()
                .satisfies(connection -> assertThat(connection.sentCount()).isEqualTo(HEAD + 300_000));
    }
    // end::download-sliced[]

    @DisplayName("a link throttled to 2 MB/s delivers the 300 KB report in no less than 140 ms")
    // tag::download-throttled[]
    @Test
    @PeerScript(requestEndsWith = "\r\n\r\n", responseResource = "/responses/report.http")
    @Throttle(bytesPerSecond = 2_000_000)
    void throttledResponse(MisbehavingPeer peer) throws Exception {
        long started = System.nanoTime();
        byte[] report = downloader(peer).download();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(report).isEqualTo(body());
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(140));
        assertThat(peer.connections()).singleElement()
                .satisfies(connection -> assertThat(connection.sentCount()).isEqualTo(HEAD + 300_000));
    }
    // end::download-throttled[]
}
