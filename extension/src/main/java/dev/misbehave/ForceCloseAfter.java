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
 * Starts an in-process TCP peer for the test that closes connections in order, with a FIN, as a
 * server process that calls {@code close()} does, when its trigger fires. Declare a {@link
 * MisbehavingPeer} parameter to get its address and journal.
 *
 * <p>Where {@link ForceResetAfter} makes the client see "Connection reset", this makes it see
 * end-of-stream: {@code read()} returns -1, the JDK {@code HttpClient} reports an {@code
 * EOFException} cause, {@code HttpURLConnection} "Unexpected end of file from server". {@code
 * ConnectionConditions.connectionClosed()} matches these. After an upstream trigger the peer
 * consumes nothing more and closes as soon as the client has finished sending (as {@link
 * ForceResetAfter} resets), so a client that writes its request in several calls has made all of
 * them and meets the close in its read. A client that writes again after end-of-stream gets "Broken
 * pipe" from one of its next writes. The journal records {@link Ending#PEER_CLOSED}.
 *
 * <p>When it fires (exactly one trigger attribute: {@link #bytes()}, {@link #pattern()}, {@link
 * #idleMillis()}, {@link #millis()} or {@link #exchanges()}), on which connections, for which peer
 * and where the annotation applies work as for every fault annotation: see <a
 * href="package-summary.html#trigger">the trigger</a>, <a
 * href="package-summary.html#connections">the schedule</a>, <a href="package-summary.html#peer">the
 * peer</a> and <a href="package-summary.html#where">where it applies</a>.
 *
 * @see Fault#closeAfter(Direction, long)
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.FIELD})
@ExtendWith(MisbehaveExtension.class)
@Repeatable(ForceCloseAfter.List.class)
public @interface ForceCloseAfter {

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
     * Over TLS ({@code @PeerScript(tls = true)}): whether the close sends {@code close_notify} before
     * its FIN, a clean end of the TLS stream (true, the default), or only the FIN, a truncation, as
     * a crashed server or a middlebox leaves it (false; see {@link Effect.Truncate}). False needs a
     * peer that terminates TLS.
     *
     * @return false for a truncation
     */
    boolean closeNotify() default true;

    /**
     * With {@code handshake = HandshakeStage.CLIENT_HELLO}: a fatal TLS alert the peer sends in
     * answer to the ClientHello, before its FIN, as a server that refuses the handshake does (see
     * {@link Effect.Alert}). {@link TlsAlert#NONE} (the default) for a close without one.
     *
     * @return the alert
     */
    TlsAlert alert() default TlsAlert.NONE;

    /**
     * Holds several {@code @ForceCloseAfter} annotations on one element, one per {@link ForceCloseAfter#peer() peer}
     * name. Java creates it when {@code @ForceCloseAfter} is repeated; you do not write it yourself.
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
        ForceCloseAfter[] value();
    }
}
