package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.testing.Ports;
import dev.misbehave.Ending;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.StallAfter;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
@DisplayName("@StallAfter through the Jupiter engine")
class StallAfterTests {

    static final Map<String, Ports.Listener> PORTS = new ConcurrentHashMap<>();

    @Test
    @DisplayName("stalls after exactly N bytes, and the stalled connection ends with the test")
    void stallsThenEndsWithTheTest() {
        EngineRunner.run(StallTestCases.class)
                .testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
        for (String fixture : new String[] {"method", "nested"}) {
            Ports.Listener listener = PORTS.get(fixture);
            assertThat(listener).as("listener seen by " + fixture).isNotNull();
            listener.assertClosed("the stalled peer of " + fixture + ", after its test");
        }
    }

    // ---- fixtures: run only through EngineRunner ----

    static void expectStall(MisbehavingPeer peer, int n, String fixture) throws IOException {
        PORTS.put(fixture, Ports.Listener.of(peer.port()));
        try (Socket socket = new Socket(peer.host(), peer.port())) {
            socket.setSoTimeout(100);
            socket.getOutputStream().write("0123456789".getBytes());
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        }
        assertThat(peer.awaitTriggered(1, Duration.ofSeconds(10))).singleElement().satisfies(record -> {
            assertThat(record.receivedCount()).isEqualTo(n);
            assertThat(record.ending()).isEqualTo(Ending.OPEN);
        });
    }

    static class StallTestCases {
        @Test
        @StallAfter(bytes = 3)
        void method(MisbehavingPeer peer) throws IOException {
            expectStall(peer, 3, "method");
        }

        @Nested
        @StallAfter(bytes = 6)
        class Inner {
            @Test
            void nested(MisbehavingPeer peer) throws IOException {
                expectStall(peer, 6, "nested");
            }
        }
    }
}
