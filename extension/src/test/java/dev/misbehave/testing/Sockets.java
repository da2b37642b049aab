package dev.misbehave.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;

/** Reading from a raw client socket in tests, every wait bounded by a 10 s read timeout. */
public final class Sockets {

    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private Sockets() {}

    /**
     * What a client read until end-of-stream or an error, and the error (null at end-of-stream).
     *
     * @param bytes everything read
     * @param failure the error that ended the reading, or null
     */
    public record Read(byte[] bytes, IOException failure) {
        /** The bytes as UTF-8 text. */
        public String text() {
            return new String(bytes, UTF_8);
        }
    }

    /** Reads until end-of-stream or an error. */
    public static Read readAll(Socket socket) throws SocketException {
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
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

    /** Reads exactly {@code n} bytes, and asserts that they all came. */
    public static byte[] readExactly(Socket socket, int n) throws IOException {
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        byte[] bytes = socket.getInputStream().readNBytes(n);
        assertThat(bytes).hasSize(n);
        return bytes;
    }
}
