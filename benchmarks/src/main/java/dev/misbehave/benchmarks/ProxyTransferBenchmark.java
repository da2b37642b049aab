package dev.misbehave.benchmarks;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.UpstreamEnding;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Proxy mode with a gigabyte: a plain server writes {@value #GIB} bytes to each connection, a raw
 * {@link Socket} client reads them, once directly and once through a forwarding peer ({@code
 * Script.forwardTo}), in alternating rounds in one JVM. Reports the throughput of each and their
 * ratio, and the peer's memory: the live heap after a full GC at every quarter of each proxied
 * transfer (a peer that buffered without bound would grow by the bytes in flight; flat is the
 * target), and the journal's byte counts (both legs must have moved the whole gigabyte).
 *
 * <p>Every count is fixed, every socket has a read timeout, and every transfer is checked (the
 * byte count, and the last bytes' pattern).
 *
 * <p>Run with {@code mvn -B -Pbench -pl benchmarks -am verify -DskipTests}, or alone after a build:
 * {@code java -cp <classpath> dev.misbehave.benchmarks.ProxyTransferBenchmark [report.md] [rounds]}.
 */
public final class ProxyTransferBenchmark {

    static final long GIB = 1L << 30;
    private static final int CHUNK = 64 * 1024;
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private ProxyTransferBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path report = Paths.get(args.length > 0 ? args[0] : "target/proxy-transfer.md");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<Double> direct = new ArrayList<>();
        List<Double> proxied = new ArrayList<>();
        List<long[]> heaps = new ArrayList<>();
        List<String> journals = new ArrayList<>();
        try (Source source = new Source()) {
            transfer(source.address(), null, null); // warm-up, direct
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(source.address()))) {
                transfer(peer.address(), null, null); // warm-up, proxied
            }
            for (int round = 0; round < rounds; round++) {
                boolean directFirst = round % 2 == 0;
                for (int leg = 0; leg < 2; leg++) {
                    if ((leg == 0) == directFirst) {
                        direct.add(transfer(source.address(), null, null));
                    } else {
                        long[] heap = new long[5];
                        try (MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(source.address()))) {
                            proxied.add(transfer(peer.address(), memory, heap));
                            ConnectionRecord record = peer.awaitConnections(1, Duration.ofSeconds(30)).get(0);
                            check(record);
                            journals.add(record.toString());
                        }
                        heaps.add(heap);
                    }
                }
            }
        }
        String text = report(direct, proxied, heaps, journals);
        System.out.println(text);
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, text);
    }

    /** Reads a whole gigabyte from {@code address}; returns MB/s. Samples the live heap at each quarter. */
    static double transfer(InetSocketAddress address, MemoryMXBean memory, long[] heap) throws IOException {
        byte[] buffer = new byte[CHUNK];
        long quarter = GIB / 4;
        int sample = 0;
        if (memory != null) {
            heap[sample++] = liveHeap(memory);
        }
        long started = System.nanoTime();
        long total = 0;
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                long before = total;
                total += n;
                if (memory != null && before / quarter != total / quarter && sample < heap.length) {
                    heap[sample++] = liveHeap(memory); // outside the figure below only in its GC pause
                }
            }
        }
        long nanos = System.nanoTime() - started;
        if (total != GIB) {
            throw new IllegalStateException("read " + total + " B from " + address + ", expected " + GIB);
        }
        return GIB / 1e6 / (nanos / 1e9);
    }

    private static long liveHeap(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static void check(ConnectionRecord record) {
        var upstream = record.upstream().orElseThrow();
        if (record.sentCount() != GIB || upstream.receivedCount() != GIB
                || upstream.ending() != UpstreamEnding.SERVER_CLOSED) {
            throw new IllegalStateException("unexpected journal: " + record);
        }
    }

    static String report(List<Double> direct, List<Double> proxied, List<long[]> heaps, List<String> journals) {
        double[] d = direct.stream().mapToDouble(Double::doubleValue).toArray();
        double[] p = proxied.stream().mapToDouble(Double::doubleValue).toArray();
        StringBuilder text = new StringBuilder("# Proxy transfer: 1 GiB through a forwarding peer\n\n");
        text.append(Samples.environment()).append('\n');
        text.append(String.format(Locale.ROOT, "| path | rounds | median MB/s | min | max |%n|---|---:|---:|---:|---:|%n"));
        text.append(row("direct (loopback)", d)).append(row("through the peer", p));
        text.append(String.format(Locale.ROOT, "%nRatio of medians, peer / direct: **%.2f**%n%n",
                Samples.median(p) / Samples.median(d)));
        text.append("Live heap after a full GC (MiB) at 0, ¼, ½, ¾ of each proxied gigabyte and at its end:\n\n");
        text.append("| round | 0 | ¼ | ½ | ¾ | end |\n|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < heaps.size(); i++) {
            long[] h = heaps.get(i);
            text.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", i + 1,
                    mib(h[0]), mib(h[1]), mib(h[2]), mib(h[3]), mib(h[4])));
        }
        text.append("\nJournal of the last proxied transfer:\n\n```\n").append(journals.get(journals.size() - 1))
                .append("\n```\n");
        return text.toString();
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

    /** A plain server: writes a gigabyte to each connection, then closes it. */
    static final class Source implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread acceptor;

        Source() throws IOException {
            listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
            acceptor = new Thread(this::serve, "gigabyte-source");
            acceptor.setDaemon(true);
            acceptor.start();
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
            listener.close();
            try {
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
