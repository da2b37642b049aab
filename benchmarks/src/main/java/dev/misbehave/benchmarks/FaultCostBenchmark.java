package dev.misbehave.benchmarks;

import dev.misbehave.benchmarks.Samples.Stats;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Delivery;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Measures what each fault costs a test, end to end: one whole client interaction on loopback with a
 * raw {@link Socket}, timed from {@code connect()} to the moment the client observes the fault's
 * documented outcome ("Connection reset", end-of-stream, "Connection refused", the response). Each
 * scenario uses one long-lived peer, started before its first interaction and closed after its last,
 * so peer start and stop are not part of the figure (that is {@link LifecycleBenchmark}'s job),
 * except in the last scenario, which measures exactly the start of a never-accepting peer.
 *
 * <p>Every scenario has a baseline measured in the same run with the same client: a plain JDK
 * {@link ServerSocket} on its own thread that does the same thing by hand (reads the request, then
 * resets with {@code SO_LINGER} 0, answers, or closes), a closed port, or an ordinary peer's start.
 * After a warm-up, baseline and Misbehave run in alternating blocks (round 1 baseline first, round 2
 * Misbehave first, ...), every interaction timed alone. Every count is fixed and every client socket
 * has a connect and read timeout, so nothing waits without bound.
 *
 * <p>Every interaction's outcome is checked (the exception and its message, the exact number of
 * bytes received); a different outcome is counted as a mismatch. After the last interaction, each
 * peer's journal is checked too (one record per connection, the expected ending, byte counts and
 * delivery). Clients close with {@code SO_LINGER} 0 after the outcome, outside the timed span, so the
 * run leaves no TIME_WAIT entries behind: those would lengthen the kernel's connection table, which
 * the delivery check reads.
 *
 * <p>Run with {@code mvn -B -Pbench -pl benchmarks -am verify -DskipTests}. Prints a table and
 * writes it, with the JVM, core count and date, as its section of the performance page through
 * {@link Results} (id {@code fault-cost}) into the results directory named by the first argument.
 * {@code -Dmisbehave.bench.quick=true} scales every count down to a fifth for a smoke run; an
 * optional second argument, a number in (0, 1], sets that scale instead (at least one interaction
 * per round).
 */
public final class FaultCostBenchmark {

    private static final int ROUNDS = 6;
    private static final int TIMEOUT_MILLIS = 5_000;
    /** How long a probe waits for a never-accepting peer's connect to time out. */
    private static final int NEVER_ACCEPT_PROBE_MILLIS = 200;
    private static final Duration JOURNAL_WAIT = Duration.ofSeconds(10);

    private static final int UPSTREAM_CUT = 16;
    private static final int SMALL_CUT = 100;
    private static final int LARGE_CUT = 256 * 1024;

    private static final byte[] REQUEST_16 = ascii("GET /sixteen B\r\n");
    private static final byte[] PING = ascii("PING\n");
    private static final byte[] PONG = ascii("PONG\n");
    private static final byte[] GET = ascii("GET /report\n");
    /** What the downstream scripts answer: longer than the cut, so the fault ends the response. */
    private static final byte[] SMALL_RESPONSE = filled(1_000);
    private static final byte[] LARGE_RESPONSE = filled(300_000);

    private static final InetAddress LOOPBACK = loopback();
    private static final byte[] READ_BUFFER = new byte[64 * 1024];

    /** Written by every operation, so the JIT cannot treat the measured work as dead. */
    private static long sink;

    private static double scale = 1.0;

    /** How many TIME_WAIT entries the crowded rerun of the downstream scenarios puts in the table. */
    private static final int TIME_WAIT_CROWD = 14_000;

    /** The crowded table's facts, for the report. */
    private record Crowd(int made, int atStart, int ready, int atEnd, double procRead) {}

    private static Crowd crowd;

    private FaultCostBenchmark() {}

    public static void main(String[] args) throws IOException {
        Results results = Results.open("fault-cost", args);
        if (Boolean.getBoolean("misbehave.bench.quick")) {
            scale = 0.2;
        }
        if (args.length > 1) {
            scale = Double.parseDouble(args[1]);
            if (!(scale > 0 && scale <= 1)) {
                throw new IllegalArgumentException("scale must be in (0, 1], was " + args[1]);
            }
        }
        long started = System.nanoTime();
        int tableBefore = kernelConnections();
        warmUpClients();
        double procRead = procNetTcp6ReadNanos();

        List<Scenario> done = new ArrayList<>();
        done.add(resetAfterUpstreamBytes());
        done.add(resetOnAccept());
        done.add(roundTrip());
        done.add(resetAfterResponseBytes(SMALL_CUT, 30, 60));
        done.add(resetAfterResponseBytes(LARGE_CUT, 10, 40));
        done.add(closeAfterResponseBytes());
        done.add(refuse());
        done.add(neverAcceptStart());

        // Goal: the downstream reset's cost must not grow with the host's connection table. A build
        // that opens thousands of connections a minute leaves that many in TIME_WAIT.
        int crowdStart = kernelConnections();
        int crowded = crowdTimeWait(TIME_WAIT_CROWD);
        int crowdReady = kernelConnections();
        double crowdedProcRead = procNetTcp6ReadNanos();
        done.add(withTable(resetAfterResponseBytes(SMALL_CUT, 30, 60), crowdReady));
        done.add(withTable(resetAfterResponseBytes(LARGE_CUT, 10, 40), crowdReady));
        int crowdEnd = kernelConnections();
        crowd = new Crowd(crowded, crowdStart, crowdReady, crowdEnd, crowdedProcRead);

        int tableAfter = kernelConnections();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String table = table(done, tableBefore, tableAfter, procRead, took);
        results.section(table);
        bars(results, done);
        downstreamSummary(results, done);
        System.out.println();
        System.out.print(table);
        System.out.println("Written to " + results.directory().toAbsolutePath() + " (sink " + (sink & 1) + ")");
    }

    /**
     * The summary row for the downstream reset: what the delivery check adds to one interaction
     * (difference of medians against the hand-made server), with the table as found and crowded.
     */
    private static void downstreamSummary(Results results, List<Scenario> done) {
        StringBuilder misbehave = new StringBuilder();
        double worst = 0;
        boolean clean = true;
        for (Scenario s : done) {
            if (s.id.startsWith("4") || s.id.startsWith("5")) {
                double added = new Stats(s.misbehave, 1.0).median - new Stats(s.baseline, 1.0).median;
                worst = Math.max(worst, added);
                clean &= s.misbehaveMismatches + s.journalMismatches == 0;
                misbehave.append(misbehave.length() == 0 ? "" : "; ").append(s.id).append(": ")
                        .append(time(added));
            }
        }
        String table = crowd == null ? "" : String.format(Locale.ROOT, " (4w, 5w: %,d table entries)", crowd.ready());
        results.summary("downstream reset with delivery confirmed, added per interaction (difference of medians;"
                        + " 4: 100 B, 5: 256 KiB, w: with the TIME_WAIT crowd)",
                misbehave + table + "; via " + dev.misbehave.internal.DeliverySource.name(),
                "hand-made reset (4) or FIN (5) server, same client"
                        + (crowd == null || crowd.procRead() < 0 ? ""
                                : "; one read of /proc/net/tcp6 with the crowd " + time(crowd.procRead())),
                "≤ 1 ms each, with ≥ 10,000 table entries",
                clean && worst <= 1_000_000 && crowd != null && crowd.ready() >= 10_000);
    }

    /** The chart's bars: the medians of the scenarios whose cost is serving the connection. */
    private static void bars(Results results, List<Scenario> done) {
        String panel = "one client interaction per fault, µs (median)";
        for (Scenario s : done) {
            if (s.id.equals("2") || s.id.equals("3") || s.id.equals("4")) {
                results.bar(panel, s.title + ", by hand", new Stats(s.baseline, 1_000.0).median);
                results.bar(panel, s.title + ", Misbehave", new Stats(s.misbehave, 1_000.0).median);
            }
        }
    }

    /**
     * Runs every client against a hand-made server first, so the JIT has compiled the clients before
     * the first scenario's baseline (the first scenario has few interactions).
     */
    private static void warmUpClients() throws IOException {
        int count = scaled(2_000);
        try (HandMade reset = HandMade.start(UPSTREAM_CUT, new byte[0], HandMade.End.RESET);
                HandMade pong = HandMade.start(HandMade.LINE, PONG, HandMade.End.AWAIT_CLIENT)) {
            for (int i = 0; i < count; i++) {
                try {
                    sendThenRead(reset.address(), REQUEST_16, 0, true, false);
                    pingPong(pong.address());
                } catch (Mismatch ignored) {
                    // the scenarios check outcomes; this only compiles the code
                }
            }
        }
        System.out.printf(Locale.ROOT, "clients warmed up: %,d interactions of each kind%n", count);
    }

    private static final int PROC_READS = 20;

    /** The median time of one read of /proc/net/tcp6, or -1 where it cannot be read. */
    private static double procNetTcp6ReadNanos() {
        Path tcp6 = Path.of("/proc/net/tcp6");
        if (!Files.isReadable(tcp6)) {
            return -1;
        }
        long[] nanos = new long[PROC_READS];
        try {
            for (int i = 0; i < PROC_READS; i++) {
                long start = System.nanoTime();
                sink += Files.readString(tcp6).length();
                nanos[i] = System.nanoTime() - start;
            }
        } catch (IOException e) {
            return -1;
        }
        return Samples.median(nanos);
    }

    /**
     * Leaves {@code count} connections in TIME_WAIT (each client closes first, normally, so its end
     * waits there for a minute) and returns how many it made; bounded by count and by a minute.
     */
    private static int crowdTimeWait(int count) throws IOException {
        int made = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        try (ServerSocket server = new ServerSocket(0, 1_000, LOOPBACK)) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket accepted = server.accept()) {
                        sink += accepted.getInputStream().read(); // the client's FIN, then close
                    } catch (IOException closedOrReset) {
                        // the run closes the server when done
                    }
                }
            }, "time-wait-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            for (; made < count && System.nanoTime() < deadline; made++) {
                try (Socket client = new Socket()) {
                    client.connect(server.getLocalSocketAddress(), TIMEOUT_MILLIS);
                } catch (IOException failed) {
                    break; // out of ephemeral ports or the like: report how many were made
                }
            }
        }
        System.out.printf(Locale.ROOT, "TIME_WAIT crowd: %,d connections closed by the client first%n", made);
        return made;
    }

    /** Marks a rerun of a scenario as made with the crowded table. */
    private static Scenario withTable(Scenario s, int tableEntries) {
        return s.rename(s.id + "w", s.title + ", with " + String.format(Locale.ROOT, "%,d", tableEntries)
                + " entries in the TCP table");
    }

    // ---- the scenarios --------------------------------------------------------------------------

    private static Scenario resetAfterUpstreamBytes() throws IOException {
        Fault fault = Fault.resetAfter(Direction.UPSTREAM, UPSTREAM_CUT);
        try (HandMade handMade = HandMade.start(UPSTREAM_CUT, new byte[0], HandMade.End.RESET);
                MisbehavingPeer peer = MisbehavingPeer.start(fault)) {
            Scenario s = new Scenario("1", "reset after 16 upstream bytes",
                    "(a) hand-made: read 16 B, reset", "resetAfter(UPSTREAM, 16)",
                    "client writes 16 B, then its read fails with \"Connection reset\"; includes the"
                            + " peer's 50 ms quiet wait",
                    10, 30);
            Interaction client = target -> sendThenRead(target, REQUEST_16, 0, true, false);
            s.measure(handMade.address(), client, peer.address(), client);
            s.journal(peer, r -> r.ending() == Ending.PEER_RESET && r.receivedCount() == UPSTREAM_CUT
                    && r.sentCount() == 0 && r.firedTrigger().isPresent());
            s.baselineServerErrors = handMade.errors();
            return s;
        }
    }

    private static Scenario resetOnAccept() throws IOException {
        Fault fault = Fault.resetAfter(Direction.UPSTREAM, 0);
        try (HandMade handMade = HandMade.start(0, new byte[0], HandMade.End.RESET);
                MisbehavingPeer peer = MisbehavingPeer.start(fault)) {
            Scenario s = new Scenario("2", "reset on accept (bytes = 0)",
                    "(a) hand-made: accept, reset", "resetAfter(UPSTREAM, 0)",
                    "client connects and reads; the read fails with \"Connection reset\", or, as"
                            + " documented for a reset at accept, the connect() itself fails with"
                            + " \"Connection reset by peer\" when the RST arrives before it returns",
                    1_000, 500);
            Interaction client = target -> sendThenRead(target, new byte[0], 0, true, true);
            s.measure(handMade.address(), client, peer.address(), client);
            s.journal(peer, r -> r.ending() == Ending.PEER_RESET && r.receivedCount() == 0 && r.sentCount() == 0);
            s.baselineServerErrors = handMade.errors();
            return s;
        }
    }

    private static Scenario roundTrip() throws IOException {
        Script script = Script.respond(RequestEnd.delimiter("\n"), "PONG\n");
        try (HandMade handMade = HandMade.start(HandMade.LINE, PONG, HandMade.End.AWAIT_CLIENT);
                MisbehavingPeer peer = MisbehavingPeer.start(script)) {
            Scenario s = new Scenario("3", "scripted round trip, no fault",
                    "(b) hand-made: read line, answer PONG", "respond(delimiter(\"\\n\"), \"PONG\\n\")",
                    "client writes PING\\n and reads PONG\\n",
                    1_000, 500);
            Interaction client = FaultCostBenchmark::pingPong;
            s.measure(handMade.address(), client, peer.address(), client);
            s.journal(peer, r -> r.ending().ended() && r.fault().isEmpty()
                    && r.receivedCount() == PING.length && r.sentCount() == PONG.length);
            s.baselineServerErrors = handMade.errors();
            return s;
        }
    }

    private static Scenario resetAfterResponseBytes(int cut, int warmUp, int perRound) throws IOException {
        boolean large = cut == LARGE_CUT;
        Script script = Script.respond(RequestEnd.delimiter("\n"), large ? LARGE_RESPONSE : SMALL_RESPONSE);
        Fault fault = Fault.resetAfter(Direction.DOWNSTREAM, cut);
        byte[] handMadeResponse = Arrays.copyOf(large ? LARGE_RESPONSE : SMALL_RESPONSE, cut);
        // By hand, a reset right after a large write loses the tail still in the send queue (the
        // design measured up to 100% for 256 KiB), so the large baseline ends with a FIN instead:
        // the cost of moving the bytes, without any delivery check.
        HandMade.End end = large ? HandMade.End.CLOSE : HandMade.End.RESET;
        String size = large ? "256 KiB" : "100";
        try (HandMade handMade = HandMade.start(HandMade.LINE, handMadeResponse, end);
                MisbehavingPeer peer = MisbehavingPeer.start(script, fault)) {
            Scenario s = new Scenario(large ? "5" : "4", "reset after " + size + " response bytes",
                    large ? "hand-made: read line, write 256 KiB, close (FIN)"
                            : "hand-made: read line, write 100 B, reset",
                    "resetAfter(DOWNSTREAM, " + cut + ")",
                    "client writes a line, reads exactly " + cut + " B, then \"Connection reset\""
                            + (large ? " (baseline: then end-of-stream)" : "")
                            + "; includes the delivery check",
                    warmUp, perRound);
            Interaction baseline = target -> sendThenRead(target, GET, cut, !large, false);
            Interaction misbehave = target -> sendThenRead(target, GET, cut, true, false);
            s.measure(handMade.address(), baseline, peer.address(), misbehave);
            s.journal(peer, r -> r.ending() == Ending.PEER_RESET && r.sentCount() == cut
                    && r.delivery() == Delivery.CONFIRMED);
            s.baselineServerErrors = handMade.errors();
            return s;
        }
    }

    private static Scenario closeAfterResponseBytes() throws IOException {
        Script script = Script.respond(RequestEnd.delimiter("\n"), SMALL_RESPONSE);
        Fault fault = Fault.closeAfter(Direction.DOWNSTREAM, SMALL_CUT);
        byte[] handMadeResponse = Arrays.copyOf(SMALL_RESPONSE, SMALL_CUT);
        try (HandMade handMade = HandMade.start(HandMade.LINE, handMadeResponse, HandMade.End.CLOSE);
                MisbehavingPeer peer = MisbehavingPeer.start(script, fault)) {
            Scenario s = new Scenario("6", "close after 100 response bytes",
                    "hand-made: read line, write 100 B, close (FIN)", "closeAfter(DOWNSTREAM, 100)",
                    "client writes a line, reads exactly 100 B, then end-of-stream",
                    1_000, 500);
            Interaction client = target -> sendThenRead(target, GET, SMALL_CUT, false, false);
            s.measure(handMade.address(), client, peer.address(), client);
            s.journal(peer, r -> r.ending() == Ending.PEER_CLOSED && r.sentCount() == SMALL_CUT);
            s.baselineServerErrors = handMade.errors();
            return s;
        }
    }

    private static Scenario refuse() throws IOException {
        // The baseline's port stays held by a socket that is bound but never listens, the kernel's
        // "Connection refused" as for a port nothing holds: a port bound and closed again would be free
        // for the whole run, and its thousands of connects would reach whatever program took it since.
        try (SocketChannel held = SocketChannel.open();
                MisbehavingPeer peer = MisbehavingPeer.start(Fault.refuse())) {
            held.setOption(StandardSocketOptions.SO_REUSEADDR, false); // else a listener could share the port
            held.bind(new InetSocketAddress(LOOPBACK, 0));
            InetSocketAddress refusing = (InetSocketAddress) held.getLocalAddress();
            Scenario s = new Scenario("7", "refuse",
                    "a port bound, not listening", "refuse()",
                    "client's connect() fails with ConnectException \"Connection refused\"",
                    1_000, 500);
            Interaction client = FaultCostBenchmark::expectRefused;
            s.measure(refusing, client, peer.address(), client);
            List<ConnectionRecord> journal = peer.connections();
            if (!journal.isEmpty()) {
                s.journalMismatches = journal.size();
                s.note("journal: " + journal.size() + " connections accepted while refusing");
            }
            return s;
        }
    }

    private static Scenario neverAcceptStart() {
        Scenario s = new Scenario("8", "never accept: peer start + close",
                "ordinary peer start + close", "start(neverAccept()) + close()",
                "start+close only; between them (untimed) a probe's connect must time out after "
                        + NEVER_ACCEPT_PROBE_MILLIS + " ms (baseline: must connect)",
                1, 3);
        Interaction ordinary = unused -> startThenClose(Fault.resetAfter(Direction.UPSTREAM, 16), true);
        Interaction neverAccept = unused -> startThenClose(Fault.neverAccept(), false);
        s.measure(null, ordinary, null, neverAccept);
        return s;
    }

    // ---- the clients ----------------------------------------------------------------------------

    /** One client interaction; returns its time in nanoseconds, from connect() to the outcome. */
    private interface Interaction {
        long run(InetSocketAddress target) throws Mismatch;
    }

    /** The client observed something other than the documented outcome. */
    private static final class Mismatch extends Exception {
        private static final long serialVersionUID = 1L;
        final long nanos;

        Mismatch(String message, long nanos) {
            super(message, null, false, false);
            this.nanos = nanos;
        }
    }

    private static Socket client() throws Mismatch {
        Socket socket = new Socket();
        try {
            socket.setSoTimeout(TIMEOUT_MILLIS);
        } catch (SocketException e) {
            Samples.closeAbruptly(socket);
            throw new Mismatch("setSoTimeout: " + e, 0);
        }
        return socket;
    }

    /** Set by {@link #sendThenRead} when the reset surfaced in connect(), for the scenario to count. */
    private static boolean resetSurfacedInConnect;

    /**
     * Connects, writes {@code request} (if any), then reads to the end: expects exactly {@code
     * expectedBytes}, then "Connection reset" if {@code reset}, else end-of-stream. If {@code
     * resetMayHitConnect}, a connect() that fails with "Connection reset by peer" is the outcome too
     * (a reset right at accept can arrive before connect() returns).
     */
    private static long sendThenRead(InetSocketAddress target, byte[] request, int expectedBytes, boolean reset,
            boolean resetMayHitConnect) throws Mismatch {
        Socket socket = client();
        long start = 0;
        resetSurfacedInConnect = false;
        try {
            start = System.nanoTime();
            try {
                socket.connect(target, TIMEOUT_MILLIS);
            } catch (SocketException e) {
                long nanos = System.nanoTime() - start;
                if (resetMayHitConnect && "Connection reset by peer".equals(e.getMessage())) {
                    resetSurfacedInConnect = true;
                    return nanos;
                }
                throw new Mismatch("connect failed: " + e, nanos);
            }
            if (request.length > 0) {
                socket.getOutputStream().write(request);
            }
            InputStream in = socket.getInputStream();
            long received = 0;
            IOException ended = null;
            try {
                // bounded: the servers send at most the cut, and every read has the socket's timeout
                for (int n; (n = in.read(READ_BUFFER)) >= 0; ) {
                    received += n;
                    if (received > expectedBytes + READ_BUFFER.length) {
                        break;
                    }
                }
            } catch (IOException e) {
                ended = e;
            }
            long nanos = System.nanoTime() - start;
            sink += received;
            if (received != expectedBytes) {
                throw new Mismatch("received " + received + " B, expected " + expectedBytes
                        + (ended == null ? " (then end-of-stream)" : " (then " + ended + ")"), nanos);
            }
            if (reset && !(ended instanceof SocketException && "Connection reset".equals(ended.getMessage()))) {
                throw new Mismatch("expected \"Connection reset\", got " + (ended == null ? "end-of-stream" : ended), nanos);
            }
            if (!reset && ended != null) {
                throw new Mismatch("expected end-of-stream, got " + ended, nanos);
            }
            return nanos;
        } catch (IOException e) {
            throw new Mismatch("connect or write failed: " + e, System.nanoTime() - start);
        } finally {
            Samples.closeAbruptly(socket);
        }
    }

    private static long pingPong(InetSocketAddress target) throws Mismatch {
        Socket socket = client();
        long start = 0;
        try {
            start = System.nanoTime();
            socket.connect(target, TIMEOUT_MILLIS);
            socket.getOutputStream().write(PING);
            InputStream in = socket.getInputStream();
            byte[] answer = new byte[16];
            int received = 0;
            while (received < answer.length && (received == 0 || answer[received - 1] != '\n')) {
                int n = in.read(answer, received, answer.length - received);
                if (n < 0) {
                    break;
                }
                received += n;
            }
            long nanos = System.nanoTime() - start;
            sink += received;
            if (!Arrays.equals(Arrays.copyOf(answer, received), PONG)) {
                throw new Mismatch("expected PONG\\n, got " + received + " B: "
                        + new String(answer, 0, received, StandardCharsets.US_ASCII), nanos);
            }
            return nanos;
        } catch (IOException e) {
            throw new Mismatch("round trip failed: " + e, System.nanoTime() - start);
        } finally {
            Samples.closeAbruptly(socket);
        }
    }

    private static long expectRefused(InetSocketAddress target) throws Mismatch {
        Socket socket = client();
        long start = System.nanoTime();
        try {
            socket.connect(target, TIMEOUT_MILLIS);
            long nanos = System.nanoTime() - start;
            boolean self = socket.getLocalPort() == target.getPort();
            throw new Mismatch("connect succeeded" + (self ? " (a self-connect: the client got the closed port)" : ""),
                    nanos);
        } catch (ConnectException e) {
            long nanos = System.nanoTime() - start;
            if (!"Connection refused".equals(e.getMessage())) {
                throw new Mismatch("expected \"Connection refused\", got " + e, nanos);
            }
            return nanos;
        } catch (IOException e) {
            throw new Mismatch("expected ConnectException, got " + e, System.nanoTime() - start);
        } finally {
            Samples.closeAbruptly(socket);
        }
    }

    /**
     * Times {@code start(fault)} and {@code close()}; between them, untimed, a probe checks that the
     * peer accepts ({@code accepts}) or that its connect times out.
     */
    private static long startThenClose(Fault fault, boolean accepts) throws Mismatch {
        long start = System.nanoTime();
        MisbehavingPeer peer = MisbehavingPeer.start(fault);
        long startNanos = System.nanoTime() - start;
        String wrong = null;
        Socket probe = new Socket();
        try {
            probe.connect(peer.address(), accepts ? TIMEOUT_MILLIS : NEVER_ACCEPT_PROBE_MILLIS);
            if (!accepts) {
                wrong = "the probe connected to a never-accepting peer";
            }
        } catch (SocketTimeoutException e) {
            if (accepts) {
                wrong = "the probe's connect timed out: " + e;
            }
        } catch (IOException e) {
            wrong = "the probe's connect failed: " + e;
        } finally {
            Samples.closeAbruptly(probe);
        }
        long closeStart = System.nanoTime();
        peer.close();
        long nanos = startNanos + System.nanoTime() - closeStart;
        sink += peer.port();
        if (wrong != null) {
            throw new Mismatch(wrong, nanos);
        }
        return nanos;
    }


    // ---- the hand-made server -------------------------------------------------------------------

    /**
     * The baseline server: a JDK {@link ServerSocket} and one thread that serves one connection at a
     * time: read the request (a fixed count, or up to a newline), write the response, then reset,
     * close, or wait until the client closes.
     */
    private static final class HandMade implements AutoCloseable {
        /** As the request length: read up to and including a newline. */
        static final int LINE = -1;

        enum End {
            RESET,
            CLOSE,
            AWAIT_CLIENT
        }

        private final ServerSocket server;
        private final int requestBytes;
        private final byte[] response;
        private final End end;
        private final Thread thread;
        private final AtomicInteger errors = new AtomicInteger();

        private HandMade(ServerSocket server, int requestBytes, byte[] response, End end) {
            this.server = server;
            this.requestBytes = requestBytes;
            this.response = response;
            this.end = end;
            this.thread = new Thread(this::serve, "hand-made-server");
            this.thread.setDaemon(true);
        }

        static HandMade start(int requestBytes, byte[] response, End end) throws IOException {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(LOOPBACK, 0), 50);
            HandMade handMade = new HandMade(server, requestBytes, response, end);
            handMade.thread.start();
            return handMade;
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        /** Connections the server could not serve as planned (the client then counts a mismatch too). */
        int errors() {
            return errors.get();
        }

        private void serve() {
            byte[] buffer = new byte[4096];
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException closed) {
                    return; // close() closed the server socket
                }
                try (socket) {
                    socket.setSoTimeout(TIMEOUT_MILLIS);
                    InputStream in = socket.getInputStream();
                    if (requestBytes > 0) {
                        if (in.readNBytes(requestBytes).length != requestBytes) {
                            errors.incrementAndGet();
                        }
                    } else if (requestBytes == LINE) {
                        readLine(in, buffer);
                    }
                    if (response.length > 0) {
                        OutputStream out = socket.getOutputStream();
                        out.write(response);
                    }
                    if (end == End.RESET) {
                        socket.setSoLinger(true, 0);
                    } else if (end == End.AWAIT_CLIENT) {
                        awaitClient(in, buffer);
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
            }
        }

        private void readLine(InputStream in, byte[] buffer) throws IOException {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (n > 0 && buffer[n - 1] == '\n') {
                    return;
                }
            }
            errors.incrementAndGet();
        }

        /** Reads until the client closes (end-of-stream, or its reset); bounded by the read timeout. */
        private static void awaitClient(InputStream in, byte[] buffer) {
            try {
                while (in.read(buffer) >= 0) {
                    // a client that sends more is not expected; keep reading until it ends
                }
            } catch (IOException clientReset) {
                // the benchmark's clients close with SO_LINGER 0
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            try {
                thread.join(TIMEOUT_MILLIS * 2L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- measuring ------------------------------------------------------------------------------

    /** One scenario: a baseline and a Misbehave side, measured in alternating rounds. */
    private static final class Scenario {
        final String id;
        final String title;
        final String baselineName;
        final String misbehaveName;
        final String outcome;
        int warmUp;
        int perRound;
        long[] baseline;
        long[] misbehave;
        int baselineMismatches;
        int misbehaveMismatches;
        int journalMismatches;
        int baselineServerErrors;
        int baselineInConnect;
        int misbehaveInConnect;
        double[] roundRatios = new double[ROUNDS];
        final List<String> notes = new ArrayList<>();

        Scenario(String id, String title, String baselineName, String misbehaveName, String outcome,
                int warmUp, int perRound) {
            this.id = id;
            this.title = title;
            this.baselineName = baselineName;
            this.misbehaveName = misbehaveName;
            this.outcome = outcome;
            this.warmUp = scaled(warmUp);
            this.perRound = scaled(perRound);
        }

        /** This scenario under another id and title, its measurements kept. */
        Scenario rename(String newId, String newTitle) {
            Scenario copy = new Scenario(newId, newTitle, baselineName, misbehaveName, outcome, 1, 1);
            copy.warmUp = warmUp;
            copy.perRound = perRound;
            copy.baseline = baseline;
            copy.misbehave = misbehave;
            copy.baselineMismatches = baselineMismatches;
            copy.misbehaveMismatches = misbehaveMismatches;
            copy.journalMismatches = journalMismatches;
            copy.baselineServerErrors = baselineServerErrors;
            copy.baselineInConnect = baselineInConnect;
            copy.misbehaveInConnect = misbehaveInConnect;
            copy.roundRatios = roundRatios;
            copy.notes.addAll(notes);
            return copy;
        }

        int interactions() {
            return warmUp + ROUNDS * perRound;
        }

        void measure(InetSocketAddress baselineTarget, Interaction baselineClient,
                InetSocketAddress misbehaveTarget, Interaction misbehaveClient) {
            long began = System.nanoTime();
            long[] unused = new long[warmUp];
            for (int i = 0; i < warmUp; i++) {
                baselineMismatches += once(baselineClient, baselineTarget, unused, i, "baseline warm-up");
                misbehaveMismatches += once(misbehaveClient, misbehaveTarget, unused, i, "Misbehave warm-up");
            }
            baseline = new long[ROUNDS * perRound];
            misbehave = new long[ROUNDS * perRound];
            for (int round = 0; round < ROUNDS; round++) {
                int from = round * perRound;
                if (round % 2 == 0) {
                    baselineMismatches += block(baselineClient, baselineTarget, baseline, from, "baseline");
                    misbehaveMismatches += block(misbehaveClient, misbehaveTarget, misbehave, from, "Misbehave");
                } else {
                    misbehaveMismatches += block(misbehaveClient, misbehaveTarget, misbehave, from, "Misbehave");
                    baselineMismatches += block(baselineClient, baselineTarget, baseline, from, "baseline");
                }
                roundRatios[round] = Samples.median(Arrays.copyOfRange(misbehave, from, from + perRound))
                        / Samples.median(Arrays.copyOfRange(baseline, from, from + perRound));
            }
            System.out.printf(Locale.ROOT, "scenario %s (%s): %d + %d interactions of each kind, %.1f s%n",
                    id, title, warmUp, ROUNDS * perRound, (System.nanoTime() - began) / 1e9);
        }

        private int block(Interaction client, InetSocketAddress target, long[] samples, int from, String side) {
            int mismatches = 0;
            for (int i = from; i < from + perRound; i++) {
                mismatches += once(client, target, samples, i, side);
            }
            return mismatches;
        }

        private int once(Interaction client, InetSocketAddress target, long[] samples, int i, String side) {
            try {
                resetSurfacedInConnect = false;
                samples[i] = client.run(target);
                if (resetSurfacedInConnect) {
                    if (side.startsWith("baseline")) {
                        baselineInConnect++;
                    } else {
                        misbehaveInConnect++;
                    }
                }
                return 0;
            } catch (Mismatch m) {
                samples[i] = m.nanos;
                note(side + ": " + m.getMessage());
                return 1;
            }
        }

        /** Checks the peer's journal: one record per interaction, each satisfying {@code expected}. */
        void journal(MisbehavingPeer peer, Predicate<ConnectionRecord> expected) {
            int count = interactions();
            List<ConnectionRecord> journal;
            try {
                journal = peer.awaitConnections(count, JOURNAL_WAIT);
            } catch (AssertionError timedOut) {
                journal = peer.connections();
                note("journal: fewer than " + count + " connections ended within " + JOURNAL_WAIT);
            }
            int wrong = Math.abs(journal.size() - count);
            if (wrong > 0) {
                note("journal: " + journal.size() + " connections, expected " + count);
            }
            for (ConnectionRecord record : journal) {
                if (!expected.test(record)) {
                    wrong++;
                    note("journal: unexpected record " + record);
                }
            }
            journalMismatches = wrong;
        }

        void note(String text) {
            if (notes.size() < 5) {
                notes.add(text);
            }
            if (notes.size() <= 5) {
                System.out.println("  scenario " + id + ": " + text);
            }
        }
    }

    private static int scaled(int count) {
        return Math.max(1, (int) Math.round(count * scale));
    }

    private static int kernelConnections() {
        int lines = 0;
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                lines += Math.max(0, Files.readAllLines(Path.of(file)).size() - 1);
            } catch (IOException | UncheckedIOException | SecurityException unreadable) {
                return -1;
            }
        }
        return lines;
    }

    // ---- the report -----------------------------------------------------------------------------




    private static String table(
            List<Scenario> scenarios, int tableBefore, int tableAfter, double procRead, Duration took) {
        StringBuilder out = new StringBuilder();
        out.append(Samples.environment());
        out.append(String.format(Locale.ROOT,
                "- Kernel TCP table (/proc/net/tcp + tcp6 entries): %d at start, %d at end%n",
                tableBefore, tableAfter));
        out.append(String.format(Locale.ROOT,
                "- One read of /proc/net/tcp6 (what the delivery check reads per pass): %s (median of %d)%n",
                procRead < 0 ? "not readable" : time(procRead), PROC_READS));
        out.append(String.format(Locale.ROOT,
                "- Delivery check (scenarios 4 and 5): %s%n", dev.misbehave.internal.DeliverySource.name()));
        if (crowd != null) {
            out.append(String.format(Locale.ROOT,
                    "- Scenarios 4w and 5w: 4 and 5 again after %,d connections were left in TIME_WAIT; the"
                            + " table then held %,d entries (%,d before the crowd, %,d after 5w), and one read"
                            + " of /proc/net/tcp6 took %s (median of %d)%n",
                    crowd.made(), crowd.ready(), crowd.atStart(), crowd.atEnd(),
                    crowd.procRead() < 0 ? "not readable" : time(crowd.procRead()), PROC_READS));
        }
        out.append(String.format(Locale.ROOT,
                "- Method: per scenario one long-lived peer and one hand-made JDK server; a warm-up, then"
                        + " %d rounds of each kind in alternating order; every interaction timed alone, from"
                        + " connect() to the outcome; clients close with SO_LINGER 0 after it, untimed%n",
                ROUNDS));
        if (scale != 1.0) {
            out.append(String.format(Locale.ROOT, "- Counts scaled by %s (a quick try, not a measurement)%n", scale));
        }
        out.append(String.format(Locale.ROOT, "- Whole run: %.0f s%n", took.toMillis() / 1000.0));
        out.append("- Command: `mvn -B -Pbench -pl benchmarks -am verify -DskipTests`\n\n");
        out.append("| # | side | n | median | p90 | min | max | × baseline (median) | per-round × | mismatches |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Scenario s : scenarios) {
            Stats base = new Stats(s.baseline, 1.0);
            Stats mis = new Stats(s.misbehave, 1.0);
            double ratio = mis.median / base.median;
            double[] sortedRatios = s.roundRatios.clone();
            Arrays.sort(sortedRatios);
            out.append(String.format(Locale.ROOT, "| %s | **%s** — baseline: %s | %,d | %s | %s | %s | %s | | | %d |%n",
                    s.id, s.title, s.baselineName, base.count, time(base.median), time(base.p90),
                    time(base.min), time(base.max), s.baselineMismatches + s.baselineServerErrors));
            out.append(String.format(Locale.ROOT, "| %s | Misbehave: `%s` | %,d | %s | %s | %s | %s | **%s** | %s–%s | %d + %d journal |%n",
                    s.id, s.misbehaveName, mis.count, time(mis.median), time(mis.p90), time(mis.min),
                    time(mis.max), ratio(ratio), ratio(sortedRatios[0]), ratio(sortedRatios[ROUNDS - 1]),
                    s.misbehaveMismatches, s.journalMismatches));
        }
        out.append("\nOutcome each client waited for (and checked):\n\n");
        for (Scenario s : scenarios) {
            Stats base = new Stats(s.baseline, 1.0);
            Stats mis = new Stats(s.misbehave, 1.0);
            out.append(String.format(Locale.ROOT, "%s. %s: %s. Misbehave adds %s per interaction (difference of medians).%n",
                    s.id, s.title, s.outcome, time(mis.median - base.median)));
            if (s.baselineInConnect + s.misbehaveInConnect > 0) {
                out.append(String.format(Locale.ROOT,
                        "   - the reset surfaced in connect() in %,d of %,d baseline and %,d of %,d Misbehave"
                                + " interactions (warm-up included), in the read otherwise%n",
                        s.baselineInConnect, s.interactions(), s.misbehaveInConnect, s.interactions()));
            }
            for (String note : s.notes) {
                out.append("   - ").append(note).append('\n');
            }
        }
        return out.toString();
    }

    private static String time(double nanos) {
        double micros = nanos / 1_000.0;
        if (Math.abs(micros) < 1_000) {
            return String.format(Locale.ROOT, "%.0f µs", micros);
        }
        double millis = micros / 1_000.0;
        return String.format(Locale.ROOT, Math.abs(millis) < 100 ? "%.2f ms" : "%.1f ms", millis);
    }

    private static String ratio(double ratio) {
        return String.format(Locale.ROOT, ratio < 10 ? "%.2f×" : ratio < 100 ? "%.1f×" : "%,.0f×", ratio);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Printable bytes with no newline, so a response never looks like the end of a request. */
    private static byte[] filled(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
