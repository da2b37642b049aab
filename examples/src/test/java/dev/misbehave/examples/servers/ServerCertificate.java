package dev.misbehave.examples.servers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server's own TLS certificate, as a test suite keeps one: self-signed for {@code localhost}
 * and {@code 127.0.0.1}, made with the JDK's {@code keytool}, and written as the PEM files a server
 * such as PostgreSQL reads ({@code ssl_cert_file}, {@code ssl_key_file}).
 */
public final class ServerCertificate {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private final Path certificatePem;
    private final Path keyPem;
    private final Certificate certificate;

    private ServerCertificate(Path certificatePem, Path keyPem, Certificate certificate) {
        this.certificatePem = certificatePem;
        this.keyPem = keyPem;
        this.certificate = certificate;
    }

    /**
     * Makes a certificate and its key in {@code dir}.
     *
     * @param dir where the files go
     * @return the certificate
     */
    public static ServerCertificate forLocalhost(Path dir) {
        try {
            Files.createDirectories(dir);
            Path store = dir.resolve("server.p12");
            Files.deleteIfExists(store);
            Process keytool = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                    "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "7", "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", new String(PASSWORD)))
                    .redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, PASSWORD);
            }
            Certificate certificate = keys.getCertificate("server");
            Path certificatePem = dir.resolve("server.crt");
            Path keyPem = dir.resolve("server.key");
            Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
            Files.deleteIfExists(keyPem);
            Files.createFile(keyPem, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(keyPem, pem("PRIVATE KEY", keys.getKey("server", PASSWORD).getEncoded()),
                    StandardCharsets.US_ASCII);
            return new ServerCertificate(certificatePem, keyPem, certificate);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not make a server certificate in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while keytool ran", e);
        }
    }

    /** @return the certificate as a PEM file */
    public Path certificatePem() {
        return certificatePem;
    }

    /** @return the private key as a PEM file (PKCS #8), readable by its owner only */
    public Path keyPem() {
        return keyPem;
    }

    /**
     * A trust store that holds this certificate, for a client of the server.
     *
     * @return a PKCS12 key store with one trusted certificate entry
     */
    public KeyStore trustStore() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", certificate);
            return trust;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not make a trust store", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
