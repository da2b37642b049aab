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
 * Starts an in-process TCP peer for the test that aborts connections with a TCP RST when its trigger
 * fires, for example after exactly {@link #bytes()} bytes the client sends. Declare a {@link
 * MisbehavingPeer} parameter to get its address and journal.
 *
 * <pre>{@code
 * @Test
 * @ForceResetAfter(bytes = 16)
 * void uploadSurfacesTheReset(MisbehavingPeer peer) {
 *     var client = new UploadClient(peer.host(), peer.port());
 *     assertThatThrownBy(() -> client.upload(new byte[1024])).is(connectionReset());
 * }
 * }</pre>
 *
 * <h2>What the client sees</h2>
 * <ul>
 *   <li>{@code bytes = 0}: the peer resets as soon as it accepts the connection. The client may see
 *       the reset at {@code connect()}, or at its first read or write; {@code
 *       ConnectionConditions.connectionReset()} matches every form.
 *   <li>{@code bytes = N > 0}: the peer consumes exactly N bytes and resets as soon as the client
 *       has finished sending: when its request has ended (HTTP/1.x framing, or the script's {@link
 *       RequestEnd}), when it half-closes, or, for a request nothing delimits, once it has sent
 *       nothing for the quiet period (bounded). If the rest of the client's request fits the
 *       kernel buffers (64 KiB or less after byte N), the client's writes succeed and its next read
 *       fails with "Connection reset". If more than 5 MiB remain after byte N, the client's write
 *       fails with "Connection reset by peer". In between, which call fails depends on the client's
 *       send buffer.
 *   <li>{@code direction = DOWNSTREAM}: the client receives exactly N bytes of the script's
 *       response, then the reset.
 * </ul>
 *
 * <p>When it fires (exactly one trigger attribute: {@link #bytes()}, {@link #pattern()}, {@link
 * #idleMillis()}, {@link #millis()} or {@link #exchanges()}), on which connections, for which peer
 * and where the annotation applies work as for every fault annotation: see <a
 * href="package-summary.html#trigger">the trigger</a>, <a
 * href="package-summary.html#connections">the schedule</a>, <a href="package-summary.html#peer">the
 * peer</a> and <a href="package-summary.html#where">where it applies</a>.
 *
 * @see MisbehavingPeer
 * @see Fault#resetAfter(Direction, long)
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
@ExtendWith(MisbehaveExtension.class)
@Repeatable(ForceResetAfter.List.class)
public @interface ForceResetAfter {

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
     * Holds several {@code @ForceResetAfter} annotations on one element, one per {@link ForceResetAfter#peer() peer}
     * name. Java creates it when {@code @ForceResetAfter} is repeated; you do not write it yourself.
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
        ForceResetAfter[] value();
    }
}
