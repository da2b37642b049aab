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
 * sends and then aborts the connection with a TCP RST. Declare a {@link MisbehavingPeer} parameter
 * to get its address and journal.
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
 *   <li>{@code bytes = N > 0}: the peer reads exactly N bytes, stops reading, waits (bounded) until
 *       the client has stopped sending, then resets. If the rest of the client's request fits the
 *       kernel buffers (64 KiB or less after byte N), the client's writes succeed and its next read
 *       fails with "Connection reset". If more than 5 MiB remain after byte N, the client's write
 *       fails with "Connection reset by peer". In between, which call fails depends on the client's
 *       send buffer.
 *   <li>Every connection is handled alike and journalled, including the ones a client opens when it
 *       retries on its own.
 * </ul>
 *
 * <h2>Where it applies</h2>
 * On a test method it applies to that test. On a test class it applies to every test of the class
 * and of its {@code @Nested} classes; an annotation on a method wins over one on its class. It may
 * also be placed on another annotation, so you can compose your own, for example {@code
 * @FlakyUploadServer}. Each test gets its own peer on 127.0.0.1 and an ephemeral port, closed when
 * the test ends whatever its outcome, so tests may run in parallel.
 *
 * <p>Misconfiguration (a negative {@code bytes}, an unsupported direction, two of these annotations
 * on one element) fails the test with an {@code ExtensionConfigurationException} before any socket
 * is opened.
 *
 * @see MisbehavingPeer
 * @see Fault#resetAfter(Direction, long)
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(MisbehaveExtension.class)
public @interface ForceResetAfter {

    /**
     * How many bytes the peer consumes before it resets: 0 or more. 0 resets as soon as the
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
