package dev.misbehave.examples;

import dev.misbehave.examples.UploadFailedException.Phase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * Application code: uploads a payload over a plain TCP connection and waits for the server's
 * one-line acknowledgement ({@code OK}).
 *
 * <p>If the connection breaks (the server resets it, or the pipe is broken) the client tries again
 * on a fresh connection, up to the configured number of attempts, and then gives up with an {@link
 * UploadFailedException} whose cause is the last failure. Timeouts are not retried.
 */
public final class UploadClient {

    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final int READ_TIMEOUT_MILLIS = 5_000;

    private final String host;
    private final int port;
    private final int maxAttempts;

    /**
     * A client that tries each upload once.
     *
     * @param host the server's host
     * @param port the server's port
     */
    public UploadClient(String host, int port) {
        this(host, port, 1);
    }

    /**
     * A client that tries each upload up to {@code maxAttempts} times.
     *
     * @param host the server's host
     * @param port the server's port
     * @param maxAttempts 1 or more
     */
    public UploadClient(String host, int port, int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be 1 or more, was " + maxAttempts);
        }
        this.host = host;
        this.port = port;
        this.maxAttempts = maxAttempts;
    }

    /**
     * Uploads {@code payload} and returns the server's acknowledgement.
     *
     * @param payload the bytes to upload
     * @return the acknowledgement line
     * @throws UploadFailedException if no attempt got an acknowledgement
     */
    // tag::retry[]
    public String upload(byte[] payload) throws UploadFailedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return uploadOnce(payload);
            } catch (AttemptFailed failed) {
                boolean connectionBroke = failed.getCause() instanceof SocketException;
                if (!connectionBroke || attempt == maxAttempts) {
                    throw new UploadFailedException(
                            host + ":" + port, attempt, failed.phase, failed.getCause());
                }
            }
        }
    }
    // end::retry[]

    private String uploadOnce(byte[] payload) throws AttemptFailed {
        Phase phase = Phase.CONNECT;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            phase = Phase.SEND;
            socket.getOutputStream().write(payload);
            phase = Phase.ACKNOWLEDGE;
            return readAcknowledgement(socket);
        } catch (IOException e) {
            throw new AttemptFailed(phase, e);
        }
    }

    private static String readAcknowledgement(Socket socket) throws IOException {
        BufferedReader reader = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String line = reader.readLine();
        if (line == null) {
            throw new IOException("the server closed the connection without acknowledging");
        }
        if (!line.startsWith("OK")) {
            throw new IOException("the server refused the upload: " + line);
        }
        return line;
    }

    /** One attempt's failure and where it happened; never leaves this class. */
    private static final class AttemptFailed extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Phase phase;

        AttemptFailed(Phase phase, IOException cause) {
            super(cause);
            this.phase = phase;
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
