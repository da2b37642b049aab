package dev.misbehave.examples.servers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** What {@link PostgresServer} relies on while PostgreSQL starts on a {@link HeldPort} (Linux). */
@Timeout(30)
@EnabledOnOs(OS.LINUX)
@DisplayName("A port held for a server while it starts")
class HeldPortTests {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    @DisplayName("refuses connects until the server listens: a start-up check reaches no one else")
    void refusesConnects() throws IOException {
        try (HeldPort port = HeldPort.choose()) {
            assertThat(port.held()).isTrue();

            assertThatThrownBy(() -> new Socket(LOOPBACK, port.port()).close()).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    @DisplayName("lets a server that sets SO_REUSEADDR, as PostgreSQL does, listen on it and serve")
    void theServerListensOnIt() throws IOException {
        try (HeldPort port = HeldPort.choose(); ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(LOOPBACK, port.port()));

            try (Socket client = new Socket(LOOPBACK, port.port()); Socket accepted = server.accept()) {
                client.getOutputStream().write(42);
                assertThat(accepted.getInputStream().read()).isEqualTo(42);
            }
        }
    }

    @Test
    @DisplayName("keeps a socket that does not share ports off it")
    void keepsOthersOff() throws IOException {
        try (HeldPort port = HeldPort.choose(); SocketChannel other = SocketChannel.open()) {
            other.setOption(StandardSocketOptions.SO_REUSEADDR, false);

            assertThatThrownBy(() -> other.bind(new InetSocketAddress(LOOPBACK, port.port())))
                    .isInstanceOf(BindException.class);
        }
    }
}
