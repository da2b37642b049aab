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
 * ConnectionConditions.connectionClosed()} matches these. After an upstream trigger the peer first
 * stops reading and waits (bounded) until the client has sent nothing more, so a client that writes
 * its request in several calls has made all of them and meets the close in its read. The peer
 * leaves the rest of the request unread, so its kernel follows the FIN with an RST shortly after: a
 * client that writes again after end-of-stream gets "Broken pipe" from one of its next writes. The
 * journal records {@link Ending#PEER_CLOSED}.
 *
 * <h2>When: the trigger</h2>
 * Set exactly one trigger attribute: {@link #bytes()} (with {@link #direction()}), {@link
 * #pattern()} (with {@link #direction()} and {@link #occurrence()}), {@link #idleMillis()}, {@link
 * #millis()} or {@link #exchanges()}. None or two of them is a configuration error.
 *
 * <h2>Which connections, which peer</h2>
 * {@link #connections()} picks the connections, for example {@code connections = @Connections(first
 * = 2)}; every accepted connection counts, including the ones a client opens when it retries on its
 * own. {@link #peer()} names the peer, for tests that talk to several; repeat the annotation with
 * other names to give each its fault.
 *
 * <h2>Where it applies</h2>
 * On a test method it applies to that test. On a test class it applies to every test of the class
 * and of its {@code @Nested} classes; for each peer name, an annotation on a method wins over one on
 * its class. It may also be placed on another annotation, so you can compose your own. Each test
 * gets its own peers on 127.0.0.1 and ephemeral ports, closed when the test ends whatever its
 * outcome, so tests may run in parallel. On a field of type {@link MisbehavingPeer} it starts a
 * peer and assigns it to the field: a static field gets one peer for all tests of the class, an
 * instance field a fresh one per test.
 *
 * <p>Misconfiguration fails the test with an {@code ExtensionConfigurationException} that names the
 * annotation, the attribute and the fix, before any socket is opened.
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
     * The name of the peer this fault applies to. A test may have several peers, one per name; a
     * {@link MisbehavingPeer} parameter annotated with {@link PeerName @PeerName("name")} receives
     * the named one, an unannotated parameter the peer named {@code ""} (the default). On a field
     * this must stay empty: the field's name names its peer.
     *
     * @return the peer's name
     */
    String peer() default "";

    /**
     * Trigger: close after exactly this many bytes of {@link #direction()}, 0 or more. 0 fires as
     * soon as the connection is accepted. -1 (the default) leaves this trigger unset.
     *
     * @return the byte count, or -1
     */
    long bytes() default -1;

    /**
     * Which bytes {@link #bytes()} counts and {@link #pattern()} searches: {@link
     * Direction#UPSTREAM} (the default) the client's, {@link Direction#DOWNSTREAM} the ones the
     * peer's {@link PeerScript script} sends. Only these two triggers take a direction.
     *
     * @return the direction
     */
    Direction direction() default Direction.UPSTREAM;

    /**
     * Trigger: close right after the {@link #occurrence()}-th occurrence of this text (UTF-8) in
     * {@link #direction()}; the peer consumes or sends the pattern's last byte and nothing after it.
     * Empty (the default) leaves this trigger unset.
     *
     * @return the pattern, or empty
     */
    String pattern() default "";

    /**
     * Which occurrence of {@link #pattern()} fires, 1 (the default) or more. Only with a pattern.
     *
     * @return the occurrence
     */
    int occurrence() default 1;

    /**
     * Trigger: close when the client has sent nothing for this many milliseconds (counted from the
     * accept, then from each byte the peer consumes), 1 or more: a server's idle timeout. -1 (the
     * default) leaves this trigger unset.
     *
     * @return the idle time in milliseconds, or -1
     */
    long idleMillis() default -1;

    /**
     * Trigger: close this many milliseconds after the connection was accepted, whatever has passed
     * on it, 1 or more. -1 (the default) leaves this trigger unset.
     *
     * @return the delay in milliseconds, or -1
     */
    long millis() default -1;

    /**
     * Trigger: close when the client starts request {@code exchanges + 1} on a kept-alive
     * connection, after the peer has answered this many requests, 1 or more: a stale pooled
     * connection. Needs a {@link PeerScript} that responds. -1 (the default) leaves this trigger
     * unset.
     *
     * @return the number of answered requests, or -1
     */
    int exchanges() default -1;

    /**
     * Which connections get the fault; the others are served normally. The default, {@code
     * @Connections} with nothing set, is every connection.
     *
     * @return the schedule
     */
    Connections connections() default @Connections;

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
