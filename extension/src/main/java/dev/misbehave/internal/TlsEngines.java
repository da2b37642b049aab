package dev.misbehave.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.misbehave.Fault;
import dev.misbehave.HandshakeStage;
import dev.misbehave.Tls;
import dev.misbehave.TlsRecord;
import dev.misbehave.Trigger;
import dev.misbehave.UpstreamTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/** The peer's TLS engines, from a script's {@link Tls}. */
final class TlsEngines {

    /**
     * How many bytes of ciphertext one read of a TLS connection takes: a whole record of the
     * largest size (16 KiB of plaintext and its header, padding and tag).
     */
    static final int RECORD_READ = 16 * 1024 + 256 + 5;

    private TlsEngines() {}

    /** Stands for a handshake cut short by the connection's end, with no failure of its own. */
    private static final Throwable NOT_COMPLETED = new IllegalStateException("the connection ended first");

    /** The name of the TLS handler in a connection's pipeline. */
    static final String HANDLER = "tls";

    /**
     * Puts TLS under the plan of an accepted connection: the TLS handler, then the {@link
     * PlaintextGate} that keeps the plan's reads exact. (Here, not in {@link NettyPeer}, so that a
     * JVM whose peers never use TLS never loads the TLS classes.)
     */
    static void install(PeerSocketChannel channel, Tls tls, PlanHandler plan, Journal.Entry entry, Fault fault,
            java.time.Duration closeTimeout) {
        SSLEngine engine = server(tls);
        List<List<String>> offered = new ArrayList<>(1); // what the client offered with ALPN, once it has
        engine.setHandshakeApplicationProtocolSelector((e, protocols) -> {
            offered.add(List.copyOf(protocols));
            return choose(tls.applicationProtocols(), protocols);
        });
        PeerSslHandler ssl = new PeerSslHandler(engine);
        PlaintextGate gate = new PlaintextGate(plan::wanted, ssl);
        HandshakeWatch watch = new HandshakeWatch(
                fault != null && fault.trigger() instanceof Trigger.OnHandshake ? fault : null, entry, ssl, gate,
                closeTimeout);
        ssl.handshakeFuture().addListener(handshake -> entry.tls(facts(engine,
                offered.isEmpty() ? List.of() : offered.get(0), watch.reached(), handshake.cause(), entry.ended())));
        entry.tlsSoFar(() -> { // the connection ends before the handshake's outcome is known
            boolean completed = ssl.handshakeFuture().isSuccess();
            return facts(engine, offered.isEmpty() ? List.of() : offered.get(0), watch.reached(),
                    completed ? null : NOT_COMPLETED, true);
        });
        channel.tls(gate);
        // ciphertext a record at a time; the gate keeps the plaintext exact
        channel.config().setRecvByteBufAllocator(new ExactReadAllocator(() -> RECORD_READ));
        channel.pipeline().addLast(watch).addLast(HANDLER, ssl).addLast(gate, plan);
    }

    /**
     * The peer's ALPN choice: the first of its own protocols that the client offers; "" (none) if it
     * has none, or the client offered none; null (a {@code no_application_protocol} alert) if the
     * client offered only others. With none of its own, a client that offers h2 and http/1.1 speaks
     * HTTP/1.1.
     */
    private static String choose(List<String> own, List<String> offered) {
        if (own.isEmpty() || offered.isEmpty()) {
            return "";
        }
        return own.stream().filter(offered::contains).findFirst().orElse(null);
    }

    /**
     * What the handshake settled; {@code failure} is null if it completed. A handshake cut short by
     * the connection's own end (a fault, the client's close) is "not completed", with no failure.
     */
    private static TlsRecord facts(SSLEngine engine, List<String> offered, HandshakeStage reached, Throwable failure,
            boolean ended) {
        SSLSession session = engine.getHandshakeSession() != null ? engine.getHandshakeSession() : engine.getSession();
        String sni = null;
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    sni = host.getAsciiName();
                }
            }
        }
        if (failure == null) {
            String chosen = engine.getApplicationProtocol();
            return Records.tls(HandshakeStage.COMPLETED, session.getProtocol(), session.getCipherSuite(), sni, offered,
                    chosen == null || chosen.isEmpty() ? null : chosen, null);
        }
        return Records.tls(reached == HandshakeStage.COMPLETED ? HandshakeStage.SERVER_FLIGHT : reached, null, null,
                sni, offered, null, ended ? null : tlsReason(failure));
    }

    /**
     * The TLS implementation's words for a failure of TLS itself (the first {@link SSLException} of
     * the cause chain); null when the connection simply closed during the handshake (the JDK 17
     * {@code HttpClient} closes without an alert when it does not trust the certificate).
     */
    private static String tlsReason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            }
        }
        return null;
    }

    /** Whether {@code cause}, caught on a TLS connection, is a failure of TLS (a handshake or a record). */
    static boolean isTlsFailure(Throwable cause) {
        return tlsReason(cause) != null || cause instanceof DecoderException; // for one, bytes that are no TLS record
    }

    /** Whether the client ended the handshake with a fatal alert (it rejected the peer's certificate, say). */
    static boolean alertReceived(Throwable cause) {
        String reason = tlsReason(cause);
        return reason != null && reason.contains("Received fatal alert"); // JDK 25 puts "(name) " first
    }

    /**
     * Closes a TLS connection with a FIN and no {@code close_notify}: the TLS handler, whose close
     * would send it, is taken out first. Every record written before stays written.
     */
    static void closeWithoutCloseNotify(Channel channel) {
        if (channel.pipeline().get(HANDLER) != null) {
            channel.pipeline().remove(HANDLER);
        }
        channel.close();
    }

    /** The plaintext of the record {@link #writeCorruptRecord} corrupts: the client never reads it. */
    private static final byte[] CORRUPTED_PLAINTEXT = "misbehave: this record is corrupted".getBytes(US_ASCII);

    /**
     * Writes one record through the TLS handler of {@code plan}'s connection with the last byte of
     * its ciphertext (of the authentication tag) flipped, then runs {@code then} once the kernel has
     * it. The record's plaintext is the peer's own, so the journal counts none of it as sent.
     */
    static void writeCorruptRecord(ChannelHandlerContext plan, Runnable then) {
        ChannelPipeline pipeline = plan.pipeline();
        if (pipeline.get(HANDLER) == null || !plan.channel().isActive()) {
            then.run();
            return;
        }
        pipeline.addBefore(HANDLER, "corrupt", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof ByteBuf record && record.isReadable()) {
                    int last = record.writerIndex() - 1;
                    record.setByte(last, record.getByte(last) ^ 0x01);
                    ctx.pipeline().remove(this); // one record only
                }
                ctx.write(msg, promise);
            }
        });
        plan.writeAndFlush(Unpooled.wrappedBuffer(CORRUPTED_PLAINTEXT)).addListener(written -> then.run());
    }

    /**
     * Puts TLS under a terminating proxy's connection to its server (before the connect): a
     * client-side engine trusting what {@code tls} says, checking the host name of {@code server}
     * if it says so, and offering {@code applicationProtocols} by ALPN.
     */
    static void installUpstream(Channel leg, UpstreamTls tls, List<String> applicationProtocols,
            InetSocketAddress server) {
        SSLEngine engine = tls.clientContext().createSSLEngine(server.getHostString(), server.getPort());
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        if (tls.verifiesHostName()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!applicationProtocols.isEmpty()) {
            parameters.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        }
        engine.setSSLParameters(parameters);
        leg.config().setRecvByteBufAllocator(new ExactReadAllocator(() -> RECORD_READ));
        leg.pipeline().addLast(HANDLER, new SslHandler(engine));
    }

    /** The handshake of {@code channel}'s TLS handler. */
    static Future<Channel> handshake(Channel channel) {
        return ((SslHandler) channel.pipeline().get(HANDLER)).handshakeFuture();
    }

    /** Why a handshake failed, in TLS's words, else the failure's own. */
    static String handshakeFailure(Throwable failure) {
        String reason = tlsReason(failure);
        if (reason != null) {
            return reason;
        }
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }

    /** Whether {@code event} says the other side sent {@code close_notify}. */
    static boolean isCloseNotify(Object event) {
        return event instanceof SslCloseCompletionEvent close && close.isSuccess();
    }

    /**
     * Sends {@code close_notify} on {@code channel}, which stays open: the FIN is the caller's. The
     * future is done once it is written (at once, if the channel has no TLS handler).
     */
    static Future<?> closeNotify(Channel channel) {
        ChannelHandler ssl = channel.pipeline().get(HANDLER);
        return ssl == null ? channel.newSucceededFuture() : ((SslHandler) ssl).closeOutbound();
    }

    /** A server-side engine with {@code tls}'s certificate. */
    static SSLEngine server(Tls tls) {
        SSLEngine engine = tls.serverContext().createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(tls.clientCertificateRequired());
        return engine;
    }
}
