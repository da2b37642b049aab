package dev.misbehave.internal;

import dev.misbehave.Effect;
import dev.misbehave.Fault;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * What holds a peer's port: a {@link Listener} that serves connections, a {@link PortReservation}
 * that refuses them (bound, not listening), or a {@link FullBacklog} that never accepts them. A
 * peer's port moves between the three when its fault changes, always through a reservation, so it
 * is never free in between.
 */
sealed interface PortHolder permits Listener, PortReservation, FullBacklog {

    /** Which holder a fault needs. The names appear in the message of a move that failed. */
    enum Mode {
        /** A {@link Listener}: for no fault, and for every fault that acts on connections. */
        SERVING,
        /** A {@link PortReservation}: for {@link Effect.Refuse}. */
        REFUSING,
        /** A {@link FullBacklog}: for {@link Effect.NeverAccept}. */
        NEVER_ACCEPTING;

        /** The mode {@code fault} (null: none) needs. */
        static Mode of(Fault fault) {
            if (fault == null || !(fault.effect() instanceof Effect.OnPort onPort)) {
                return SERVING;
            }
            return onPort instanceof Effect.Refuse ? REFUSING : NEVER_ACCEPTING;
        }

        /** Opens a holder of this mode on {@code port} of {@code bind} (0: an ephemeral port). */
        PortHolder open(InetAddress bind, int port) throws IOException {
            switch (this) {
                case REFUSING:
                    return PortReservation.reserve(bind, port);
                case NEVER_ACCEPTING:
                    return FullBacklog.open(bind, port);
                default:
                    return Listener.bind(bind, port);
            }
        }
    }

    /** The mode this holder serves. */
    Mode mode();

    /** The port held. */
    int port();

    /**
     * Hands the port at {@code address} to a reservation, which holds it while the next holder
     * opens, and closes this holder (a reservation returns itself). A listener waits at most {@code
     * closeTimeout} for its socket to be released.
     */
    PortReservation reserveInstead(InetSocketAddress address, Duration closeTimeout) throws IOException;

    /**
     * Releases the port as the peer closes; the future completes once it is free (a listener's by
     * {@code deadline}, a {@link System#nanoTime()} value, at the latest).
     */
    Future<?> release(long deadline);
}
