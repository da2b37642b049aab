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
 * Starts a peer for the test that splits one {@link #direction()} into pieces of at most {@link
 * #pieceBytes()} bytes, {@link #gapMillis()} apart. Downstream the peer writes each piece on its
 * own, one write per piece: a client that reads as fast as they come gets one piece per read, so a
 * parser that assumes one read is one message is caught; a client that reads more slowly than the
 * pieces come finds several of them in its kernel buffer and gets them in one read. Upstream the
 * peer reads one piece at a time.
 *
 * <p>{@link #bytes()} is the trigger, as on every fault annotation: {@code @Slice(bytes = 100,
 * pieceBytes = 10)} cuts what follows the first 100 bytes into pieces of 10. The size of a
 * piece, once {@code bytes}, is {@link #pieceBytes()}: {@code @Slice(bytes = 10)} fails with a
 * message that says to write {@code @Slice(pieceBytes = 10)}.
 *
 * <p>With no trigger attribute it shapes from the accept on; with one ({@link #bytes()}, {@link
 * #pattern()}, {@link #idleMillis()}, {@link #millis()} or {@link #exchanges()}), from the moment
 * it fires, on the connections {@link #connections()} picks: {@code @Slice(exchanges = 1,
 * pieceBytes = 10, connections = @Connections(only = 2))} cuts every response after the first
 * exchange into pieces of 10 bytes, on the 2nd connection only. {@link #bytes()} and {@link
 * #pattern()} count the bytes of the shaped {@link #direction()}. The trigger, the schedule, the
 * peer and where the annotation applies work as for every fault annotation: see <a
 * href="package-summary.html#trigger">the trigger</a>, <a
 * href="package-summary.html#connections">the schedule</a>, <a href="package-summary.html#peer">the
 * peer</a> and <a href="package-summary.html#where">where it applies</a>.
 *
 * @see Effect.Slice
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
@ExtendWith(MisbehaveExtension.class)
@Repeatable(Slice.List.class)
public @interface Slice {

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
     * Which bytes are split, and which ones {@link #bytes()} counts and {@link #pattern()}
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
     * The size of each piece, 1 or more bytes. It must be set.
     *
     * @return the piece size
     */
    int pieceBytes() default Integer.MIN_VALUE;

    /**
     * Milliseconds between pieces, 0 (the default) or more.
     *
     * @return the gap in milliseconds
     */
    long gapMillis() default 0;

    /**
     * Which connections get the fault; the others are served normally. The default, {@code
     * @Connections} with nothing set, is every connection. See <a
     * href="package-summary.html#connections">which connections</a>.
     *
     * @return the schedule
     */
    Connections connections() default @Connections;

    /**
     * Holds several {@code @Slice} annotations on one element, one per {@link Slice#peer() peer}
     * name. Java creates it when {@code @Slice} is repeated; you do not write it yourself.
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
        Slice[] value();
    }
}
