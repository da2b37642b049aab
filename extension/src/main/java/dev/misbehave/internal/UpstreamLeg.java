package dev.misbehave.internal;

import dev.misbehave.Script;
import dev.misbehave.Tls;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The second leg of a forwarded connection: the peer's connection to the real server. Runs on the
 * event loop of the client's connection, so the two legs never race. Reads while {@link Proxied}
 * asks for more, and writes one piece at a time; whatever happens to the server's side
 * (data, FIN, RST) is handed to {@link Proxied}, which decides what the client sees.
 */
final class UpstreamLeg extends ChannelInboundHandlerAdapter {

    /** How long a connect to the server may take before the server counts as unreachable. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    /** What the client's side of the connection does with the server's events. */
    interface Proxied {
        /** How many bytes the client's side can take now: no read of the server is larger. */
        int room();

        /** The connect succeeded: start moving bytes. */
        void upstreamConnected();

        /** The server could not be reached; the journal already says why. */
        void upstreamUnreachable();

        /**
         * The server sent these bytes (the leg reads again only when asked). The buffer is the
         * receiver's: it writes or releases it.
         */
        void fromServer(ByteBuf bytes);

        /** The last piece written to the server was taken by the kernel. */
        void upstreamWritten();

        /** The server closed its side (FIN). */
        void serverClosed();

        /** The server reset the connection (RST), or writing to it failed. */
        void serverReset();
    }

    private final Journal.Entry entry;
    private final Proxied proxied;
    /** The TLS to speak to the server; null for plain TCP. */
    private final UpstreamTls tls;
    /** The ALPN protocols to offer the server over {@link #tls}. */
    private final List<String> applicationProtocols;

    private SocketChannel channel;
    /** Whether {@link Proxied} asked for more since the last piece it was handed. */
    private boolean wanted;
    private boolean reading = true;
    private boolean writeInFlight;
    private boolean shutdownAfterWrite;
    private boolean sendCloseNotify;
    private boolean reset;
    private boolean closedByPeer;
    /** The TLS handshake with the server is under way: its outcome, not the channel's events, decides. */
    private boolean handshaking;
    /** The server sent {@code close_notify}. */
    private boolean serverCloseNotify;

    UpstreamLeg(Journal.Entry entry, Proxied proxied, Script script) {
        this.entry = entry;
        this.proxied = proxied;
        this.tls = script.upstreamTls().orElse(null);
        this.applicationProtocols = script.tls().map(Tls::applicationProtocols).orElse(List.of());
    }

    /**
     * Connects to {@code address} on {@code loop}; the outcome reaches {@link Proxied}. {@code
     * route} is the connection's way through the peers of this JVM: a leg to another forwarding
     * peer passes it on ({@link Loops}).
     */
    void connect(EventLoop loop, InetSocketAddress address, Loops.Route route) {
        entry.upstream(address);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.ALLOCATOR, ProxyBuffers.SHARED)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new ExactReadAllocator(proxied::room, ProxyBuffers.SIZE, 16))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(tls == null ? this : new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel leg) {
                        TlsEngines.installUpstream(leg, tls, applicationProtocols, address);
                        leg.pipeline().addLast(UpstreamLeg.this);
                    }
                });
        if (Loops.forwardingPeerAt(address)) {
            // registered and bound at once: this runs on the loop the leg registers with
            ChannelFuture registered = bootstrap.register();
            channel = (SocketChannel) registered.channel();
            registered.addListener((ChannelFuture r) -> {
                if (r.isSuccess()) {
                    bindThenConnect(address, route);
                } else {
                    connected(address, r);
                }
            });
            return;
        }
        ChannelFuture connecting = bootstrap.connect(address);
        channel = (SocketChannel) connecting.channel();
        connecting.addListener((ChannelFuture f) -> connected(address, f));
    }

    /**
     * Binds the leg, records its local address with {@code route} for the peer it connects to, then
     * connects: the route is known before that peer can accept. If the bind fails, connects
     * without the route.
     */
    private void bindThenConnect(InetSocketAddress address, Loops.Route route) {
        channel.bind(Loops.source(address)).addListener((ChannelFuture bound) -> {
            if (bound.isSuccess()) {
                InetSocketAddress local = channel.localAddress();
                Loops.departing(local, route);
                channel.closeFuture().addListener(closed -> Loops.departed(local));
            }
            channel.connect(address).addListener((ChannelFuture f) -> connected(address, f));
        });
    }

    /** The connect's outcome: connected, reset at once, or unreachable. */
    private void connected(InetSocketAddress address, ChannelFuture f) {
        if (closedByPeer) {
            return; // the client's side ended while connecting; reset() has closed this leg
        }
        if (f.isSuccess() && channel.localAddress().equals(channel.remoteAddress())) {
            // TCP's simultaneous open: with nothing listening on the port, the kernel can pick
            // that same port as the connect's local port, and the socket connects to itself.
            entry.upstreamFailed("connect to " + Addresses.of(address)
                    + " failed: nothing listens there (the connect reached itself)");
            closedByPeer = true;
            Connections.abort(channel);
            proxied.upstreamUnreachable();
        } else if (f.isSuccess() && tls != null) {
            handshaking = true;
            TlsEngines.handshake(channel).addListener(handshake -> handshaken(address, handshake.cause()));
        } else if (f.isSuccess()) {
            entry.upstreamConnected();
            proxied.upstreamConnected();
        } else if (resetWhileConnecting(f.cause())) {
            // The server accepted and reset before the peer saw the connect complete: a reset,
            // not an unreachable server (what the server sent is gone with the RST).
            reset = true;
            entry.upstreamConnected();
            entry.upstreamEnd(UpstreamEnding.SERVER_RESET);
            proxied.serverReset();
        } else {
            entry.upstreamFailed("connect to " + Addresses.of(address) + " failed: " + describe(f.cause()));
            proxied.upstreamUnreachable();
        }
    }

    /** The TLS handshake's outcome: connected, or unreachable with TLS's reason ({@code failure}). */
    private void handshaken(InetSocketAddress address, Throwable failure) {
        handshaking = false;
        if (closedByPeer) {
            return; // the client's side ended meanwhile
        }
        if (failure == null) {
            entry.upstreamConnected();
            proxied.upstreamConnected();
            return;
        }
        entry.upstreamFailed("the TLS handshake with " + Addresses.of(address) + " failed: "
                + TlsEngines.handshakeFailure(failure));
        closedByPeer = true;
        Connections.abort(channel);
        proxied.upstreamUnreachable();
    }

    private static boolean resetWhileConnecting(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.SocketException && t.getMessage() != null
                    && t.getMessage().startsWith("Connection reset")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why a connect failed, in words, without the address (the journal names it once, in its own
     * form). Netty adds the address to a failure's text in the JDK's form: "Connection refused:
     * /127.0.0.1:1", "connection timed out after 5000 ms: 127.0.0.1/127.0.0.1:1".
     */
    static String describe(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "no answer within " + CONNECT_TIMEOUT_MILLIS + " ms (the connect timed out)";
        }
        // AbstractChannel$AnnotatedConnectException and its kin wrap the JDK's exception (matched
        // by simple name: the relocated jar renames Netty's packages)
        if (cause.getClass().getSimpleName().startsWith("Annotated") && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    /**
     * Asks for the next bytes from the server, unless reading stopped. Reading then goes on (Netty's
     * auto-read, several reads per wake-up of the event loop) for as long as {@link Proxied} asks
     * again while it is handed each piece; the first piece it does not ask again for pauses it.
     */
    void read() {
        if (reading && channel != null && channel.isActive() && !channel.isInputShutdown()) {
            wanted = true;
            if (!channel.config().isAutoRead()) {
                channel.config().setAutoRead(true); // reads now
            }
        }
    }

    /** Reads nothing more from the server (what it sends stays in its kernel buffers). */
    void stopReading() {
        reading = false;
        pause();
    }

    private void pause() {
        if (channel != null && channel.config().isAutoRead()) {
            channel.config().setAutoRead(false); // also withdraws a read asked for and not yet served
        }
    }

    /**
     * Forwards {@code bytes} to the server, taking over the buffer (the write releases it); {@link
     * Proxied#upstreamWritten()} follows.
     */
    void write(ByteBuf bytes) {
        int length = bytes.readableBytes();
        writeInFlight = true;
        channel.writeAndFlush(bytes).addListener((ChannelFuture f) -> {
            writeInFlight = false;
            if (!f.isSuccess()) {
                serverGone();
                return;
            }
            entry.upstreamSent(length);
            if (shutdownAfterWrite) {
                shutdownOutput();
            }
            proxied.upstreamWritten();
        });
    }

    /**
     * Passes the client's FIN on: shuts down the output to the server once the last write is done.
     * Over TLS, {@code close_notify} goes first if {@code closeNotify}: the client sent one, or spoke
     * plain TCP.
     */
    void shutdownOutputAfterWrites(boolean closeNotify) {
        sendCloseNotify = closeNotify && tls != null;
        if (writeInFlight) {
            shutdownAfterWrite = true;
        } else {
            shutdownOutput();
        }
    }

    private void shutdownOutput() {
        shutdownAfterWrite = false;
        if (!channel.isActive() || channel.isOutputShutdown()) {
            return;
        }
        if (sendCloseNotify) {
            TlsEngines.closeNotify(channel).addListener(sent -> {
                if (channel.isActive() && !channel.isOutputShutdown()) {
                    channel.shutdownOutput();
                    proxied.upstreamWritten(); // the FIN is passed on now: both legs may be done
                }
            });
        } else {
            channel.shutdownOutput();
        }
    }

    /**
     * Whether the client should see the server's end as a clean end of TLS ({@code close_notify}):
     * the server sent one, or spoke plain TCP, whose FIN is a clean end.
     */
    boolean serverEndedCleanly() {
        return tls == null || serverCloseNotify;
    }

    /** Whether the peer has passed the client's FIN on to the server. */
    boolean outputShut() {
        return channel != null && channel.isOutputShutdown();
    }

    /** Whether the server has closed its side (FIN). */
    boolean serverInputShut() {
        return channel != null && channel.isInputShutdown() && !reset;
    }

    /** Closes the leg with a FIN, recording {@code how} unless an ending is recorded already. */
    void close(UpstreamEnding how) {
        closedByPeer = true;
        entry.upstreamEnd(how);
        if (channel != null) {
            channel.close();
        }
    }

    /** Resets the leg (RST), recording {@link UpstreamEnding#PEER_RESET} unless an ending is recorded already. */
    void reset() {
        closedByPeer = true;
        entry.upstreamEnd(UpstreamEnding.PEER_RESET);
        if (channel != null) {
            Connections.abort(channel);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        wanted = false;
        entry.upstreamReceived(bytes.readableBytes());
        proxied.fromServer(bytes);
        if (!wanted) {
            pause(); // the client's side has enough waiting: the next read waits until it asks
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (tls != null && TlsEngines.isCloseNotify(event)) {
            serverCloseNotify = true;
            return;
        }
        if (event instanceof ChannelInputShutdownEvent && handshaking) {
            channel.close(); // the server hung up mid-handshake: the handshake fails, and says so
            return;
        }
        if (event instanceof ChannelInputShutdownEvent && !reset) {
            entry.upstreamEnd(UpstreamEnding.SERVER_CLOSED);
            proxied.serverClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (handshaking) {
            return; // the handshake's outcome says what happened
        }
        serverGone();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Closed by the peer (recorded already), or by an error reported through exceptionCaught.
        if (!handshaking && entry.upstreamEnding() == UpstreamEnding.OPEN) {
            serverGone();
        }
    }

    /** The server reset the connection, or it is gone in some other way: pass a reset on. */
    private void serverGone() {
        if (reset || closedByPeer) {
            return;
        }
        reset = true;
        entry.upstreamEnd(UpstreamEnding.SERVER_RESET);
        Connections.abort(channel);
        proxied.serverReset();
    }
}
