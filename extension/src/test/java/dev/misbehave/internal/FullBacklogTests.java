package dev.misbehave.internal;

import static dev.misbehave.internal.PortReservationTests.LOOPBACK;
import static dev.misbehave.internal.PortReservationTests.assertRefused;
import static dev.misbehave.internal.PortReservationTests.assertServes;
import static dev.misbehave.internal.PortReservationTests.assertUnrelatedBindFails;
import static dev.misbehave.internal.PortReservationTests.listenUnprepared;
import static dev.misbehave.internal.PortReservationTests.portOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@Timeout(30)
@DisplayName("A full backlog")
class FullBacklogTests {

    private static final int CLIENT_CONNECT_TIMEOUT_MILLIS = 300;

    private static FullBacklog timedOpen(int port) throws IOException {
        long start = System.nanoTime();
        FullBacklog backlog = FullBacklog.open(LOOPBACK, port);
        System.out.printf("FullBacklog.open: %.1f ms, %d queued%n",
                (System.nanoTime() - start) / 1e6, backlog.queued());
        return backlog;
    }

    private static void assertConnectTimesOut(int port) {
        assertThatThrownBy(() -> {
                    try (Socket client = new Socket()) {
                        client.connect(new InetSocketAddress(LOOPBACK, port), CLIENT_CONNECT_TIMEOUT_MILLIS);
                    }
                })
                .isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    @DisplayName("makes three clients in a row time out in connect")
    void clientsTimeOut() throws IOException {
        try (FullBacklog backlog = timedOpen(0)) {
            assertThat(backlog.port()).isBetween(1, 0xFFFF);
            for (int client = 0; client < 3; client++) {
                assertConnectTimesOut(backlog.port());
            }
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    @DisplayName("on Linux, is full with backlog + 1 queued connections")
    void linuxQueuesBacklogPlusOne() throws IOException {
        try (FullBacklog backlog = timedOpen(0)) {
            assertThat(backlog.queued()).isEqualTo(FullBacklog.BACKLOG + 1);
        }
    }

    @Test
    @DisplayName("holds its port while open, releases it on close, and closing twice is harmless")
    void releasesThePortOnClose() throws IOException {
        FullBacklog backlog = timedOpen(0);
        int port = backlog.port();
        try {
            assertUnrelatedBindFails(port);
        } finally {
            backlog.close();
        }
        backlog.close();
        // released: bound again, not connected to (another test's peer may have the port by now);
        // without SO_REUSEADDR even a TIME_WAIT connection on the port would make this bind fail
        try (SocketChannel strict = SocketChannel.open()) {
            strict.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            strict.bind(new InetSocketAddress(LOOPBACK, port));
            assertThat(((InetSocketAddress) strict.getLocalAddress()).getPort()).isEqualTo(port);
        }
    }

    @Test
    @DisplayName("cannot open on a port an unrelated listener holds")
    void failsOnATakenPort() throws IOException {
        try (ServerSocketChannel unrelated = listenUnprepared(LOOPBACK, 0)) {
            assertThatThrownBy(() -> FullBacklog.open(LOOPBACK, portOf(unrelated)).close())
                    .isInstanceOf(BindException.class);
        }
    }

    @Test
    @DisplayName("takes over a reserved port and hands it back: refuse -> never accept -> refuse -> serve")
    void handsThePortOverBothWays() throws IOException {
        PortReservation first = PortReservation.reserve(LOOPBACK, 0);
        int port = first.port();
        try (first) {
            assertRefused(port);
            FullBacklog backlog = first.handOver((address, reserved) -> timedOpen(reserved));
            PortReservation second;
            try {
                assertThat(backlog.port()).isEqualTo(port);
                assertConnectTimesOut(port);
                second = PortReservation.takeOver(new InetSocketAddress(LOOPBACK, port), backlog::close);
            } finally {
                backlog.close();
            }
            try (second) {
                assertRefused(port);
                assertUnrelatedBindFails(port);
                try (ServerSocketChannel listener = second.handOver(PortReservationTests::listen)) {
                    assertServes(listener);
                }
            }
        }
    }

    @Test
    @DisplayName("reads a full accept queue from the kernel's listing: queued above the backlog")
    void parsesTheListenLine() {
        String header = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
        String full = "   0: 0000000000000000FFFF00000100007F:A1B2 00000000000000000000000000000000:0000 0A 00000001:00000002 00:00000000 00000000  1000        0 12345 1 0 100 0 0 10 0\n";
        String notFull = full.replace("00000001:00000002", "00000000:00000001");
        String established = full.replace(" 0A ", " 01 ");
        assertThat(FullBacklog.acceptQueueFull(header + full, 0xA1B2, 1)).isTrue();
        assertThat(FullBacklog.acceptQueueFull(header + notFull, 0xA1B2, 1)).isFalse();
        assertThat(FullBacklog.acceptQueueFull(header + established, 0xA1B2, 1)).isFalse();
        assertThat(FullBacklog.acceptQueueFull(header + full, 0xA1B3, 1)).isFalse();
        assertThat(FullBacklog.acceptQueueFull("garbage", 1, 1)).isFalse();
    }
}
