package dev.misbehave.examples.outputs;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.examples.InventoryRepository;
import dev.misbehave.examples.InventoryUnavailableException;
import dev.misbehave.examples.servers.PostgresServer;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The producer of the exception chain docs/real-servers-databases.md shows for a PostgreSQL result
 * set reset mid-way on every connection: the inventory repository of the examples, through a peer
 * in front of a real PostgreSQL, captured for the docs module ({@link DocOutputs}). The example
 * ({@code DatabaseExamples.resetMidResultSet}) asserts the outcome; this run only shows its text.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("The exception chain of a PostgreSQL read reset mid-result set")
class DatabaseOutputsTests {

    static {
        // replaced by the capture below; left if PostgreSQL cannot start here
        DocOutputs.skip("postgres-reset-chain", "PostgreSQL did not start in this build");
    }

    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer();

    @BeforeAll
    static void stock() throws SQLException {
        try (var connection = postgres.connect(); var statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS stock"); // a server kept from an earlier run has it
            statement.execute("CREATE TABLE stock (sku text PRIMARY KEY, quantity integer NOT NULL, description text"
                    + " NOT NULL)");
            statement.execute("INSERT INTO stock SELECT 'SKU-' || lpad(n::text, 5, '0'), 100, repeat('a sturdy"
                    + " warehouse item ', 4) FROM generate_series(1, 10000) AS n");
        }
    }

    @Test
    @DisplayName("every connection reset after 100,000 B of the result set: SQLState 08006, a reset")
    void resetMidResultSet() {
        try (var peer = MisbehavingPeer.start(Script.forwardTo(postgres.address()),
                        Fault.resetAfter(Direction.DOWNSTREAM, 100_000));
                var pool = InventoryRepository.pool(PostgresServer.jdbcUrl(peer.address()), PostgresServer.USER, "")) {
            var failure = catchThrowableOfType(InventoryUnavailableException.class,
                    () -> new InventoryRepository(pool).stockLevels());

            assertThat(failure).is(connectionReset());
            DocOutputs.capture("postgres-reset-chain", DocOutputs.ports(DocOutputs.chain(failure, "\n <- ")));
        }
    }
}
