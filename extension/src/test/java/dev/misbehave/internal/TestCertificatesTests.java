package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.misbehave.internal.TestCertificates.Held;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Test certificates written with the JDK alone")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TestCertificatesTests {

    static final Instant NOW = Instant.now();
    static final Instant YESTERDAY = NOW.minus(Duration.ofDays(1));
    static final Instant NEXT_YEAR = NOW.plus(Duration.ofDays(365));
    static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "::1");

    final Held ca = TestCertificates.authority("Misbehave test CA", YESTERDAY, NEXT_YEAR);

    @Nested
    @DisplayName("are what they say")
    class Contents {

        @Test
        @DisplayName("the authority may sign leaves, and signs itself")
        void authority() throws Exception {
            X509Certificate certificate = ca.certificate();
            assertThat(certificate.getBasicConstraints()).isZero(); // a CA, no CA below it
            assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isTrue();
            assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=Misbehave test CA");
            assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
            certificate.verify(certificate.getPublicKey());
            assertThat(certificate.getCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.19", "2.5.29.15");
            assertThat(certificate.getNonCriticalExtensionOIDs()).containsExactly("2.5.29.14");
        }

        @Test
        @DisplayName("a leaf names its hosts as DNS names and IP addresses, and is signed by its issuer")
        void leaf() throws Exception {
            X509Certificate leaf = TestCertificates.leaf(ca, "localhost", LOOPBACK, YESTERDAY, NEXT_YEAR).certificate();
            assertThat(leaf.getSubjectAlternativeNames()).containsExactly(
                    List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
            assertThat(leaf.getBasicConstraints()).isEqualTo(-1); // not a CA
            assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
            assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
            assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NEXT_YEAR.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            leaf.verify(ca.certificate().getPublicKey());
            assertThat(catchThrowable(() -> leaf.verify(leaf.getPublicKey()))).isNotNull(); // not self-signed
        }

        @Test
        @DisplayName("the PEM form parses back to the same certificate")
        void pem() throws Exception {
            String pem = ca.pem();
            assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("\n-----END CERTIFICATE-----\n");
            assertThat(pem.lines().skip(1).limit(pem.lines().count() - 3)).allSatisfy(line -> assertThat(line).hasSize(64));
            X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            assertThat(parsed).isEqualTo(ca.certificate());
        }

        @Test
        @DisplayName("validity after 2049 is written as GeneralizedTime, and still read right")
        void farFuture() {
            Instant far = Instant.parse("2051-06-01T12:00:00Z");
            assertThat(TestCertificates.leaf(ca, "far", List.of(), YESTERDAY, far).certificate().getNotAfter().toInstant())
                    .isEqualTo(far);
        }

        @Test
        @DisplayName("OpenSSL's strict verification accepts the chain, where the openssl tool is installed")
        void opensslStrict(@TempDir Path dir) throws Exception {
            Path caFile = Files.writeString(dir.resolve("ca.pem"), ca.pem());
            Path leafFile = Files.writeString(dir.resolve("leaf.pem"),
                    TestCertificates.leaf(ca, "localhost", LOOPBACK, YESTERDAY, NEXT_YEAR).pem());
            Process openssl;
            try {
                openssl = new ProcessBuilder("openssl", "verify", "-x509_strict", "-purpose", "sslserver",
                        "-verify_hostname", "localhost", "-verify_ip", "127.0.0.1", "-CAfile", caFile.toString(),
                        leafFile.toString()).redirectErrorStream(true).start();
            } catch (IOException notInstalled) {
                org.junit.jupiter.api.Assumptions.abort("openssl is not installed: " + notInstalled.getMessage());
                return;
            }
            assertThat(openssl.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(output).isEqualTo(leafFile + ": OK\n");
            assertThat(openssl.exitValue()).isZero();
        }
    }

    @Nested
    @DisplayName("in a JDK handshake with host name verification")
    class Handshakes {

        @Test
        @DisplayName("a leaf for localhost, 127.0.0.1 and ::1 is trusted at each of them")
        void trusted() throws Exception {
            Held leaf = TestCertificates.leaf(ca, "localhost", LOOPBACK, YESTERDAY, NEXT_YEAR);
            assertThat(handshake(leaf, ca, "localhost", InetAddress.getLoopbackAddress())).isEqualTo("hello");
            assertThat(handshake(leaf, ca, "127.0.0.1", InetAddress.getByName("127.0.0.1"))).isEqualTo("hello");
            InetAddress v6 = InetAddress.getByName("::1");
            if (canListenOn(v6)) {
                assertThat(handshake(leaf, ca, "::1", v6)).isEqualTo("hello");
            }
        }

        @Test
        @DisplayName("an expired leaf fails with CertificateExpiredException in the cause chain")
        void expired() {
            Held leaf = TestCertificates.leaf(ca, "localhost", LOOPBACK, NOW.minus(Duration.ofDays(30)), YESTERDAY);
            assertThat(refused(leaf, ca)).hasRootCauseInstanceOf(CertificateExpiredException.class);
        }

        @Test
        @DisplayName("a leaf not valid yet fails with CertificateNotYetValidException in the cause chain")
        void notYetValid() {
            Held leaf = TestCertificates.leaf(ca, "localhost", LOOPBACK, NEXT_YEAR, NEXT_YEAR.plus(Duration.ofDays(1)));
            assertThat(refused(leaf, ca)).hasRootCauseInstanceOf(CertificateNotYetValidException.class);
        }

        @Test
        @DisplayName("a leaf for another host fails host name verification")
        void wrongHost() {
            Held leaf = TestCertificates.leaf(ca, "wrong.host.invalid", List.of("wrong.host.invalid"), YESTERDAY, NEXT_YEAR);
            assertThat(refused(leaf, ca)).rootCause().hasMessageContaining("localhost");
        }

        @Test
        @DisplayName("a leaf from an authority the client does not trust, or signed by itself, fails path building")
        void untrusted() {
            Held other = TestCertificates.authority("Another CA", YESTERDAY, NEXT_YEAR);
            Held fromOther = TestCertificates.leaf(other, "localhost", LOOPBACK, YESTERDAY, NEXT_YEAR);
            Held selfSigned = TestCertificates.leaf(null, "localhost", LOOPBACK, YESTERDAY, NEXT_YEAR);
            assertThat(refused(fromOther, ca)).hasStackTraceContaining("PKIX path building failed");
            assertThat(refused(selfSigned, ca)).hasStackTraceContaining("PKIX path building failed");
        }

        private Throwable refused(Held leaf, Held trusted) {
            Throwable failure = catchThrowable(() -> handshake(leaf, trusted, "localhost", InetAddress.getLoopbackAddress()));
            assertThat(failure).isInstanceOf(SSLHandshakeException.class);
            return failure;
        }
    }

    /** A TLS server with {@code leaf} answers "hello"; a client trusting {@code trusted} reads it from {@code host}. */
    static String handshake(Held leaf, Held trusted, String host, InetAddress address) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        char[] password = "test".toCharArray();
        keys.setKeyEntry("leaf", leaf.privateKey(), password, new X509Certificate[] {leaf.certificate()});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keyManagers.getKeyManagers(), null, null);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", trusted.certificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trustManagers.getTrustManagers(), null);

        try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 1, address)) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) server.accept()) {
                    accepted.setSoTimeout(10_000);
                    accepted.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    accepted.getOutputStream().flush();
                    accepted.getInputStream().read(); // until the client closes
                } catch (IOException clientGaveUp) {
                    // the failing cases end here
                }
            });
            try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory().createSocket()) {
                client.connect(new InetSocketAddress(address, server.getLocalPort()), 10_000);
                client.setSoTimeout(10_000);
                SSLParameters parameters = client.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                client.setSSLParameters(parameters);
                setHost(client, host);
                InputStream in = client.getInputStream();
                OutputStream ignored = client.getOutputStream();
                return new String(in.readNBytes(5), StandardCharsets.US_ASCII);
            } finally {
                served.get(20, TimeUnit.SECONDS);
            }
        }
    }

    /** The host name the client verifies: set through SNI for a name; an IP literal is checked as the peer's address. */
    private static void setHost(SSLSocket client, String host) {
        if (!host.contains(":") && !host.matches("[0-9.]+")) {
            SSLParameters parameters = client.getSSLParameters();
            parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName(host)));
            client.setSSLParameters(parameters);
        }
    }

    private static boolean canListenOn(InetAddress address) {
        try (var socket = new java.net.ServerSocket(0, 1, address)) {
            return true;
        } catch (IOException noIpv6) {
            return false;
        }
    }
}
