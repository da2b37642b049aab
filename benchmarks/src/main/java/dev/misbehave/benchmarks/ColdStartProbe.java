package dev.misbehave.benchmarks;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;

/**
 * The program {@link ColdStartBenchmark} runs in a fresh JVM, once per sample: {@code ColdStartProbe
 * SUBJECT} starts one server of the subject, makes one loopback client connection that it answers
 * with its fault, closes the server, and prints one line of figures.
 *
 * <p>Timed from the first statement of {@code main} to two moments: the client has seen the fault
 * ({@code ready}) and the server is closed ({@code closed}). Everything the subject needs is loaded,
 * linked and initialised inside that span, as in a test JVM's first test. The client is the same for
 * every subject: a raw {@link Socket} that writes one small HTTP request and reads until the
 * connection ends. Subjects:
 *
 * <ul>
 *   <li>{@code empty}: nothing; the JVM's own start and exit, the baseline of the whole process;
 *   <li>{@code serversocket}: the floor, a {@link ServerSocket} on 127.0.0.1 port 0 that accepts and
 *       resets ({@code SO_LINGER} 0, then close) on the main thread;
 *   <li>{@code misbehave}: {@code MisbehavingPeer.start(Fault.resetAfter(UPSTREAM, 0))}, then
 *       {@code close()};
 *   <li>{@code netty}: bare Netty 4.2, a {@link ServerBootstrap} with one NIO event loop whose child
 *       handler resets on {@code channelActive}, then the channel's close and the group's shutdown
 *       without quiet period: the cost of Netty itself;
 *   <li>{@code mockwebserver}: OkHttp's MockWebServer with one response that closes the socket at
 *       the request's start (MockWebServer has no reset), then {@code close()};
 *   <li>{@code wiremock}: a {@code WireMockServer} on a dynamic port with a stub for every request
 *       that answers {@code Fault.CONNECTION_RESET_BY_PEER}, then {@code stop()}.
 * </ul>
 *
 * <p>The timed code uses no lambda and no string concatenation: their first use in a JVM costs
 * milliseconds of bootstrap, which would be the probe's own cost, not the subject's.
 *
 * <p>Output, one line on stdout: {@code COLD-START subject=S entryNanos=N readyNanos=N
 * closedNanos=N vmStartMillis=M entryMillis=M classes=C cpuNanos=N outcome=O}: {@code entryNanos}
 * is {@link System#nanoTime()} at entry (on Linux the monotonic clock, which the parent shares);
 * {@code readyNanos} and {@code closedNanos} are relative to entry; {@code vmStartMillis} is the JVM's
 * recorded start time and {@code entryMillis} the wall clock at entry; {@code classes} the classes
 * loaded when the figures are printed; {@code cpuNanos} the process's CPU time by then; {@code
 * outcome} what the client saw ({@code reset}, {@code eof}, {@code none} or {@code other:...}).
 */
public final class ColdStartProbe {

    static final String PREFIX = "COLD-START";

    private static final int TIMEOUT_MILLIS = 10_000;
    private static final byte[] REQUEST = {
        'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1', '\r', '\n',
        'H', 'o', 's', 't', ':', ' ', 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', '\r', '\n',
        'C', 'o', 'n', 'n', 'e', 'c', 't', 'i', 'o', 'n', ':', ' ', 'c', 'l', 'o', 's', 'e', '\r', '\n',
        '\r', '\n'
    };

    private ColdStartProbe() {}

    public static void main(String[] args) throws Exception {
        long entry = System.nanoTime();
        long entryMillis = System.currentTimeMillis();
        String subject = args.length > 0 ? args[0] : "";
        long[] marks = new long[2];
        String outcome;
        switch (subject) {
            case "empty":
                outcome = "none";
                marks[0] = System.nanoTime();
                marks[1] = marks[0];
                break;
            case "serversocket":
                outcome = FloorSubject.run(marks);
                break;
            case "misbehave":
                outcome = MisbehaveSubject.run(marks);
                break;
            case "netty":
                outcome = NettySubject.run(marks);
                break;
            case "mockwebserver":
                outcome = MockWebServerSubject.run(marks);
                break;
            case "wiremock":
                outcome = WireMockSubject.run(marks);
                break;
            default:
                System.err.println("unknown subject '" + subject
                        + "': give one of empty, serversocket, misbehave, netty, mockwebserver, wiremock");
                System.exit(2);
                return;
        }
        // Only now the management classes: loaded after the measured span.
        long vmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        System.out.println(PREFIX + " subject=" + subject + " entryNanos=" + entry + " readyNanos=" + (marks[0] - entry)
                + " closedNanos=" + (marks[1] - entry) + " vmStartMillis=" + vmStart + " entryMillis=" + entryMillis
                + " classes=" + classes + " cpuNanos=" + cpu + " outcome=" + outcome);
        System.out.flush();
        // As a test JVM ends (Surefire's forked JVM calls exit too): lingering threads do not delay it.
        System.exit(0);
    }

    // ---- the subjects -----------------------------------------------------------------------------

    private static final class FloorSubject {
        static String run(long[] marks) throws IOException {
            String outcome;
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(loopback(), 0));
                try (Socket client = new Socket()) {
                    client.setSoTimeout(TIMEOUT_MILLIS);
                    // one thread: the connect completes in the kernel's backlog, before accept()
                    client.connect(server.getLocalSocketAddress(), TIMEOUT_MILLIS);
                    try (Socket accepted = server.accept()) {
                        accepted.setSoLinger(true, 0);
                    }
                    outcome = requestAndRead(client);
                    marks[0] = System.nanoTime();
                }
            }
            marks[1] = System.nanoTime();
            return outcome;
        }
    }

    private static final class MisbehaveSubject {
        static String run(long[] marks) throws IOException {
            String outcome;
            try (MisbehavingPeer peer = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 0))) {
                outcome = clientSeesFault(peer.port());
                marks[0] = System.nanoTime();
            }
            marks[1] = System.nanoTime();
            return outcome;
        }
    }

    private static final class NettySubject {
        static String run(long[] marks) throws Exception {
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            String outcome;
            try {
                Channel server = new ServerBootstrap()
                        .group(group)
                        .channel(NioServerSocketChannel.class)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel channel) {
                                channel.pipeline().addLast(new ResetOnActive());
                            }
                        })
                        .bind(new InetSocketAddress(loopback(), 0))
                        .sync()
                        .channel();
                outcome = clientSeesFault(((InetSocketAddress) server.localAddress()).getPort());
                marks[0] = System.nanoTime();
                server.close().sync();
            } finally {
                group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
            }
            marks[1] = System.nanoTime();
            return outcome;
        }

        /** Resets every accepted connection as soon as it is active. */
        private static final class ResetOnActive extends ChannelInboundHandlerAdapter {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                ctx.close();
            }
        }
    }

    private static final class MockWebServerSubject {
        static String run(long[] marks) throws IOException {
            String outcome;
            try (MockWebServer server = new MockWebServer()) {
                server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
                server.start(loopback(), 0);
                outcome = clientSeesFault(server.getPort());
                marks[0] = System.nanoTime();
            }
            marks[1] = System.nanoTime();
            return outcome;
        }
    }

    private static final class WireMockSubject {
        static String run(long[] marks) throws IOException {
            WireMockServer server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
            String outcome;
            server.start();
            try {
                server.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(
                        WireMock.aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));
                outcome = clientSeesFault(server.port());
                marks[0] = System.nanoTime();
            } finally {
                server.stop();
            }
            marks[1] = System.nanoTime();
            return outcome;
        }
    }

    // ---- the client -------------------------------------------------------------------------------

    /**
     * Connects, writes the request and reads until the connection ends: {@code reset} if the
     * connect, the write or a read failed with a reset (or a broken pipe, the reset's form on a later
     * write), {@code eof} at end-of-stream, {@code other:...} for anything else (the parent counts it
     * as a mismatch). Closes the client.
     */
    private static String clientSeesFault(int port) {
        try (Socket client = new Socket()) {
            client.setSoTimeout(TIMEOUT_MILLIS);
            client.connect(new InetSocketAddress(loopback(), port), TIMEOUT_MILLIS);
            return requestAndRead(client);
        } catch (IOException e) {
            return classify(e);
        }
    }

    private static String requestAndRead(Socket client) {
        try {
            OutputStream out = client.getOutputStream();
            out.write(REQUEST);
            out.flush();
            InputStream in = client.getInputStream();
            byte[] buffer = new byte[8192];
            while (in.read(buffer) >= 0) {
                // drain whatever comes before the end
            }
            return "eof";
        } catch (IOException e) {
            return classify(e);
        }
    }

    private static String classify(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof SocketException && (message.contains("reset") || message.contains("Broken pipe"))) {
            return "reset";
        }
        return "other:" + e.getClass().getSimpleName() + "/" + message.replace(' ', '_');
    }

    private static InetAddress loopback() throws IOException {
        return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
    }
}
