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
 * Starts a peer for the test that serves its {@link PeerScript script} late: it holds the bytes of
 * one {@link #direction()} for {@link #firstMillis()} before the first chunk and {@link
 * #perChunkMillis()} before each later one. A chunk is one response of the script (downstream) or
 * one read (upstream). It tests a client's read timeouts with a server that answers, but slowly.
 * The delay starts on accept.
 *
 * <p>The direction defaults to {@link Direction#DOWNSTREAM} (the responses), not {@code UPSTREAM}
 * as for the other annotations, because a slow answer is what most tests want.
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
 * @see Effect.Delay
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
@ExtendWith(MisbehaveExtension.class)
@Repeatable(Delay.List.class)
public @interface Delay {

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
     * Which bytes are delayed: {@link Direction#DOWNSTREAM} (the default, the script's responses)
     * or {@link Direction#UPSTREAM} (the client's bytes, read late).
     *
     * @return the direction
     */
    Direction direction() default Direction.DOWNSTREAM;

    /**
     * Milliseconds before the first chunk, 0 or more. At least one of this and {@link
     * #perChunkMillis()} must be more than 0.
     *
     * @return the delay in milliseconds
     */
    long firstMillis() default 0;

    /**
     * Milliseconds before each chunk after the first, 0 or more.
     *
     * @return the delay in milliseconds
     */
    long perChunkMillis() default 0;

    /**
     * Which connections get the fault; the others are served normally. The default, {@code
     * @Connections} with nothing set, is every connection.
     *
     * @return the schedule
     */
    Connections connections() default @Connections;

    /**
     * Holds several {@code @Delay} annotations on one element, one per {@link Delay#peer() peer}
     * name. Java creates it when {@code @Delay} is repeated; you do not write it yourself.
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
        Delay[] value();
    }
}
