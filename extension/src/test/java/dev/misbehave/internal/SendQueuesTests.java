package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
@DisplayName("Send queues: waiting until the client's kernel holds every sent byte")
class SendQueuesTests {

    private static final long WAIT_SECONDS = 10;
    private static final String HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    private static final String HEADER6 = "  sl  local_address                         remote_address"
            + "                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 0x904F);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 0xC8FE);

    private static ExecutorService callbacks;

    @BeforeAll
    static void startCallbackThread() {
        callbacks = Executors.newSingleThreadExecutor(task -> new Thread(task, "test-callbacks"));
    }

    @AfterAll
    static void stopCallbackThread() {
        callbacks.shutdownNow();
    }

    private static CompletableFuture<Boolean> drained(
            SendQueues queues, InetSocketAddress local, InetSocketAddress remote, Duration max) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        queues.whenDrained(local, remote, max, callbacks, result::complete);
        return result;
    }

    private static String line(int sl, String local, String remote, String state, String txQueue) {
        return String.format("%4d: %s %s %s %s:00000000 00:00000000 00000000     0        0 3962825 1 "
                + "00000000c4880df2 20 0 0 10 -1%n", sl, local, remote, state, txQueue);
    }

    @Nested
    @DisplayName("parsing /proc/net/tcp{,6} lines (little-endian host)")
    class Parsing {

        @BeforeEach
        void littleEndian() {
            assumeThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        }

        @Test
        @DisplayName("finds the tx_queue of exactly the pair asked for, not of the other end")
        void exactPair() {
            String content = HEADER
                    + line(0, "0100007F:904F", "00000000:0000", "0A", "00000080")
                    + line(1, "0100007F:C8FE", "0100007F:904F", "01", "00000007")
                    + line(2, "0100007F:904F", "0100007F:C8FE", "01", "0001A2B0");
            assertThat(SendQueues.txQueue(content, SERVER, CLIENT)).hasValue(0x1A2B0);
            assertThat(SendQueues.txQueue(content, CLIENT, SERVER)).hasValue(7);
            assertThat(SendQueues.txQueue(content, SERVER, new InetSocketAddress("127.0.0.1", 0xC8FF)))
                    .isEmpty();
            assertThat(SendQueues.txQueue(content, SERVER, new InetSocketAddress("127.0.0.2", 0xC8FE)))
                    .isEmpty();
        }

        @Test
        @DisplayName("finds an IPv4 connection of an IPv6 socket, listed in tcp6 as ::ffff:127.0.0.1")
        void ipv4MappedInTcp6() {
            String content = HEADER6
                    + line(0, "0000000000000000FFFF00000100007F:C8FE", "0000000000000000FFFF00000100007F:904F",
                            "01", "00000000")
                    + line(1, "0000000000000000FFFF00000100007F:904F", "0000000000000000FFFF00000100007F:C8FE",
                            "08", "00000010");
            assertThat(SendQueues.txQueue(content, SERVER, CLIENT)).hasValue(16);
            assertThat(SendQueues.txQueue(content, CLIENT, SERVER)).hasValue(0);
        }

        @Test
        @DisplayName("finds an IPv6 connection, each 32-bit word of the address in host order")
        void ipv6() {
            InetSocketAddress server = new InetSocketAddress("::1", 0x8D7D);
            InetSocketAddress client = new InetSocketAddress("::1", 0xDC2C);
            InetSocketAddress doc = new InetSocketAddress("2001:db8::1", 0xDC2C);
            String content = HEADER6
                    + line(0, "00000000000000000000000001000000:8D7D", "00000000000000000000000001000000:DC2C",
                            "01", "00000400")
                    + line(1, "00000000000000000000000001000000:8D7D", "B80D0120000000000000000001000000:DC2C",
                            "01", "00000005");
            assertThat(SendQueues.txQueue(content, server, client)).hasValue(1024);
            assertThat(SendQueues.txQueue(content, server, doc)).hasValue(5);
            assertThat(SendQueues.txQueue(content, client, server)).isEmpty();
        }

        @Test
        @DisplayName("reads the short lines of TIME_WAIT sockets and accepts lowercase hex")
        void timeWaitAndLowercase() {
            String content = HEADER6
                    + "   2: 0000000000000000ffff00000100007f:904f 0000000000000000FFFF00000100007F:c8fe 06"
                    + " 00000000:00000000 03:00000430 00000000     0        0 0 3 00000000f9331cdf\n";
            assertThat(SendQueues.txQueue(content, SERVER, CLIENT)).hasValue(0);
        }

        @Test
        @DisplayName("never matches the header, a listening socket or a malformed line, and skips past them")
        void headerListenAndMalformed() {
            InetSocketAddress any = new InetSocketAddress("0.0.0.0", 0);
            String malformed = HEADER
                    + "\n"
                    + "   0: 0100007F:904F 0100007F:C8FE\n"
                    + "   1: 0100007F:904F 0100007F:C8FE 01 0000zz00:00000000 00:00000000 00000000\n"
                    + "   2: 0100007F:904F 0100007F:C8FE 01 00000000 00:00000000 00000000\n"
                    + "garbage\n";
            assertThat(SendQueues.txQueue(HEADER, SERVER, CLIENT)).isEmpty();
            assertThat(SendQueues.txQueue("", SERVER, CLIENT)).isEmpty();
            assertThat(SendQueues.txQueue(line(0, "0100007F:904F", "00000000:0000", "0A", "00000080"), SERVER, any))
                    .isEmpty();
            assertThat(SendQueues.txQueue(malformed, SERVER, CLIENT)).isEmpty();
            assertThat(SendQueues.txQueue(malformed + line(3, "0100007F:904F", "0100007F:C8FE", "01", "00000003"),
                            SERVER, CLIENT))
                    .hasValue(3);
        }
    }

    @Nested
    @DisplayName("the poller, on literal files")
    class Poller {

        @TempDir
        Path dir;

        private Path tcp;
        private SendQueues queues;

        @BeforeEach
        void files() throws IOException {
            assumeThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            tcp = dir.resolve("tcp");
            list("00000000");
            queues = new SendQueues(tcp, dir.resolve("tcp6-missing"));
        }

        /** Replaces the file atomically, so the poller never reads half of it. */
        private void list(String txQueue) throws IOException {
            Path next = dir.resolve("tcp.next");
            Files.writeString(next, HEADER + line(0, "0100007F:904F", "0100007F:C8FE", "01", txQueue));
            Files.move(next, tcp, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        @Test
        @DisplayName("reports an empty queue as drained, on the given executor, from the named daemon thread")
        void drainedOnExecutor() throws Exception {
            CompletableFuture<String> thread = new CompletableFuture<>();
            queues.whenDrained(SERVER, CLIENT, Duration.ofHours(1), callbacks,
                    ok -> thread.complete(ok + " on " + Thread.currentThread().getName()));
            assertThat(thread.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("true on test-callbacks");

            CompletableFuture<Thread> poller = new CompletableFuture<>();
            queues.whenDrained(SERVER, CLIENT, Duration.ofHours(1), Runnable::run,
                    ok -> poller.complete(Thread.currentThread()));
            assertThat(poller.get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .returns("misbehave-delivery", Thread::getName)
                    .returns(true, Thread::isDaemon);
        }

        @Test
        @DisplayName("reports a connection that is not listed as not drained, without waiting for max")
        void notListed() throws Exception {
            InetSocketAddress other = new InetSocketAddress("127.0.0.1", 0xC8FF);
            assertThat(drained(queues, SERVER, other, Duration.ofHours(1)).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isFalse();
        }

        @Test
        @DisplayName("gives up after max while bytes stay queued")
        void expires() throws Exception {
            list("00000400");
            long start = System.nanoTime();
            assertThat(drained(queues, SERVER, CLIENT, Duration.ofMillis(50)).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        }

        @Test
        @DisplayName("reports drained as soon as the queue empties while it waits")
        void emptiesWhileWaiting() throws Exception {
            list("00000400");
            CompletableFuture<Boolean> result = drained(queues, SERVER, CLIENT, Duration.ofHours(1));
            CompletableFuture<Boolean> control = drained(queues, SERVER, CLIENT, Duration.ofMillis(20));
            assertThat(control.get(WAIT_SECONDS, TimeUnit.SECONDS)).isFalse(); // the poller has seen 0x400
            assertThat(result).isNotDone();
            list("00000000");
            assertThat(result.get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }

        @Test
        @DisplayName("keeps serving after a callback throws or an executor rejects")
        void survivesFailingCallbacks() throws Exception {
            queues.whenDrained(SERVER, CLIENT, Duration.ZERO, Runnable::run, ok -> {
                throw new IllegalStateException("callback failure");
            });
            queues.whenDrained(SERVER, CLIENT, Duration.ZERO, task -> {
                throw new RejectedExecutionException("event loop shut down");
            }, ok -> {});
            assertThat(drained(queues, SERVER, CLIENT, Duration.ofHours(1)).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isTrue();
        }

        @Test
        @DisplayName("idles blocked on its queue (WAITING, no timed wake-ups) once nobody waits")
        void idlesWhenNobodyWaits() throws Exception {
            CompletableFuture<Thread> poller = new CompletableFuture<>();
            queues.whenDrained(SERVER, CLIENT, Duration.ZERO, Runnable::run,
                    ok -> poller.complete(Thread.currentThread()));
            Thread thread = poller.get(WAIT_SECONDS, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (thread.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(thread.getState()).isEqualTo(Thread.State.WAITING);
        }

        @Test
        @DisplayName("refuses an unresolved address in the caller, so it cannot fail a pass for others")
        void unresolved() throws Exception {
            CompletableFuture<Boolean> other = drained(queues, SERVER, CLIENT, Duration.ofHours(1));
            assertThatThrownBy(() -> queues.whenDrained(SERVER, InetSocketAddress.createUnresolved("client", 1),
                            Duration.ZERO, callbacks, ok -> {}))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(other.get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }

        @Test
        @DisplayName("answers false at once, on the executor, where /proc/net/tcp is missing")
        void unsupported() throws Exception {
            SendQueues none = new SendQueues(dir.resolve("no-such-file"), dir.resolve("no-such-file6"));
            CompletableFuture<String> thread = new CompletableFuture<>();
            none.whenDrained(SERVER, CLIENT, Duration.ofHours(1), callbacks,
                    ok -> thread.complete(ok + " on " + Thread.currentThread().getName()));
            assertThat(thread.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("false on test-callbacks");
        }
    }

    @Nested
    @DisplayName("real loopback connections, reading /proc/net/tcp")
    class ProcFiles extends RealSockets {

        @Override
        SendQueues queues() {
            assumeThat(Files.isReadable(PROC_TCP)).as("/proc/net/tcp readable").isTrue();
            return PROC;
        }
    }

    @Nested
    @DisplayName("real loopback connections, asking netlink sock_diag")
    class Netlink extends RealSockets {

        @Override
        SendQueues queues() {
            assumeThat(SockDiag.unavailableBecause()).as("why sock_diag is unavailable").isEmpty();
            return NETLINK;
        }
    }

    /** The tx_queue /proc/net/tcp6 (or tcp) lists for {@code socket}'s connection now; empty if unlisted. */
    static OptionalLong procTxQueue(SocketChannel socket) throws IOException {
        InetSocketAddress local = (InetSocketAddress) socket.getLocalAddress();
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteAddress();
        OptionalLong queue = SendQueues.txQueue(Files.readString(Path.of("/proc/net/tcp6")), local, remote);
        return queue.isPresent() ? queue : SendQueues.txQueue(Files.readString(PROC_TCP), local, remote);
    }

    private static final Path PROC_TCP = Path.of("/proc/net/tcp");
    private static final SendQueues PROC = new SendQueues(PROC_TCP, Path.of("/proc/net/tcp6"), false);
    private static final SendQueues NETLINK = new SendQueues(PROC_TCP, Path.of("/proc/net/tcp6"), true);

    abstract class RealSockets {

        private ServerSocketChannel listener;
        private SendQueues queues;

        abstract SendQueues queues();

        @BeforeEach
        void listen() throws IOException {
            queues = queues();
            listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        }

        @AfterEach
        void close() throws IOException {
            if (listener != null) {
                listener.close();
            }
        }

        private CompletableFuture<Boolean> drained(SocketChannel server, Duration max) throws IOException {
            return SendQueuesTests.drained(queues,
                    (InetSocketAddress) server.getLocalAddress(), (InetSocketAddress) server.getRemoteAddress(), max);
        }

        private OptionalLong txQueueNow(SocketChannel server) throws IOException {
            return procTxQueue(server);
        }

        /** What the source under test answers for {@code socket}'s connection now. */
        private OptionalLong queueNow(SocketChannel socket) throws IOException {
            if (queues != NETLINK) {
                return txQueueNow(socket);
            }
            long queue = SockDiag.sendQueue(
                    (InetSocketAddress) socket.getLocalAddress(), (InetSocketAddress) socket.getRemoteAddress());
            return queue >= 0 ? OptionalLong.of(queue) : OptionalLong.empty();
        }

        private static int readFully(SocketChannel client, int count) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(count);
            while (buffer.hasRemaining() && client.read(buffer) >= 0) {
                // each read blocks until at least one byte; the class timeout bounds the loop
            }
            return buffer.position();
        }

        @Test
        @DisplayName("not drained while a client that does not read leaves bytes queued; drained once it reads them")
        void nonReadingClientThenReading() throws Exception {
            try (SocketChannel client = SocketChannel.open()) {
                client.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                client.connect(listener.getLocalAddress());
                try (SocketChannel server = listener.accept()) {
                    server.configureBlocking(false);
                    ByteBuffer mebibyte = ByteBuffer.allocate(1 << 20);
                    while (mebibyte.hasRemaining() && server.write(mebibyte) > 0) {
                        // until the kernel takes no more (or all of it)
                    }
                    int written = mebibyte.position();
                    assertThat(written).isPositive();
                    assertThat(txQueueNow(server).orElse(-1)).as("tx_queue before the wait").isPositive();

                    long start = System.nanoTime();
                    assertThat(drained(server, Duration.ofMillis(200)).get(WAIT_SECONDS, TimeUnit.SECONDS)).isFalse();
                    assertThat(Duration.ofNanos(System.nanoTime() - start))
                            .isGreaterThanOrEqualTo(Duration.ofMillis(200));

                    assertThat(readFully(client, written)).isEqualTo(written);
                    assertThat(drained(server, Duration.ofHours(1)).get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                    System.out.printf("[SendQueues] the kernel took %,d of 1 MiB without blocking%n",
                            written);
                }
            }
        }

        @Test
        @DisplayName("drained after a small write to a reading client")
        void smallWrite() throws Exception {
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel server = listener.accept()) {
                byte[] bytes = "hello, kernel".getBytes();
                server.write(ByteBuffer.wrap(bytes));
                long start = System.nanoTime();
                CompletableFuture<Long> answered = new CompletableFuture<>();
                queues.whenDrained((InetSocketAddress) server.getLocalAddress(),
                        (InetSocketAddress) server.getRemoteAddress(), Duration.ofHours(1), callbacks,
                        ok -> answered.complete(ok ? System.nanoTime() - start : -1));
                assertThat(readFully(client, bytes.length)).isEqualTo(bytes.length);
                long nanos = answered.get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertThat(nanos).as("nanos until drained (-1: not drained)").isNotNegative();
                System.out.printf("[SendQueues] small write: drained reported after %d µs (%s)%n", nanos / 1000,
                        queues == NETLINK ? "sock_diag" : "/proc");
            }
        }

        @Test
        @DisplayName("not drained once the socket was reset away (no line left), without waiting for max")
        void afterReset() throws Exception {
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress())) {
                SocketChannel server = listener.accept();
                InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
                InetSocketAddress remote = (InetSocketAddress) server.getRemoteAddress();
                server.setOption(StandardSocketOptions.SO_LINGER, 0);
                server.close();
                CompletableFuture<Boolean> result =
                        SendQueuesTests.drained(queues, local, remote, Duration.ofHours(1));
                assertThat(result.get(WAIT_SECONDS, TimeUnit.SECONDS)).isFalse();
                assertThatThrownBy(() -> client.read(ByteBuffer.allocate(1)))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("reset");
            }
        }

        @Test
        @DisplayName("drained after a normal close once the FIN and bytes are acknowledged (FIN_WAIT2 line, queue 0)")
        void afterNormalClose() throws Exception {
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress())) {
                SocketChannel server = listener.accept();
                InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
                InetSocketAddress remote = (InetSocketAddress) server.getRemoteAddress();
                server.write(ByteBuffer.wrap(new byte[1000]));
                server.close();
                CompletableFuture<Boolean> result =
                        SendQueuesTests.drained(queues, local, remote, Duration.ofHours(1));
                assertThat(result.get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                assertThat(readFully(client, 1000)).isEqualTo(1000);
            }
        }

        @Test
        @DisplayName("drained after a small write over IPv6 (::1)")
        void ipv6() throws Exception {
            ServerSocketChannel listener6;
            try {
                listener6 = ServerSocketChannel.open().bind(new InetSocketAddress("::1", 0));
            } catch (IOException | UnsupportedOperationException noIpv6) {
                Assumptions.assumeTrue(false, "IPv6 loopback not available: " + noIpv6);
                return;
            }
            try (listener6;
                    SocketChannel client = SocketChannel.open(listener6.getLocalAddress());
                    SocketChannel server = listener6.accept()) {
                server.write(ByteBuffer.wrap(new byte[100]));
                assertThat(drained(server, Duration.ofHours(1)).get(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                assertThat(readFully(client, 100)).isEqualTo(100);
            }
        }

        @Test
        @DisplayName("costs this much per pass here (printed for the notes)")
        void passCost() throws Exception {
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel server = listener.accept()) {
                int passes = 200;
                long[] nanos = new long[passes];
                for (int i = 0; i < passes; i++) {
                    long start = System.nanoTime();
                    OptionalLong queue = queueNow(server);
                    nanos[i] = System.nanoTime() - start;
                    assertThat(queue).hasValue(0);
                }
                assertThat(queueNow(client)).as("the client's end is listed too").hasValue(0);
                Arrays.sort(nanos);
                long lines = Files.readString(Path.of("/proc/net/tcp")).lines().count()
                        + Files.readString(Path.of("/proc/net/tcp6")).lines().count();
                System.out.printf("[SendQueues] one " + (queues == NETLINK ? "sock_diag lookup" : "pass (read + parse tcp6, tcp if needed)")
                                + " with %d lines in /proc/net/tcp{,6}: "
                                + "min %d µs, median %d µs, p90 %d µs, max %d µs%n",
                        lines, nanos[0] / 1000, nanos[passes / 2] / 1000, nanos[passes * 9 / 10] / 1000,
                        nanos[passes - 1] / 1000);
            }
        }
    }
}
