package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.Delivery;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.SendGarbageAfter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server-first protocol: an SMTP-style relay greets before the client says anything. */
@DisplayName("A mail relay check against a server-first protocol")
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class MailExamples {

    static final Duration WAIT = Duration.ofSeconds(10);

    @DisplayName("succeeds against the scripted relay")
    // tag::relay-greeting[]
    @Test
    @PeerScript(greeting = "220 relay.example ready\r\n", requestEndsWith = "\r\n", response = "250 relay.example\r\n")
    void healthyRelay(MisbehavingPeer peer) throws Exception {
        assertThat(new MailNotifier(peer.address()).hello()).isEqualTo("250 relay.example");
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection ->
                assertThat(new String(connection.received(), StandardCharsets.US_ASCII)).isEqualTo("HELO app.example\r\n"));
    }
    // end::relay-greeting[]

    @DisplayName("reports a relay that resets right after its greeting")
    // tag::reset-after-greeting[]
    @Test
    @PeerScript(greeting = "220 relay.example ready\r\n", requestEndsWith = "\r\n", response = "250 relay.example\r\n")
    @ForceResetAfter(bytes = 25, direction = Direction.DOWNSTREAM) // exactly the 25-byte greeting
    void resetAfterGreeting(MisbehavingPeer peer) {
        assertThatThrownBy(() -> new MailNotifier(peer.address()).hello())
                .isInstanceOf(NotificationFailedException.class)
                .is(connectionReset());
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(new String(connection.sent(), StandardCharsets.US_ASCII))
                    .isEqualTo("220 relay.example ready\r\n");
            assertThat(connection.delivery()).isEqualTo(Delivery.CONFIRMED);
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::reset-after-greeting[]

    @DisplayName("reports a relay that resets in the middle of the client's HELO")
    // tag::reset-mid-command[]
    @Test
    @PeerScript(greeting = "220 relay.example ready\r\n", requestEndsWith = "\r\n", response = "250 relay.example\r\n")
    @ForceResetAfter(bytes = 4) // "HELO": the peer resets once the command's line has ended
    void resetMidCommand(MisbehavingPeer peer) {
        assertThatThrownBy(() -> new MailNotifier(peer.address()).hello())
                .isInstanceOf(NotificationFailedException.class)
                .is(connectionReset());
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(new String(connection.sent(), StandardCharsets.US_ASCII)).isEqualTo("220 relay.example ready\r\n");
            assertThat(new String(connection.received(), StandardCharsets.US_ASCII)).isEqualTo("HELO");
            assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
        });
    }
    // end::reset-mid-command[]

    @DisplayName("reports another service on the relay's port (garbage, then a close)")
    // tag::garbage[]
    @Test
    @SendGarbageAfter(bytes = 0, text = "SSH-2.0-OpenSSH_9.6\r\n", thenClose = true)
    void wrongServiceOnThePort(MisbehavingPeer peer) {
        assertThatThrownBy(() -> new MailNotifier(peer.address()).hello())
                .isInstanceOf(NotificationFailedException.class)
                .hasMessage("no 220 greeting, got: SSH-2.0-OpenSSH_9.6")
                .hasNoCause();
        assertThat(peer.awaitConnections(1, WAIT)).singleElement().satisfies(connection -> {
            assertThat(connection.sentCount()).isEqualTo(21);
            assertThat(connection.ending()).isEqualTo(Ending.PEER_CLOSED);
        });
    }
    // end::garbage[]
}
