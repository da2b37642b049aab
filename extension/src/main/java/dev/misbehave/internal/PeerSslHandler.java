package dev.misbehave.internal;

import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLEngine;

/**
 * Netty's TLS handler over the JDK's {@link SSLEngine}, able to say how many bytes of a record not
 * yet complete it holds, for {@link PlaintextGate#pendingBytes()}.
 */
final class PeerSslHandler extends SslHandler {

    PeerSslHandler(SSLEngine engine) {
        super(engine);
    }

    /** The ciphertext {@code ssl} holds and has not decrypted yet (a record not yet complete). Call on the event loop. */
    static int undecoded(SslHandler ssl) {
        return ssl instanceof PeerSslHandler peer ? peer.actualReadableBytes() : 0;
    }
}
