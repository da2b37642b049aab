package dev.misbehave;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Selects which of a test's peers a {@link MisbehavingPeer} parameter receives, for tests that talk
 * to several peers. The name is the {@code peer} attribute of the annotations that declare the peer,
 * or the name of a {@link MisbehavingPeer} field that carries them.
 *
 * <pre>{@code
 * @Test
 * @PeerScript(peer = "inventory", requestEndsWith = "\n", response = "42\n")
 * @ForceResetAfter(peer = "payments", bytes = 1)
 * void checkoutFailsWhenPaymentsReset(@PeerName("inventory") MisbehavingPeer inventory,
 *                                     @PeerName("payments") MisbehavingPeer payments) { ... }
 * }</pre>
 *
 * <p>A parameter without it receives the peer named {@code ""}, the default name. A name that no
 * annotation of the test declares fails with a {@code ParameterResolutionException} that lists the
 * declared names.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface PeerName {

    /**
     * The peer's name.
     *
     * @return the name
     */
    String value();
}
