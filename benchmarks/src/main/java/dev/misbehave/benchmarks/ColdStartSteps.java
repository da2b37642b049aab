package dev.misbehave.benchmarks;

import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where the first peer's time goes: a profile, not part of the {@code -Pbench} run. Each sample is a
 * fresh JVM that walks, step by step, through what the first Misbehave peer of a JVM makes Netty
 * initialise, in the order it happens, timing each step; then it starts and uses one real Misbehave
 * peer, whose time is then only what Misbehave adds to an initialised Netty.
 *
 * <p>{@code java -cp <benchmark class path> dev.misbehave.benchmarks.ColdStartSteps [runs]} (default
 * 15 runs); JVM options for the sampled JVMs (for example an AppCDS archive) go in the system
 * property {@code misbehave.bench.coldStart.jvmOptions}, separated by spaces. Prints the median, min
 * and max of every step in milliseconds.
 */
public final class ColdStartSteps {

    private static final String PREFIX = "COLD-START-STEPS";
    private static final int TIMEOUT_MILLIS = 10_000;

    private ColdStartSteps() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child();
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        String options = System.getProperty("misbehave.bench.coldStart.jvmOptions", "").trim();
        if (!options.isEmpty()) {
            command.addAll(List.of(options.split(" +")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ColdStartSteps.class.getName(), "--child"));
        Map<String, List<Double>> steps = new LinkedHashMap<>();
        probeOnce(command); // warm-up: the file cache
        for (int i = 0; i < runs; i++) {
            for (Map.Entry<String, Double> step : probeOnce(command).entrySet()) {
                steps.computeIfAbsent(step.getKey(), k -> new ArrayList<>()).add(step.getValue());
            }
        }
        System.out.println(Samples.environment());
        System.out.printf(Locale.ROOT, "%d fresh JVMs%s; ms%n%n", runs, options.isEmpty() ? "" : ", options: " + options);
        System.out.println("| step | median | min | max |");
        System.out.println("|---|---:|---:|---:|");
        steps.forEach((name, values) -> {
            double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", name, Samples.median(v), v[0], v[v.length - 1]);
        });
    }

    private static Map<String, Double> probeOnce(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("a sampled JVM did not exit within 60 s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, Double> steps = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith(PREFIX + " ")) {
                for (String pair : line.substring(PREFIX.length() + 1).trim().split("\t")) {
                    int eq = pair.lastIndexOf('=');
                    steps.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)) / 1e6);
                }
                return steps;
            }
        }
        throw new IllegalStateException("a sampled JVM printed no steps:\n" + output);
    }

    // ---- the sampled JVM --------------------------------------------------------------------------

    private static final long[] TIMES = new long[16];
    private static final String[] NAMES = new String[16];
    private static int count;
    private static long last;

    private static void mark(String name) {
        long now = System.nanoTime();
        NAMES[count] = name;
        TIMES[count++] = now - last;
        last = System.nanoTime();
    }

    private static void child() throws Exception {
        long entry = System.nanoTime();
        last = entry;
        Fault fault = Fault.resetAfter(Direction.UPSTREAM, 0);
        mark("Misbehave's API classes (Fault, Direction, ...)");
        InternalLoggerFactory.getInstance(ColdStartSteps.class);
        mark("Netty's logger factory (finds SLF4J, which scans the class path for its provider)");
        PlatformDependent.hasUnsafe();
        mark("PlatformDependent (Unsafe, Cleaner, JFR, max direct memory via JMX, os-release)");
        ResourceLeakDetector.isEnabled();
        Class.forName("io.netty.buffer.AbstractByteBuf");
        mark("ResourceLeakDetector, AbstractByteBuf");
        ByteBufAllocator unused = ByteBufAllocator.DEFAULT;
        mark("ByteBufAllocator.DEFAULT (adaptive; every channel's config reads it)");
        ByteBufAllocator heap = new UnpooledByteBufAllocator(false);
        mark("the peer's unpooled heap allocator");
        DefaultChannelId.newInstance();
        mark("DefaultChannelId (MAC address and pid lookup; the peer's channels no longer use it)");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                2, new DefaultThreadFactory("steps-io", true), NioIoHandler.newFactory());
        mark("event loop group of 2 (selectors, key-set optimisation)");
        ServerSocketChannel bound = ServerSocketChannel.open();
        bound.bind(new InetSocketAddress(loopback(), 0), 128);
        mark("bind a ServerSocketChannel");
        NioServerSocketChannel server = new NioServerSocketChannel(bound);
        mark("Netty server channel and pipeline (handler masks by reflection)");
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channelFactory(new ChannelFactory<NioServerSocketChannel>() {
                    @Override
                    public NioServerSocketChannel newChannel() {
                        return server;
                    }
                })
                .option(ChannelOption.ALLOCATOR, heap)
                .childOption(ChannelOption.ALLOCATOR, heap)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new ResetOnActive());
                    }
                });
        bootstrap.register().sync();
        mark("register on the event loop (thread start, ServerBootstrap's acceptor)");
        String outcome = clientSeesReset(bound.socket().getLocalPort());
        mark("first connection: accept, reset, the client sees it");
        server.close().sync();
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
        mark("close and shut down");
        long nettyTotal = System.nanoTime() - entry;
        String peerOutcome;
        try (MisbehavingPeer peer = MisbehavingPeer.start(fault)) {
            peerOutcome = clientSeesReset(peer.port());
        }
        mark("then one Misbehave peer, start to close (what Misbehave adds)");
        StringBuilder line = new StringBuilder(PREFIX).append(' ');
        for (int i = 0; i < count; i++) {
            line.append(NAMES[i]).append('=').append(TIMES[i]).append('\t');
        }
        line.append("all bare-Netty steps above=").append(nettyTotal);
        if (!outcome.equals("reset") || !peerOutcome.equals("reset")) {
            throw new IllegalStateException("expected two resets, the clients saw " + outcome + " and " + peerOutcome);
        }
        System.out.println(line);
        System.exit(0);
    }

    private static final class ResetOnActive extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            ctx.close();
        }
    }

    private static String clientSeesReset(int port) throws IOException {
        try (Socket client = new Socket()) {
            client.setSoTimeout(TIMEOUT_MILLIS);
            client.connect(new InetSocketAddress(loopback(), port), TIMEOUT_MILLIS);
            InputStream in = client.getInputStream();
            return in.read() < 0 ? "eof" : "data";
        } catch (SocketException e) {
            return String.valueOf(e.getMessage()).contains("reset") ? "reset" : "other";
        }
    }

    private static InetAddress loopback() throws IOException {
        return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
    }
}
