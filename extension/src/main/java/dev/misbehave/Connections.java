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
 * <p>Set at most one attribute, to 1 or more; with none set (the default) the fault applies to
 * every connection. An attribute you do not write is unset, and whatever you write is checked: 0
 * or a negative number is a configuration error that names it. Connections are numbered from 1 in
 * accept order (the journal's {@link ConnectionRecord#index()} counts from 0, so connection 1 is
 * index 0), and every accepted connection counts, including the ones a client opens when it
 * retries on its own: {@code HttpURLConnection} retries even a POST once, so {@code first = 1} is
 * how a test lets the retry succeed.
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
     * The first this many connections, 1 or more; later ones are served normally. Unset unless you
     * write it.
     *
     * @return the count
     * @see Schedule#first(int)
     */
    int first() default Integer.MIN_VALUE;

    /**
     * Only the connection with this number, 1 being the first. Unset unless you write it.
     *
     * @return the number
     * @see Schedule#only(int)
     */
    int only() default Integer.MIN_VALUE;

    /**
     * Every this-many-th connection: the n-th, the 2n-th, and so on, n being 1 or more. Unset unless
     * you write it.
     *
     * @return n
     * @see Schedule#every(int)
     */
    int every() default Integer.MIN_VALUE;

    /**
     * Every connection after the first this many, which are served normally, 1 or more. Unset unless
     * you write it.
     *
     * @return the count
     * @see Schedule#allButFirst(int)
     */
    int allButFirst() default Integer.MIN_VALUE;
}
