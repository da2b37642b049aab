package dev.misbehave;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Which connections a fault annotation applies to: its {@code connections} attribute, for example
 * {@code @ForceResetAfter(bytes = 0, connections = @Connections(first = 2))}. The connections it does
 * not select are served normally by the peer's {@link PeerScript script}.
 *
 * <p>Set at most one attribute; with none set (the default) the fault applies to every connection.
 * Connections are numbered from 1 in accept order, and every accepted connection counts, including
 * the ones a client opens when it retries on its own: {@code HttpURLConnection} retries even a POST
 * once, so {@code first = 1} is how a test lets the retry succeed.
 *
 * <p>This annotation can only be written inside another annotation.
 *
 * @see Schedule
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Connections {

    /**
     * The first this many connections, 1 or more; later ones are served normally. 0 (the default)
     * leaves it unset.
     *
     * @return the count, or 0
     * @see Schedule#first(int)
     */
    int first() default 0;

    /**
     * Only the connection with this number, 1 being the first. 0 (the default) leaves it unset.
     *
     * @return the number, or 0
     * @see Schedule#only(int)
     */
    int only() default 0;

    /**
     * Every this-many-th connection: the n-th, the 2n-th, and so on. 0 (the default) leaves it
     * unset.
     *
     * @return n, or 0
     * @see Schedule#every(int)
     */
    int every() default 0;

    /**
     * Every connection after the first this many, which are served normally. 0 (the default) leaves
     * it unset.
     *
     * @return the count, or 0
     * @see Schedule#allButFirst(int)
     */
    int allButFirst() default 0;
}
