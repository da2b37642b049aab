package dev.misbehave.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Application code: the stock levels of a warehouse, in PostgreSQL, through a HikariCP pool and the
 * PostgreSQL JDBC driver.
 *
 * <p>Its retry policy is about lost connections only, which the driver reports with an SQLState
 * of class {@code 08} (for example {@code 08006}, "An I/O error occurred while sending to the
 * backend", when the connection is reset or cut mid-query), or with {@code 57P01} to {@code 57P03}
 * when the server ended the session itself (an administrator, a shutdown). HikariCP evicts a
 * connection that threw such an error, so a retry gets another connection.
 *
 * <ul>
 *   <li>Reads are idempotent: a read that fails with a connection failure is retried once, on a
 *       fresh connection from the pool.
 *   <li>A write that fails with a connection failure after its statement was sent is never retried:
 *       the server may have committed it before the connection broke, so a retry could apply it
 *       twice. It throws {@link ReservationOutcomeUnknownException}; the caller must find out
 *       whether it happened. A write whose connection could not even be obtained (nothing was sent)
 *       is retried once.
 * </ul>
 *
 * <p>Any other failure is not retried. What the retry policy did is counted ({@link
 * #retriedReads()}), as an application would export it as a metric.
 */
public final class InventoryRepository {

    /** One row of the {@code stock} table. */
    public record StockLevel(String sku, int quantity, String description) {}

    private static final String CONNECTION_FAILURE_CLASS = "08";

    /** The server ended the session: admin shutdown, crash shutdown, cannot connect now. */
    private static final Set<String> SERVER_ENDED_SESSION = Set.of("57P01", "57P02", "57P03");

    private final DataSource dataSource;
    private final AtomicLong retriedReads = new AtomicLong();

    /**
     * A repository over {@code dataSource}, normally the pool of {@link #pool(String, String,
     * String)}.
     *
     * @param dataSource where connections come from
     */
    public InventoryRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The application's pool: at most 2 connections, opened on demand (none at start, none kept
     * idle in the background), 2 s to get one.
     *
     * @param jdbcUrl for example {@code jdbc:postgresql://127.0.0.1:5432/postgres}
     * @param user the database user
     * @param password the user's password, empty if none
     * @return a pool named {@code inventory}; the caller closes it
     */
    // tag::pool[]
    public static HikariDataSource pool(String jdbcUrl, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("inventory");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(0);                // connections on demand only
        config.setInitializationFailTimeout(-1); // no connection when the pool starts
        config.setConnectionTimeout(2_000);
        config.addDataSourceProperty("connectTimeout", "2"); // seconds, the driver's own
        config.addDataSourceProperty("ApplicationName", "inventory"); // in pg_stat_activity
        return new HikariDataSource(config);
    }
    // end::pool[]

    /**
     * Creates the {@code stock} table if it does not exist.
     *
     * @throws InventoryUnavailableException if the database fails
     */
    public void createTable() {
        write("create the stock table", connection -> {
            try (var statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS stock ("
                        + "sku text PRIMARY KEY, quantity integer NOT NULL CHECK (quantity >= 0), "
                        + "description text NOT NULL)");
            }
            return null;
        });
    }

    /**
     * Every stock level, ordered by SKU. Retried once on a connection failure.
     *
     * @return all rows
     * @throws InventoryUnavailableException if the read failed (twice, for a connection failure)
     */
    // tag::read-retry[]
    public List<StockLevel> stockLevels() {
        return read("read all stock levels", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                            "SELECT sku, quantity, description FROM stock ORDER BY sku");
                    ResultSet rows = query.executeQuery()) {
                List<StockLevel> levels = new ArrayList<>();
                while (rows.next()) {
                    levels.add(new StockLevel(rows.getString(1), rows.getInt(2), rows.getString(3)));
                }
                return levels;
            }
        });
    }

    private <T> T read(String what, Work<T> work) {
        try {
            return inConnection(work);
        } catch (SQLException first) {
            if (!isConnectionFailure(first)) {
                throw new InventoryUnavailableException(what, 1, first);
            }
            retriedReads.incrementAndGet(); // idempotent: once more, on another connection
            try {
                return inConnection(work);
            } catch (SQLException second) {
                second.addSuppressed(first);
                throw new InventoryUnavailableException(what, 2, second);
            }
        }
    }
    // end::read-retry[]

    /**
     * The quantity of one SKU. Retried once on a connection failure.
     *
     * @param sku the SKU
     * @return its quantity, 0 if there is no such SKU
     * @throws InventoryUnavailableException if the read failed
     */
    public int quantity(String sku) {
        return read("read the quantity of " + sku, connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT quantity FROM stock WHERE sku = ?")) {
                query.setString(1, sku);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? rows.getInt(1) : 0;
                }
            }
        });
    }

    /**
     * Takes {@code quantity} items of {@code sku} out of stock. Never retried once the statement
     * was sent.
     *
     * @param sku the SKU
     * @param quantity how many, 1 or more
     * @return true if there was enough stock, false if not (nothing changed)
     * @throws ReservationOutcomeUnknownException if the connection failed after the statement was
     *     sent: the reservation may or may not have been committed
     * @throws InventoryUnavailableException if the database failed otherwise
     */
    // tag::write-no-retry[]
    public boolean reserve(String sku, int quantity) {
        return write("reserve " + quantity + " of " + sku, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE stock SET quantity = quantity - ? WHERE sku = ? AND quantity >= ?")) {
                update.setInt(1, quantity);
                update.setString(2, sku);
                update.setInt(3, quantity);
                try {
                    return update.executeUpdate() == 1;
                } catch (SQLException e) {
                    if (isConnectionFailure(e)) { // sent, maybe committed: must not be retried
                        throw new ReservationOutcomeUnknownException(sku, quantity, e);
                    }
                    throw e;
                }
            }
        });
    }

    private <T> T write(String what, Work<T> work) {
        Connection connection;
        try {
            connection = obtain();
        } catch (SQLException e) {
            throw new InventoryUnavailableException(what, isConnectionFailure(e) ? 2 : 1, e);
        }
        try (connection) {
            return work.apply(connection);
        } catch (SQLException e) {
            throw new InventoryUnavailableException(what, 1, e);
        }
    }

    /** A connection from the pool; nothing was sent yet, so a connection failure is retried once. */
    private Connection obtain() throws SQLException {
        try {
            return dataSource.getConnection();
        } catch (SQLException first) {
            if (!isConnectionFailure(first)) {
                throw first;
            }
            return dataSource.getConnection();
        }
    }
    // end::write-no-retry[]

    /**
     * How many reads were retried after a connection failure, since this repository was created.
     *
     * @return the count
     */
    public long retriedReads() {
        return retriedReads.get();
    }

    /**
     * Whether {@code e} reports a lost connection: its SQLState (or a chained exception's) is of
     * class {@code 08}, or says the server ended the session ({@code 57P01} "terminating connection
     * due to administrator command", {@code 57P02}, {@code 57P03}; HikariCP evicts on these too).
     *
     * @param e the exception
     * @return true for {@code 08000}, {@code 08001}, {@code 08003}, {@code 08006}, {@code 57P01}, ...
     */
    public static boolean isConnectionFailure(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            String state = s.getSQLState();
            if (state != null && (state.startsWith(CONNECTION_FAILURE_CLASS) || SERVER_ENDED_SESSION.contains(state))) {
                return true;
            }
        }
        return false;
    }

    private <T> T inConnection(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return work.apply(connection);
        }
    }

    /** Something to do with a connection. */
    @FunctionalInterface
    private interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }
}
