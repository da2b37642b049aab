package dev.misbehave.internal;

import static dev.misbehave.internal.Der.bool;
import static dev.misbehave.internal.Der.element;
import static dev.misbehave.internal.Der.explicit;
import static dev.misbehave.internal.Der.implicit;
import static dev.misbehave.internal.Der.octets;
import static dev.misbehave.internal.Der.oid;
import static dev.misbehave.internal.Der.sequence;
import static dev.misbehave.internal.Der.set;
import static dev.misbehave.internal.Der.utf8;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Certificates for tests, written with the JDK alone: EC P-256 keys from {@link KeyPairGenerator},
 * {@code SHA256withECDSA} signatures from {@link Signature}, and the X.509 structure (RFC 5280)
 * from {@link Der}. A certificate authority, and leaves it signs (or that sign themselves), with
 * the extensions strict verifiers ask for: basic constraints and key usage (critical), extended key
 * usage, subject alternative names, and subject and authority key identifiers (OpenSSL 3's strict
 * mode, which Python 3.13 turns on by default, rejects a chain without them).
 *
 * <p>Generating a key pair and signing take about a millisecond each on the JDK's own provider once
 * it is loaded; in a fresh JVM the first authority and leaf took 232 ms, most of it class loading.
 */
public final class TestCertificates {

    private static final String EC_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String SUBJECT_KEY_ID = "2.5.29.14";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String AUTHORITY_KEY_ID = "2.5.29.35";
    private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    /** An IPv4 literal, or anything with a colon (an IPv6 literal): never looked up in DNS. */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCertificates() {}

    /**
     * A certificate and its private key.
     *
     * @param certificate the certificate
     * @param keyPair its public key and the private key that goes with it
     */
    public record Held(X509Certificate certificate, KeyPair keyPair) {

        /** @return the private key */
        public PrivateKey privateKey() {
            return keyPair.getPrivate();
        }

        /** @return the certificate in PEM form, {@code -----BEGIN CERTIFICATE-----} and 64-character lines */
        public String pem() {
            try {
                return TestCertificates.pem(certificate.getEncoded());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK could not encode a certificate it parsed", e);
            }
        }
    }

    /**
     * A self-signed certificate authority that may sign leaves (and no further authorities).
     *
     * @param commonName its subject's CN
     * @param notBefore the start of its validity
     * @param notAfter the end of its validity
     * @return the authority
     */
    public static Held authority(String commonName, Instant notBefore, Instant notAfter) {
        KeyPair keys = keyPair();
        byte[] name = name(commonName);
        byte[] extensions = sequence(
                extension(BASIC_CONSTRAINTS, true, sequence(bool(true), Der.integer(BigInteger.ZERO))),
                // digitalSignature, keyCertSign, cRLSign: bits 0, 5, 6, so 1 unused bit
                extension(KEY_USAGE, true, element(0x03, new byte[] {1, (byte) 0b1000_0110})),
                extension(SUBJECT_KEY_ID, false, octets(keyId(keys.getPublic()))));
        return sign(name, name, keys.getPublic(), notBefore, notAfter, extensions, keys.getPrivate(), keys);
    }

    /**
     * A leaf certificate for servers and clients, for {@code hosts} (DNS names and IP literals, as
     * subject alternative names), signed by {@code issuer}, or by itself when {@code issuer} is null.
     *
     * @param issuer the authority that signs it, or null for a self-signed leaf
     * @param commonName its subject's CN
     * @param hosts the names and addresses it is valid for, for example {@code localhost}, {@code
     *     127.0.0.1}, {@code ::1}; may be empty
     * @param notBefore the start of its validity
     * @param notAfter the end of its validity
     * @return the leaf
     */
    public static Held leaf(Held issuer, String commonName, List<String> hosts, Instant notBefore, Instant notAfter) {
        KeyPair keys = keyPair();
        List<byte[]> extensions = new ArrayList<>();
        extensions.add(extension(BASIC_CONSTRAINTS, true, sequence()));
        extensions.add(extension(KEY_USAGE, true, element(0x03, new byte[] {7, (byte) 0b1000_0000}))); // digitalSignature
        extensions.add(extension(EXTENDED_KEY_USAGE, false, sequence(oid(SERVER_AUTH), oid(CLIENT_AUTH))));
        if (!hosts.isEmpty()) {
            extensions.add(extension(SUBJECT_ALT_NAME, false, alternativeNames(hosts)));
        }
        extensions.add(extension(SUBJECT_KEY_ID, false, octets(keyId(keys.getPublic()))));
        PublicKey signer = issuer == null ? keys.getPublic() : issuer.certificate().getPublicKey();
        extensions.add(extension(AUTHORITY_KEY_ID, false, sequence(implicit(0, keyId(signer)))));
        byte[] subject = name(commonName);
        byte[] issuerName = issuer == null ? subject : issuer.certificate().getSubjectX500Principal().getEncoded();
        return sign(issuerName, subject, keys.getPublic(), notBefore, notAfter,
                sequence(extensions.toArray(byte[][]::new)), issuer == null ? keys.getPrivate() : issuer.privateKey(), keys);
    }

    /**
     * PEM text of a DER-encoded certificate.
     *
     * @param der the certificate's encoding
     * @return {@code -----BEGIN CERTIFICATE-----}, the Base64 in lines of 64 characters, {@code
     *     -----END CERTIFICATE-----}, each line ending in {@code \n}
     */
    public static String pem(byte[] der) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n";
    }

    private static Held sign(byte[] issuer, byte[] subject, PublicKey key, Instant notBefore, Instant notAfter,
            byte[] extensions, PrivateKey signer, KeyPair keys) {
        byte[] algorithm = sequence(oid(EC_WITH_SHA256));
        byte[] tbs = sequence(
                explicit(0, Der.integer(BigInteger.TWO)), // v3
                Der.integer(new BigInteger(127, RANDOM).setBit(126)), // positive, 16 bytes
                algorithm,
                issuer,
                sequence(Der.time(notBefore), Der.time(notAfter)),
                subject,
                key.getEncoded(), // a SubjectPublicKeyInfo already
                explicit(3, extensions));
        try {
            Signature signature = Signature.getInstance("SHA256withECDSA");
            signature.initSign(signer);
            signature.update(tbs);
            byte[] certificate = sequence(tbs, algorithm, Der.bits(signature.sign()));
            X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificate));
            return new Held(parsed, keys);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK could not sign or parse a test certificate", e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no EC P-256 key pair generator", e);
        }
    }

    private static byte[] name(String commonName) {
        return sequence(set(sequence(oid(COMMON_NAME), utf8(commonName))));
    }

    private static byte[] extension(String id, boolean critical, byte[] value) {
        return critical ? sequence(oid(id), bool(true), octets(value)) : sequence(oid(id), octets(value));
    }

    /** DNS names as {@code dNSName [2]}, IP literals as {@code iPAddress [7]}. */
    private static byte[] alternativeNames(List<String> hosts) {
        List<byte[]> names = new ArrayList<>();
        for (String host : hosts) {
            if (IP_LITERAL.matcher(host).matches()) {
                try {
                    names.add(implicit(7, InetAddress.getByName(host).getAddress())); // a literal: no lookup
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("not an IP address: " + host, e);
                }
            } else {
                names.add(implicit(2, host.getBytes(StandardCharsets.US_ASCII)));
            }
        }
        return sequence(names.toArray(byte[][]::new));
    }

    /** A key identifier: the SHA-1 of the key's encoding (RFC 5280 4.2.1.2 allows any unique value). */
    private static byte[] keyId(PublicKey key) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(key.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no SHA-1", e);
        }
    }
}
