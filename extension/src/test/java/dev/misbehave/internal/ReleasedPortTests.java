package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.misbehave.Ending;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.testing.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A port that a peer has released belongs to whoever the kernel gives it to next: a peer of a test
 * running beside this one, or of another build on the same machine. Checking that a peer released
 * its port by connecting to it disturbs that peer: this is how the determinism run once saw an extra
 * connection in {@code DatabaseExamples#idleTimeout} (received 0 B, sent 0 B, {@code CLIENT_CLOSED}),
 * while another build's {@code LoadTests} checked the ports of its 64 closed peers that way.
 *
 * <p>Here the next owner is a peer of this test, handed the port with no moment in which it is free
 * (the engine's own hand-over), so that nothing else can take it in between.
 */
@Timeout(60)
@DisplayName("A port a peer has released")
class ReleasedPortTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Closes {@code released} and starts a silent peer on its port; the port is never free in between. */
    private static MisbehavingPeer nextPeerOnThePortOf(MisbehavingPeer released) throws IOException {
        PortReservation reservation = PortReservation.takeOver(released.address(), released::close);
        try {
            return reservation.handOver((address, port) ->
                    MisbehavingPeer.start(Script.silent(), null, new InetSocketAddress(address, port)));
        } finally {
            reservation.close();
        }
    }

    @Test
    @DisplayName("is reached by a connect meant for the peer that released it: the next peer journals a connection that sent nothing, closed by its client")
    void aConnectReachesTheNextOwner() throws IOException {
        MisbehavingPeer released = MisbehavingPeer.start(Script.silent());
        try (MisbehavingPeer next = nextPeerOnThePortOf(released)) {
            // "is the released port closed?", checked by a connect that expects "Connection refused"
            assertThatCode(() -> new Socket(released.host(), released.port()).close())
                    .as("a connect to the released port (the check's own test fails too: it was answered)")
                    .doesNotThrowAnyException();

            assertThat(next.awaitConnections(1, WAIT)).as("the next peer's journal").singleElement()
                    .satisfies(stray -> {
                        assertThat(stray.receivedCount()).isZero();
                        assertThat(stray.sentCount()).isZero();
                        assertThat(stray.ending()).isEqualTo(Ending.CLIENT_CLOSED);
                    });
            assertThat(released.connections()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"the listening socket seen while open (Linux)", "the port alone (no /proc)"})
    @DisplayName("is checked by Ports.Listener without a connect: the next peer journals only its own client")
    void theListenerCheckDoesNotConnect(String by) throws IOException {
        MisbehavingPeer released = MisbehavingPeer.start(Script.silent());
        Ports.Listener seen = Ports.Listener.of(released.port());
        Ports.Listener listener = by.startsWith("the port alone") ? new Ports.Listener(seen.port(), Optional.empty()) : seen;
        try (MisbehavingPeer next = nextPeerOnThePortOf(released)) {
            Throwable verdict = catchThrowable(() -> listener.assertClosed("the released peer"));

            if (listener.inode().isPresent()) {
                assertThat(verdict).as("that listening socket is closed").isNull();
            } else {
                assertThat(verdict).as("the port is taken; by whom, the bind cannot tell")
                        .hasMessageContaining("still taken");
            }
            try (Socket own = new Socket(next.host(), next.port())) {
                own.getOutputStream().write('x');
            }
            // connections are accepted in the order they were made: one of the check would come first
            assertThat(next.awaitConnections(1, WAIT)).as("the next peer's journal").singleElement()
                    .satisfies(only -> assertThat(only.received()).containsExactly('x'));
        }
    }

    @Test
    @DisplayName("is not yet released while its peer listens, and Ports.Listener says so")
    void theListenerCheckFailsWhileThePeerListens() {
        try (MisbehavingPeer peer = MisbehavingPeer.start(Script.silent())) {
            Ports.Listener listener = Ports.Listener.of(peer.port());

            assertThatThrownBy(() -> listener.assertClosed("the open peer"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("the open peer")
                    .hasMessageContaining(String.valueOf(peer.port()))
                    .hasMessageContaining("still");
        }
    }
}
