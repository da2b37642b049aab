package dev.misbehave;

import dev.misbehave.junit.MisbehaveExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a test's peer says when it is not misbehaving: an optional {@link #greeting()}, then silence,
 * an {@link #echo()}, or a {@link #response()} to every request. Without it a peer is silent: it
 * reads and records everything and sends nothing. Text is sent as UTF-8.
 *
 * <pre>{@code
 * @Test
 * @PeerScript(requestEndsWith = "\r\n\r\n", lengthField = "Content-Length",
 *         response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
 * @ForceResetAfter(exchanges = 1)
 * void staleKeepAliveConnection(MisbehavingPeer peer) { ... }
 * }</pre>
 *
 * <p>To respond, say where a request ends, with {@link #requestEndsWith()} (a delimiter, or with
 * {@link #lengthField()} a head and a body whose length a field gives) or {@link #requestLength()}
 * (a fixed length), and give the response as {@link #response()} or {@link #responseResource()}.
 * Downstream faults count the bytes the script sends.
 *
 * <p>On its own, without a fault annotation for its {@link #peer()}, it declares a well-behaved peer
 * (for example the service a test does not break, next to one it does).
 *
 * <p>Which peer it applies to and where the annotation applies work as for the fault annotations:
 * see <a href="package-summary.html#peer">the peer</a> and <a
 * href="package-summary.html#where">where it applies</a>. Misconfiguration (a response without a
 * request end, echo together with a response, a missing resource, ...) fails the test with an
 * {@code ExtensionConfigurationException} before any socket is opened.
 *
 * @see Script
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
@ExtendWith(MisbehaveExtension.class)
@Repeatable(PeerScript.List.class)
public @interface PeerScript {

    /**
     * The name of the peer this script applies to; empty (the default) for the test's unnamed peer.
     * See <a href="package-summary.html#peer">which peer</a>.
     *
     * @return the peer's name
     */
    String peer() default "";

    /**
     * Text the peer sends as soon as it accepts a connection, before reading anything (server-first
     * protocols: SMTP's banner, a database's handshake). Empty (the default) for none.
     *
     * @return the greeting
     */
    String greeting() default "";

    /**
     * Whether the peer sends back every byte it reads. Not together with a response.
     *
     * @return true to echo
     */
    boolean echo() default false;

    /**
     * Where a request ends: the text that ends it (for example {@code "\n"} for a line protocol,
     * {@code "\r\n\r\n"} for HTTP headers). With {@link #lengthField()}, the end of a head that
     * is followed by a body. Set this or {@link #requestLength()} to respond.
     *
     * @return the delimiter, or empty
     */
    String requestEndsWith() default "";

    /**
     * Where a request ends: every request is exactly this many bytes, 1 or more. Unset unless you
     * write it. Set this or {@link #requestEndsWith()} to respond.
     *
     * @return the request length
     */
    int requestLength() default Integer.MIN_VALUE;

    /**
     * With {@link #requestEndsWith()}: the name of the head's field that gives the length of the
     * body after the head ({@code "Content-Length"} for HTTP/1.x; matched ignoring case; no such
     * field means no body).
     *
     * @return the field name, or empty
     */
    String lengthField() default "";

    /**
     * The text sent after each request. Set this or {@link #responseResource()} together with a
     * request end.
     *
     * @return the response, or empty
     */
    String response() default "";

    /**
     * A classpath resource whose bytes are sent after each request, loaded with the test class's
     * class loader, for example {@code "responses/ok.http"}. Set this or {@link #response()}
     * together with a request end.
     *
     * @return the resource name, or empty
     */
    String responseResource() default "";

    /**
     * Whether the peer terminates TLS, with the certificate of {@link Tls#generated()}: a leaf for
     * {@code localhost}, {@code 127.0.0.1} and {@code ::1} signed by a test authority, which the
     * client trusts through {@code Tls.generated().clientContext()} (or its trust manager, trust
     * store or PEM file). The script and every fault then work on the plaintext: byte counts are
     * application bytes. A reset sends no {@code close_notify}; a close sends it before its FIN.
     * See {@link Script#withTls(Tls)}.
     *
     * @return true for TLS; false (the default) for plain TCP
     */
    boolean tls() default false;

    /**
     * With {@link #tls()}: the certificate the peer presents, {@link Tls.Certificate#VALID} (the
     * default) or one that goes wrong on cue: expired, not yet valid, for another host, from an
     * untrusted authority, self-signed. The client's trust stays {@code Tls.generated()}'s, so its
     * handshake fails as it would against a server with that certificate. See {@link
     * Tls#generated(Tls.Certificate)}.
     *
     * @return the certificate
     */
    Tls.Certificate certificate() default Tls.Certificate.VALID;

    /**
     * With {@link #tls()}: whether the peer requires a client certificate signed by the test
     * authority, so that a client without one fails its handshake. See {@link
     * Tls#requiringClientCertificate()}.
     *
     * @return true to require one; false (the default) to ask for none
     */
    boolean clientCertificateRequired() default false;

    /**
     * Holds several {@code @PeerScript} annotations on one element, one per {@link PeerScript#peer() peer}
     * name. Java creates it when {@code @PeerScript} is repeated; you do not write it yourself.
     */
    @Documented
    @Inherited
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
    @ExtendWith(MisbehaveExtension.class)
    @interface List {
        /**
         * The repeated annotations.
         *
         * @return the annotations, one per peer name
         */
        PeerScript[] value();
    }
}
