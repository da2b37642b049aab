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
 * Starts an in-process TCP peer for the test that stalls connections when its trigger fires: it
 * stops reading, never writes, and keeps the connection open until the test ends (then it resets
 * it). Declare a {@link MisbehavingPeer} parameter to get its address and journal.
 *
 * <p>This is the silent server of production incidents: a hung process, a full accept queue behind
 * a load balancer, a peer whose host vanished. It tests the client's timeouts:
 *
 * <ul>
 *   <li>A client that waits for a response gets its read timeout ({@code SocketTimeoutException:
 *       Read timed out} from a {@code java.net.Socket} with {@code setSoTimeout}; {@code
 *       HttpTimeoutException} from the JDK {@code HttpClient} with a request timeout). A client
 *       without a timeout waits until the test ends.
 *   <li>A client with more to send than the kernel buffers hold (more than 5 MiB after byte N)
 *       blocks in its write.
 * </ul>
 *
 * <p>The stalled connection's journal entry shows the bytes, the fired trigger and {@link
 * Ending#OPEN} while the test runs, so wait for it with {@link MisbehavingPeer#awaitTriggered}
 * rather than {@link MisbehavingPeer#awaitConnections}, which waits for ended connections.
 *
 * <p>When it fires (exactly one trigger attribute: {@link #bytes()}, {@link #pattern()}, {@link
 * #idleMillis()}, {@link #millis()} or {@link #exchanges()}), on which connections, for which peer
 * and where the annotation applies work as for every fault annotation: see <a
 * href="package-summary.html#trigger">the trigger</a>, <a
 * href="package-summary.html#connections">the schedule</a>, <a href="package-summary.html#peer">the
 * peer</a> and <a href="package-summary.html#where">where it applies</a>.
 *
 * @see Fault#stallAfter(Direction, long)
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
@ExtendWith(MisbehaveExtension.class)
@Repeatable(StallAfter.List.class)
public @interface StallAfter {

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
     * Which bytes {@link #bytes()} counts and {@link #pattern()} searches: {@link
     * Direction#UPSTREAM} (the default) the client's, {@link Direction#DOWNSTREAM} the peer's. Only
     * with those two triggers.
     *
     * @return the direction
     */
    Direction direction() default Direction.UPSTREAM;

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
     * Which connections get the fault; the others are served normally. The default, {@code
     * @Connections} with nothing set, is every connection. See <a
     * href="package-summary.html#connections">which connections</a>.
     *
     * @return the schedule
     */
    Connections connections() default @Connections;

    /**
     * Holds several {@code @StallAfter} annotations on one element, one per {@link StallAfter#peer() peer}
     * name. Java creates it when {@code @StallAfter} is repeated; you do not write it yourself.
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
        StallAfter[] value();
    }
}
