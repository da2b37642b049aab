package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.zaxxer.hikari.HikariDataSource;
import dev.misbehave.Direction;
import dev.misbehave.Connections;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.ProxyTo;
import dev.misbehave.Script;
import dev.misbehave.Trigger;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.UpstreamRecord;
import dev.misbehave.assertj.ConnectionFailure;
import dev.misbehave.examples.InventoryRepository.StockLevel;
import dev.misbehave.examples.servers.PostgresServer;
import java.net.InetSocketAddress;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An inventory repository (HikariCP and the PostgreSQL JDBC driver) against a real PostgreSQL
 * server, started once for the class by {@link PostgresServer}, with a misbehaving peer forwarding
 * between them.
 */
@DisplayName("An inventory repository on a real PostgreSQL")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DatabaseExamples {

    /** Rows in the stock table: about 1.1 MB as a result set, far more than any fault's byte count. */
    static final int ROWS = 10_000;

    static final Duration WAIT = Duration.ofSeconds(10);

    // tag::server[]
    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer(); // started once for this class, always stopped
    // end::server[]

    @BeforeAll
    static void stock() throws SQLException {
        try (var connection = postgres.connect(); var statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS stock"); // a server kept from an earlier run has it
            statement.execute("CREATE TABLE stock (sku text PRIMARY KEY, quantity integer NOT NULL "
                    + "CHECK (quantity >= 0), description text NOT NULL)");
            statement.execute("INSERT INTO stock SELECT 'SKU-' || lpad(n::text, 5, '0'), 100, "
                    + "repeat('a sturdy warehouse item ', 4) FROM generate_series(1, " + ROWS + ") AS n");
        }
    }

    /** The server's address, for {@code @ProxyTo("database")}: read at each connection the peer accepts. */
    // tag::proxy-to[]
    static InetSocketAddress database() {
        return postgres.address(); // a real PostgreSQL on an ephemeral port
    }
    // end::proxy-to[]

    /** The application's pool, connecting through the peer. */
    static HikariDataSource poolThrough(MisbehavingPeer peer) {
        return InventoryRepository.pool(PostgresServer.jdbcUrl(peer.address()), PostgresServer.USER, "");
    }

    /** The quantity of {@code sku}, read straight from the server (no proxy). */
    static int quantityOnTheServer(String sku) throws SQLException {
        try (var connection = postgres.connect();
                var query = connection.prepareStatement("SELECT quantity FROM stock WHERE sku = ?")) {
            query.setString(1, sku);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /**
     * The server process behind the pool's one idle connection, the one its next read uses: a test
     * ends only its own session, while other tests (run in parallel) use the same server.
     */
    static int backendPid(DataSource pool) throws SQLException {
        try (var connection = pool.getConnection(); var statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Test
    @DisplayName("reads every stock level straight from the server (no proxy)")
    void direct() {
        try (var pool = InventoryRepository.pool(PostgresServer.jdbcUrl(postgres.address()), PostgresServer.USER, "")) {
            var inventory = new InventoryRepository(pool);

            List<StockLevel> levels = inventory.stockLevels();

            assertThat(levels).hasSize(ROWS);
            assertThat(levels.get(0)).isEqualTo(new StockLevel("SKU-00001", 100, "a sturdy warehouse item ".repeat(4)));
            assertThat(inventory.retriedReads()).isZero();
            assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(1);
        }
    }

    @DisplayName("is reset 100,000 B into a large result set: the read is retried once on a new connection")
    // tag::reset-mid-query-retried[]
    @Test
    @ProxyTo("database")
    @ForceResetAfter(bytes = 100_000, direction = Direction.DOWNSTREAM, connections = @Connections(first = 1))
    void resetMidResultSetIsRetried(MisbehavingPeer peer) {
        try (var pool = poolThrough(peer)) {
            var inventory = new InventoryRepository(pool);

            List<StockLevel> levels = inventory.stockLevels(); // connection 0 is reset, connection 1 answers

            assertThat(levels).hasSize(ROWS);
            assertThat(inventory.retriedReads()).isEqualTo(1);
            assertThat(pool.getHikariPoolMXBean().getTotalConnections())
                    .isEqualTo(1); // the broken connection was evicted, not returned to the pool

            assertThat(peer.awaitConnections(1, WAIT)).satisfiesExactly(
                    reset -> {
                        assertThat(reset.sentCount()).isEqualTo(100_000);
                        assertThat(reset.ending()).isEqualTo(Ending.PEER_RESET);
                        assertThat(reset.upstream()).hasValueSatisfying(
                                server -> assertThat(server.ending()).isEqualTo(UpstreamEnding.PEER_RESET));
                    },
                    retry -> { // served in full
                        assertThat(retry.fault()).isEmpty();
                        assertThat(retry.sentCount()).isGreaterThan(1_000_000);
                    });
        }
    }
    // end::reset-mid-query-retried[]

    @DisplayName("is reset on every connection: SQLState 08006, a reset; the pool evicts both and recovers")
    // tag::reset-mid-query[]
    @Test
    void resetMidResultSet() {
        try (var peer = MisbehavingPeer.start(Script.forwardTo(postgres.address()),
                        Fault.resetAfter(Direction.DOWNSTREAM, 100_000));
                var pool = poolThrough(peer)) {
            var inventory = new InventoryRepository(pool);

            var failure = catchThrowableOfType(InventoryUnavailableException.class, inventory::stockLevels);

            assertThat(failure.attempts()).isEqualTo(2);
            assertThat(failure.getCause().getSQLState()).isEqualTo("08006"); // connection failure
            assertThat(failure).is(connectionReset()); // the driver's cause: Connection reset
            assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isZero(); // both broken ones evicted
            assertThat(peer.awaitConnections(2, WAIT)).allSatisfy(connection -> {
                assertThat(connection.sentCount()).isEqualTo(100_000); // exactly K bytes of the answer
                assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
            });

            peer.behave(); // the network heals
            assertThat(inventory.stockLevels()).hasSize(ROWS); // the pool recovers
            assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(1);
            assertThat(peer.connections()).hasSize(3);
            assertThat(peer.connections().get(2).fault()).isEmpty();
        }
    }
    // end::reset-mid-query[]

    @DisplayName("has a pooled connection closed by an idle timeout: the pool validates it and opens a new one")
    // tag::idle-timeout[]
    @Test
    @ProxyTo("database")
    @ForceCloseAfter(idleMillis = 600, connections = @Connections(first = 1)) // a server's idle timeout
    void idleTimeout(MisbehavingPeer peer) {
        try (var pool = poolThrough(peer)) {
            var inventory = new InventoryRepository(pool);

            assertThat(inventory.quantity("SKU-00001")).isEqualTo(100); // connection 0
            peer.awaitConnections(1, WAIT); // idle for 600 ms: closed, and back in the pool
            assertThat(inventory.quantity("SKU-00001")).isEqualTo(100);

            // idle longer than HikariCP's 500 ms: checked (isValid) before use, found dead, replaced
            assertThat(inventory.retriedReads()).isZero();
            assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(1);
            assertThat(peer.connections()).satisfiesExactly(
                    closed -> {
                        assertThat(closed.firedTrigger()).contains(new Trigger.AfterIdle(Duration.ofMillis(600)));
                        assertThat(closed.ending()).isEqualTo(Ending.PEER_CLOSED);
                    },
                    fresh -> assertThat(fresh.fault()).isEmpty());
        }
    }
    // end::idle-timeout[]

    @DisplayName("is reset after the server committed an UPDATE: not retried, the outcome is unknown, and it did happen")
    // tag::write-not-retried[]
    @Test
    @ProxyTo("database")
    @ForceResetAfter(pattern = "UPDATE 1", direction = Direction.DOWNSTREAM) // the UPDATE's answer, then a reset
    void writeIsNotRetried(MisbehavingPeer peer) throws SQLException {
        try (var pool = poolThrough(peer)) {
            var inventory = new InventoryRepository(pool);

            var failure = catchThrowableOfType(ReservationOutcomeUnknownException.class,
                    () -> inventory.reserve("SKU-00042", 1));

            assertThat(failure.getCause().getSQLState()).isEqualTo("08006");
            assertThat(ConnectionFailure.classify(failure)).contains(ConnectionFailure.RESET);
            assertThat(quantityOnTheServer("SKU-00042")).isEqualTo(99); // committed, once
            assertThat(peer.awaitConnections(1, WAIT)) // no second attempt
                    .singleElement().satisfies(connection -> {
                        assertThat(connection.firedTrigger()).isPresent();
                        assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
                    });
        }
    }
    // end::write-not-retried[]

    @DisplayName("has its connection ended by the server: the end passes through the peer, and the read gets a fresh connection")
    // tag::server-ends-connection[]
    @Test
    @ProxyTo("database") // no fault: the server itself ends the session
    void serverEndsTheConnection(MisbehavingPeer peer) throws SQLException {
        try (var pool = poolThrough(peer)) {
            var inventory = new InventoryRepository(pool);
            assertThat(inventory.quantity("SKU-00001")).isEqualTo(100); // connection 0

            try (var admin = postgres.connect(); var statement = admin.createStatement()) { // a DBA, a failover
                statement.execute("SELECT pg_terminate_backend(" + backendPid(pool) + ")"); // this pool's session
            }
            // the pooled connection stays open on the client's side: wait for the server's leg
            peer.awaitJournal(records -> records.get(0).upstream()
                    .map(leg -> leg.ending() == UpstreamEnding.SERVER_CLOSED).orElse(false), WAIT);

            // the driver reads the server's last words (57P01, as without a proxy); the read is retried
            assertThat(inventory.quantity("SKU-00001")).isEqualTo(100); // connection 1
            assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(1);
            assertThat(peer.connections()).hasSize(2).first().satisfies(ended -> {
                assertThat(ended.upstream().map(UpstreamRecord::ending))
                        .contains(UpstreamEnding.SERVER_CLOSED); // the server ended its leg with a FIN
                assertThat(ended.fault()).isEmpty();
            });
        }
    }
    // end::server-ends-connection[]
}
