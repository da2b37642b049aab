package dev.misbehave;

/**
 * A fatal TLS alert the peer sends in answer to the ClientHello, instead of its ServerHello, as a
 * server that refuses the handshake does: {@link Effect#alert(TlsAlert)}, or {@link
 * ForceCloseAfter#alert()}.
 * Each is the alert a real server sends for the reason its name gives (RFC 8446, section 6.2).
 */
public enum TlsAlert {

    /** Not an alert: the default of {@link ForceCloseAfter#alert()}, a close without one. */
    NONE(-1, "none"),

    /** 40: no acceptable set of security parameters, for example no cipher suite in common. */
    HANDSHAKE_FAILURE(40, "handshake_failure"),

    /** 42: a certificate was corrupt or did not verify. */
    BAD_CERTIFICATE(42, "bad_certificate"),

    /** 70: the protocol version the client offered is recognised but not supported. */
    PROTOCOL_VERSION(70, "protocol_version"),

    /** 112: the server has no certificate for the host name the client sent with SNI. */
    UNRECOGNIZED_NAME(112, "unrecognized_name"),

    /** 120: the server supports none of the application protocols the client offered with ALPN. */
    NO_APPLICATION_PROTOCOL(120, "no_application_protocol");

    private final int code;
    private final String words;

    TlsAlert(int code, String words) {
        this.code = code;
        this.words = words;
    }

    /**
     * The alert's description code, as it goes on the wire.
     *
     * @return for example 40 for {@link #HANDSHAKE_FAILURE}; -1 for {@link #NONE}
     */
    public int code() {
        return code;
    }

    /** The alert's name in the RFC and in the JDK's messages: {@code handshake_failure}. */
    @Override
    public String toString() {
        return words;
    }
}
