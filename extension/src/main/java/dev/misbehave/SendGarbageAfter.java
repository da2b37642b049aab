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
 * Starts an in-process TCP peer for the test that, when its trigger fires, sends garbage instead of
 * what its {@link PeerScript script} says, then ends the connection with a reset (or, with {@link
 * #thenClose()}, a close). Declare a {@link MisbehavingPeer} parameter to get its address and
 * journal.
 *
 * <p>The garbage is either {@link #text()} or {@link #randomBytes()} pseudo-random bytes from a
 * fixed {@link #seed()}, the same in every run. It tests a client's parser: a corrupt status line, a
 * truncated frame, a protocol it does not speak. On a TLS peer, {@link #corruptRecord()} corrupts
 * a record instead, for the client's TLS layer.
 *
 * <pre>{@code
 * @Test
 * @PeerScript(requestEndsWith = "\r\n\r\n", response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
 * @SendGarbageAfter(pattern = "\r\n\r\n", text = "HTTP/1.1 2OO 0K\r\n")
 * void corruptStatusLine(MisbehavingPeer peer) { ... }
 * }</pre>
 *
 * <p>When it fires (exactly one trigger attribute: {@link #bytes()}, {@link #pattern()}, {@link
 * #idleMillis()}, {@link #millis()} or {@link #exchanges()}), on which connections, for which peer
 * and where the annotation applies work as for every fault annotation: see <a
 * href="package-summary.html#trigger">the trigger</a>, <a
 * href="package-summary.html#connections">the schedule</a>, <a href="package-summary.html#peer">the
 * peer</a> and <a href="package-summary.html#where">where it applies</a>.
 *
 * @see Effect.Garbage
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
@ExtendWith(MisbehaveExtension.class)
@Repeatable(SendGarbageAfter.List.class)
public @interface SendGarbageAfter {

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
     * The garbage as text, sent as UTF-8. Set exactly one of this and {@link #randomBytes()}.
     *
     * @return the text, or empty
     */
    String text() default "";

    /**
     * The garbage as this many pseudo-random bytes from {@link #seed()}, 1 to 16,777,216 (16 MiB). Set
     * exactly one of this and {@link #text()}; unset unless you write it.
     *
     * @return the number of bytes
     */
    int randomBytes() default Integer.MIN_VALUE;

    /**
     * The seed of the {@link #randomBytes()}: the same seed gives the same bytes in every run. Only
     * with {@code randomBytes}.
     *
     * @return the seed
     */
    long seed() default 0;

    /**
     * How the peer ends the connection after the garbage: {@code false} (the default) with a reset,
     * {@code true} with an orderly close. At a stage of the TLS handshake ({@link #handshake()}), the
     * close waits until the client has hung up (at most the close timeout), so that the client's TLS
     * layer judges the garbage before any FIN reaches it.
     *
     * @return whether to close rather than reset
     */
    boolean thenClose() default false;

    /**
     * TLS only: instead of garbage bytes, one TLS record whose authentication tag fails, then a
     * close with no {@code close_notify}; the client's TLS layer rejects the record after reading
     * every byte before it (see {@link Effect.CorruptRecord}). Needs {@code @PeerScript(tls =
     * true)} and a trigger on the plaintext; {@link #text()}, {@link #randomBytes()}, {@link
     * #seed()} and {@link #thenClose()} stay unset.
     *
     * @return whether to corrupt a TLS record rather than send garbage
     */
    boolean corruptRecord() default false;

    /**
     * Which connections get the fault; the others are served normally. The default, {@code
     * @Connections} with nothing set, is every connection. See <a
     * href="package-summary.html#connections">which connections</a>.
     *
     * @return the schedule
     */
    Connections connections() default @Connections;

    /**
     * Holds several {@code @SendGarbageAfter} annotations on one element, one per {@link SendGarbageAfter#peer() peer}
     * name. Java creates it when {@code @SendGarbageAfter} is repeated; you do not write it yourself.
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
        SendGarbageAfter[] value();
    }
}
