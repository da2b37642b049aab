package dev.misbehave.benchmarks;

import dev.misbehave.ClientEnding;
import dev.misbehave.ClientRecord;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingClient;
import dev.misbehave.Trigger;
import dev.misbehave.benchmarks.Samples.Stats;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a {@link MisbehavingClient} costs, in one JVM:
 *
 * <ul>
 *   <li><b>a connection</b>: {@code MisbehavingClient.to(server).sending(request).open()}, {@code
 *       awaitEnded(...)} and {@code close()}, beside its baseline, a plain {@link Socket} that
 *       connects, writes the same 100-byte request, reads until the server's end and closes; and a
 *       connection that misbehaves, {@code Fault.resetAfter(UPSTREAM, 50)}, beside a {@link Socket}
 *       that writes the request's first 50 bytes and closes with {@code SO_LINGER} 0 (an RST). Both
 *       pairs connect to one server, bare Netty (the application's own Netty, not the copy relocated
 *       inside Misbehave) on an event loop of its own, which reads the request, then writes a
 *       46-byte response and closes: it shares no thread with the client, whose connections run on
 *       the event loops every Misbehave peer and client of the JVM shares, and journals nothing, so
 *       it costs both sides the same. (A Misbehave peer as the server would run on the client's own
 *       two event loops, which the baseline's {@code Socket} does not use, and journal each
 *       connection.) The reset pair runs first: it leaves no TIME_WAIT entries behind, and the
 *       well-behaved pair's (on the server's side, which closes first) would otherwise lengthen any
 *       read of {@code /proc/net/tcp} the reset's delivery check makes where netlink is unavailable;
 *   <li><b>1,000 concurrent slow clients</b>: one client with {@code connections(1000)} and {@code new
 *       Fault(Effect.slice(UPSTREAM, 1, 100 ms), Trigger.onAccept())} (slowloris) against a {@link
 *       ServerSocketChannel} bound with a backlog of 2,048 that never accepts, so that the JVM's
 *       threads and file descriptors are the client's alone, and every connection completes its
 *       handshake at once (a Misbehave peer's backlog is 128; connections beyond the queue would wait
 *       for SYN retries). A new listener per round: the kernel keeps a closed connection in the queue
 *       until it is accepted or the listener closes. Live threads and {@code /proc/self/fd} entries
 *       are counted before {@code open()}, while the 1,000 are open (right after {@code open()},
 *       once all have fired, and during a hold of {@value #HOLD_MILLIS} ms), right after {@code
 *       close()} returns and once settled; the times of {@code open()}, of {@code open()} until all
 *       have fired (through {@code awaitJournal}, as a test waits) and of {@code close()}.
 * </ul>
 *
 * <p>The harness of the first part is {@link TlsCostBenchmark}'s: a warm-up of each subject, then
 * rounds in which the subjects' order rotates, every op timed alone; every count is fixed and every
 * wait bounded. After each op, untimed, its outcome is checked: the client's journal (one
 * connection, its ending and byte counts) or the baseline's bytes, and the server's side of the same
 * connection (the bytes it read, whether it answered, whether it saw a reset); an op that fails a
 * check is a mismatch, counted and shown. In the second part every record is checked once all have
 * fired (open, fired, 1 to 100 bytes sent, nothing received) and after the close ({@code
 * CLOSED_BY_TEST}).
 *
 * <p>{@code -Dmisbehave.bench.quick=true}: 2 rounds of a tenth of the ops, and 2 rounds of 1,000
 * slow clients, a smoke run.
 */
public final class ClientCostBenchmark {

    private static final boolean QUICK = Boolean.getBoolean("misbehave.bench.quick");
    private static final int ROUNDS = QUICK ? 2 : 10;
    /** Rounds of the 1,000 slow clients, after one warm-up round. */
    private static final int SLOW_ROUNDS = QUICK ? 2 : 5;
    private static final int SLOW_CONNECTIONS = 1_000;
    private static final int SLOW_BACKLOG = 2_048;
    private static final long HOLD_MILLIS = 300;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SLOW_TIMEOUT = Duration.ofSeconds(30);

    private static final InetAddress LOOPBACK = loopback();
    /** The request every connection sends: 100 bytes, an HTTP/1.1 GET padded by a header. */
    static final byte[] REQUEST = request(100);
    private static final byte[] RESPONSE =
            "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int RESET_AFTER = 50;
    private static final Fault RESET = Fault.resetAfter(Direction.UPSTREAM, RESET_AFTER);
    private static final Fault SLOWLORIS =
            new Fault(Effect.slice(Direction.UPSTREAM, 1, Duration.ofMillis(100)), Trigger.onAccept());

    private ClientCostBenchmark() {}

    // ---- the server of the first part -------------------------------------------------------------

    /** What the server saw of one connection. */
    record Served(int clientPort, int bytes, boolean responded, boolean reset) {}

    /**
     * Bare Netty on one event loop of its own: reads the request, then writes {@link #RESPONSE} and
     * closes (FIN); records what it saw of each connection once it has closed.
     */
    private static final class Server implements AutoCloseable {
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("bench-server", true), NioIoHandler.newFactory());
        private final BlockingQueue<Served> served = new LinkedBlockingQueue<>();
        private final Channel listener;
        int strays;

        Server() {
            listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel child) {
                            child.pipeline().addLast(new Handler(served));
                        }
                    })
                    .bind(LOOPBACK, 0).syncUninterruptibly().channel();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.localAddress();
        }

        /** What the server saw of the connection from {@code clientPort}, waiting at most 5 s; null if nothing. */
        Served of(int clientPort) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                Served next = served.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (next == null) {
                    return null;
                }
                if (next.clientPort() == clientPort) {
                    return next;
                }
                strays++; // a connection whose op was already counted as failed
            }
        }

        @Override
        public void close() {
            listener.close().syncUninterruptibly();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }

    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final BlockingQueue<Served> served;
        private int port;
        private int bytes;
        private boolean responded;
        private boolean reset;

        Handler(BlockingQueue<Served> served) {
            this.served = served;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            port = ((InetSocketAddress) ctx.channel().remoteAddress()).getPort();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buffer = (ByteBuf) msg;
            bytes += buffer.readableBytes();
            buffer.release();
            if (!responded && bytes >= REQUEST.length) {
                responded = true;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(RESPONSE)).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            reset |= cause instanceof IOException;
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            served.add(new Served(port, bytes, responded, reset));
        }
    }

    // ---- the subjects of the first part ----------------------------------------------------------

    /** One subject: a label, its op counts, and its op, which returns the op's timed nanoseconds. */
    private abstract static class Subject {
        final String name;
        final String label;
        final int warmUp;
        final int perRound;
        final long[] nanos;
        final double[] roundMedians = new double[ROUNDS];
        /** A client's: how long {@code open()} took, and the journal's connect, trigger or first byte, and end. */
        final long[] openNanos;
        final long[][] journalNanos;
        private int current;
        int mismatches;
        final List<String> notes = new ArrayList<>();

        Subject(String name, String label, int warmUp, int perRound) {
            this.name = name;
            this.label = label;
            this.warmUp = QUICK ? Math.max(1, warmUp / 10) : warmUp;
            this.perRound = QUICK ? Math.max(3, perRound / 10) : perRound;
            this.nanos = new long[ROUNDS * this.perRound];
            this.openNanos = new long[nanos.length];
            this.journalNanos = new long[3][nanos.length];
            for (long[] times : journalNanos) {
                Arrays.fill(times, -1);
            }
        }

        /** Runs the op once, checks it untimed, and returns how long its timed part took. */
        abstract long op() throws Exception;

        /** A client's op: keeps how long its {@code open()} took. */
        void opened(long nanos) {
            if (current >= 0) {
                openNanos[current] = nanos;
            }
        }

        /** A client's op: keeps the journal's times of its connection (-1 where there is none). */
        void journalled(ClientRecord record, java.util.Optional<Duration> middle) {
            if (current >= 0) {
                journalNanos[0][current] = record.connectedAfter().map(Duration::toNanos).orElse(-1L);
                journalNanos[1][current] = middle.map(Duration::toNanos).orElse(-1L);
                journalNanos[2][current] = record.endedAfter().map(Duration::toNanos).orElse(-1L);
            }
        }

        void once(int i) {
            long took;
            current = i;
            try {
                took = op();
            } catch (Exception | AssertionError e) {
                mismatch("op failed: " + e);
                took = 0;
            }
            if (i >= 0) {
                nanos[i] = took;
            }
        }

        void mismatch(String text) {
            mismatches++;
            if (notes.size() < 5) {
                notes.add(text);
                System.out.println("  " + name + ": " + text);
            }
        }

        /** Checks what the server saw of the connection from {@code clientPort}. */
        void checkServer(Server server, int clientPort, int bytes, boolean responded, boolean reset)
                throws InterruptedException {
            Served seen = server.of(clientPort);
            if (seen == null) {
                mismatch("the server recorded no connection from port " + clientPort + " within " + TIMEOUT.toSeconds()
                        + " s");
            } else if (seen.bytes() != bytes || seen.responded() != responded || seen.reset() != reset) {
                mismatch("the server saw " + seen + ", expected " + bytes + " bytes, responded " + responded
                        + ", reset " + reset);
            }
        }
    }

    private static List<Subject> wellBehaved(Server server) {
        InetSocketAddress address = server.address();
        List<Subject> subjects = new ArrayList<>();
        subjects.add(new Subject("plain Socket", "plain `Socket`: connect, write, read to the end, close (baseline)",
                2_000, 500) {
            @Override
            long op() throws Exception {
                byte[] buffer = new byte[256];
                long began = System.nanoTime();
                Socket socket = new Socket();
                int read = 0;
                int port;
                try {
                    socket.connect(address, (int) TIMEOUT.toMillis());
                    socket.setSoTimeout((int) TIMEOUT.toMillis()); // a bound on the wait, not a tuning
                    port = socket.getLocalPort();
                    socket.getOutputStream().write(REQUEST);
                    InputStream in = socket.getInputStream();
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        read += n;
                    }
                } finally {
                    socket.close();
                }
                long took = System.nanoTime() - began;
                if (read != RESPONSE.length) {
                    mismatch("read " + read + " bytes, expected " + RESPONSE.length);
                }
                checkServer(server, port, REQUEST.length, true, false);
                return took;
            }
        });
        subjects.add(new Subject("Misbehave client", "`MisbehavingClient.to(server).sending(request).open()`,"
                + " `awaitEnded(...)`, `close()`", 2_000, 500) {
            @Override
            long op() throws Exception {
                long began = System.nanoTime();
                List<ClientRecord> journal;
                long opened;
                try (MisbehavingClient client = MisbehavingClient.to(address).sending(REQUEST).open()) {
                    opened = System.nanoTime() - began;
                    journal = client.awaitEnded(TIMEOUT);
                }
                long took = System.nanoTime() - began;
                opened(opened);
                ClientRecord record = checkJournal(this, journal, ClientEnding.SERVER_CLOSED, REQUEST.length,
                        RESPONSE.length);
                if (record != null) {
                    journalled(record, record.firstReceivedAfter());
                    checkServer(server, record.localAddress().map(InetSocketAddress::getPort).orElse(-1),
                            REQUEST.length, true, false);
                }
                return took;
            }
        });
        return subjects;
    }

    private static List<Subject> resets(Server server) {
        InetSocketAddress address = server.address();
        byte[] head = Arrays.copyOf(REQUEST, RESET_AFTER);
        List<Subject> subjects = new ArrayList<>();
        subjects.add(new Subject("plain Socket, SO_LINGER 0", "plain `Socket`: connect, write 50 bytes, close with"
                + " `SO_LINGER` 0 (baseline)", 2_000, 500) {
            @Override
            long op() throws Exception {
                long began = System.nanoTime();
                Socket socket = new Socket();
                int port;
                try {
                    socket.connect(address, (int) TIMEOUT.toMillis());
                    port = socket.getLocalPort();
                    socket.getOutputStream().write(head);
                    socket.setSoLinger(true, 0);
                } finally {
                    socket.close();
                }
                long took = System.nanoTime() - began;
                checkServer(server, port, RESET_AFTER, false, true);
                return took;
            }
        });
        subjects.add(new Subject("Misbehave client, reset", "the same with `.with(Fault.resetAfter(UPSTREAM, 50))`",
                2_000, 500) {
            @Override
            long op() throws Exception {
                long began = System.nanoTime();
                List<ClientRecord> journal;
                long opened;
                try (MisbehavingClient client = MisbehavingClient.to(address).sending(REQUEST).with(RESET).open()) {
                    opened = System.nanoTime() - began;
                    journal = client.awaitEnded(TIMEOUT);
                }
                long took = System.nanoTime() - began;
                opened(opened);
                ClientRecord record = checkJournal(this, journal, ClientEnding.CLIENT_RESET, RESET_AFTER, 0);
                if (record != null) {
                    journalled(record, record.firedAfter());
                    if (record.firedTrigger().isEmpty()) {
                        mismatch("no trigger fired: " + record);
                    }
                    checkServer(server, record.localAddress().map(InetSocketAddress::getPort).orElse(-1),
                            RESET_AFTER, false, true);
                }
                return took;
            }
        });
        return subjects;
    }

    /** Checks a one-connection journal; returns its record, or null if there is not exactly one. */
    private static ClientRecord checkJournal(Subject subject, List<ClientRecord> journal, ClientEnding ending,
            long sent, long received) {
        if (journal.size() != 1) {
            subject.mismatch(journal.size() + " connections journalled, expected 1");
            return null;
        }
        ClientRecord record = journal.get(0);
        if (record.ending() != ending || record.sentCount() != sent || record.receivedCount() != received) {
            subject.mismatch("journalled " + record + "; expected " + ending + ", " + sent + " bytes sent, "
                    + received + " received");
        }
        return record;
    }

    private static void run(String what, List<Subject> subjects) {
        for (Subject s : subjects) {
            for (int i = 0; i < s.warmUp; i++) {
                s.once(-1);
            }
            System.out.printf(Locale.ROOT, "%s: warmed up %s, %,d ops%n", what, s.name, s.warmUp);
        }
        int n = subjects.size();
        for (int round = 0; round < ROUNDS; round++) {
            for (int k = 0; k < n; k++) {
                Subject s = subjects.get((round + k) % n);
                int from = round * s.perRound;
                for (int i = from; i < from + s.perRound; i++) {
                    s.once(i);
                }
                s.roundMedians[round] = Samples.median(Arrays.copyOfRange(s.nanos, from, from + s.perRound));
            }
            System.out.printf(Locale.ROOT, "%s: round %d of %d done%n", what, round + 1, ROUNDS);
        }
    }

    // ---- the second part: 1,000 slow clients -----------------------------------------------------

    /** Live threads and open file descriptors at one moment. */
    record Count(int threads, int files) {
        static Count now() {
            return new Count(ManagementFactory.getThreadMXBean().getThreadCount(), openFiles());
        }

        Count max(Count other) {
            return new Count(Math.max(threads, other.threads), Math.max(files, other.files));
        }
    }

    /** One round of the 1,000 slow clients. */
    record SlowRound(String name, Count before, Count during, Count afterClose, Count settled, long settleNanos,
            long openNanos, long firedNanos, long closeNanos, int mismatches, List<String> notes,
            Set<String> threadNames) {

        boolean flat() {
            return settled.equals(before) && during.threads() == before.threads()
                    && afterClose.threads() == before.threads();
        }
    }

    private static SlowRound slowRound(String name) throws IOException, InterruptedException {
        List<String> notes = new ArrayList<>();
        int[] mismatches = {0};
        java.util.function.Consumer<String> mismatch = text -> {
            mismatches[0]++;
            if (notes.size() < 5) {
                notes.add(text);
                System.out.println("  " + name + ": " + text);
            }
        };
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(LOOPBACK, 0), SLOW_BACKLOG); // never accepts
            InetSocketAddress address = (InetSocketAddress) listener.getLocalAddress();
            Set<String> threadsBefore = threadNames();
            Count before = Count.now();

            long began = System.nanoTime();
            MisbehavingClient client = MisbehavingClient.to(address).sending(REQUEST).with(SLOWLORIS)
                    .connections(SLOW_CONNECTIONS).open();
            long openNanos = System.nanoTime() - began;
            Count during = Count.now();
            long firedNanos;
            long closeNanos;
            List<ClientRecord> journal;
            try {
                try {
                    client.awaitJournal(records -> records.size() == SLOW_CONNECTIONS
                            && records.stream().allMatch(record -> record.firedTrigger().isPresent()), SLOW_TIMEOUT);
                    firedNanos = System.nanoTime() - began;
                } catch (AssertionError notAll) {
                    firedNanos = -1;
                    long fired = client.connections().stream().filter(record -> record.firedTrigger().isPresent())
                            .count();
                    mismatch.accept("only " + fired + " of " + SLOW_CONNECTIONS + " fired within "
                            + SLOW_TIMEOUT.toSeconds() + " s");
                }
                during = during.max(Count.now());
                long holdUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOLD_MILLIS);
                while (System.nanoTime() < holdUntil) {
                    Thread.sleep(50);
                    during = during.max(Count.now());
                }
                Set<String> started = threadNames();
                started.removeAll(threadsBefore);
                if (!started.isEmpty()) {
                    notes.add("threads started while the connections were open: " + started);
                }
                List<ClientRecord> open = client.connections();
                long wrong = open.stream().filter(record -> record.ending() != ClientEnding.OPEN
                        || record.firedTrigger().isEmpty() || record.sentCount() < 1
                        || record.sentCount() > REQUEST.length || record.receivedCount() != 0).count();
                if (wrong > 0) {
                    mismatch.accept(wrong + " of " + open.size() + " connections not open, fired and trickling before"
                            + " the close, for example " + open.stream().filter(record -> record.ending()
                                    != ClientEnding.OPEN || record.sentCount() < 1).findFirst().orElse(open.get(0)));
                }
            } finally {
                long closing = System.nanoTime();
                client.close();
                closeNanos = System.nanoTime() - closing;
            }
            Count afterClose = Count.now();
            long settleStart = System.nanoTime();
            Count settled = afterClose;
            while (!settled.equals(before) && System.nanoTime() - settleStart < TIMEOUT.toNanos()) {
                Thread.sleep(1);
                settled = Count.now();
            }
            long settleNanos = settled.equals(before) ? System.nanoTime() - settleStart : -1;
            if (afterClose.equals(before)) {
                settleNanos = 0;
            }
            journal = client.connections();
            long notClosed = journal.stream().filter(record -> record.ending() != ClientEnding.CLOSED_BY_TEST).count();
            if (journal.size() != SLOW_CONNECTIONS || notClosed > 0) {
                mismatch.accept(journal.size() + " connections journalled, " + notClosed + " not CLOSED_BY_TEST");
            }
            if (!settled.equals(before)) {
                mismatch.accept("threads and open files " + settled + " " + TIMEOUT.toSeconds() + " s after the close,"
                        + " " + before + " before");
            }
            if (during.threads() != before.threads()) {
                mismatch.accept(during.threads() + " live threads while open, " + before.threads() + " before");
            }
            System.out.printf(Locale.ROOT, "slow clients, %s: before %s, during %s, after close() %s, settled %s;"
                    + " open %.1f ms, all fired %.1f ms, close %.1f ms%n", name, before, during, afterClose, settled,
                    openNanos / 1e6, firedNanos / 1e6, closeNanos / 1e6);
            return new SlowRound(name, before, during, afterClose, settled, settleNanos, openNanos, firedNanos,
                    closeNanos, mismatches[0], notes, threadsBefore);
        }
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static int openFiles() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        // the listing's own directory handle is counted too, the same way in every sample
        try (Stream<Path> entries = Files.list(fds)) {
            return (int) entries.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- main and the report ---------------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        Results results = Results.open("client", args);
        long began = System.nanoTime();
        List<Subject> resets;
        List<Subject> wellBehaved;
        int strays;
        try (Server server = new Server()) {
            resets = resets(server);
            run("reset after 50 bytes", resets);
            wellBehaved = wellBehaved(server);
            run("well-behaved", wellBehaved);
            strays = server.strays;
        }
        List<SlowRound> slow = new ArrayList<>();
        SlowRound warmUp = slowRound("warm-up");
        for (int round = 1; round <= SLOW_ROUNDS; round++) {
            slow.add(slowRound("round " + round));
        }
        report(results, wellBehaved, resets, strays, warmUp, slow, (System.nanoTime() - began) / 1e9);
    }

    private static void report(Results results, List<Subject> wellBehaved, List<Subject> resets, int strays,
            SlowRound warmUp, List<SlowRound> slow, double seconds) {
        StringBuilder out = new StringBuilder();
        out.append(Samples.environment());
        out.append(String.format(Locale.ROOT,
                "- Method: per table a warm-up of each subject and %d rounds, the subjects' order rotating each round,"
                        + " every op timed alone; then one warm-up round and %d rounds of 1,000 slow clients; whole run"
                        + " %.0f s%s%n",
                ROUNDS, SLOW_ROUNDS, seconds, QUICK ? " (quick mode: a smoke run, not a measurement)" : ""));
        out.append(String.format(Locale.ROOT, "- Accept queue of the slow clients' listener: a backlog of %,d asked,"
                + " `net.core.somaxconn` %s (the kernel takes the smaller)%n", SLOW_BACKLOG, somaxconn()));
        out.append("- Command: `mvn -B -Pbench -pl benchmarks -am verify -DskipTests`\n\n");

        out.append(table("one connection, a 100-byte request, its 46-byte response (µs)", wellBehaved, 1_000.0));
        out.append(table("one connection reset after 50 request bytes (µs)", resets, 1_000.0));
        out.append("After each op, untimed, its outcome is checked: the client's journal holds one connection, ended"
                + " `SERVER_CLOSED` with 100 bytes sent and 46 received, or `CLIENT_RESET` with 50 sent, its trigger"
                + " fired; the baseline read 46 bytes; and the server read the request and answered, or read 50 bytes"
                + " and met a reset. Mismatches: an op that failed a check.");
        if (strays > 0) {
            out.append(String.format(Locale.ROOT, " The server recorded %d connection(s) that no op claimed.", strays));
        }
        out.append(String.format(Locale.ROOT, "%n%nWhere a client's op goes, from its journal (medians, from the start"
                + " of the connect; `open()` returns before the connection is made): the well-behaved connection was"
                + " connected after %s µs, read the server's first byte after %s µs and ended with its FIN after %s µs;"
                + " the resetting one was connected after %s µs, fired its trigger (the 50 bytes taken by the kernel)"
                + " after %s µs and reset after %s µs, once the server's kernel held the 50 bytes.%n%n",
                journalMedian(wellBehaved.get(1), 0), journalMedian(wellBehaved.get(1), 1),
                journalMedian(wellBehaved.get(1), 2), journalMedian(resets.get(1), 0), journalMedian(resets.get(1), 1),
                journalMedian(resets.get(1), 2)));

        out.append("1,000 slow clients from one `MisbehavingClient` (`connections(1000)`, a slice of 1 byte per"
                + " 100 ms from the connect on)\n\n");
        out.append("| round | live threads: before | during (peak) | after | open files: before | during (peak) |"
                + " right after `close()` | settled | `open()` | until all fired | `close()` | mismatches |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<SlowRound> rows = new ArrayList<>();
        rows.add(warmUp);
        rows.addAll(slow);
        for (SlowRound r : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %,d | %,d | %,d | %s | %s ms | %s | %s ms"
                    + " | %d |%n", r.name(), r.before().threads(), r.during().threads(), r.afterClose().threads(),
                    r.before().files(), r.during().files(), r.afterClose().files(), settled(r), num(r.openNanos() / 1e6),
                    r.firedNanos() < 0 ? "**not all**" : num(r.firedNanos() / 1e6) + " ms", num(r.closeNanos() / 1e6),
                    r.mismatches()));
        }
        boolean flat = slow.stream().allMatch(SlowRound::flat);
        out.append(String.format(Locale.ROOT, "%n%s the live threads and open files after the close are the ones"
                        + " before it, and the live threads while the 1,000 are open are the ones before: the client"
                        + " starts no thread, its connections run on the two shared `misbehave-io` event loops, which"
                        + " the ops of the tables above started. \"Settled\": the open files once they equal the count"
                        + " before, and how long after `close()` returned, checked every millisecond for at most %d s"
                        + " (`close()` returns once the JDK has released every socket of the client: it releases a"
                        + " closed channel's file descriptor when its event loop's selector next deregisters it, and"
                        + " `close()` waits for that). Each record is checked once"
                        + " all have fired (open, its trigger fired, 1 to 100 bytes sent, nothing received) and after"
                        + " the close (`CLOSED_BY_TEST`). The live threads before the first round: %s.%n",
                flat ? String.format(Locale.ROOT, "In all %d rounds", slow.size())
                        : String.format(Locale.ROOT, "**Not** in every one of the %d rounds", slow.size()),
                TIMEOUT.toSeconds(), String.join(", ", slow.get(0).threadNames())));
        for (List<Subject> subjects : List.of(wellBehaved, resets)) {
            for (Subject s : subjects) {
                for (String note : s.notes) {
                    out.append("- ").append(s.name).append(": ").append(note).append('\n');
                }
            }
        }
        for (SlowRound r : rows) {
            for (String note : r.notes()) {
                out.append("- ").append(r.name()).append(": ").append(note).append('\n');
            }
        }
        results.section(out.toString());
        System.out.println();
        System.out.print(out);

        summary(results, "a misbehaving client's well-behaved connection: open, 100-byte request, response,"
                + " awaitEnded, close (median)", wellBehaved, "a plain Socket");
        summary(results, "a misbehaving client's connection reset after 50 request bytes (median)", resets,
                "a Socket closed with SO_LINGER 0");
        SlowRound first = slow.get(0);
        int peakFiles = slow.stream().mapToInt(r -> r.during().files()).max().orElse(0);
        int peakThreads = slow.stream().mapToInt(r -> r.during().threads()).max().orElse(0);
        results.summary("1,000 concurrent slowloris connections from one client: live threads and open files before"
                        + " → during → after, every round",
                String.format(Locale.ROOT, "threads %d → %d → %d; open files %,d → %,d → %,d", first.before().threads(),
                        peakThreads, slow.get(slow.size() - 1).settled().threads(), first.before().files(), peakFiles,
                        slow.get(slow.size() - 1).settled().files()),
                String.format(Locale.ROOT, "open() %s ms, all fired after %s ms, close() %s ms (medians of %d rounds)",
                        num(medianOf(slow, SlowRound::openNanos)), num(medianOf(slow, SlowRound::firedNanos)),
                        num(medianOf(slow, SlowRound::closeNanos)), slow.size()),
                "flat (after = before; no thread started)",
                flat && slow.stream().allMatch(r -> r.mismatches() == 0));

        String panel = "client: one connection, µs (median)";
        for (List<Subject> subjects : List.of(wellBehaved, resets)) {
            for (Subject s : subjects) {
                results.bar(panel, barLabel(s), new Stats(s.nanos, 1_000.0).median);
            }
        }
        String slowPanel = "client: 1,000 slowloris connections, ms (median)";
        double fired = medianOf(slow, SlowRound::firedNanos);
        if (!Double.isNaN(fired)) {
            results.bar(slowPanel, "Misbehave: open() until all fired", fired);
        }
        results.bar(slowPanel, "Misbehave: close()", medianOf(slow, SlowRound::closeNanos));
    }

    private static String settled(SlowRound r) {
        if (r.settleNanos() < 0) {
            return String.format(Locale.ROOT, "**%,d** (not within %d s)", r.settled().files(), TIMEOUT.toSeconds());
        }
        return r.settleNanos() == 0 ? String.format(Locale.ROOT, "%,d (at once)", r.settled().files())
                : String.format(Locale.ROOT, "%,d (after %s ms)", r.settled().files(), num(r.settleNanos() / 1e6));
    }

    /** The median of one of a client subject's journal times, in µs; "n/a" if none was journalled. */
    private static String journalMedian(Subject s, int which) {
        long[] known = Arrays.stream(s.journalNanos[which]).filter(nanos -> nanos >= 0).toArray();
        return known.length == 0 ? "n/a" : num(Samples.median(known) / 1e3);
    }

    /** The median of the rounds' times, in ms, over the rounds that have one; NaN if none has. */
    private static double medianOf(List<SlowRound> rounds, java.util.function.ToLongFunction<SlowRound> nanos) {
        long[] known = rounds.stream().mapToLong(nanos).filter(value -> value >= 0).toArray();
        return known.length == 0 ? Double.NaN : Samples.median(known) / 1e6;
    }

    private static String barLabel(Subject s) {
        return switch (s.name) {
            // no "Misbehave" in a baseline's label: the chart colours it as a baseline
            case "plain Socket" -> "plain Socket (baseline)";
            case "plain Socket, SO_LINGER 0" -> "Socket, SO_LINGER 0 (baseline)";
            case "Misbehave client" -> "Misbehave client";
            default -> "Misbehave client, reset after 50 B";
        };
    }

    /** A table of the subjects' times, the first subject being the baseline. */
    private static String table(String title, List<Subject> subjects, double unit) {
        Subject baseline = subjects.get(0);
        double base = new Stats(baseline.nanos, unit).median;
        StringBuilder out = new StringBuilder();
        out.append("| ").append(title).append(" | n | median | p90 | min | max | × baseline (median) | per-round × baseline | mismatches |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Subject s : subjects) {
            Stats st = new Stats(s.nanos, unit);
            double[] ratios = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                ratios[r] = s.roundMedians[r] / baseline.roundMedians[r];
            }
            Arrays.sort(ratios);
            out.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s | %s–%s | %d |%n", s.label,
                    st.count, num(st.median), num(st.p90), num(st.min), num(st.max), ratio(st.median / base),
                    ratio(ratios[0]), ratio(ratios[ROUNDS - 1]), s.mismatches));
            if (s != baseline) {
                Stats opens = new Stats(s.openNanos, unit);
                out.append(String.format(Locale.ROOT, "| &nbsp;&nbsp;of which `open()` | %,d | %s | %s | %s | %s | | | |%n",
                        opens.count, num(opens.median), num(opens.p90), num(opens.min), num(opens.max)));
            }
        }
        return out.append('\n').toString();
    }

    /** A summary row: the client (the second subject) against its baseline (the first). */
    private static void summary(Results results, String measure, List<Subject> subjects, String baselineName) {
        double base = new Stats(subjects.get(0).nanos, 1_000.0).median;
        double client = new Stats(subjects.get(1).nanos, 1_000.0).median;
        results.summary(measure,
                String.format(Locale.ROOT, "%s µs (%s %s)", num(client), ratio(client / base), baselineName),
                String.format(Locale.ROOT, "%s %s µs", baselineName, num(base)),
                "none (reported)", subjects.stream().allMatch(s -> s.mismatches == 0));
    }

    private static String somaxconn() {
        try {
            // line by line: this file may answer a read for the whole file with its first byte only
            return Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).strip();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** {@code length} bytes of an HTTP/1.1 GET, padded by a header to the length. */
    static byte[] request(int length) {
        String head = "GET /client-bench HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ";
        String end = "\r\n\r\n";
        int pad = length - head.length() - end.length();
        if (pad < 1) {
            throw new IllegalArgumentException("a request of " + length + " bytes is too short");
        }
        byte[] request = (head + "x".repeat(pad) + end).getBytes(StandardCharsets.US_ASCII);
        if (request.length != length) {
            throw new IllegalStateException("request of " + request.length + " bytes, expected " + length);
        }
        return request;
    }

    private static String num(double value) {
        return String.format(Locale.ROOT, value < 10 ? "%.2f" : value < 100 ? "%.1f" : "%,.0f", value);
    }

    private static String ratio(double ratio) {
        return String.format(Locale.ROOT, ratio < 10 ? "%.2f×" : ratio < 100 ? "%.1f×" : "%,.0f×", ratio);
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
