package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.misbehave.Delivery;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.ProxyTo;
import dev.misbehave.Script;
import dev.misbehave.Tls;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.UpstreamTls;
import dev.misbehave.examples.servers.PostgresServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A terminating proxy: the client's TLS ends at the peer, which opens its own TLS connection to a
 * real server, so faults count plaintext in front of a real HTTPS server and a real PostgreSQL.
 */
@DisplayName("A terminating proxy in front of real TLS servers")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsProxyExamples {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final int ROWS = DatabaseExamples.ROWS;

    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer(true); // ssl = on, its own certificate

    static HttpsServer reports;

    @BeforeAll
    static void start() throws Exception {
        TlsWarmUp.once(); // a cold JVM's first handshake can outlast the clients' 2 s connect timeout
        try (var connection = postgres.connect(); var statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS stock");
            statement.execute("CREATE TABLE stock (sku text PRIMARY KEY, quantity integer NOT NULL "
                    + "CHECK (quantity >= 0), description text NOT NULL)");
            statement.execute("INSERT INTO stock SELECT 'SKU-' || lpad(n::text, 5, '0'), 100, "
                    + "repeat('a sturdy warehouse item ', 4) FROM generate_series(1, " + ROWS + ") AS n");
        }
        // a real HTTPS server: the JDK's, with the generated certificate
        reports = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        reports.setHttpsConfigurator(new HttpsConfigurator(Tls.generated().serverContext()));
        reports.createContext("/report.csv", exchange -> {
            byte[] report = new byte[300_000];
            exchange.sendResponseHeaders(200, report.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(report);
            }
        });
        reports.start();
    }

    @AfterAll
    static void stop() {
        reports.stop(0);
    }

    /** The HTTPS server's address by name, so that the proxy checks its certificate's host name. */
    static InetSocketAddress reports() {
        return new InetSocketAddress("localhost", reports.getAddress().getPort());
    }

    @DisplayName("an HTTPS download through a terminating proxy, reset after 100,000 plaintext bytes")
    // tag::tls-terminating-proxy[]
    @Test
    @ProxyTo(value = "reports", tls = true, upstreamTls = ProxyTo.UpstreamTrust.TRUSTING_GENERATED)
    @ForceResetAfter(bytes = 100_000, direction = Direction.DOWNSTREAM)
    void resetInFrontOfARealHttpsServer(MisbehavingPeer peer) {
        var report = URI.create("https://localhost:" + peer.port() + "/report.csv");
        var downloader = new ReportDownloader(report, Duration.ofSeconds(5), Tls.generated().clientContext());

        var failed = catchThrowableOfType(DownloadFailedException.class, downloader::download);

        assertThat(failed).is(connectionReset());
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.sentCount()).isEqualTo(100_000); // plaintext: head and body
            assertThat(connection.delivery()).isEqualTo(Delivery.CONFIRMED);
            assertThat(connection.upstream()).hasValueSatisfying(
                    server -> assertThat(server.ending()).isEqualTo(UpstreamEnding.PEER_RESET));
        });
    }
    // end::tls-terminating-proxy[]

    @DisplayName("PostgreSQL JDBC with sslmode=verify-full, through a terminating proxy, reset mid result set")
    // tag::tls-postgres[]
    @Test
    void postgresVerifyFull() {
        Tls peerTls = Tls.generated().withApplicationProtocols("postgresql"); // PostgreSQL's direct TLS
        Script proxy = Script.forwardTo("localhost", postgres.address().getPort())
                .withTls(peerTls)
                .withUpstreamTls(UpstreamTls.trusting(postgres.trustStore())); // the server's own certificate
        try (var peer = MisbehavingPeer.start(proxy, Fault.resetAfter(Direction.DOWNSTREAM, 100_000));
                var pool = InventoryRepository.pool("jdbc:postgresql://localhost:" + peer.port() + "/postgres"
                        + "?sslmode=verify-full&sslNegotiation=direct"
                        + "&sslrootcert=" + peerTls.authorityPem(), PostgresServer.USER, "")) {
            var inventory = new InventoryRepository(pool);

            var failure = catchThrowableOfType(InventoryUnavailableException.class, inventory::stockLevels);

            assertThat(failure.getCause().getSQLState()).isEqualTo("08006"); // connection failure
            assertThat(failure).is(connectionReset());
            assertThat(peer.awaitConnections(2, WAIT)).allSatisfy(connection -> {
                assertThat(connection.sentCount()).isEqualTo(100_000); // plaintext of the result set
                assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
                assertThat(connection.tls()).hasValueSatisfying(
                        tls -> assertThat(tls.applicationProtocol()).hasValue("postgresql"));
            });

            peer.behave(); // the network heals: the pool recovers, verify-full all the way
            assertThat(inventory.stockLevels()).hasSize(ROWS);
        }
    }
    // end::tls-postgres[]
}
