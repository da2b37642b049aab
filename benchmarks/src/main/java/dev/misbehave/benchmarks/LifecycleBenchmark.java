package dev.misbehave.benchmarks;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.benchmarks.Samples.Stats;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import mockwebserver3.MockWebServer;

/**
 * Peer lifecycle in a warm JVM: start + stop of one server, timed op by op, for Misbehave ({@code
 * MisbehavingPeer.start(...)} + {@code close()}, the public API), the floor of any TCP server (a
 * {@link ServerSocket} bound to 127.0.0.1 port 0 and closed), a bare Netty {@link ServerBootstrap}
 * on a shared NIO event loop (bind + close, both awaited), OkHttp's {@link MockWebServer} (start +
 * close) and {@link WireMockServer} (dynamic port, start + stop).
 *
 * <p>A plain harness, not JMH: every subject runs in the same JVM in alternating rounds (the order
 * rotates each round), so whatever else the noisy machine does in a given minute hits every
 * subject, and the ratios to the floor compare times taken side by side. JMH would run the subjects
 * one after another (each in its own forks), minutes apart. After a warm-up of each subject, each
 * round times a fixed number of ops of each (fewer for the slow competitors); every count is fixed
 * and every op is checked: after each close, untimed, a connect to the port must be refused for the
 * floor and Misbehave (the port is really released), and after every start the port must be bound.
 * A failed check counts as a mismatch.
 */
public final class LifecycleBenchmark {

    private static final boolean QUICK = Boolean.getBoolean("misbehave.bench.quick");
    private static final int ROUNDS = QUICK ? 3 : 20;
    /** Check that the port is released after one close in this many (a connect costs ~20 µs). */
    private static final int CHECK_EVERY = 10;
    private static final double TARGET_RATIO = 5.0;

    private static final InetAddress LOOPBACK = loopback();
    private static final Fault FAULT = Fault.resetAfter(Direction.UPSTREAM, 16);

    /** Written by every op, so the JIT cannot treat the measured work as dead. */
    private static long sink;

    private LifecycleBenchmark() {}

    /** One subject: a name, its op counts, and its op, which returns the port it held. */
    private abstract static class Subject {
        final String name;
        final String label;
        final int warmUp;
        final int perRound;
        /** Whether the subject promises that the port is released when its stop returns. */
        final boolean promisesRelease;
        int checks;
        int stillAccepting;
        long[] nanos;
        long[] startNanos;
        int mismatches;
        final List<String> notes = new ArrayList<>();
        double[] roundMedians = new double[ROUNDS];

        Subject(String name, String label, int warmUp, int perRound, boolean promisesRelease) {
            this.name = name;
            this.label = label;
            this.warmUp = QUICK ? Math.max(1, warmUp / 10) : warmUp;
            this.perRound = QUICK ? Math.max(3, perRound / 5) : perRound;
            this.promisesRelease = promisesRelease;
            this.nanos = new long[ROUNDS * this.perRound];
            this.startNanos = new long[ROUNDS * this.perRound];
        }

        /** Starts, then stops; records the start's time in {@code startNanos[i]} (if i >= 0); returns the port. */
        abstract int startStop(int i) throws Exception;

        void once(int i, int count) {
            long began = System.nanoTime();
            int port;
            try {
                port = startStop(i);
            } catch (Exception e) {
                note("op failed: " + e);
                return;
            }
            long took = System.nanoTime() - began;
            if (i >= 0) {
                nanos[i] = took;
            }
            sink += port;
            if (port <= 0) {
                note("no port bound");
            } else if (i >= 0 && count % CHECK_EVERY == 0) {
                checks++;
                if (accepts(port)) {
                    stillAccepting++;
                    if (promisesRelease) {
                        note("port " + port + " still accepted a connection after close");
                    }
                }
            }
        }

        void note(String text) {
            mismatches++;
            if (notes.size() < 5) {
                notes.add(text);
                System.out.println("  " + name + ": " + text);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Results results = Results.open("lifecycle", args);
        long began = System.nanoTime();
        EventLoopGroup nettyGroup = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("bare-netty", true), NioIoHandler.newFactory());
        try {
            List<Subject> subjects = subjects(nettyGroup);
            for (Subject s : subjects) {
                for (int i = 0; i < s.warmUp; i++) {
                    s.once(-1, i);
                }
                System.out.printf(Locale.ROOT, "warmed up: %s, %,d ops%n", s.name, s.warmUp);
            }
            int n = subjects.size();
            for (int round = 0; round < ROUNDS; round++) {
                for (int k = 0; k < n; k++) {
                    Subject s = subjects.get((round + k) % n);
                    int from = round * s.perRound;
                    for (int i = from; i < from + s.perRound; i++) {
                        s.once(i, i);
                    }
                    s.roundMedians[round] = Samples.median(Arrays.copyOfRange(s.nanos, from, from + s.perRound));
                }
                System.out.printf(Locale.ROOT, "round %d of %d done%n", round + 1, ROUNDS);
            }
            report(results, subjects, (System.nanoTime() - began) / 1e9);
        } finally {
            nettyGroup.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
        System.out.println("(sink " + (sink & 1) + ")");
    }

    private static List<Subject> subjects(EventLoopGroup nettyGroup) {
        List<Subject> subjects = new ArrayList<>();
        subjects.add(new Subject("floor", "`ServerSocket` bind 127.0.0.1:0 + close (floor)", 5_000, 1_000, true) {
            @Override
            int startStop(int i) throws IOException {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.bind(new InetSocketAddress(LOOPBACK, 0));
                    return socket.getLocalPort();
                }
            }
        });
        subjects.add(new Subject("Misbehave", "Misbehave `MisbehavingPeer.start(resetAfter(UPSTREAM, 16))` + `close()`",
                5_000, 1_000, true) {
            @Override
            int startStop(int i) {
                long began = System.nanoTime();
                MisbehavingPeer peer = MisbehavingPeer.start(FAULT);
                if (i >= 0) {
                    startNanos[i] = System.nanoTime() - began;
                }
                int port = peer.port();
                peer.close();
                return port;
            }
        });
        subjects.add(new Subject("bare Netty", "bare Netty `ServerBootstrap` bind + close (shared NIO event loop)",
                2_000, 500, false) {
            private final ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(nettyGroup)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel child) {
                            // nothing: only the probe connects, and the child closes when it does
                        }
                    });

            @Override
            int startStop(int i) {
                long began = System.nanoTime();
                Channel channel = bootstrap.bind(LOOPBACK, 0).syncUninterruptibly().channel();
                if (i >= 0) {
                    startNanos[i] = System.nanoTime() - began;
                }
                int port = ((InetSocketAddress) channel.localAddress()).getPort();
                channel.close().syncUninterruptibly();
                return port;
            }
        });
        subjects.add(new Subject("MockWebServer", "OkHttp `MockWebServer` start + close", 500, 200, true) {
            @Override
            int startStop(int i) throws IOException {
                long began = System.nanoTime();
                MockWebServer server = new MockWebServer();
                server.start(LOOPBACK, 0);
                if (i >= 0) {
                    startNanos[i] = System.nanoTime() - began;
                }
                int port = server.getPort();
                server.close();
                return port;
            }
        });
        subjects.add(new Subject("WireMock", "`WireMockServer` (dynamic port) start + stop", 100, 30, true) {
            @Override
            int startStop(int i) {
                long began = System.nanoTime();
                WireMockServer server = new WireMockServer(
                        WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
                server.start();
                if (i >= 0) {
                    startNanos[i] = System.nanoTime() - began;
                }
                int port = server.port();
                server.stop();
                return port;
            }
        });
        return subjects;
    }

    // ---- the report -----------------------------------------------------------------------------

    private static void report(Results results, List<Subject> subjects, double seconds) {
        Subject floor = subjects.get(0);
        Stats floorStats = micros(floor.nanos);
        StringBuilder out = new StringBuilder();
        out.append(Samples.environment());
        out.append(String.format(Locale.ROOT,
                "- Method: a warm-up of each subject, then %d rounds, the subjects' order rotating each round;"
                        + " every op timed alone; whole run %.0f s%s%n",
                ROUNDS, seconds, QUICK ? " (quick mode: a smoke run, not a measurement)" : ""));
        out.append("- Command: `mvn -B -Pbench -pl benchmarks -am verify -DskipTests`\n\n");
        out.append("| start + stop (µs) | n | median | p90 | min | max | × floor (median) | per-round × floor | port still accepting after stop | mismatches |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Subject misbehave = null;
        for (Subject s : subjects) {
            Stats st = micros(s.nanos);
            double[] ratios = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                ratios[r] = s.roundMedians[r] / floor.roundMedians[r];
            }
            Arrays.sort(ratios);
            out.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s | %s–%s | %d of %d | %d |%n",
                    s.label, st.count, num(st.median), num(st.p90), num(st.min), num(st.max),
                    ratio(st.median / floorStats.median), ratio(ratios[0]), ratio(ratios[ROUNDS - 1]),
                    s.stillAccepting, s.checks, s.mismatches));
            if (s.name.equals("Misbehave")) {
                misbehave = s;
                long[] closes = new long[s.nanos.length];
                for (int i = 0; i < closes.length; i++) {
                    closes[i] = s.nanos[i] - s.startNanos[i];
                }
                Stats starts = micros(s.startNanos);
                Stats closeStats = micros(closes);
                out.append(String.format(Locale.ROOT, "| &nbsp;&nbsp;of which `start()` | %,d | %s | %s | %s | %s | | | | |%n",
                        starts.count, num(starts.median), num(starts.p90), num(starts.min), num(starts.max)));
                out.append(String.format(Locale.ROOT, "| &nbsp;&nbsp;of which `close()` | %,d | %s | %s | %s | %s | | | | |%n",
                        closeStats.count, num(closeStats.median), num(closeStats.p90), num(closeStats.min),
                        num(closeStats.max)));
            }
        }
        out.append('\n');
        out.append("After one stop in " + CHECK_EVERY + " (untimed), a client connects to the port just released:"
                + " \"still accepting\" counts the connects that succeeded. Mismatches: an op that failed, bound no"
                + " port, or, for a subject whose stop promises the release (all but bare Netty, whose close future"
                + " completes before the JDK closes the socket), a port still accepting.\n");
        for (Subject s : subjects) {
            for (String note : s.notes) {
                out.append("- ").append(s.name).append(": ").append(note).append('\n');
            }
        }
        results.section(out.toString());
        System.out.println();
        System.out.print(out);

        Stats mis = micros(misbehave.nanos);
        double ratio = mis.median / floorStats.median;
        double worstRound = 0;
        for (int r = 0; r < ROUNDS; r++) {
            worstRound = Math.max(worstRound, misbehave.roundMedians[r] / floor.roundMedians[r]);
        }
        StringBuilder others = new StringBuilder(String.format(Locale.ROOT, "floor %s µs", num(floorStats.median)));
        for (Subject s : subjects) {
            if (s != floor && s != misbehave) {
                others.append(String.format(Locale.ROOT, "; %s %s µs", s.name, num(micros(s.nanos).median)));
            }
        }
        // issue 14, goal 5: in every round, not only in the median
        results.summary("peer start + stop, warm JVM (median; the worst round's median)",
                String.format(Locale.ROOT, "%s µs (%s floor; worst round %s)", num(mis.median), ratio(ratio),
                        ratio(worstRound)),
                others.toString(), "≤ 5× floor in every round",
                worstRound <= TARGET_RATIO && ratio <= TARGET_RATIO && misbehave.mismatches == 0);
        for (Subject s : subjects) {
            results.bar("start + stop, µs (median)", s.name, micros(s.nanos).median);
        }
    }

    private static boolean accepts(int port) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(LOOPBACK, port), 1_000);
            return true;
        } catch (ConnectException refused) {
            return false;
        } catch (IOException other) {
            return false;
        }
    }

    private static Stats micros(long[] nanos) {
        return new Stats(nanos, 1_000.0);
    }

    private static String num(double micros) {
        return String.format(Locale.ROOT, micros < 100 ? "%.1f" : "%,.0f", micros);
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
