package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
@DisplayName("A port reservation")
class PortReservationTests {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

    /** A listener as the peer would open it: prepared, then bound. */
    static ServerSocketChannel listen(InetAddress address, int port) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            PortReservation.prepareListener(listener);
            listener.bind(new InetSocketAddress(address, port), 16);
            return listener;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /** A listener without the reservation's options, as an unrelated test or library would open it. */
    static ServerSocketChannel listenUnprepared(InetAddress address, int port) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.bind(new InetSocketAddress(address, port), 16);
            return listener;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    static int portOf(ServerSocketChannel listener) {
        return listener.socket().getLocalPort();
    }

    static void assertRefused(int port) {
        assertThatThrownBy(() -> {
                    try (Socket client = new Socket()) {
                        client.connect(new InetSocketAddress(LOOPBACK, port), CONNECT_TIMEOUT_MILLIS);
                    }
                })
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("Connection refused");
    }

    /** A plain ServerSocket (SO_REUSEADDR on, the JDK default) cannot bind the port. */
    static void assertUnrelatedBindFails(int port) {
        assertThatThrownBy(() -> {
                    try (ServerSocket unrelated = new ServerSocket()) {
                        unrelated.bind(new InetSocketAddress(LOOPBACK, port));
                    }
                })
                .isInstanceOf(BindException.class);
    }

    /**
     * A client connects, the listener accepts, and the server side closes first: that leaves a
     * TIME_WAIT connection on the listener's port, as a peer that closes connections does.
     */
    static void assertServes(ServerSocketChannel listener) throws IOException {
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress(LOOPBACK, portOf(listener)), CONNECT_TIMEOUT_MILLIS);
            try (SocketChannel accepted = listener.accept()) {
                assertThat(accepted.getRemoteAddress()).isEqualTo(client.getLocalSocketAddress());
            }
            InputStream in = client.getInputStream();
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Nested
    @Timeout(30)
    @DisplayName("on its own")
    class OnItsOwn {

        @Test
        @DisplayName("makes a client's connect fail with 'Connection refused'")
        void refusesConnections() throws IOException {
            try (PortReservation reservation = PortReservation.reserve(LOOPBACK, 0)) {
                assertRefused(reservation.port());
            }
        }

        @Test
        @DisplayName("picks an ephemeral port for port 0")
        void picksAnEphemeralPort() throws IOException {
            try (PortReservation first = PortReservation.reserve(LOOPBACK, 0);
                    PortReservation second = PortReservation.reserve(LOOPBACK, 0)) {
                assertThat(first.port()).isBetween(1, 0xFFFF);
                assertThat(second.port()).isBetween(1, 0xFFFF).isNotEqualTo(first.port());
            }
        }

        @Test
        @DisplayName("keeps unrelated sockets off the port, listening or not, loopback or wildcard")
        void keepsUnrelatedSocketsOff() throws IOException {
            try (PortReservation reservation = PortReservation.reserve(LOOPBACK, 0)) {
                int port = reservation.port();
                assertUnrelatedBindFails(port);
                assertThatThrownBy(() -> {
                            try (ServerSocket wildcard = new ServerSocket()) {
                                wildcard.bind(new InetSocketAddress(port));
                            }
                        })
                        .isInstanceOf(BindException.class);
                assertThatThrownBy(() -> {
                            try (Socket client = new Socket()) {
                                client.setReuseAddress(true);
                                client.bind(new InetSocketAddress(LOOPBACK, port));
                            }
                        })
                        .isInstanceOf(BindException.class);
            }
        }

        @Test
        @DisplayName("can share its port with another reservation, as both set SO_REUSEPORT")
        void sharesWithAnotherReservation() throws IOException {
            assumeThat(PortReservation.seamless()).as("SO_REUSEPORT supported").isTrue();
            PortReservation first = PortReservation.reserve(LOOPBACK, 0);
            try (first;
                    PortReservation second = PortReservation.reserve(LOOPBACK, first.port())) {
                assertThat(second.port()).isEqualTo(first.port());
                first.close(); // the second still holds the port
                assertUnrelatedBindFails(second.port());
                assertRefused(second.port());
            }
        }

        @Test
        @DisplayName("releases the port on close, and closing twice is harmless")
        void releasesOnClose() throws IOException {
            PortReservation reservation = PortReservation.reserve(LOOPBACK, 0);
            reservation.close();
            reservation.close();
            try (ServerSocketChannel unrelated = listenUnprepared(LOOPBACK, reservation.port())) {
                assertThat(portOf(unrelated)).isEqualTo(reservation.port());
            }
        }

        @Test
        @DisplayName("cannot take a port from a listener that was not prepared")
        void cannotTakeAnUnpreparedListenersPort() throws IOException {
            try (ServerSocketChannel listener = listenUnprepared(LOOPBACK, 0)) {
                assertThatThrownBy(() -> PortReservation.reserve(LOOPBACK, portOf(listener)).close())
                        .isInstanceOf(BindException.class);
            }
        }

        @Test
        @DisplayName("rejects a port outside 0 to 65535")
        void rejectsBadPorts() {
            assertThatThrownBy(() -> PortReservation.reserve(LOOPBACK, -1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> PortReservation.reserve(LOOPBACK, 65_536))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("prepareListener refuses a listener that is already bound")
        void prepareListenerBeforeBindOnly() throws IOException {
            try (ServerSocketChannel bound = listenUnprepared(LOOPBACK, 0)) {
                assertThatThrownBy(() -> PortReservation.prepareListener(bound))
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @Nested
    @Timeout(30)
    @DisplayName("handing a port over")
    class HandOver {

        @Test
        @DisplayName("reserves the port of a listener that is still listening, then refuses")
        void takesOverAListeningPort() throws IOException {
            assumeThat(PortReservation.seamless()).as("SO_REUSEPORT supported").isTrue();
            ServerSocketChannel listener = listen(LOOPBACK, 0);
            int port = portOf(listener);
            try (PortReservation reservation = PortReservation.reserve(LOOPBACK, port)) {
                assertThat(listener.isOpen()).isTrue();
                assertServes(listener); // the reservation takes no connections of the listener
                listener.close();
                assertThat(reservation.port()).isEqualTo(port);
                assertRefused(port);
                assertUnrelatedBindFails(port);
            } finally {
                listener.close();
            }
        }

        @Test
        @DisplayName("opens a new listener on the reserved port, which serves clients")
        void handsOverToANewListener() throws IOException {
            PortReservation reservation = PortReservation.reserve(LOOPBACK, 0);
            try (reservation;
                    ServerSocketChannel next = reservation.handOver(PortReservationTests::listen)) {
                assertThat(portOf(next)).isEqualTo(reservation.port());
                assertServes(next);
                assertThatThrownBy(() -> reservation.handOver(PortReservationTests::listen))
                        .as("a reservation hands over once")
                        .isInstanceOf(IllegalStateException.class);
            }
        }

        @Test
        @DisplayName("keeps the port reserved when opening the next socket fails")
        void keepsTheReservationWhenTheOpenerFails() throws IOException {
            try (PortReservation reservation = PortReservation.reserve(LOOPBACK, 0)) {
                assertThatThrownBy(() -> reservation.handOver((address, port) -> {
                            throw new IOException("no next socket");
                        }))
                        .hasMessage("no next socket");
                assertUnrelatedBindFails(reservation.port());
                assertRefused(reservation.port());
            }
        }

        @Test
        @DisplayName("never leaves the port free, listener -> reservation -> listener, 200 times")
        // alone: in one CI run in parallel mode (2026-12-07) a connect to the reserved port was not
        // refused, once, while other tests' sockets came and went; not reproduced alone, not explained
        @org.junit.jupiter.api.parallel.ResourceLock(value = org.junit.jupiter.api.parallel.Resources.GLOBAL,
                mode = org.junit.jupiter.api.parallel.ResourceAccessMode.READ_WRITE)
        void noGapInTwoHundredRounds() throws Exception {
            assumeThat(PortReservation.seamless()).as("SO_REUSEPORT supported").isTrue();
            int rounds = 200;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger grabAttempts = new AtomicInteger();
            AtomicInteger grabbed = new AtomicInteger();
            ServerSocketChannel listener = listen(LOOPBACK, 0);
            int port = portOf(listener);
            // tries all along to bind the port as an unrelated socket: any gap lets it in
            Thread grabber = new Thread(() -> {
                while (!stop.get() && grabAttempts.incrementAndGet() < 50_000_000) {
                    try (ServerSocket unrelated = new ServerSocket()) {
                        unrelated.bind(new InetSocketAddress(LOOPBACK, port));
                        grabbed.incrementAndGet();
                    } catch (IOException expected) {
                        // the port is held
                    }
                }
            }, "port-grabber");
            grabber.setDaemon(true);
            int served = 0;
            int refused = 0;
            try {
                grabber.start();
                for (int round = 0; round < rounds; round++) {
                    assertServes(listener);
                    served++;
                    ServerSocketChannel current = listener;
                    try (PortReservation reservation =
                            PortReservation.takeOver(new InetSocketAddress(LOOPBACK, port), current::close)) {
                        assertThat(current.isOpen()).isFalse();
                        assertRefused(port);
                        refused++;
                        listener = reservation.handOver(PortReservationTests::listen);
                    }
                    assertThat(portOf(listener)).isEqualTo(port);
                }
            } finally {
                stop.set(true);
                grabber.join(10_000);
                listener.close();
            }
            assertThat(grabber.isAlive()).isFalse();
            assertThat(served).isEqualTo(rounds);
            assertThat(refused).isEqualTo(rounds);
            assertThat(grabAttempts.get()).as("the grabber ran").isPositive();
            assertThat(grabbed.get()).as("times an unrelated socket got the port").isZero();
            System.out.printf("hand-over: %d rounds, %d unrelated bind attempts, none succeeded%n",
                    rounds, grabAttempts.get());
        }

        @Test
        @DisplayName("falls back to close-then-bind when the listener was not prepared")
        void fallsBackWithAnUnpreparedListener() throws IOException {
            ServerSocketChannel unprepared = listenUnprepared(LOOPBACK, 0);
            int port = portOf(unprepared);
            ServerSocketChannel next = null;
            try (PortReservation reservation =
                    PortReservation.takeOver(new InetSocketAddress(LOOPBACK, port), unprepared::close)) {
                assertThat(unprepared.isOpen()).isFalse();
                assertRefused(port);
                next = reservation.handOver(PortReservationTests::listenUnprepared);
                assertThat(portOf(next)).isEqualTo(port);
                assertServes(next);
            } finally {
                unprepared.close();
                if (next != null) {
                    next.close();
                }
            }
        }
    }
}
