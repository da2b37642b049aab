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
 * Proxy mode for a test's peer: every connection the peer accepts is forwarded to a real server,
 * and the server's bytes back, with the peer's fault applied in between ({@link
 * Direction#UPSTREAM} counts the client's bytes on their way to the server, {@link
 * Direction#DOWNSTREAM} the server's on their way to the client). What the server does reaches the
 * client as the server did it: a reset as a reset, a close as a close. It takes the place of
 * {@link PeerScript} for its peer; see {@link Script#forwardTo(java.net.InetSocketAddress)}.
 *
 * <p>The server is usually started by the test itself, on a port known only at run time, so
 * {@link #value()} names a field or a no-arg method of the test class that gives its address. It
 * is read at each accepted connection, so a server started in {@code @BeforeEach}, after the peer,
 * works too:
 *
 * <pre>{@code
 * static HttpServer server = ...; // started in @BeforeAll
 *
 * static InetSocketAddress server() { return server.getAddress(); }
 *
 * @Test
 * @ProxyTo("server")
 * @ForceResetAfter(bytes = 5000, direction = Direction.DOWNSTREAM)
 * void crashMidDownload(MisbehavingPeer peer) { ... }
 * }</pre>
 *
 * <p>The named member may be static, or an instance member (not for a peer held in a static
 * field, which starts before any test instance exists). It may give an {@link
 * java.net.InetSocketAddress}, a {@link java.net.URI} (its host and port; {@code http} and {@code
 * https} without a port mean 80 and 443), a {@code "host:port"} string, or an {@code int} port on
 * 127.0.0.1. When it gives nothing usable at a connection, that connection is treated as
 * unreachable ({@link #whenUnreachable()}), and the journal says why. For a server at a fixed
 * address, set {@link #port()} (and {@link #host()}) instead.
 *
 * <p>Which peer it applies to and where the annotation applies work as for the fault annotations:
 * see <a href="package-summary.html#peer">the peer</a> and <a
 * href="package-summary.html#where">where it applies</a>. Misconfiguration fails the test with an
 * {@code ExtensionConfigurationException} before any socket is opened.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
@ExtendWith(MisbehaveExtension.class)
@Repeatable(ProxyTo.List.class)
public @interface ProxyTo {

    /**
     * The name of a field or no-arg method of the test class (or a superclass, or an enclosing
     * class of a {@code @Nested} class) that gives the server's address at each connection. Set
     * this or {@link #port()}.
     *
     * @return the member's name; empty when {@link #port()} gives the address
     */
    String value() default "";

    /**
     * The server's host, with {@link #port()}.
     *
     * @return the host; 127.0.0.1 by default
     */
    String host() default "127.0.0.1";

    /**
     * The server's port, 1 to 65535, for a server at a fixed address. Set this or {@link #value()};
     * unset unless you write it.
     *
     * @return the port
     */
    int port() default Integer.MIN_VALUE;

    /**
     * Where each of the client's requests ends, so that an {@code exchanges} trigger can count them
     * (as {@link PeerScript#requestEndsWith()}; the bytes pass unchanged).
     *
     * @return the delimiter; empty if requests are not counted
     */
    String requestEndsWith() default "";

    /**
     * With {@link #requestEndsWith()}: the head's field that gives the length of the body that
     * follows, for example {@code "Content-Length"}.
     *
     * @return the field's name; empty if requests have no body
     */
    String lengthField() default "";

    /**
     * What the client gets when the server cannot be reached.
     *
     * @return {@link Unreachable#RESET} by default
     */
    Unreachable whenUnreachable() default Unreachable.RESET;

    /**
     * Whether the peer terminates the client's TLS with the generated certificate ({@link
     * Tls#generated()}): a terminating proxy, whose faults count plaintext. False (the default)
     * passes TLS through as ciphertext. See {@link Script#withTls(Tls)}.
     *
     * @return whether the client's TLS ends at the peer
     */
    boolean tls() default false;

    /**
     * Whether the peer speaks TLS to the server, and which certificates it then trusts: {@link
     * UpstreamTrust#NONE} (the default) speaks plain TCP. See {@link
     * Script.Forward#withUpstreamTls(UpstreamTls)}.
     *
     * @return the upstream TLS
     */
    UpstreamTrust upstreamTls() default UpstreamTrust.NONE;

    /** Whether a proxy speaks TLS to its server, and whom it trusts there; see {@link ProxyTo#upstreamTls()}. */
    enum UpstreamTrust {
        /** Plain TCP to the server (or the client's own TLS passed through, without {@link ProxyTo#tls()}). */
        NONE,
        /**
         * TLS, trusting the generated authority ({@link Tls#generated()}'s {@link Tls#trustStore()}),
         * host name checked: for a server the test runs with {@code Tls.generated().serverContext()}.
         */
        TRUSTING_GENERATED,
        /** TLS, trusting any certificate ({@link UpstreamTls#trustingAll()}). */
        TRUSTING_ALL
    }

    /**
     * The name of the peer this applies to; empty (the default) for the test's unnamed peer. See <a
     * href="package-summary.html#peer">which peer</a>.
     *
     * @return the peer's name
     */
    String peer() default "";

    /** Holds repeated {@link ProxyTo} annotations, one per peer. */
    @Documented
    @Inherited
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
    @ExtendWith(MisbehaveExtension.class)
    @interface List {
        /**
         * The repeated annotations.
         *
         * @return them
         */
        ProxyTo[] value();
    }
}
