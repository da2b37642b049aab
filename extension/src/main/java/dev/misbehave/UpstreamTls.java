package dev.misbehave;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS a terminating proxy speaks to its server: which certificates it trusts. Give it to a
 * forwarding script with {@link Script.Forward#withUpstreamTls(UpstreamTls)}.
 *
 * <p>{@link #trusting(KeyStore)} verifies the server as an HTTPS client does: its chain against the
 * store's certificates, and its host name against the host the script forwards to (an IP address
 * against the certificate's IP addresses). {@link #trustingAll()} checks nothing, for a server with
 * a throwaway certificate that the test does not care to trust.
 *
 * <p>Immutable and thread-safe.
 */
public final class UpstreamTls {

    private final SSLContext context;
    private final boolean verifiesHostName;
    private final String description;

    private UpstreamTls(SSLContext context, boolean verifiesHostName, String description) {
        this.context = context;
        this.verifiesHostName = verifiesHostName;
        this.description = description;
    }

    /**
     * Trusts the trusted certificate entries of {@code trustStore}, and checks the server's host
     * name.
     *
     * @param trustStore the certificates to trust, for example {@link Tls#trustStore()} of the
     *     server's own {@link Tls}, or a store loaded from the server's CA file
     * @return the upstream TLS
     * @throws IllegalArgumentException if the store holds no certificate, or cannot be read
     */
    public static UpstreamTls trusting(KeyStore trustStore) {
        Objects.requireNonNull(trustStore, "trustStore");
        int certificates = 0;
        try {
            for (String alias : java.util.Collections.list(trustStore.aliases())) {
                if (trustStore.isCertificateEntry(alias)) {
                    certificates++;
                }
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            if (certificates == 0) {
                throw new IllegalArgumentException("the trust store holds no trusted certificate entry, so the proxy"
                        + " would trust no server. Put the server's certificate or its authority in it"
                        + " (KeyStore.setCertificateEntry), or use UpstreamTls.trustingAll().");
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return new UpstreamTls(context, true, "trusting " + certificates + " certificate"
                    + (certificates == 1 ? "" : "s") + ", host name checked");
        } catch (KeyStoreException e) {
            throw new IllegalArgumentException("the trust store cannot be read: " + e.getMessage()
                    + ". Load it (KeyStore.load) before giving it.", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK could not make a client SSLContext from the trust store", e);
        }
    }

    /**
     * Trusts any certificate the server presents, for any host name. Faults still count plaintext;
     * only the server's identity goes unchecked.
     *
     * @return the upstream TLS
     */
    public static UpstreamTls trustingAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustingAll()}, null);
            return new UpstreamTls(context, false, "trusting any certificate");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK could not make a client SSLContext", e);
        }
    }

    /**
     * The context the proxy's TLS connections to its server run with.
     *
     * @return the context
     */
    public SSLContext clientContext() {
        return context;
    }

    /**
     * Whether the proxy checks the server's host name (only {@link #trusting(KeyStore)} does).
     *
     * @return true if it does
     */
    public boolean verifiesHostName() {
        return verifiesHostName;
    }

    /** {@code upstream TLS (trusting 1 certificate, host name checked)}, {@code upstream TLS (trusting any certificate)}. */
    @Override
    public String toString() {
        return "upstream TLS (" + description + ")";
    }

    /** Accepts every chain. */
    private static final class TrustingAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // the proxy is the client of this connection: never asked
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // trusts every server, as asked
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
