package dev.misbehave.junit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.MisbehavingPeer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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

    /** What a client read until end-of-stream or an error, and the error (null at end-of-stream). */
    record Read(byte[] bytes, IOException failure) {
        String text() {
            return new String(bytes, UTF_8);
        }
    }

    /** Reads until end-of-stream or an error; a 10 s read timeout bounds the wait. */
    static Read readAll(Socket socket) throws SocketException {
        socket.setSoTimeout(10_000);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes.write(buffer, 0, n);
            }
            return new Read(bytes.toByteArray(), null);
        } catch (IOException e) {
            return new Read(bytes.toByteArray(), e);
        }
    }

    /** Reads exactly {@code n} bytes as UTF-8 text; a 10 s read timeout bounds the wait. */
    static String readText(Socket socket, int n) throws IOException {
        socket.setSoTimeout(10_000);
        byte[] bytes = socket.getInputStream().readNBytes(n);
        assertThat(bytes).hasSize(n);
        return new String(bytes, UTF_8);
    }

    static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(UTF_8));
    }
}
