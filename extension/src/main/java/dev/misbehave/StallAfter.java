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
     * The name of the peer this fault applies to. A test may have several peers, one per name; a
     * {@link MisbehavingPeer} parameter annotated with {@link PeerName @PeerName("name")} receives
     * the named one, an unannotated parameter the peer named {@code ""} (the default). On a field
     * this must stay empty: the field's name names its peer.
     *
     * @return the peer's name
     */
    String peer() default "";

    /**
     * Trigger: stall after exactly this many bytes of {@link #direction()}, 0 or more. 0 fires as
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
     * Trigger: stall right after the {@link #occurrence()}-th occurrence of this text (UTF-8) in
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
     * Trigger: stall when the client has sent nothing for this many milliseconds (counted from the
     * accept, then from each byte the peer consumes), 1 or more: a server's idle timeout. -1 (the
     * default) leaves this trigger unset.
     *
     * @return the idle time in milliseconds, or -1
     */
    long idleMillis() default -1;

    /**
     * Trigger: stall this many milliseconds after the connection was accepted, whatever has passed
     * on it, 1 or more. -1 (the default) leaves this trigger unset.
     *
     * @return the delay in milliseconds, or -1
     */
    long millis() default -1;

    /**
     * Trigger: stall when the client starts request {@code exchanges + 1} on a kept-alive
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
