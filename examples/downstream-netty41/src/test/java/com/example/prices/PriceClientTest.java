package com.example.prices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.ProxyTo;
import dev.misbehave.UpstreamEnding;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.util.Version;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Three copies of Netty at work in one test: the price server and the client under test run on the
 * application's Netty 4.1 (on Linux, the server on its native epoll transport), and the misbehaving proxy
 * between them on the Netty 4.2 relocated inside Misbehave.
 */
@Timeout(30)
class PriceClientTest {

    private static final String ANSWER = "SKU-42 costs 12.50";

    private DisposableServer server;

    @BeforeEach
    void startPriceServer() {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.get("/price/{sku}",
                        (request, response) -> response.sendString(Mono.just(request.param("sku") + " costs 12.50"))))
                .bindNow(Duration.ofSeconds(10));
    }

    @AfterEach
    void stopPriceServer() {
        server.disposeNow(Duration.ofSeconds(10));
    }

    InetSocketAddress priceServer() {
        return (InetSocketAddress) server.address();
    }

    @Test
    void theApplicationKeepsItsOwnNetty41() {
        assertThat(Version.identify().get("netty-common").artifactVersion()).startsWith("4.1.");
        if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertThat(Epoll.isAvailable()).as("the application's native epoll transport loads").isTrue();
            assertThat(server.channel()).isInstanceOf(EpollServerSocketChannel.class);
        }
    }

    @Test
    @ProxyTo("priceServer")
    void throughTheProxyThePriceArrives(MisbehavingPeer peer) {
        var client = new PriceClient(peer.host(), peer.port());

        assertThat(client.price("SKU-42")).isEqualTo(ANSWER);

        ConnectionRecord only = peer.awaitConnections(1, Duration.ofSeconds(10)).get(0);
        assertThat(only.upstream()).hasValueSatisfying(upstream -> {
            assertThat(upstream.address()).hasValueSatisfying(address -> assertThat(address.getPort()).isEqualTo(priceServer().getPort()));
            assertThat(upstream.receivedCount()).isGreaterThan(ANSWER.length());
        });
        assertThat(only.ending()).isNotIn(Ending.PEER_RESET, Ending.PEER_CLOSED);
    }

    @Test
    @ProxyTo("priceServer")
    @ForceResetAfter(direction = Direction.DOWNSTREAM, bytes = 17)
    void aResetInsideTheResponseIsReportedAsUnavailable(MisbehavingPeer peer) {
        var client = new PriceClient(peer.host(), peer.port());

        assertThatThrownBy(() -> client.price("SKU-42"))
                .isInstanceOf(PriceClient.PriceUnavailableException.class)
                .hasMessageContaining("hung up");

        ConnectionRecord only = peer.awaitConnections(1, Duration.ofSeconds(10)).get(0);
        assertThat(only.ending()).isEqualTo(Ending.PEER_RESET);
        assertThat(only.sentCount()).isEqualTo(17);
        assertThat(only.upstream()).hasValueSatisfying(upstream ->
                assertThat(upstream.ending()).isEqualTo(UpstreamEnding.PEER_RESET));
    }
}
