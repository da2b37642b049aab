package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.ProxyTo;
import dev.misbehave.UpstreamEnding;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proxy mode: the quote client talks to a real {@link QuoteServer} through the peer, which plays a
 * middlebox (a load balancer, a NAT, a firewall) between them. The server is started per test on an
 * ephemeral port; {@code @ProxyTo("quoteServer")} names the method that gives its address, read at
 * each connection.
 */
@DisplayName("A quote client and a real server, with a misbehaving middlebox between them")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ProxyExamples {

    static final Duration WAIT = Duration.ofSeconds(10);

    // tag::upstream[]
    QuoteServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = QuoteServer.start(); // a real server, on a port known only now
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
    }

    InetSocketAddress quoteServer() {
        return server.address(); // @ProxyTo("quoteServer") reads this at each connection
    }
    // end::upstream[]

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @DisplayName("a middlebox resets the pooled connection: the client retries once, and the server answers both")
    // tag::middlebox-reset[]
    @Test
    @ProxyTo(value = "quoteServer", requestEndsWith = "\n")
    @ForceResetAfter(exchanges = 1, connections = @Connections(first = 1))
    void middleboxResetsPooledConnection(MisbehavingPeer peer) throws Exception {
        try (var quotes = new QuoteClient(peer.address(), 2_000)) {
            assertThat(quotes.quote("ACME")).isEqualTo("12.34"); // connection 1
            assertThat(quotes.quote("ACME")).isEqualTo("12.34"); // reset, then connection 2
        }
        assertThat(server.answered()).isEqualTo(2); // the cut request never reached it

        ConnectionRecord cut = peer.awaitConnections(2, WAIT).get(0);
        assertThat(text(cut.received())).isEqualTo("QUOTE ACME\nQ");
        assertThat(cut.ending()).isEqualTo(Ending.PEER_RESET);
        assertThat(cut.upstream()).hasValueSatisfying(leg -> {
            assertThat(leg.sentCount()).isEqualTo(11); // only the first request was forwarded
            assertThat(leg.ending()).isEqualTo(UpstreamEnding.PEER_RESET); // the server's leg was reset too
        });
    }
    // end::middlebox-reset[]

    @DisplayName("a middlebox resets mid-answer on a fresh connection: no retry, though the server did answer")
    // tag::middlebox-mid-answer[]
    @Test
    @ProxyTo("quoteServer")
    @ForceResetAfter(bytes = 3, direction = Direction.DOWNSTREAM)
    void middleboxResetsMidAnswer(MisbehavingPeer peer) throws Exception {
        try (var quotes = new QuoteClient(peer.address(), 2_000)) {
            assertThatThrownBy(() -> quotes.quote("ACME"))
                    .isInstanceOf(QuoteUnavailableException.class)
                    .cause().is(connectionReset());
        }
        assertThat(server.answered()).isEqualTo(1); // it answered; the client got "12."

        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(text(connection.sent())).isEqualTo("12.");
            assertThat(connection.upstream().orElseThrow().receivedCount()).isEqualTo(6);
        });
    }
    // end::middlebox-mid-answer[]

    @DisplayName("the real server crashes: its reset reaches the client as a reset, and the journal shows both legs")
    // tag::server-crash[]
    @Test
    @ProxyTo("quoteServer") // no fault: the peer only forwards, faithfully
    void serverCrashReachesTheClientAsAReset(MisbehavingPeer peer) throws Exception {
        server.crashOnNextRequest();
        try (var quotes = new QuoteClient(peer.address(), 2_000)) {
            assertThatThrownBy(() -> quotes.quote("ACME"))
                    .isInstanceOf(QuoteUnavailableException.class)
                    .cause().is(connectionReset());
        }

        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.fault()).isEmpty();
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET); // passed on as an RST, not a FIN
            assertThat(connection.upstream().orElseThrow().ending()).isEqualTo(UpstreamEnding.SERVER_RESET);
        });
    }
    // end::server-crash[]

    @DisplayName("the server is down: the client's connection is reset, and the journal says why")
    // tag::server-down[]
    @Test
    @ProxyTo("quoteServer")
    void serverDown(MisbehavingPeer peer) throws Exception {
        int port = server.address().getPort();
        server.goDown(); // nothing listens on its port any more
        try (var quotes = new QuoteClient(peer.address(), 2_000)) {
            assertThatThrownBy(() -> quotes.quote("ACME"))
                    .isInstanceOf(QuoteUnavailableException.class)
                    .cause().is(connectionReset());
        }

        assertThat(peer.awaitConnections(1, WAIT).get(0).upstream()).hasValueSatisfying(leg -> {
            assertThat(leg.ending()).isEqualTo(UpstreamEnding.NOT_CONNECTED);
            assertThat(leg.failure()).hasValueSatisfying(why -> assertThat(why)
                    .startsWith("connect to 127.0.0.1:" + port + " failed: ")); // "Connection refused"
        });
    }
    // end::server-down[]
}
