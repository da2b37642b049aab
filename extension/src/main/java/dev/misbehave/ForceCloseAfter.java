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
 * sends and then closes the connection in order, with a FIN, as a server process that calls {@code
 * close()} does. Declare a {@link MisbehavingPeer} parameter to get its address and journal.
 *
 * <p>Where {@link ForceResetAfter} makes the client see "Connection reset", this makes it see
 * end-of-stream: {@code read()} returns -1, the JDK {@code HttpClient} reports an {@code
 * EOFException} cause, {@code HttpURLConnection} "Unexpected end of file from server". {@code
 * ConnectionConditions.connectionClosed()} matches these. As with the reset, the peer first stops
 * reading and waits (bounded) until the client has sent nothing more, so a client that writes its
 * request in several calls has made all of them and meets the close in its read. The peer leaves
 * the rest of the request unread, so its kernel follows the FIN with an RST shortly after: a client
 * that writes again after end-of-stream gets "Broken pipe" from one of its next writes, not
 * necessarily the first. The journal records {@link Ending#PEER_CLOSED}.
 *
 * <p>Where it applies, parallel execution and misconfiguration work as for {@link ForceResetAfter}.
 * One test's peer applies one fault, so two Misbehave fault annotations on one element are a
 * configuration error.
 *
 * @see Fault#closeAfter(Direction, long)
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(MisbehaveExtension.class)
public @interface ForceCloseAfter {

    /**
     * How many bytes the peer consumes before it closes: 0 or more. 0 closes as soon as the
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
