package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.Ending;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
@DisplayName("@ForceCloseAfter through the Jupiter engine")
class ForceCloseAfterTests {

    @Test
    @DisplayName("closes after exactly N bytes on a method and, composed, on a class")
    void closes() {
        EngineRunner.run(CloseTestCases.class)
                .testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    }

    // ---- fixtures: run only through EngineRunner ----

    static void expectEndOfStream(MisbehavingPeer peer, int n) throws IOException {
        try (Socket socket = new Socket(peer.host(), peer.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("0123456789".getBytes());
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(peer.awaitConnections(1, Duration.ofSeconds(10))).singleElement().satisfies(record -> {
            assertThat(record.receivedCount()).isEqualTo(n);
            assertThat(record.ending()).isEqualTo(Ending.PEER_CLOSED);
        });
    }

    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @ForceCloseAfter(bytes = 4)
    @interface HangsUpAfterFour {}

    @HangsUpAfterFour
    static class CloseTestCases {
        @Test
        void composedOnClass(MisbehavingPeer peer) throws IOException {
            expectEndOfStream(peer, 4);
        }

        @Test
        @ForceCloseAfter(bytes = 2)
        void methodWins(MisbehavingPeer peer) throws IOException {
            expectEndOfStream(peer, 2);
        }
    }
}
