package dev.misbehave.junit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.MisbehavingPeer;
import dev.misbehave.testing.Sockets;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;

/** Raw socket clients for fixtures. */
final class Clients {

    private Clients() {}

    /** Sends {@code request}, then expects the read to fail with a reset. */
    static void sendAndExpectReset(MisbehavingPeer peer, byte[] request) throws IOException {
        try (Socket socket = new Socket(peer.host(), peer.port())) {
            socket.getOutputStream().write(request);
            assertThatThrownBy(() -> socket.getInputStream().read())
                    .isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset");
        }
    }

    /** Reads exactly {@code n} bytes as UTF-8 text. */
    static String readText(Socket socket, int n) throws IOException {
        return new String(Sockets.readExactly(socket, n), UTF_8);
    }

    static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(UTF_8));
    }
}
