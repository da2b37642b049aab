package dev.misbehave.internal;

import dev.misbehave.Tls;
import javax.net.ssl.SSLEngine;

/** The peer's TLS engines, from a script's {@link Tls}. */
final class TlsEngines {

    /**
     * How many bytes of ciphertext one read of a TLS connection takes: a whole record of the
     * largest size (16 KiB of plaintext and its header, padding and tag).
     */
    static final int RECORD_READ = 16 * 1024 + 256 + 5;

    private TlsEngines() {}

    /** The name of the TLS handler in a connection's pipeline. */
    static final String HANDLER = "tls";

    /**
     * Puts TLS under the plan of an accepted connection: the TLS handler, then the {@link
     * PlaintextGate} that keeps the plan's reads exact. (Here, not in {@link NettyPeer}, so that a
     * JVM whose peers never use TLS never loads the TLS classes.)
     */
    static void install(PeerSocketChannel channel, Tls tls, PlanHandler plan) {
        PeerSslHandler ssl = new PeerSslHandler(server(tls));
        PlaintextGate gate = new PlaintextGate(plan::wanted, ssl);
        channel.tls(gate);
        // ciphertext a record at a time; the gate keeps the plaintext exact
        channel.config().setRecvByteBufAllocator(new ExactReadAllocator(() -> RECORD_READ));
        channel.pipeline().addLast(HANDLER, ssl).addLast(gate, plan);
    }

    /** A server-side engine with {@code tls}'s certificate. */
    static SSLEngine server(Tls tls) {
        SSLEngine engine = tls.serverContext().createSSLEngine();
        engine.setUseClientMode(false);
        return engine;
    }
}
