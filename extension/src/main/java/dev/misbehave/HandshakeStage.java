package dev.misbehave;

/**
 * A stage of the TLS handshake of a peer that terminates TLS ({@link Script#withTls(Tls)}), as a
 * trigger: {@link Trigger#onHandshake(HandshakeStage)}, or the {@code handshake} attribute of the
 * fault annotations. A fault at a stage acts on the connection's TLS bytes as a server that fails
 * there would: a reset or a close cuts the handshake, a stall stops it, garbage is written as it
 * is, and an alert is sent as a TLS alert record.
 */
public enum HandshakeStage {

    /** Not a stage: the fault annotations' default, for a fault with another trigger. */
    NONE("none"),

    /**
     * The client's ClientHello has arrived whole, and the peer has neither processed it nor sent
     * anything: the client waits for the ServerHello.
     */
    CLIENT_HELLO("on the TLS ClientHello"),

    /**
     * The peer has sent its first flight (in TLS 1.3, ServerHello through its Finished; in TLS 1.2,
     * through ServerHelloDone) and processes nothing more the client sends: the client has the
     * peer's certificate and has sent, or is sending, its own answer.
     */
    SERVER_FLIGHT("after the TLS server flight"),

    /**
     * The handshake has completed on the peer's side, and no application byte has been sent or
     * consumed.
     */
    COMPLETED("after the TLS handshake");

    private final String words;

    HandshakeStage(String words) {
        this.words = words;
    }

    /** The stage as a trigger reads: {@code on the TLS ClientHello}. */
    @Override
    public String toString() {
        return words;
    }
}
