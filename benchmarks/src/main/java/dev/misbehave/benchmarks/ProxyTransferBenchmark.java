package dev.misbehave.benchmarks;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.Ending;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Proxy mode, throughput and latency: what a forwarding peer ({@code Script.forwardTo}) costs
 * against direct loopback, both measured in the same JVM run, in alternating rounds.
 *
 * <ul>
 *   <li><b>Throughput</b>: a plain server writes {@value #GIB} bytes to each connection, a raw
 *       {@link Socket} client reads them, directly, through a minimal relay (one thread that only
 *       reads and writes: the floor of any proxy in user space) and through the peer. Reports MB/s
 *       per path and their ratios; the CPU time each thread spent per gigabyte (server, client, the peer's event
 *       loops), which says what limits the proxy on a small machine; the live heap after a full GC
 *       at every quarter of each proxied gigabyte (flat is the target: the peer holds at most 1 MiB
 *       per direction); and the journal (both legs moved exactly the gigabyte, the server's close
 *       passed on as a close).
 *   <li><b>Latency</b>: small request/response round trips ({@value #MESSAGE} bytes each way) with
 *       a plain blocking echo server, directly and through the peer, each round trip timed alone.
 *       Reports p50, p99, p99.9 and max per path, and what the peer adds at p50 and p99. Every
 *       answer is compared with its request, and the peer's journal with the bytes sent.
 * </ul>
 *
 * <p>Every count is fixed, every socket has a read timeout, every transfer and answer is checked:
 * a mismatch is counted and reported. {@code -Dmisbehave.bench.quick=true} runs few rounds.
 *
 * <p>Run with {@code mvn -B -Pbench -pl benchmarks -am verify -DskipTests} (results id {@code
 * proxy}, with {@code -Xmx512m}), or alone: {@code java -Xmx512m -cp <classpath>
 * dev.misbehave.benchmarks.ProxyTransferBenchmark [results-directory]}.
 */
public final class ProxyTransferBenchmark {

    static final long GIB = 1L << 30;
    static final int MESSAGE = 64;
    private static final int CHUNK = 64 * 1024;
    private static final int READ_TIMEOUT_MILLIS = 30_000;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final boolean QUICK = Boolean.getBoolean("misbehave.bench.quick");
    /** Throughput rounds: each moves a gigabyte directly and one through the peer. */
    private static final int ROUNDS = QUICK ? 2 : 7;
    /** Latency rounds: each times {@link #TRIPS_PER_ROUND} round trips per path. */
    private static final int LATENCY_ROUNDS = QUICK ? 2 : 8;
    /** The upload's size, and its rounds: each uploads once directly and once through the peer. */
    static final long UPLOAD = 256L << 20;
    private static final int UPLOAD_ROUNDS = QUICK ? 1 : 3;
    private static final int TRIPS_PER_ROUND = QUICK ? 1_000 : 2_500;
    private static final int LATENCY_WARMUP = QUICK ? 2_000 : 10_000;

    private static final String SOURCE_THREAD = "gigabyte-source";
    private static final String ECHO_THREAD = "echo-server";
    private static final String RELAY_THREAD = "relay";
    /** The relay's buffer: the size of the peer's largest read of its server. */
    private static final int RELAY_BUFFER = 256 * 1024;

    private ProxyTransferBenchmark() {}

    public static void main(String[] args) throws Exception {
        Results results = Results.open("proxy", args);
        Throughput throughput = throughput();
        Upload upload = upload();
        Latency latency = latency();
        report(results, throughput, upload, latency);
        if (throughput.mismatches > 0 || upload.mismatches > 0 || latency.mismatches > 0) {
            System.err.println("mismatches: throughput " + throughput.mismatches + ", latency " + latency.mismatches);
            System.exit(1);
        }
    }

    // ---- throughput ----------------------------------------------------------------------------

    /** What the throughput rounds measured. */
    static final class Throughput {
        final List<Double> direct = new ArrayList<>();
        final List<Double> relayed = new ArrayList<>();
        final List<Double> proxied = new ArrayList<>();
        /** CPU ms per GiB, by thread kind ({@link Cpu#KINDS}), one array per transfer. */
        final List<long[]> directCpu = new ArrayList<>();
        final List<long[]> relayedCpu = new ArrayList<>();
        final List<long[]> proxiedCpu = new ArrayList<>();
        final List<long[]> heaps = new ArrayList<>();
        String lastJournal = "";
        int mismatches;
    }

    static Throughput throughput() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Throughput t = new Throughput();
        try (Source source = new Source(); Relay relay = new Relay(source.address())) {
            transfer(source.address(), null, null); // warm-up, direct
            transfer(relay.address(), null, null); // warm-up, relayed
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(source.address()))) {
                transfer(peer.address(), null, null); // warm-up, proxied
            }
            for (int round = 0; round < ROUNDS; round++) {
                for (int turn = 0; turn < 3; turn++) {
                    int path = (round + turn) % 3; // each path goes first, second and third in turn
                    Cpu cpu = new Cpu();
                    if (path == 0) {
                        t.direct.add(transfer(source.address(), null, null));
                        t.directCpu.add(cpu.millisSince());
                    } else if (path == 1) {
                        t.relayed.add(transfer(relay.address(), null, null));
                        t.relayedCpu.add(cpu.millisSince());
                    } else {
                        long[] heap = new long[5];
                        try (MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(source.address()))) {
                            t.proxied.add(transfer(peer.address(), memory, heap));
                            t.proxiedCpu.add(cpu.millisSince()); // includes the quarters' GCs on no thread counted
                            ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                            if (!complete(record)) {
                                t.mismatches++;
                                System.err.println("unexpected journal: " + record);
                            }
                            t.lastJournal = record.toString();
                        }
                        t.heaps.add(heap);
                    }
                }
            }
        }
        return t;
    }

    /**
     * Reads a whole gigabyte from {@code address}; returns MB/s. Samples the live heap at each quarter
     * (the full GCs this takes are left out of the time).
     */
    static double transfer(InetSocketAddress address, MemoryMXBean memory, long[] heap) throws IOException {
        byte[] buffer = new byte[CHUNK];
        long quarter = GIB / 4;
        int sample = 0;
        if (memory != null) {
            heap[sample++] = liveHeap(memory);
        }
        long started = System.nanoTime();
        long paused = 0; // the heap samples' full GCs stop every thread: not part of the transfer's time
        long total = 0;
        int last = -1;
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                long before = total;
                total += n;
                if (n > 0) {
                    last = buffer[n - 1] & 0xff;
                }
                if (memory != null && before / quarter != total / quarter && sample < heap.length) {
                    long gc = System.nanoTime();
                    heap[sample++] = liveHeap(memory);
                    paused += System.nanoTime() - gc;
                }
            }
        }
        long nanos = System.nanoTime() - started - paused;
        // the source writes bytes 0, 1, 2, ... 255, 0, ... so the gigabyte's last byte is 255
        if (total != GIB || last != (int) ((GIB - 1) & 0xff)) {
            throw new IllegalStateException("read " + total + " B from " + address + " ending in " + last
                    + ", expected " + GIB + " B ending in " + ((GIB - 1) & 0xff));
        }
        return GIB / 1e6 / (nanos / 1e9);
    }

    private static long liveHeap(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static boolean complete(ConnectionRecord record) {
        var upstream = record.upstream().orElseThrow();
        return record.sentCount() == GIB && upstream.receivedCount() == GIB
                && upstream.ending() == UpstreamEnding.SERVER_CLOSED && record.ending() == Ending.PEER_CLOSED;
    }

    /**
     * CPU time of the threads that move the bytes, by kind: the server's thread, the client's (this
     * program's main thread), and the peer's event loops together.
     */
    static final class Cpu {
        static final String[] KINDS = {"server", "client", "proxy (the peer's event loops, or the relay)"};
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private final long[] start = now();

        long[] millisSince() {
            long[] end = now();
            long[] millis = new long[KINDS.length];
            for (int i = 0; i < millis.length; i++) {
                millis[i] = Math.round((end[i] - start[i]) / 1e6);
            }
            return millis;
        }

        private static long[] now() {
            long[] nanos = new long[KINDS.length];
            for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                String name = info.getThreadName();
                int kind = name.equals(SOURCE_THREAD) || name.equals(ECHO_THREAD) ? 0
                        : name.equals("main") ? 1 : name.startsWith("misbehave-io") || name.equals(RELAY_THREAD) ? 2 : -1;
                if (kind >= 0) {
                    nanos[kind] += Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
                }
            }
            return nanos;
        }
    }

    /** A plain server: writes a gigabyte (bytes 0, 1, ... 255, 0, ...) to each connection, then closes it. */
    static final class Source implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread acceptor;

        Source() throws IOException {
            listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
            acceptor = Samples.daemon(SOURCE_THREAD, this::serve);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        private void serve() {
            byte[] chunk = new byte[CHUNK];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) i;
            }
            while (!listener.isClosed()) {
                try (Socket socket = listener.accept()) {
                    OutputStream out = socket.getOutputStream();
                    for (long sent = 0; sent < GIB; sent += CHUNK) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    if (!listener.isClosed()) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            Samples.stop(listener, acceptor);
        }
    }

    /**
     * The least a proxy in user space can do: one thread, blocking NIO channels, one direct buffer;
     * it reads from the server and writes what it read to the client, nothing else (no journal, no
     * fault, no event loop). One connection at a time, server to client only.
     */
    static final class Relay implements AutoCloseable {
        private final ServerSocketChannel listener;
        private final InetSocketAddress upstream;
        private final Thread thread;

        Relay(InetSocketAddress upstream) throws IOException {
            this.upstream = upstream;
            listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            thread = Samples.daemon(RELAY_THREAD, this::serve);
        }

        InetSocketAddress address() {
            try {
                return (InetSocketAddress) listener.getLocalAddress();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void serve() {
            ByteBuffer buffer = ByteBuffer.allocateDirect(RELAY_BUFFER);
            while (listener.isOpen()) {
                try (SocketChannel client = listener.accept(); SocketChannel server = SocketChannel.open(upstream)) {
                    client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    while (server.read(buffer.clear()) >= 0) {
                        for (buffer.flip(); buffer.hasRemaining(); ) {
                            client.write(buffer);
                        }
                    }
                } catch (IOException e) {
                    if (listener.isOpen()) {
                        System.err.println("relay: " + e);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            Samples.stop(listener, thread);
        }
    }

    // ---- upload --------------------------------------------------------------------------------

    /** What the upload rounds measured. */
    static final class Upload {
        final List<Double> direct = new ArrayList<>();
        final List<Double> proxied = new ArrayList<>();
        int mismatches;
    }

    static Upload upload() throws Exception {
        Upload u = new Upload();
        try (Sink sink = new Sink()) {
            u.mismatches += send(sink.address()) < 0 ? 1 : 0; // warm-up, direct
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(sink.address()))) {
                u.mismatches += send(peer.address()) < 0 ? 1 : 0; // warm-up, proxied
            }
            for (int round = 0; round < UPLOAD_ROUNDS; round++) {
                for (int turn = 0; turn < 2; turn++) {
                    if ((turn == 0) == (round % 2 == 0)) {
                        double mbs = send(sink.address());
                        if (mbs < 0) {
                            u.mismatches++;
                        } else {
                            u.direct.add(mbs);
                        }
                    } else {
                        try (MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(sink.address()))) {
                            double mbs = send(peer.address());
                            ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
                            var upstream = record.upstream().orElseThrow();
                            if (mbs < 0 || record.receivedCount() != UPLOAD || upstream.sentCount() != UPLOAD) {
                                u.mismatches++;
                                System.err.println("unexpected upload: " + mbs + " MB/s, journal " + record);
                            } else {
                                u.proxied.add(mbs);
                            }
                        }
                    }
                }
            }
        }
        return u;
    }

    /**
     * Writes {@link #UPLOAD} bytes to {@code address} and half-closes; waits for the server's count
     * of what it read. Returns MB/s, or -1 if the server counted something else.
     */
    static double send(InetSocketAddress address) throws IOException {
        byte[] chunk = new byte[CHUNK];
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            for (long sent = 0; sent < UPLOAD; sent += CHUNK) {
                out.write(chunk);
            }
            socket.shutdownOutput();
            byte[] count = socket.getInputStream().readNBytes(Long.BYTES);
            long nanos = System.nanoTime() - started;
            if (count.length != Long.BYTES || ByteBuffer.wrap(count).getLong() != UPLOAD) {
                return -1;
            }
            return UPLOAD / 1e6 / (nanos / 1e9);
        }
    }

    /** A plain server: reads each connection to its end, then answers with the count of bytes it read. */
    static final class Sink implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread thread;

        Sink() throws IOException {
            listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
            thread = Samples.daemon(SOURCE_THREAD, this::serve);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        private void serve() {
            byte[] buffer = new byte[CHUNK];
            while (!listener.isClosed()) {
                try (Socket socket = listener.accept()) {
                    InputStream in = socket.getInputStream();
                    long total = 0;
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        total += n;
                    }
                    socket.getOutputStream().write(ByteBuffer.allocate(Long.BYTES).putLong(total).array());
                } catch (IOException e) {
                    if (!listener.isClosed()) {
                        System.err.println("sink: " + e);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            Samples.stop(listener, thread);
        }
    }

    // ---- latency -------------------------------------------------------------------------------

    /** What the latency rounds measured: round-trip times in nanoseconds, per path. */
    static final class Latency {
        long[] direct;
        long[] proxied;
        String journal = "";
        int mismatches;
    }

    static Latency latency() throws Exception {
        Latency l = new Latency();
        int n = LATENCY_ROUNDS * TRIPS_PER_ROUND;
        long[] direct = new long[n];
        long[] proxied = new long[n];
        try (Echo echo = new Echo();
                MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(echo.address()));
                Client toEcho = new Client(echo.address());
                Client toPeer = new Client(peer.address())) {
            l.mismatches += toEcho.trips(LATENCY_WARMUP, null, 0);
            l.mismatches += toPeer.trips(LATENCY_WARMUP, null, 0);
            for (int round = 0; round < LATENCY_ROUNDS; round++) {
                int at = round * TRIPS_PER_ROUND;
                if (round % 2 == 0) {
                    l.mismatches += toEcho.trips(TRIPS_PER_ROUND, direct, at);
                    l.mismatches += toPeer.trips(TRIPS_PER_ROUND, proxied, at);
                } else {
                    l.mismatches += toPeer.trips(TRIPS_PER_ROUND, proxied, at);
                    l.mismatches += toEcho.trips(TRIPS_PER_ROUND, direct, at);
                }
            }
            toPeer.close();
            ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
            long bytes = (long) (LATENCY_WARMUP + n) * MESSAGE;
            var upstream = record.upstream().orElseThrow();
            if (record.receivedCount() != bytes || record.sentCount() != bytes
                    || upstream.sentCount() != bytes || upstream.receivedCount() != bytes) {
                l.mismatches++;
                System.err.println("unexpected journal: " + record);
            }
            l.journal = record.toString();
        }
        l.direct = direct;
        l.proxied = proxied;
        return l;
    }

    /** One client connection that times request/response round trips. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] request = new byte[MESSAGE];
        private final byte[] response = new byte[MESSAGE];
        private int sequence;

        Client(InetSocketAddress address) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 5_000);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            out = socket.getOutputStream();
            in = socket.getInputStream();
        }

        /** Makes {@code count} round trips, timing each into {@code nanos} from {@code at}; returns the mismatches. */
        int trips(int count, long[] nanos, int at) throws IOException {
            int mismatches = 0;
            for (int i = 0; i < count; i++) {
                int seq = sequence++;
                for (int b = 0; b < MESSAGE; b++) {
                    request[b] = (byte) (seq + b);
                }
                long started = System.nanoTime();
                out.write(request);
                for (int got = 0; got < MESSAGE; ) {
                    int n = in.read(response, got, MESSAGE - got);
                    if (n < 0) {
                        throw new IOException("end of stream after " + got + " B of answer " + seq);
                    }
                    got += n;
                }
                long took = System.nanoTime() - started;
                if (nanos != null) {
                    nanos[at + i] = took;
                }
                if (!Arrays.equals(request, response)) {
                    mismatches++;
                }
            }
            return mismatches;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A plain blocking echo server: a thread per connection, each message answered at once. */
    static final class Echo implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread acceptor;
        private final List<Socket> accepted = new ArrayList<>();

        Echo() throws IOException {
            listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
            acceptor = Samples.daemon("echo-acceptor", this::accept);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    synchronized (accepted) {
                        accepted.add(socket);
                    }
                    Samples.daemon(ECHO_THREAD, () -> serve(socket));
                } catch (IOException e) {
                    if (!listener.isClosed()) {
                        System.err.println("echo server: " + e);
                    }
                }
            }
        }

        private void serve(Socket socket) {
            byte[] buffer = new byte[MESSAGE];
            try (socket) {
                socket.setTcpNoDelay(true);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    System.err.println("echo server: " + e);
                }
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            synchronized (accepted) {
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
            Samples.join(acceptor);
        }
    }

    // ---- the report ----------------------------------------------------------------------------

    static void report(Results results, Throughput t, Upload u, Latency l) {
        double[] d = t.direct.stream().mapToDouble(Double::doubleValue).toArray();
        double[] p = t.proxied.stream().mapToDouble(Double::doubleValue).toArray();
        double[] r = t.relayed.stream().mapToDouble(Double::doubleValue).toArray();
        double relayMedian = Samples.median(r);
        double directMedian = Samples.median(d);
        double proxiedMedian = Samples.median(p);
        double ratio = proxiedMedian / directMedian;
        Percentiles direct = new Percentiles(l.direct);
        Percentiles proxied = new Percentiles(l.proxied);

        StringBuilder text = new StringBuilder();
        text.append(Samples.environment()).append(String.format(Locale.ROOT,
                "- Mode: %s (%d throughput rounds of 1 GiB per path; %d round trips per path after %d of warm-up)%n%n",
                QUICK ? "quick" : "full", ROUNDS, l.direct.length, LATENCY_WARMUP));

        text.append("### Throughput, 1 GiB\n\n");
        text.append("| path | rounds | median MB/s | min | max |\n|---|---:|---:|---:|---:|\n");
        text.append(row("direct (loopback)", d)).append(row("minimal relay (one thread, no Misbehave)", r))
                .append(row("through the peer", p));
        text.append(String.format(Locale.ROOT, "%nRatio of medians, peer / direct: **%.2f** (target ≥ 0.9); "
                + "minimal relay / direct: %.2f; peer / minimal relay: %.2f.", ratio, relayMedian / directMedian,
                proxiedMedian / relayMedian));
        text.append(" Peer / direct per round, in order:");
        for (int i = 0; i < Math.min(d.length, p.length); i++) {
            text.append(String.format(Locale.ROOT, " %.2f", p[i] / d[i]));
        }
        text.append(String.format(Locale.ROOT, ". Mismatches (byte count, last byte, journal): %d.%n%n", t.mismatches));

        text.append("CPU time per gigabyte, ms (median over the rounds; the process has 2 cores, so a path that "
                + "takes T seconds has at most 2T of CPU):\n\n");
        text.append("| path | server thread | client thread | proxy thread | total | wall |\n");
        text.append("|---|---:|---:|---:|---:|---:|\n");
        text.append(cpuRow("direct (loopback)", t.directCpu, directMedian));
        text.append(cpuRow("minimal relay", t.relayedCpu, relayMedian));
        text.append(cpuRow("through the peer (its event loops)", t.proxiedCpu, proxiedMedian));
        text.append('\n');

        text.append("Live heap after a full GC (MiB) at 0, ¼, ½, ¾ of each proxied gigabyte and at its end:\n\n");
        text.append("| round | 0 | ¼ | ½ | ¾ | end |\n|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < t.heaps.size(); i++) {
            long[] h = t.heaps.get(i);
            text.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", i + 1,
                    mib(h[0]), mib(h[1]), mib(h[2]), mib(h[3]), mib(h[4])));
        }
        text.append("\nJournal of the last proxied gigabyte:\n\n```\n").append(t.lastJournal).append("\n```\n\n");

        text.append(String.format(Locale.ROOT, "### Upload, %d MiB from the client to the server%n%n", UPLOAD >> 20));
        text.append("| path | rounds | median MB/s | min | max |\n|---|---:|---:|---:|---:|\n");
        double[] ud = u.direct.stream().mapToDouble(Double::doubleValue).toArray();
        double[] up = u.proxied.stream().mapToDouble(Double::doubleValue).toArray();
        text.append(row("direct (loopback)", ud)).append(row("through the peer", up));
        text.append(String.format(Locale.ROOT, "%nRatio of medians, peer / direct: **%.2f** (no target: reported). "
                + "Mismatches (bytes the server counted, journal): %d.%n%n", Samples.median(up) / Samples.median(ud),
                u.mismatches));

        text.append(String.format(Locale.ROOT, "### Round-trip latency, %d B each way%n%n", MESSAGE));
        text.append("| path | n | p50 µs | p99 µs | p99.9 µs | max µs |\n|---|---:|---:|---:|---:|---:|\n");
        text.append(direct.row("direct (loopback)")).append(proxied.row("through the peer"));
        text.append(String.format(Locale.ROOT,
                "%nAdded by the peer: **%+.1f µs** at p50, **%+.1f µs** at p99 (no target: reported). "
                        + "Mismatches (answers unequal to their request, journal): %d.%n%n",
                proxied.p50 - direct.p50, proxied.p99 - direct.p99, l.mismatches));
        text.append("Journal of the proxied latency connection:\n\n```\n").append(l.journal).append("\n```\n");
        results.section(text.toString());
        System.out.println(text);

        results.summary("proxy throughput, 1 GiB (median MB/s)",
                String.format(Locale.ROOT, "%.0f MB/s (%.2f× direct)", proxiedMedian, ratio),
                String.format(Locale.ROOT, "direct loopback %.0f MB/s; minimal one-thread relay %.0f MB/s (%.2f×)",
                        directMedian, relayMedian, relayMedian / directMedian),
                "≥ 0.9× direct", ratio >= 0.9 && t.mismatches == 0);
        results.summary(String.format(Locale.ROOT, "proxy latency added, %d B round trip (p50 / p99)", MESSAGE),
                String.format(Locale.ROOT, "%+.1f / %+.1f µs (%.1f / %.1f µs)", proxied.p50 - direct.p50,
                        proxied.p99 - direct.p99, proxied.p50, proxied.p99),
                String.format(Locale.ROOT, "direct loopback %.1f / %.1f µs", direct.p50, direct.p99),
                "none (reported)", l.mismatches == 0);
        String mbs = "proxy throughput, MB/s (median)";
        results.bar(mbs, "direct loopback", directMedian);
        results.bar(mbs, "minimal relay", relayMedian);
        results.bar(mbs, "through Misbehave", proxiedMedian);
        String rtt = String.format(Locale.ROOT, "proxy %d B round trip, µs", MESSAGE);
        results.bar(rtt, "direct p50", direct.p50);
        results.bar(rtt, "through Misbehave p50", proxied.p50);
        results.bar(rtt, "direct p99", direct.p99);
        results.bar(rtt, "through Misbehave p99", proxied.p99);
    }

    /** Percentiles of round-trip times, in µs. */
    static final class Percentiles {
        final int n;
        final double p50;
        final double p99;
        final double p999;
        final double max;

        Percentiles(long[] nanos) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            n = sorted.length;
            p50 = at(sorted, 0.50);
            p99 = at(sorted, 0.99);
            p999 = at(sorted, 0.999);
            max = sorted[n - 1] / 1e3;
        }

        private static double at(long[] sorted, double q) {
            return sorted[(int) Math.ceil(q * sorted.length) - 1] / 1e3;
        }

        String row(String name) {
            return String.format(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f | %.1f |%n", name, n, p50, p99, p999, max);
        }
    }

    private static String cpuRow(String name, List<long[]> cpu, double mbPerSecond) {
        StringBuilder row = new StringBuilder("| ").append(name);
        long total = 0;
        for (int kind = 0; kind < Cpu.KINDS.length; kind++) {
            final int k = kind;
            long median = Math.round(Samples.median(cpu.stream().mapToLong(c -> c[k]).toArray()));
            total += median;
            row.append(" | ").append(median);
        }
        double wallMillis = GIB / 1e6 / mbPerSecond * 1e3;
        return row.append(" | ").append(total).append(String.format(Locale.ROOT, " | %.0f |%n", wallMillis)).toString();
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static String row(String name, double[] values) {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f |%n", name, values.length,
                Samples.median(values), min, max);
    }
}
