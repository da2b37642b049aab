package dev.misbehave.examples.servers;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * A real {@code redis-server} for one test class, on an ephemeral port of 127.0.0.1, with its
 * working directory (and log) under {@code target/servers/redis-NNN/}, no persistence. Register it
 * as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServer redis = new RedisServer();
 * }</pre>
 *
 * <p>It starts before the class's first test and stops after its last one, whatever their
 * outcome: the running server is kept in the class's {@link ExtensionContext.Store}, which closes
 * it (SIGTERM, then SIGKILL after 5 s). A JVM shutdown hook stops it if the JVM exits before that.
 *
 * <p>The binary comes from the machine: {@code redis-server} on the {@code PATH} ({@code .ci/run}
 * installs Debian's {@code redis-server} package). Redis has no Maven artifact with binaries, so
 * when it is missing the class is skipped with a message saying what to install, or fails when
 * {@code MISBEHAVE_REQUIRE_SERVERS=1}. Redis cannot listen on port 0 and report the port it got, so
 * the port is found free first and the start is retried (3 times) if something else took it in
 * between.
 */
public final class RedisServer implements BeforeAllCallback {

    private static final Namespace NAMESPACE = Namespace.create(RedisServer.class);
    private static final String BINARY = "redis-server";
    private static final String READY = "Ready to accept connections";
    private static final int ATTEMPTS = 3;
    private static final long START_SECONDS = 15;
    private static final long STOP_SECONDS = 5;

    private volatile Running running;

    @Override
    public void beforeAll(ExtensionContext context) {
        running = context.getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, k -> Running.start(), Running.class);
    }

    /**
     * The server's address, for a client or a proxy in front of it.
     *
     * @return 127.0.0.1 and the server's port
     */
    public InetSocketAddress address() {
        Running current = running;
        if (current == null) {
            throw new IllegalStateException("RedisServer is not running: register it with "
                    + "@RegisterExtension on a static field, and use it from the tests of that class");
        }
        return new InetSocketAddress("127.0.0.1", current.port);
    }

    /** The {@code redis-server} executable on the PATH, if any. */
    static Optional<Path> binary() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, BINARY))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** A started server; closing it stops the server and deletes its files. */
    private static final class Running implements AutoCloseable {

        final Process process;
        final int port;
        final Path dir;
        final Thread shutdownHook;

        private Running(Process process, int port, Path dir) {
            this.process = process;
            this.port = port;
            this.dir = dir;
            this.shutdownHook = new Thread(this::stop, "redis-server-" + port + "-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }

        static Running start() {
            Optional<Path> binary = binary();
            if (binary.isEmpty()) {
                ServerUnavailable.skipOrFail("redis-server is not on the PATH: install it to run the Redis "
                        + "examples (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis).", null);
            }
            List<String> failures = new ArrayList<>();
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                Path dir = ServerDirectories.fresh("redis-");
                int port = freePort();
                Optional<Running> started = tryStart(binary.get(), port, dir, failures);
                if (started.isPresent()) {
                    return started.get();
                }
                ServerDirectories.delete(dir);
            }
            throw new IllegalStateException("redis-server did not start in " + ATTEMPTS + " attempts: " + failures);
        }

        private static Optional<Running> tryStart(Path binary, int port, Path dir, List<String> failures) {
            Process process;
            try {
                process = new ProcessBuilder(binary.toString(),
                        "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                        "--daemonize", "no", "--logfile", "", "--protected-mode", "yes")
                        .redirectErrorStream(true)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + binary, e);
            }
            CompletableFuture<Boolean> ready = watchLog(process, dir.resolve("redis.log"));
            try {
                if (ready.get(START_SECONDS, TimeUnit.SECONDS)) {
                    return Optional.of(new Running(process, port, dir));
                }
                failures.add("port " + port + ": exited with " + process.waitFor() + ", see " + dir.resolve("redis.log"));
            } catch (TimeoutException e) {
                failures.add("port " + port + ": not ready after " + START_SECONDS + " s");
            } catch (ExecutionException e) {
                failures.add("port " + port + ": " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add("interrupted");
            }
            destroy(process);
            return Optional.empty();
        }

        /** Copies the server's output to {@code log}; completes true at the ready line, false at its end. */
        private static CompletableFuture<Boolean> watchLog(Process process, Path log) {
            CompletableFuture<Boolean> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                        Writer out = Files.newBufferedWriter(log)) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        out.write(line);
                        out.write('\n');
                        out.flush();
                        if (line.contains(READY)) {
                            ready.complete(true);
                        }
                    }
                } catch (IOException e) {
                    ready.completeExceptionally(e);
                }
                ready.complete(false);
            }, "redis-server-log");
            reader.setDaemon(true);
            reader.start();
            return ready;
        }

        private static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on 127.0.0.1 for redis-server", e);
            }
        }

        private static void destroy(Process process) {
            process.destroy();
            try {
                if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        private void stop() {
            destroy(process);
            ServerDirectories.delete(dir);
        }

        @Override
        public void close() {
            stop();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down; the hook has run or is running
            }
        }
    }
}
