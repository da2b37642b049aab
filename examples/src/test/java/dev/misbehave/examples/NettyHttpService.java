package dev.misbehave.examples;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.WriteTimeoutException;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 service as a team would write it on its own Netty 4.1 (not the copy inside Misbehave):
 * {@code HttpServerCodec}, streaming, with the three timeouts a server facing the internet needs.
 *
 * <ul>
 *   <li>A <b>request deadline</b>: the whole request must arrive within {@link
 *       Timeouts#requestDeadline()} of the connection's start (or of the previous response's end), else the server closes the
 *       connection. A per-read timeout ({@code ReadTimeoutHandler}) never fires against a trickle of
 *       one byte every 100 ms, so the deadline is a close scheduled on the channel's event loop at
 *       {@code channelActive} and cancelled when the request's last byte has arrived.
 *   <li>A <b>write timeout</b> ({@code WriteTimeoutHandler}, {@link Timeouts#writeTimeout()}): a write that a
 *       client does not take (it stopped reading) fails with {@code WriteTimeoutException} and the
 *       handler closes the channel.
 *   <li>An <b>idle timeout</b> ({@code IdleStateHandler}, {@link Timeouts#idleTimeout()}): a connection that has
 *       neither read nor written for that long, with no request under way, is closed. Not a {@code
 *       ReadTimeoutHandler}: that one also closes a connection whose client is busy reading a long
 *       response and sends nothing meanwhile.
 * </ul>
 *
 * <p>{@code POST /upload} streams the body and commits it (here: keeps it) only once its last byte
 * has arrived, then answers {@code 201 Created}; a body cut short commits nothing and answers nothing
 * (the client is gone: no 500). {@code GET /export?bytes=N} asks a backend for the export's data
 * (asynchronously; {@link #holdBackend()} makes it slow) and then streams N bytes, one 64 KiB chunk at
 * a time as the channel becomes writable. {@code GET /hello} answers at once. The channel allows
 * half-closure (unless started with {@link #startWithNettyDefaults()}): a client that shuts its
 * output after its request still gets the whole response, then the server closes.
 *
 * <p>For the tests, the service records what happened: each handler's outcome ({@link
 * #nextOutcome}), what it committed, which responses it started, and, per connection, the events its
 * handlers saw, in order ({@link #awaitEvent}), and what closed it ({@link #closed}).
 */
final class NettyHttpService implements AutoCloseable {

    /**
     * The service's timeouts.
     *
     * @param requestDeadline the whole request must arrive within this, from the connection's start
     *     (or the previous response's end)
     * @param idleTimeout a connection with no request under way that neither reads nor writes for this
     *     long is closed
     * @param writeTimeout a write the client does not take within this fails, and the channel is closed
     */
    record Timeouts(Duration requestDeadline, Duration idleTimeout, Duration writeTimeout) {

        /** What the service runs with: 500 ms for the whole request, 250 ms idle, 500 ms per write. */
        static final Timeouts PRODUCTION = new Timeouts(Duration.ofMillis(500), Duration.ofMillis(250), Duration.ofMillis(500));

        /**
         * Nothing times out within a test: for a test of something else, or of one timeout alone, on a
         * machine that may stall a thread for a second (a shared CI runner): a client's request that
         * arrives late must not meet a timeout the test is not about.
         */
        static final Timeouts PATIENT = new Timeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60));

        Timeouts withRequestDeadline(Duration deadline) {
            return new Timeouts(deadline, idleTimeout, writeTimeout);
        }

        Timeouts withIdleTimeout(Duration timeout) {
            return new Timeouts(requestDeadline, timeout, writeTimeout);
        }

        Timeouts withWriteTimeout(Duration timeout) {
            return new Timeouts(requestDeadline, idleTimeout, timeout);
        }
    }

    private static final int CHUNK = 64 * 1024;
    private static final byte[] ZEROS = new byte[CHUNK];

    /**
     * One connection as the server saw it, once it was closed.
     *
     * @param client the client's address (a {@code ClientRecord}'s {@code localAddress()})
     * @param events what the handlers saw, in order: {@code channelActive}, {@code
     *     exceptionCaught(SocketException: Connection reset)}, {@code userEventTriggered(...)}, the
     *     application's {@code app: ...} steps, {@code close: <reason>} when the service closed it, and
     *     {@code channelInactive}
     * @param bytesRead the request bytes the server read
     * @param bytesWritten the response bytes whose writes completed (the kernel took them)
     * @param closedBy why the service closed it, or {@code "not the service"} (Netty closed it, on the
     *     end of the stream or a failed read)
     * @param openFor from {@code channelActive} to {@code channelInactive}
     */
    record Connection(InetSocketAddress client, List<String> events, long bytesRead, long bytesWritten,
            String closedBy, Duration openFor) {}

    /**
     * One response the service started.
     *
     * @param request its request's method and URI
     * @param status the status sent
     * @param openConnections the connections open then (accepted, and not closed yet)
     * @param closedConnections the connections closed before it
     */
    record Response(String request, int status, int openConnections, int closedConnections) {}

    private final Timeouts timeouts;
    private final EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("netty-http-boss", true));
    private final EventLoopGroup workers = new NioEventLoopGroup(2, new DefaultThreadFactory("netty-http-worker", true));
    private final Channel server;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger closedCount = new AtomicInteger();
    /** What GET /export waits for before it answers: the backend that produces the export's data. */
    private volatile CompletableFuture<Void> backend = CompletableFuture.completedFuture(null);
    /** The connections open now, by client address, for {@link #awaitEvent}. */
    private final ConcurrentMap<InetSocketAddress, List<String>> live = new ConcurrentHashMap<>();
    private final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
    private final List<byte[]> committed = new CopyOnWriteArrayList<>();
    private final List<Response> responses = new CopyOnWriteArrayList<>();
    private final ConcurrentMap<InetSocketAddress, CompletableFuture<Connection>> closed = new ConcurrentHashMap<>();

    private NettyHttpService(Timeouts timeouts, boolean allowHalfClosure) throws InterruptedException {
        this.timeouts = timeouts;
        server = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, allowHalfClosure)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        Conn conn = new Conn();
                        channel.pipeline().addLast(
                                new IdleStateHandler(0, 0, timeouts.idleTimeout().toNanos(), TimeUnit.NANOSECONDS),
                                new WriteTimeoutHandler(timeouts.writeTimeout().toNanos(), TimeUnit.NANOSECONDS),
                                new Guard(conn),
                                new HttpServerCodec(),
                                new App(conn));
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    /** Starts the service on an ephemeral loopback port. */
    static NettyHttpService start(Timeouts timeouts) throws InterruptedException {
        return new NettyHttpService(timeouts, true);
    }

    /**
     * Starts the service with Netty's default {@code ALLOW_HALF_CLOSURE} (false): the end of a
     * client's stream closes the channel at once, whatever the handlers were still doing.
     */
    static NettyHttpService startWithNettyDefaults(Timeouts timeouts) throws InterruptedException {
        return new NettyHttpService(timeouts, false);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** The next handler outcome ("committed 1000 bytes", "upload aborted ...", "exported ..."), or null after {@code wait}. */
    String nextOutcome(Duration wait) throws InterruptedException {
        return outcomes.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The bodies committed so far. */
    List<byte[]> committed() {
        return List.copyOf(committed);
    }

    /** The responses started so far. */
    List<Response> responses() {
        return List.copyOf(responses);
    }

    /** The statuses of the responses started so far. */
    List<Integer> statuses() {
        return responses.stream().map(Response::status).toList();
    }

    /** The connections open now. */
    int openConnections() {
        return open.get();
    }

    /**
     * The connection from {@code client} once the server has closed it (its {@code channelInactive}),
     * waiting at most {@code wait}.
     *
     * @throws java.util.concurrent.TimeoutException if it is still open after {@code wait}
     */
    Connection closed(InetSocketAddress client, Duration wait) throws Exception {
        return closedFuture(client).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<Connection> closedFuture(InetSocketAddress client) {
        return closed.computeIfAbsent(client, any -> new CompletableFuture<>());
    }

    /**
     * Waits, at most {@code wait}, until the connection from {@code client} has seen {@code event} (one
     * of {@link Connection#events()}'s entries), open or closed since.
     *
     * @throws AssertionError if it has not after {@code wait}, with the events so far
     */
    void awaitEvent(InetSocketAddress client, String event, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (live) {
            while (!eventsOf(client).contains(event)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no '" + event + "' on the connection from " + client + " after "
                            + wait.toMillis() + " ms; its events: " + eventsOf(client));
                }
                TimeUnit.NANOSECONDS.timedWait(live, left);
            }
        }
    }

    private List<String> eventsOf(InetSocketAddress client) {
        CompletableFuture<Connection> gone = closed.get(client);
        if (gone != null && gone.isDone()) {
            return gone.join().events();
        }
        return List.copyOf(live.getOrDefault(client, List.of()));
    }

    /**
     * Makes the backend behind {@code GET /export} slow: exports requested from now on start their
     * response only when the returned future is completed (by the test).
     */
    CompletableFuture<Void> holdBackend() {
        CompletableFuture<Void> held = new CompletableFuture<>();
        backend = held;
        return held;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private enum Phase { WAITING, REQUEST, RESPONDING }

    /** One connection's state; used on its event loop only (the events list is read by the tests, too). */
    private final class Conn {
        private final List<String> events = new CopyOnWriteArrayList<>();
        private Phase phase = Phase.WAITING;
        private ScheduledFuture<?> deadline;
        private boolean inputShutdown;
        private long activeAt;
        private long bytesRead;
        private long bytesWritten;
        private String closedBy;
        /** The first exception seen, or null. */
        private Throwable failure;

        void log(String event) {
            events.add(event);
            synchronized (live) {
                live.notifyAll();
            }
        }

        void close(ChannelHandlerContext ctx, String reason) {
            if (closedBy == null) {
                closedBy = reason;
                log("close: " + reason);
            }
            ctx.close();
        }

        void armDeadline(ChannelHandlerContext ctx) {
            deadline = ctx.executor().schedule(() -> {
                log("request deadline");
                close(ctx, "request deadline");
            }, timeouts.requestDeadline().toNanos(), TimeUnit.NANOSECONDS);
        }

        void requestComplete() {
            deadline.cancel(false);
            phase = Phase.RESPONDING;
        }

        void responseComplete(ChannelHandlerContext ctx, boolean keepAlive) {
            if (!keepAlive) {
                close(ctx, "response sent, Connection: close");
            } else if (inputShutdown) {
                close(ctx, "response sent, the client had half-closed");
            } else {
                phase = Phase.WAITING;
                armDeadline(ctx);
            }
        }

        /** What ended the connection, for an outcome: the first exception, or the end of the stream. */
        String endCause() {
            if (failure != null) {
                return failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
            }
            return closedBy != null ? closedBy : inputShutdown ? "end of stream" : "channel closed";
        }
    }

    /** Before the codec: sees the bytes, the timeouts, the transport's events; runs the deadline. */
    private final class Guard extends ChannelDuplexHandler {
        private final Conn conn;
        private InetSocketAddress client;

        Guard(Conn conn) {
            this.conn = conn;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            client = (InetSocketAddress) ctx.channel().remoteAddress();
            live.put(client, conn.events);
            open.incrementAndGet();
            conn.activeAt = System.nanoTime();
            conn.log("channelActive");
            conn.armDeadline(ctx);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                conn.bytesRead += bytes.readableBytes();
                if (conn.phase == Phase.WAITING) {
                    conn.phase = Phase.REQUEST;
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            conn.log("userEventTriggered(" + (event instanceof IdleStateEvent idle
                    ? "IdleStateEvent " + idle.state() : event.getClass().getSimpleName()) + ")");
            ctx.fireUserEventTriggered(event); // the codec finishes what it was decoding first
            if (event instanceof IdleStateEvent && conn.phase == Phase.WAITING) {
                conn.close(ctx, "idle timeout");
            } else if (event instanceof ChannelInputShutdownEvent) {
                conn.inputShutdown = true;
                if (conn.phase == Phase.WAITING) {
                    conn.close(ctx, "end of stream, no request");
                } else if (conn.phase == Phase.REQUEST) {
                    conn.close(ctx, "end of stream mid-request");
                } // RESPONDING: the response goes on; responseComplete closes
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            conn.log("exceptionCaught(" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")");
            if (conn.failure == null) {
                conn.failure = cause;
            }
            conn.close(ctx, cause instanceof WriteTimeoutException ? "write timeout" : "exception");
            ctx.fireExceptionCaught(cause); // the application records what it was doing
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                int length = bytes.readableBytes();
                promise = promise.unvoid();
                promise.addListener(written -> {
                    if (written.isSuccess()) {
                        conn.bytesWritten += length;
                    }
                });
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            conn.log("channelInactive");
            conn.deadline.cancel(false);
            open.decrementAndGet();
            closedCount.incrementAndGet();
            ctx.fireChannelInactive();
            closedFuture(client).complete(new Connection(client, List.copyOf(conn.events), conn.bytesRead,
                    conn.bytesWritten, conn.closedBy == null ? "not the service" : conn.closedBy,
                    Duration.ofNanos(System.nanoTime() - conn.activeAt)));
            live.remove(client);
            synchronized (live) {
                live.notifyAll();
            }
        }
    }

    /** After the codec: the application's endpoints. */
    private final class App extends ChannelInboundHandlerAdapter {
        private final Conn conn;
        private HttpRequest request;
        private boolean keepAlive;
        private ByteArrayOutputStream body;
        private long declared;
        private long exportTotal;
        private long exportQueued;
        private boolean exporting;
        private boolean lastQueued;

        App(Conn conn) {
            this.conn = conn;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
            try {
                if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
                    conn.log("app: decoder failure " + object.decoderResult().cause());
                    conn.close(ctx, "bad request"); // nothing to answer on a connection cut mid-request
                    return;
                }
                if (msg instanceof HttpRequest head) {
                    request = head;
                    keepAlive = HttpUtil.isKeepAlive(head);
                    declared = HttpUtil.getContentLength(head, 0L);
                    body = new ByteArrayOutputStream();
                    conn.log("app: " + head.method() + " " + head.uri());
                }
                if (msg instanceof HttpContent content && body != null) {
                    content.content().readBytes(body, content.content().readableBytes());
                }
                if (msg instanceof LastHttpContent && request != null) {
                    conn.log("app: LastHttpContent");
                    conn.requestComplete();
                    handle(ctx);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void handle(ChannelHandlerContext ctx) {
            HttpRequest head = request;
            byte[] received = body.toByteArray();
            request = null;
            body = null;
            QueryStringDecoder uri = new QueryStringDecoder(head.uri());
            if (head.method().equals(HttpMethod.POST) && uri.path().equals("/upload")) {
                committed.add(received); // the whole body is here: commit it
                respond(ctx, head, HttpResponseStatus.CREATED, "stored " + received.length + " bytes\n");
                outcomes.add("committed " + received.length + " bytes");
            } else if (head.method().equals(HttpMethod.GET) && uri.path().equals("/export")) {
                long bytes = Long.parseLong(uri.parameters().get("bytes").get(0));
                boolean keep = keepAlive;
                backend.whenComplete((ready, failure) -> ctx.executor().execute(() -> {
                    if (ctx.channel().isActive()) {
                        export(ctx, head, bytes, keep);
                    } else {
                        outcomes.add("export of " + bytes + " bytes dropped: the channel closed before the backend answered");
                    }
                }));
            } else if (head.method().equals(HttpMethod.GET) && uri.path().equals("/hello")) {
                respond(ctx, head, HttpResponseStatus.OK, "hello\n");
                outcomes.add("said hello");
            } else {
                respond(ctx, head, HttpResponseStatus.NOT_FOUND, "not found\n");
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest head, HttpResponseStatus status, String text) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
            HttpUtil.setContentLength(response, response.content().readableBytes());
            HttpUtil.setKeepAlive(response, keepAlive);
            responses.add(new Response(head.method() + " " + head.uri(), status.code(), open.get(), closedCount.get()));
            boolean keep = keepAlive;
            ctx.writeAndFlush(response).addListener(sent -> {
                if (sent.isSuccess()) {
                    conn.responseComplete(ctx, keep);
                }
            });
        }

        private void export(ChannelHandlerContext ctx, HttpRequest head, long bytes, boolean keepAlive) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
            HttpUtil.setContentLength(response, bytes);
            HttpUtil.setKeepAlive(response, keepAlive);
            this.keepAlive = keepAlive;
            responses.add(new Response(head.method() + " " + head.uri(), 200, open.get(), closedCount.get()));
            exportTotal = bytes;
            exportQueued = 0;
            lastQueued = false;
            exporting = true;
            ctx.write(response);
            pump(ctx);
        }

        /** Writes chunks while the channel is writable; channelWritabilityChanged resumes. */
        private void pump(ChannelHandlerContext ctx) {
            while (exporting && !lastQueued && exportQueued < exportTotal && ctx.channel().isWritable()) {
                int length = (int) Math.min(CHUNK, exportTotal - exportQueued);
                exportQueued += length;
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(ZEROS, 0, length)));
            }
            if (exporting && !lastQueued && exportQueued == exportTotal) {
                lastQueued = true;
                boolean keep = keepAlive;
                ctx.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(sent -> {
                    if (sent.isSuccess()) {
                        exporting = false;
                        outcomes.add("exported " + exportTotal + " bytes");
                        conn.responseComplete(ctx, keep);
                    }
                });
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                pump(ctx);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // The guard logged it and closed the channel; channelInactive records what was cut short.
            // No 500: the client is gone, or is not reading.
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (request != null && body != null) {
                conn.log("app: upload aborted");
                outcomes.add("upload aborted after " + body.size() + " of " + declared + " body bytes: " + conn.endCause());
            } else if (exporting) {
                conn.log("app: export failed");
                outcomes.add("export of " + exportTotal + " bytes failed after " + conn.bytesWritten + " response bytes: "
                        + conn.endCause());
            }
            request = null;
            body = null;
            exporting = false;
            ctx.fireChannelInactive();
        }
    }
}
