package dev.misbehave;

import dev.misbehave.internal.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS a peer terminates: the certificate and private key it presents, and everything a client
 * needs to trust it. Give it to a script with {@link Script#withTls(Tls)}.
 *
 * <p>{@link #generated()} is the usual choice: a test certificate authority and a leaf certificate
 * for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, generated once per JVM with the JDK
 * alone (a few hundred milliseconds in a fresh JVM, most of it loading the JDK's cryptography; see
 * the performance page). A client verifies the peer, host name included, once it trusts
 * the authority: through {@link #clientContext()} or {@link #trustManager()} for a JVM client,
 * {@link #trustStore()} for one configured with a {@code KeyStore}, or the PEM file {@link
 * #authorityPem()} for one configured by a path (curl's {@code --cacert}, Python's {@code
 * ssl.create_default_context(cafile=...)}, a JDBC URL's {@code sslrootcert}). {@link #of(KeyStore,
 * char[])} brings the test's own certificate instead.
 *
 * <p>Immutable and thread-safe; the contexts and the PEM file are made on first use.
 */
public final class Tls {

    private static final char[] GENERATED_PASSWORD = "misbehave".toCharArray();

    private static final Map<Certificate, Tls> GENERATED = new ConcurrentHashMap<>();

    /** The PEM file of each authority, written once per JVM. */
    private static final Map<X509Certificate, Path> PEMS = new ConcurrentHashMap<>();

    private final KeyStore identity;
    private final char[] password;
    private final X509Certificate authority;
    private final String description;
    private final boolean clientCertificateRequired;
    private final List<String> applicationProtocols;
    private volatile SSLContext server;
    private volatile SSLContext client;

    private Tls(KeyStore identity, char[] password, X509Certificate authority, String description,
            boolean clientCertificateRequired) {
        this(identity, password, authority, description, clientCertificateRequired, List.of());
    }

    private Tls(KeyStore identity, char[] password, X509Certificate authority, String description,
            boolean clientCertificateRequired, List<String> applicationProtocols) {
        this.applicationProtocols = applicationProtocols;
        this.identity = identity;
        this.password = password;
        this.authority = authority;
        this.description = description;
        this.clientCertificateRequired = clientCertificateRequired;
    }

    /**
     * The certificate a generated {@link Tls} presents: a good one, or one that goes wrong on cue.
     * Every one of them is checked against the same test authority, {@link #authority()}, which a
     * client trusts through {@link #clientContext()}; so the handshake fails exactly as it would
     * against a server with that certificate.
     */
    public enum Certificate {
        /** A leaf for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, valid now: the handshake succeeds. */
        VALID("generated for localhost, 127.0.0.1, ::1"),
        /** The same leaf, expired yesterday (valid from 30 days ago). */
        EXPIRED("generated, expired"),
        /** The same leaf, valid from tomorrow on. */
        NOT_YET_VALID("generated, not yet valid"),
        /** A leaf for {@code wrong.host.invalid} only: host name verification fails. */
        WRONG_HOST("generated for wrong.host.invalid"),
        /** A leaf signed by another authority, which the client does not trust. */
        UNTRUSTED_ISSUER("generated, signed by an untrusted authority"),
        /** A leaf signed by its own key, as a server's default certificate often is. */
        SELF_SIGNED("generated, self-signed");

        private final String description;

        Certificate(String description) {
            this.description = description;
        }
    }

    /**
     * A certificate generated for this JVM: a leaf for {@code localhost}, {@code 127.0.0.1} and
     * {@code ::1}, valid from a day before it was made to a year after, signed by a test authority
     * (CN "Misbehave test CA"). Every call returns the same one.
     *
     * @return the generated TLS
     */
    public static Tls generated() {
        return generated(Certificate.VALID);
    }

    /**
     * A generated certificate, good or gone wrong on cue: see {@link Certificate}. Made once per JVM
     * for each kind; every call returns the same one.
     *
     * @param certificate which certificate the peer presents
     * @return the generated TLS
     */
    public static Tls generated(Certificate certificate) {
        Objects.requireNonNull(certificate, "certificate");
        return GENERATED.computeIfAbsent(certificate, Generated::make);
    }

    /**
     * This TLS, with the peer asking the client for a certificate and ending the handshake if the
     * client has none that {@link #authority()} signed (the JDK's {@code setNeedClientAuth(true)}).
     *
     * @return a new TLS that requires a client certificate
     */
    public Tls requiringClientCertificate() {
        return new Tls(identity, password, authority, description, true, applicationProtocols);
    }

    /**
     * This TLS, with the peer choosing an application protocol by ALPN: the first of {@code
     * protocols} that the client offers. A client that offers ALPN but none of them gets a fatal
     * {@code no_application_protocol} alert, as from a real server; a client that offers no ALPN is
     * served without. Without this (the default) the peer chooses none, so a client that offers
     * {@code h2} and {@code http/1.1} speaks HTTP/1.1. The peer runs its script on the plaintext
     * whatever the protocol: choose {@code "h2"} to see how a client starts HTTP/2 and meets a
     * fault there; choose {@code "postgresql"} for PostgreSQL's direct TLS ({@code
     * sslnegotiation=direct}). A terminating proxy ({@link Script.Forward#withUpstreamTls}) offers
     * the same protocols to its server.
     *
     * @param protocols the protocols' ALPN names, in the peer's order of preference, for example {@code
     *     "h2"}; none to choose none
     * @return a new TLS
     * @throws IllegalArgumentException if a name is blank or repeated
     */
    public Tls withApplicationProtocols(String... protocols) {
        List<String> names = List.of(protocols); // rejects a null name
        for (String name : names) {
            if (name.isBlank()) {
                throw new IllegalArgumentException("an ALPN protocol name is blank: give names such as \"h2\" or"
                        + " \"http/1.1\"");
            }
        }
        if (new java.util.HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("ALPN protocol names " + names + " repeat one: give each once");
        }
        return new Tls(identity, password, authority, description, clientCertificateRequired, names);
    }

    /**
     * The application protocols the peer chooses from by ALPN; see {@link
     * #withApplicationProtocols(String...)}.
     *
     * @return the protocols' names in order of preference, empty if the peer chooses none
     */
    public List<String> applicationProtocols() {
        return applicationProtocols;
    }

    /**
     * Whether the peer requires a client certificate; see {@link #requiringClientCertificate()}.
     *
     * @return true if it does
     */
    public boolean clientCertificateRequired() {
        return clientCertificateRequired;
    }

    /**
     * The test's own certificate: the first private key entry of {@code identity}, with its chain.
     * A client trusts it through the chain's last certificate (its root, or the certificate itself
     * when it signs itself), which {@link #authority()} returns.
     *
     * @param identity a key store holding a private key entry and its certificate chain
     * @param password the password of that entry
     * @return the TLS
     * @throws IllegalArgumentException if the key store holds no private key entry, or the password
     *     does not open it
     */
    public static Tls of(KeyStore identity, char[] password) {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(password, "password");
        try {
            for (String alias : Collections.list(identity.aliases())) {
                if (identity.isKeyEntry(alias)) {
                    java.security.cert.Certificate[] chain = identity.getCertificateChain(alias);
                    if (chain == null || chain.length == 0 || !(chain[chain.length - 1] instanceof X509Certificate root)) {
                        continue;
                    }
                    identity.getKey(alias, password); // fails now, not at the first handshake
                    return new Tls(identity, password.clone(), root, "key store entry '" + alias + "'", false);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Tls.of(identity, password): the key store's private key could not"
                    + " be read (" + e + "). Give the password of its key entry.", e);
        }
        throw new IllegalArgumentException("Tls.of(identity, password): the key store holds no private key entry"
                + " with an X.509 certificate chain. Add one (keytool -genkeypair), or use Tls.generated().");
    }

    /**
     * The certificate a client trusts to verify the peer: the test authority for {@link
     * #generated()}, the chain's last certificate for {@link #of(KeyStore, char[])}.
     *
     * @return the certificate
     */
    public X509Certificate authority() {
        return authority;
    }

    /**
     * A new key store (PKCS12, no password needed to read it) holding {@link #authority()} as a
     * trusted certificate, under the alias {@code misbehave-authority}.
     *
     * @return the trust store
     */
    public KeyStore trustStore() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("misbehave-authority", authority);
            return trust;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK could not make a PKCS12 trust store", e);
        }
    }

    /**
     * A trust manager that trusts {@link #authority()} and nothing else.
     *
     * @return the trust manager
     */
    public X509TrustManager trustManager() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore());
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("the JDK's trust manager factory made no X509TrustManager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK could not make a trust manager", e);
        }
    }

    /**
     * A client's {@link SSLContext} (protocol "TLS") that trusts {@link #authority()} and nothing
     * else, for {@code HttpClient.newBuilder().sslContext(...)}, {@code
     * HttpsURLConnection.setSSLSocketFactory(context.getSocketFactory())} and the like. The same
     * context on every call.
     *
     * @return the context
     */
    public SSLContext clientContext() {
        SSLContext context = client;
        if (context == null) {
            try {
                context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {trustManager()}, null);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK could not make a client SSLContext", e);
            }
            client = context;
        }
        return context;
    }

    /**
     * The {@link SSLContext} the peer's side of the connection runs with: the certificate and key
     * it presents. The same context on every call.
     *
     * @return the context
     */
    public SSLContext serverContext() {
        SSLContext context = server;
        if (context == null) {
            try {
                KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(identity, password);
                context = SSLContext.getInstance("TLS");
                // a required client certificate is checked against the authority
                context.init(keys.getKeyManagers(),
                        clientCertificateRequired ? new TrustManager[] {trustManager()} : null, null);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK could not make the peer's SSLContext from " + description, e);
            }
            server = context;
        }
        return context;
    }

    /**
     * {@link #authority()} as a PEM file ({@code -----BEGIN CERTIFICATE-----}), for clients that
     * take a path. Written on first use to a temporary file, which is deleted when the JVM exits.
     *
     * @return the file's path
     * @throws UncheckedIOException if the file cannot be written
     */
    public Path authorityPem() {
        return PEMS.computeIfAbsent(authority, Tls::writePem); // one file per authority, however many Tls share it
    }

    private static Path writePem(X509Certificate authority) {
        try {
            Path file = Files.createTempFile("misbehave-authority-", ".pem");
            file.toFile().deleteOnExit();
            Files.writeString(file, TestCertificates.pem(authority.getEncoded()), StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the authority's PEM file", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK could not encode the authority", e);
        }
    }

    /**
     * {@code TLS (generated for localhost, 127.0.0.1, ::1)}, {@code TLS (generated, expired)}, {@code
     * TLS (key store entry 'name')}, with {@code , client certificate required} and {@code , ALPN h2
     * http/1.1} when they apply.
     */
    @Override
    public String toString() {
        return "TLS (" + description + (clientCertificateRequired ? ", client certificate required" : "")
                + (applicationProtocols.isEmpty() ? "" : ", ALPN " + String.join(" ", applicationProtocols)) + ")";
    }

    /** The generated certificates, made when first asked for, all under one test authority. */
    private static final class Generated {
        private static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "::1");
        private static final Instant NOW = Instant.now();
        private static final Instant FROM = NOW.minus(Duration.ofDays(1));
        private static final Instant TO = NOW.plus(Duration.ofDays(365));
        /** The authority the client trusts. */
        private static final TestCertificates.Held CA = TestCertificates.authority("Misbehave test CA", FROM, TO);

        static Tls make(Certificate kind) {
            TestCertificates.Held signer = CA;
            TestCertificates.Held leaf;
            switch (kind) {
                case EXPIRED:
                    leaf = TestCertificates.leaf(CA, "localhost", LOOPBACK, NOW.minus(Duration.ofDays(30)),
                            NOW.minus(Duration.ofDays(1)));
                    break;
                case NOT_YET_VALID:
                    leaf = TestCertificates.leaf(CA, "localhost", LOOPBACK, NOW.plus(Duration.ofDays(1)),
                            NOW.plus(Duration.ofDays(30)));
                    break;
                case WRONG_HOST:
                    leaf = TestCertificates.leaf(CA, "wrong.host.invalid", List.of("wrong.host.invalid"), FROM, TO);
                    break;
                case UNTRUSTED_ISSUER:
                    signer = TestCertificates.authority("Misbehave untrusted CA", FROM, TO);
                    leaf = TestCertificates.leaf(signer, "localhost", LOOPBACK, FROM, TO);
                    break;
                case SELF_SIGNED:
                    signer = null;
                    leaf = TestCertificates.leaf(null, "localhost", LOOPBACK, FROM, TO);
                    break;
                default:
                    leaf = TestCertificates.leaf(CA, "localhost", LOOPBACK, FROM, TO);
            }
            try {
                KeyStore identity = KeyStore.getInstance("PKCS12");
                identity.load(null, null);
                PrivateKey key = leaf.privateKey();
                identity.setKeyEntry("misbehave-peer", key, GENERATED_PASSWORD, signer == null
                        ? new java.security.cert.Certificate[] {leaf.certificate()}
                        : new java.security.cert.Certificate[] {leaf.certificate(), signer.certificate()});
                return new Tls(identity, GENERATED_PASSWORD, CA.certificate(), kind.description, false);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("the JDK could not hold the generated certificate in a key store", e);
            }
        }
    }
}
