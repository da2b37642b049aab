package dev.misbehave.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A proxy connects only to its configured upstream: nothing the client sends names another
 * destination for it. The client sends what makes other proxies connect elsewhere (an HTTP
 * CONNECT, an absolute-URI request, PROXY protocol v1 and v2 headers), each naming a second server
 * that listens; that server sees no connection, and the configured upstream gets every byte as
 * sent.
 */
@DisplayName("A proxy connects only to its configured upstream")
class ProxyTargetTests {

    /** The PROXY protocol v2 signature, then "PROXY, TCP over IPv4", 12 address bytes. */
    private static final byte[] PROXY_V2_START = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
            0x0A, 0x21, 0x11, 0x00, 0x0C};

    @Test
    @Timeout(30)
    @DisplayName("CONNECT, an absolute URI and PROXY headers naming another listening server reach the upstream verbatim, and the other server sees nothing")
    void onlyTheConfiguredUpstream() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocketChannel decoy = ServerSocketChannel.open();
                ServerSocket upstream = new ServerSocket(0, 1, loopback)) {
            decoy.bind(new InetSocketAddress(loopback, 0));
            decoy.configureBlocking(false);
            int other = ((InetSocketAddress) decoy.getLocalAddress()).getPort();
            byte[] sent = attempts(other);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAll(upstream));

            try (MisbehavingPeer proxy = MisbehavingPeer.start(Script.forwardTo((InetSocketAddress) upstream.getLocalSocketAddress()))) {
                try (Socket client = new Socket(proxy.host(), proxy.port())) {
                    client.getOutputStream().write(sent);
                    client.shutdownOutput(); // the upstream reads to the end of what the client sent
                    assertThat(received.get(20, TimeUnit.SECONDS)).as("what the upstream received").isEqualTo(sent);
                }
                List<ConnectionRecord> journal = proxy.awaitConnections(1, Duration.ofSeconds(10));
                assertThat(journal).hasSize(1);
                assertThat(journal.get(0).upstream().orElseThrow().address())
                        .contains((InetSocketAddress) upstream.getLocalSocketAddress());
            }
            // every connection the proxy made has been made by now: a connect to the other server
            // would be waiting in its accept queue
            assertThat(decoy.accept()).as("a connection to the server the client named").isNull();
        }
    }

    /** What a client could send to make a proxy connect to port {@code other}. */
    private static byte[] attempts(int other) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(("CONNECT 127.0.0.1:" + other + " HTTP/1.1\r\nHost: 127.0.0.1:" + other + "\r\n\r\n"
                + "GET http://127.0.0.1:" + other + "/ HTTP/1.1\r\nHost: 127.0.0.1:" + other + "\r\n\r\n"
                + "PROXY TCP4 127.0.0.1 127.0.0.1 40000 " + other + "\r\n").getBytes(US_ASCII));
        bytes.write(PROXY_V2_START);
        bytes.write(new byte[] {127, 0, 0, 1, 127, 0, 0, 1, (byte) 0x9C, 0x40, (byte) (other >> 8), (byte) other});
        return bytes.toByteArray();
    }

    private static byte[] readAll(ServerSocket server) {
        try (Socket accepted = server.accept(); InputStream in = accepted.getInputStream()) {
            accepted.setSoTimeout(20_000);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
