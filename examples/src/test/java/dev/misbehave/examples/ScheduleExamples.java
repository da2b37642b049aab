package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Schedules: which connections of a sequence misbehave. The upload client opens a fresh connection
 * for every attempt and retries a broken connection once; the peer acknowledges each 1 KiB upload
 * with {@code "OK\n"} unless the schedule picks the connection.
 */
@DisplayName("Uploads against a server that fails on some connections of a sequence")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ScheduleExamples {

    static final Duration WAIT = Duration.ofSeconds(10);

    static List<Boolean> faulted(List<ConnectionRecord> journal) {
        return journal.stream().map(connection -> connection.fault().isPresent()).toList();
    }

    @DisplayName("every 2nd connection reset: each upload after the first needs its retry")
    // tag::every-second[]
    @Test
    @PeerScript(requestLength = 1024, response = "OK\n")
    @ForceResetAfter(bytes = 1, connections = @Connections(every = 2))
    void everySecondConnection(MisbehavingPeer peer) throws Exception {
        var uploads = new UploadClient(peer.host(), peer.port(), 2);
        for (int i = 0; i < 3; i++) {
            assertThat(uploads.upload(new byte[1024])).isEqualTo("OK");
        }

        assertThat(faulted(peer.awaitConnections(5, WAIT))).containsExactly(false, true, false, true, false);
    }
    // end::every-second[]

    @DisplayName("only the 2nd connection reset: one retry in three uploads")
    // tag::only-second[]
    @Test
    @PeerScript(requestLength = 1024, response = "OK\n")
    @ForceResetAfter(bytes = 1, connections = @Connections(only = 2))
    void onlySecondConnection(MisbehavingPeer peer) throws Exception {
        var uploads = new UploadClient(peer.host(), peer.port(), 2);
        for (int i = 0; i < 3; i++) {
            assertThat(uploads.upload(new byte[1024])).isEqualTo("OK");
        }

        assertThat(faulted(peer.awaitConnections(4, WAIT))).containsExactly(false, true, false, false);
    }
    // end::only-second[]

    @DisplayName("all but the first connection reset: the second upload fails after three attempts")
    // tag::all-but-first[]
    @Test
    @PeerScript(requestLength = 1024, response = "OK\n")
    @ForceResetAfter(bytes = 1, connections = @Connections(allButFirst = 1))
    void allButFirstConnection(MisbehavingPeer peer) throws Exception {
        var uploads = new UploadClient(peer.host(), peer.port(), 3);
        assertThat(uploads.upload(new byte[1024])).isEqualTo("OK");

        assertThatThrownBy(() -> uploads.upload(new byte[1024]))
                .isInstanceOfSatisfying(UploadFailedException.class,
                        failed -> assertThat(failed.attempts()).isEqualTo(3))
                .is(connectionReset());
        assertThat(faulted(peer.awaitConnections(4, WAIT))).containsExactly(false, true, true, true);
    }
    // end::all-but-first[]
}
