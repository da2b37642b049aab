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
 * truncated frame, a protocol it does not speak.
 *
 * <pre>{@code
 * @Test
 * @PeerScript(requestEndsWith = "\r\n\r\n", response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
 * @SendGarbageAfter(pattern = "\r\n\r\n", text = "HTTP/1.1 2OO 0K\r\n")
 * void corruptStatusLine(MisbehavingPeer peer) { ... }
 * }</pre>
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
     * The name of the peer this fault applies to. A test may have several peers, one per name; a
     * {@link MisbehavingPeer} parameter annotated with {@link PeerName @PeerName("name")} receives
     * the named one, an unannotated parameter the peer named {@code ""} (the default). On a field
     * this must stay empty: the field's name names its peer.
     *
     * @return the peer's name
     */
    String peer() default "";

    /**
     * Trigger: send the garbage after exactly this many bytes of {@link #direction()}, 0 or more. 0 fires as
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
     * Trigger: send the garbage right after the {@link #occurrence()}-th occurrence of this text (UTF-8) in
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
     * Trigger: send the garbage when the client has sent nothing for this many milliseconds (counted from the
     * accept, then from each byte the peer consumes), 1 or more: a server's idle timeout. -1 (the
     * default) leaves this trigger unset.
     *
     * @return the idle time in milliseconds, or -1
     */
    long idleMillis() default -1;

    /**
     * Trigger: send the garbage this many milliseconds after the connection was accepted, whatever has passed
     * on it, 1 or more. -1 (the default) leaves this trigger unset.
     *
     * @return the delay in milliseconds, or -1
     */
    long millis() default -1;

    /**
     * Trigger: send the garbage when the client starts request {@code exchanges + 1} on a kept-alive
     * connection, after the peer has answered this many requests, 1 or more: a stale pooled
     * connection. Needs a {@link PeerScript} that responds. -1 (the default) leaves this trigger
     * unset.
     *
     * @return the number of answered requests, or -1
     */
    int exchanges() default -1;

    /**
     * The garbage as text, sent as UTF-8. Set exactly one of this and {@link #randomBytes()}.
     *
     * @return the text, or empty
     */
    String text() default "";

    /**
     * The garbage as this many pseudo-random bytes from {@link #seed()}, 1 to 16,777,216 (16 MiB). Set
     * exactly one of this and {@link #text()}; 0 (the default) leaves it unset.
     *
     * @return the number of bytes, or 0
     */
    int randomBytes() default 0;

    /**
     * The seed of the {@link #randomBytes()}: the same seed gives the same bytes in every run. Only
     * with {@code randomBytes}.
     *
     * @return the seed
     */
    long seed() default 0;

    /**
     * How the peer ends the connection after the garbage: {@code false} (the default) with a reset,
     * {@code true} with an orderly close.
     *
     * @return whether to close rather than reset
     */
    boolean thenClose() default false;

    /**
     * Which connections get the fault; the others are served normally. The default, {@code
     * @Connections} with nothing set, is every connection.
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
