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
 * <p>It acts on the peer's port, before any connection exists, so it takes no trigger, and its
 * {@link #connections()} must stay unset. For which peer and where the annotation applies, see <a
 * href="package-summary.html#peer">the peer</a> and <a href="package-summary.html#where">where it
 * applies</a>.
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
     * The name of the peer this fault applies to; empty (the default) for the test's unnamed peer.
     * See <a href="package-summary.html#peer">which peer</a>.
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
