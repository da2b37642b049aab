package dev.misbehave;

import dev.misbehave.internal.Records;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the TLS handshake of a connection settled, as the peer saw it: part of the {@link
 * ConnectionRecord} of a peer that terminates TLS ({@link ConnectionRecord#tls()}). Immutable.
 */
public final class TlsRecord {

    static {
        Records.register(TlsRecord::new);
    }

    private final HandshakeStage reached;
    private final String protocol;
    private final String cipherSuite;
    private final String serverName;
    private final List<String> offered;
    private final String chosen;
    private final String failure;

    private TlsRecord(HandshakeStage reached, String protocol, String cipherSuite, String serverName, List<String> offered,
            String chosen, String failure) {
        this.reached = reached;
        this.protocol = protocol;
        this.cipherSuite = cipherSuite;
        this.serverName = serverName;
        this.offered = List.copyOf(offered);
        this.chosen = chosen;
        this.failure = failure;
    }

    /**
     * Whether the handshake completed.
     *
     * @return true once both sides finished it
     */
    public boolean handshakeCompleted() {
        return reached == HandshakeStage.COMPLETED;
    }

    /**
     * The last stage the handshake reached: {@link HandshakeStage#NONE} if the ClientHello never
     * arrived whole, {@link HandshakeStage#CLIENT_HELLO} if it did and the peer's first flight did
     * not go out whole, {@link HandshakeStage#SERVER_FLIGHT} if it did and the handshake did not
     * complete, {@link HandshakeStage#COMPLETED} if it completed.
     *
     * @return the stage
     */
    public HandshakeStage stageReached() {
        return reached;
    }

    /**
     * The protocol version agreed.
     *
     * @return for example {@code TLSv1.3}; empty unless the handshake completed
     */
    public Optional<String> protocol() {
        return Optional.ofNullable(protocol);
    }

    /**
     * The cipher suite agreed.
     *
     * @return for example {@code TLS_AES_256_GCM_SHA384}; empty unless the handshake completed
     */
    public Optional<String> cipherSuite() {
        return Optional.ofNullable(cipherSuite);
    }

    /**
     * The host name the client asked for with SNI (server name indication). Clients send it for a
     * host name, not for an IP address; the JDK's clients send it only for a name with a dot in it,
     * so not for {@code localhost}, unless the client sets it ({@code
     * SSLParameters.setServerNames}).
     *
     * @return the name, for example {@code localhost}; empty if the client sent none
     */
    public Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    /**
     * The application protocols the client offered with ALPN, in its order of preference.
     *
     * @return for example {@code [h2, http/1.1]}; empty if it offered none
     */
    public List<String> offeredApplicationProtocols() {
        return offered;
    }

    /**
     * The application protocol the peer chose with ALPN. The peer does not choose one, so that a
     * client that offers {@code h2} and {@code http/1.1} speaks HTTP/1.1 (the peer's script is
     * bytes, not HTTP/2 frames).
     *
     * @return the protocol; empty when none was chosen
     */
    public Optional<String> applicationProtocol() {
        return Optional.ofNullable(chosen);
    }

    /**
     * Why the handshake failed, in the words of the TLS implementation: for example {@code Received
     * fatal alert: certificate_unknown} when the client did not trust the peer's certificate.
     *
     * @return the reason; empty if the handshake completed, or if the connection ended before it
     *     could without a TLS error (the JDK 17 {@code HttpClient}, for one, closes the connection
     *     without an alert when it does not trust the certificate)
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * {@code TLSv1.3 TLS_AES_256_GCM_SHA384, SNI localhost, ALPN offered [h2, http/1.1]}, or {@code
     * TLS handshake failed (Received fatal alert: certificate_unknown), reached SERVER_FLIGHT}, or
     * {@code TLS handshake not completed, reached CLIENT_HELLO}.
     */
    @Override
    public String toString() {
        String sni = serverName == null ? "" : ", SNI " + serverName;
        String alpn = offered.isEmpty() ? "" : ", ALPN offered " + offered + (chosen == null ? "" : " chose " + chosen);
        if (handshakeCompleted()) {
            return protocol + " " + cipherSuite + sni + alpn;
        }
        String stage = reached == HandshakeStage.NONE ? "no ClientHello" : "reached " + reached.name();
        return (failure == null ? "TLS handshake not completed" : "TLS handshake failed (" + failure + ")") + ", "
                + stage + sni + alpn;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsRecord that
                && reached == that.reached
                && Objects.equals(protocol, that.protocol)
                && Objects.equals(cipherSuite, that.cipherSuite)
                && Objects.equals(serverName, that.serverName)
                && offered.equals(that.offered)
                && Objects.equals(chosen, that.chosen)
                && Objects.equals(failure, that.failure);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reached, protocol, cipherSuite, serverName, offered, chosen, failure);
    }
}
