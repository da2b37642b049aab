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
 * Starts a peer for the test that refuses every connection: nothing listens on its port, which
 * stays reserved so that no other socket takes it, and a client's {@code connect()} fails with
 * "Connection refused" ({@code java.net.ConnectException}). This is a server that is down. Call
 * {@link MisbehavingPeer#behave()} in the test to start serving on the same port, for example to
 * test a client's reconnect.
 *
 * <h2>Where it applies</h2>
 * On a test method it applies to that test; on a test class to every test of the class and of its
 * {@code @Nested} classes, and for each peer name an annotation on a method wins over one on its
 * class. It may be placed on another annotation to compose your own, and on a field of type {@link
 * MisbehavingPeer} (a static field: one peer for the class; an instance field: one per test). {@link
 * #peer()} names the peer, for tests that talk to several. Each test's peers listen on 127.0.0.1 on
 * ephemeral ports and are closed when the test ends, so tests may run in parallel. Misconfiguration
 * fails the test with an {@code ExtensionConfigurationException} before any socket is opened.
 *
 * @see Fault#refuse()
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
@ExtendWith(MisbehaveExtension.class)
@Repeatable(RefuseConnections.List.class)
public @interface RefuseConnections {

    /**
     * The name of the peer this fault applies to. A test may have several peers, one per name; a
     * {@link MisbehavingPeer} parameter annotated with {@link PeerName @PeerName("name")} receives
     * the named one, an unannotated parameter the peer named {@code ""} (the default). On a field
     * this must stay empty: the field's name names its peer.
     *
     * @return the peer's name
     */
    String peer() default "";

    /**
     * Must stay unset: this fault acts on the peer's port, before any connection exists, so it
     * cannot pick connections. Setting it is a configuration error. To refuse for a while and then
     * serve, call {@link MisbehavingPeer#behave()} in the test.
     *
     * @return the schedule, every connection
     */
    Connections connections() default @Connections;

    /**
     * Holds several {@code @RefuseConnections} annotations on one element, one per {@link RefuseConnections#peer() peer}
     * name. Java creates it when {@code @RefuseConnections} is repeated; you do not write it yourself.
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
        RefuseConnections[] value();
    }
}
