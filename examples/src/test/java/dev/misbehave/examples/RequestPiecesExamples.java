package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Requests written in several pieces, cut early: the reset still reaches the client as it reads. */
@DisplayName("Requests written in pieces and cut early")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RequestPiecesExamples {

    static final Duration WAIT = Duration.ofSeconds(10);

    @DisplayName("a POST written as its head and then three samples, reset inside the head")
    // tag::head-then-pieces[]
    @Test
    @ForceResetAfter(bytes = 20) // inside the request line
    void headThenThreePieces(MisbehavingPeer peer) throws Exception {
        var pusher = new MetricsPusher(URI.create("http://" + peer.host() + ":" + peer.port() + "/metrics").toURL());

        assertThatThrownBy(() -> pusher.push(List.of("cpu=0.93", "mem=0.51", "disk=0.107")))
                .isInstanceOf(IOException.class)
                .is(connectionReset());
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.receivedCount()).isEqualTo(20);
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::head-then-pieces[]

    @DisplayName("a chunked upload of unknown length, reset inside the head")
    // tag::chunked-upload[]
    @Test
    @ForceResetAfter(bytes = 29) // right after the request line
    void chunkedUpload(MisbehavingPeer peer) {
        var uploader = new ReportUploader(URI.create("http://" + peer.host() + ":" + peer.port() + "/reports/daily"));
        byte[] report = "date,orders\n2026-12-06,1289\n".repeat(100).getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> uploader.upload(() -> new ByteArrayInputStream(report)))
                .isInstanceOf(IOException.class)
                .is(connectionReset());
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(new String(connection.received(), StandardCharsets.US_ASCII)).isEqualTo("PUT /reports/daily HTTP/1.1\r\n");
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::chunked-upload[]

    @DisplayName("two pipelined GETs, reset inside the first")
    // tag::pipelined[]
    @Test
    @ForceResetAfter(bytes = 10)
    void pipelinedPair(MisbehavingPeer peer) {
        var batch = new StatusBatch(peer.host(), peer.port());

        assertThatThrownBy(() -> batch.statuses(List.of("billing", "search")))
                .isInstanceOf(IOException.class)
                .is(connectionReset());
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(new String(connection.received(), StandardCharsets.US_ASCII)).isEqualTo("GET /statu");
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::pipelined[]
}
