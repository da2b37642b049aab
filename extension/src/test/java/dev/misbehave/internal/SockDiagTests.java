package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
@DisplayName("SockDiag: a connection's send queue asked of the kernel by netlink")
class SockDiagTests {

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    private static boolean gccOnPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "gcc"))) {
                return true;
            }
        }
        return false;
    }

    @Nested
    @DisplayName("which source the peer uses")
    class Availability {

        @Test
        @DisplayName("where the build had gcc on Linux, the jar carries the library and a JDK 17-23 loads it")
        void builtAndLoaded() {
            assumeThat(linux() && gccOnPath()).as("Linux with gcc").isTrue();
            String resource = "native/" + System.getProperty("os.arch") + "/libmisbehave_sockdiag.so";
            assertThat(SockDiag.class.getResource(resource)).as(resource).isNotNull();
            if (Runtime.version().feature() < 24 || nativeAccessFlagGiven()) {
                assertThat(SockDiag.unavailableBecause()).isEmpty();
                assertThat(SockDiag.available()).isTrue();
                assertThat(SendQueues.source()).isEqualTo("netlink sock_diag");
            } else {
                assertThat(SockDiag.unavailableBecause()).hasValueSatisfying(
                        why -> assertThat(why).contains("--enable-native-access"));
                assertThat(SendQueues.source()).isEqualTo("/proc/net/tcp");
            }
        }

        private boolean nativeAccessFlagGiven() {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .anyMatch(argument -> argument.startsWith("--enable-native-access"));
        }

        @Test
        @DisplayName("a fresh JVM prints nothing while choosing, with and without --enable-native-access")
        void silentInFreshJvms() throws Exception {
            assumeThat(linux()).as("Linux").isTrue();
            String expectedWithout = Runtime.version().feature() >= 24 ? "/proc/net/tcp" : sourceHere();
            assertThat(childSource(false)).isEqualTo(List.of(expectedWithout));
            assertThat(childSource(true)).isEqualTo(List.of(sourceHere()));
        }

        /** What this JVM's peer uses, or would with native access on. */
        private String sourceHere() {
            boolean built = SockDiag.class.getResource(
                    "native/" + System.getProperty("os.arch") + "/libmisbehave_sockdiag.so") != null;
            return built ? "netlink sock_diag" : "/proc/net/tcp";
        }

        /** Every line, stdout and stderr merged, of a child JVM that prints {@link SendQueues#source()}. */
        private List<String> childSource(boolean nativeAccess) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto"));
            if (nativeAccess && Runtime.version().feature() >= 22) {
                command.add("--enable-native-access=ALL-UNNAMED");
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), SockDiagProbe.class.getName()));
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child JVM ended").isTrue();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.exitValue()).as("exit value; output: %s", output).isZero();
            return output.lines().toList();
        }
    }

    @Nested
    @DisplayName("lookups on real loopback connections")
    class Lookups {

        private void assumeAvailable() {
            assumeThat(SockDiag.unavailableBecause()).as("why sock_diag is unavailable").isEmpty();
        }

        private long queueOf(SocketChannel socket) throws IOException {
            return SockDiag.sendQueue(
                    (InetSocketAddress) socket.getLocalAddress(), (InetSocketAddress) socket.getRemoteAddress());
        }

        @Test
        @DisplayName("answers the same queue as /proc/net/tcp for a client that does not read, then 0 once it has")
        void agreesWithProc() throws Exception {
            assumeAvailable();
            try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                    SocketChannel client = SocketChannel.open()) {
                client.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                client.connect(listener.getLocalAddress());
                try (SocketChannel server = listener.accept()) {
                    server.configureBlocking(false);
                    ByteBuffer bytes = ByteBuffer.allocate(1 << 20);
                    while (bytes.hasRemaining() && server.write(bytes) > 0) {
                        // until the kernel takes no more (bounded by the 1 MiB buffer)
                    }
                    int written = bytes.position();
                    long viaNetlink = queueOf(server);
                    OptionalLong viaProc = SendQueuesTests.procTxQueue(server);
                    assertThat(viaNetlink).as("sock_diag queue").isPositive();
                    assertThat(viaProc).as("/proc queue").hasValue(viaNetlink);
                    ByteBuffer sink = ByteBuffer.allocate(written);
                    while (sink.hasRemaining() && client.read(sink) >= 0) {
                        // each read blocks until bytes arrive; the class timeout bounds the loop
                    }
                    assertThat(sink.position()).isEqualTo(written);
                    assertThat(queueOf(server)).as("queue after the client read everything").isZero();
                    assertThat(queueOf(client)).as("the client's own end").isZero();
                }
            }
        }

        @Test
        @DisplayName("answers NOT_LISTED once the connection is reset away, not the listener on the same port")
        void listenerIsNotTheConnection() throws Exception {
            assumeAvailable();
            try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 50);
                    SocketChannel client = SocketChannel.open(listener.getLocalAddress())) {
                SocketChannel server = listener.accept();
                InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
                InetSocketAddress remote = (InetSocketAddress) server.getRemoteAddress();
                assertThat(SockDiag.sendQueue(local, remote)).isZero();
                server.setOption(StandardSocketOptions.SO_LINGER, 0);
                server.close();
                assertThat(SockDiag.sendQueue(local, remote)).isEqualTo(SockDiag.NOT_LISTED);
            }
        }

        @Test
        @DisplayName("finds IPv6 (::1) connections and IPv4 ones asked with IPv4-mapped addresses")
        void families() throws Exception {
            assumeAvailable();
            try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                    SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel server = listener.accept()) {
                InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
                InetSocketAddress remote = (InetSocketAddress) server.getRemoteAddress();
                InetAddress mapped = InetAddress.getByAddress("mapped", SockDiag.comparable(local.getAddress(),
                        InetAddress.getByName("::2")));
                assertThat(SockDiag.sendQueue(new InetSocketAddress(mapped, local.getPort()), remote)).isZero();
            }
            ServerSocketChannel listener6;
            try {
                listener6 = ServerSocketChannel.open().bind(new InetSocketAddress("::1", 0));
            } catch (IOException | UnsupportedOperationException noIpv6) {
                assumeThat(noIpv6).as("IPv6 loopback").isNull();
                return;
            }
            try (listener6;
                    SocketChannel client = SocketChannel.open(listener6.getLocalAddress());
                    SocketChannel server = listener6.accept()) {
                assertThat(queueOf(server)).isZero();
                assertThat(queueOf(client)).isZero();
            }
        }

        @Test
        @DisplayName("answers NOT_LISTED for a pair no socket has")
        void noSuchConnection() throws Exception {
            assumeAvailable();
            try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
                InetSocketAddress local = (InetSocketAddress) listener.getLocalAddress();
                assertThat(SockDiag.sendQueue(local, new InetSocketAddress("127.0.0.1", 9))).isEqualTo(SockDiag.NOT_LISTED);
            }
        }

    }
}
