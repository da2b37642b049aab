import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * DeliverySignals' optional row: a loopback connection accepted by Netty's native epoll transport,
 * read through EpollSocketChannel.tcpInfo(). tcp_info's unacked counts segments, and Netty's
 * EpollTcpInfo has no notsent_bytes, so this signal cannot see bytes held back by a zero window.
 * Loaded by name, so DeliverySignals runs without Netty on the class path.
 */
public final class EpollProbe {

    /** A Socket that becomes unreachable is closed by its cleaner. */
    private static final java.util.List<Object> KEEP = new java.util.ArrayList<>();

    private EpollProbe() {}

    public static DeliverySignals.Signal start() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        CompletableFuture<EpollSocketChannel> accepted = new CompletableFuture<>();
        Channel listener = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<EpollSocketChannel>() {
                    @Override
                    protected void initChannel(EpollSocketChannel channel) {
                        accepted.complete(channel);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Socket client = new Socket();
        client.connect(listener.localAddress());
        EpollSocketChannel peer = accepted.get(10, TimeUnit.SECONDS);
        EpollTcpInfo info = new EpollTcpInfo();
        // a stalled client: 8 MiB the client does not read; the kernel holds what Netty could hand it
        peer.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(new byte[8 << 20]));
        for (int i = 0; i < 100 && peer.isWritable(); i++) {
            Thread.sleep(10); // a measurement program: let the queue settle
        }
        Thread.sleep(200);
        peer.tcpInfo(info);
        System.out.printf("Netty epoll connection %s, fd %d (public API), stalled client: tcpInfo unacked %d segments,"
                + " lastDataSent %d ms ago; the kernel still holds unsent bytes that EpollTcpInfo cannot show%n",
                peer, peer.fd().intValue(), info.unacked(), info.lastDataSent());
        client.getInputStream().readNBytes(8 << 20);
        KEEP.add(client);
        return () -> {
            peer.tcpInfo(info);
            return info.unacked(); // segments, not bytes
        };
    }
}
