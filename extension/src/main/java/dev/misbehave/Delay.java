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
 * one {@link #direction()} back for {@link #firstMillis()} before the first chunk and {@link
 * #perChunkMillis()} before each later one. Downstream a chunk is one response of the script (the
 * first chunk after a trigger that fires mid-response is the rest of that response); upstream it is
 * one read. It tests a client's read timeouts with a server that answers, but slowly.
 *
 * <p>With no trigger attribute it shapes from the accept on; with one ({@link #bytes()}, {@link
 * #pattern()}, {@link #idleMillis()}, {@link #millis()} or {@link #exchanges()}), from the moment
 * it fires, on the connections {@link #connections()} picks: {@code @Delay(exchanges = 1,
 * firstMillis = 500, connections = @Connections(only = 2))} holds back every response after the
 * first exchange, on the 2nd connection only. {@link #bytes()} and {@link #pattern()} count the
 * bytes of the shaped {@link #direction()}. The trigger, the schedule, the peer and where the
 * annotation applies work as for every fault annotation: see <a
 * href="package-summary.html#trigger">the trigger</a>, <a
 * href="package-summary.html#connections">the schedule</a>, <a href="package-summary.html#peer">the
 * peer</a> and <a href="package-summary.html#where">where it applies</a>.
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
     * The name of the peer this fault applies to; empty (the default) for the test's unnamed peer.
     * See <a href="package-summary.html#peer">which peer</a>.
     *
     * @return the peer's name
     */
    String peer() default "";

    /**
     * Trigger: after exactly this many bytes of {@link #direction()}, 0 or more; 0 fires as soon as
     * the connection is accepted. Unset unless you write it; see <a
     * href="package-summary.html#trigger">the trigger</a>.
     *
     * @return the byte count
     */
    long bytes() default Long.MIN_VALUE;

    /**
     * Which bytes are delayed, and which ones {@link #bytes()} counts and {@link #pattern()}
     * searches: {@link Direction#DOWNSTREAM} (the default) the peer's, {@link Direction#UPSTREAM}
     * the client's. See <a href="package-summary.html#trigger">the trigger</a>.
     *
     * @return the direction
     */
    Direction direction() default Direction.DOWNSTREAM;

    /**
     * Trigger: right after the {@link #occurrence()}-th occurrence of this text (UTF-8) in {@link
     * #direction()}. Unset unless you write it; see <a href="package-summary.html#trigger">the
     * trigger</a>.
     *
     * @return the pattern
     */
    String pattern() default "";

    /**
     * Which occurrence of {@link #pattern()} fires, 1 (the default) or more. Only with a pattern.
     *
     * @return the occurrence
     */
    int occurrence() default 1;

    /**
     * Trigger: when the client has sent nothing for this many milliseconds, 1 or more. Unset unless
     * you write it; see <a href="package-summary.html#trigger">the trigger</a>.
     *
     * @return the idle time in milliseconds
     */
    long idleMillis() default Long.MIN_VALUE;

    /**
     * Trigger: this many milliseconds after the connection was accepted, 1 or more. Unset unless
     * you write it; see <a href="package-summary.html#trigger">the trigger</a>.
     *
     * @return the time in milliseconds
     */
    long millis() default Long.MIN_VALUE;

    /**
     * Trigger: when the client starts request {@code exchanges + 1} on a kept-alive connection,
     * after the peer has answered this many, 1 or more. Unset unless you write it; see <a
     * href="package-summary.html#trigger">the trigger</a>.
     *
     * @return the number of answered requests
     */
    int exchanges() default Integer.MIN_VALUE;

    /**
     * Trigger: at this stage of the TLS handshake, for a peer that terminates TLS ({@code
     * @PeerScript(tls = true)}). {@link HandshakeStage#NONE} (the default) for none; see <a
     * href="package-summary.html#trigger">the trigger</a>.
     *
     * @return the stage
     */
    HandshakeStage handshake() default HandshakeStage.NONE;

    /**
     * Milliseconds before the first chunk after the trigger, 0 (the default) or more. At least one
     * of this and {@link #perChunkMillis()} must be more than 0.
     *
     * @return the delay in milliseconds
     */
    long firstMillis() default 0;

    /**
     * Milliseconds before each later chunk, 0 (the default) or more.
     *
     * @return the delay in milliseconds
     */
    long perChunkMillis() default 0;

    /**
     * Which connections get the fault; the others are served normally. The default, {@code
     * @Connections} with nothing set, is every connection. See <a
     * href="package-summary.html#connections">which connections</a>.
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
