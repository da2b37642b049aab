package dev.misbehave.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Application code: checks that a mail relay is ready, the way an SMTP client starts. The server
 * speaks first: it greets with a {@code 220} line; the client says {@code HELO} and expects a
 * {@code 250} line. Anything else fails with {@link NotificationFailedException}.
 */
public final class MailNotifier {

    private final InetSocketAddress relay;

    /**
     * A notifier that uses {@code relay}.
     *
     * @param relay the relay's address
     */
    public MailNotifier(InetSocketAddress relay) {
        this.relay = relay;
    }

    /**
     * Opens a session and greets the relay.
     *
     * @return the relay's {@code 250} line
     * @throws NotificationFailedException if the relay did not greet and answer as SMTP says
     */
    public String hello() throws NotificationFailedException {
        try (Socket socket = new Socket()) {
            socket.connect(relay, 2000);
            socket.setSoTimeout(2000);
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            String greeting = in.readLine();
            if (greeting == null || !greeting.startsWith("220")) {
                throw new NotificationFailedException("no 220 greeting, got: " + greeting, null);
            }
            out.write("HELO app.example\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = in.readLine();
            if (reply == null || !reply.startsWith("250")) {
                throw new NotificationFailedException("no 250 reply to HELO, got: " + reply, null);
            }
            return reply;
        } catch (IOException broken) {
            throw new NotificationFailedException("the relay connection failed", broken);
        }
    }
}
