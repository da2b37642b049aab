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
 * Starts a peer for the test that limits one {@link #direction()} to {@link #bytesPerSecond()} from
 * accept on. Downstream the peer sends its {@link PeerScript script}'s bytes in timed pieces;
 * upstream it reads in timed pieces, so its small receive window slows the client's writes. It tests
 * timeouts that count a whole transfer rather than each read.
 *
 * <p>The direction defaults to {@link Direction#DOWNSTREAM} (the responses), not {@code UPSTREAM}
 * as for the other annotations, because a slow download is what most tests want.
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
 * @see Effect.Throttle
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
@ExtendWith(MisbehaveExtension.class)
@Repeatable(Throttle.List.class)
public @interface Throttle {

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
     * Which bytes are limited: {@link Direction#DOWNSTREAM} (the default, the script's responses)
     * or {@link Direction#UPSTREAM} (the client's bytes).
     *
     * @return the direction
     */
    Direction direction() default Direction.DOWNSTREAM;

    /**
     * The rate, 1 or more bytes per second.
     *
     * @return the rate
     */
    long bytesPerSecond();

    /**
     * Which connections get the fault; the others are served normally. The default, {@code
     * @Connections} with nothing set, is every connection.
     *
     * @return the schedule
     */
    Connections connections() default @Connections;

    /**
     * Holds several {@code @Throttle} annotations on one element, one per {@link Throttle#peer() peer}
     * name. Java creates it when {@code @Throttle} is repeated; you do not write it yourself.
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
        Throttle[] value();
    }
}
