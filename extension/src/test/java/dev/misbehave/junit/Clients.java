package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;

/** A raw socket client for fixtures: send a request, expect the read to fail with a reset. */
final class Clients {

    private Clients() {}

    static void sendAndExpectReset(MisbehavingPeer peer, byte[] request) throws IOException {
        try (Socket socket = new Socket(peer.host(), peer.port())) {
            socket.getOutputStream().write(request);
            assertThatThrownBy(() -> socket.getInputStream().read())
                    .isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset");
        }
    }
}
