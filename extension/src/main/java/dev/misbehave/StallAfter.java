package dev.misbehave;

import dev.misbehave.junit.MisbehaveExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts an in-process TCP peer for the test that consumes exactly {@link #bytes()} bytes the client
 * sends and then stalls: it stops reading, never writes, and keeps the connection open until the
 * test ends (then it resets it). Declare a {@link MisbehavingPeer} parameter to get its address and
 * journal.
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
 * <p>The stalled connection's journal entry shows the N bytes, the fired trigger and {@link
 * Ending#OPEN} while the test runs, so wait for it with {@link MisbehavingPeer#awaitTriggered}
 * rather than {@link MisbehavingPeer#awaitConnections}, which waits for ended connections. The peer never notices that the client
 * gave up, since it does not read.
 *
 * <p>Where it applies, parallel execution and misconfiguration work as for {@link ForceResetAfter}.
 * One test's peer applies one fault, so {@code @StallAfter} and {@code @ForceResetAfter} on the same
 * element are a configuration error.
 *
 * @see Fault#stallAfter(Direction, long)
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(MisbehaveExtension.class)
public @interface StallAfter {

    /**
     * How many bytes the peer consumes before it stalls: 0 or more. 0 stalls as soon as the
     * connection is accepted.
     *
     * @return the byte count
     */
    long bytes();

    /**
     * Which bytes are counted. Only {@link Direction#UPSTREAM} (bytes the client sends) is supported
     * in this version; {@link Direction#DOWNSTREAM} fails with a configuration error.
     *
     * @return the direction
     */
    Direction direction() default Direction.UPSTREAM;
}
