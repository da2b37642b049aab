package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.examples.InventoryRepository.StockLevel;
import dev.misbehave.examples.servers.PostgresServer;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An inventory repository (HikariCP and the PostgreSQL JDBC driver) against a real PostgreSQL
 * server, started once for the class by {@link PostgresServer}.
 */
@DisplayName("An inventory repository on a real PostgreSQL")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DatabaseExamples {

    /** Rows in the stock table: about 1.1 MB as a result set, far more than any fault's byte count. */
    static final int ROWS = 10_000;

    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer();

    @BeforeAll
    static void stock() throws SQLException {
        try (var connection = postgres.connect(); var statement = connection.createStatement()) {
            statement.execute("CREATE TABLE stock (sku text PRIMARY KEY, quantity integer NOT NULL "
                    + "CHECK (quantity >= 0), description text NOT NULL)");
            statement.execute("INSERT INTO stock SELECT 'SKU-' || lpad(n::text, 5, '0'), 100, "
                    + "repeat('a sturdy warehouse item ', 4) FROM generate_series(1, " + ROWS + ") AS n");
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
}
