package dev.misbehave.junit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.Script;
import dev.misbehave.testing.Sockets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Peers listen on loopback only unless the run opts in with {@code misbehave.bindAddress}; the
 * opt-in is warned about once per run. Checked by connecting to the peer's port on an address of
 * another interface of this machine: refused on loopback, accepted on the wildcard address.
 */
@DisplayName("Where peers listen")
class BindAddressTests {

    /** An IPv4 address of a non-loopback interface of this machine, set for the fixtures. */
    static volatile InetAddress otherInterface;

    @BeforeAll
    static void findAnotherInterface() throws SocketException {
        otherInterface = nonLoopbackAddress().orElse(null);
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }

    @Nested
    @DisplayName("through the extension")
    class Extension {

        @Test
        @DisplayName("by default, on 127.0.0.1 only: a connection to another interface's address is refused, and nothing is warned")
        void loopbackByDefault() {
            assumeTrue(otherInterface != null, "this machine has no non-loopback IPv4 interface");
            EngineExecutionResults results = EngineRunner.run(RefusedElsewhereTestCases.class);
            results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
            assertThat(warnings(results)).isEmpty();
        }

        @Test
        @DisplayName("with misbehave.bindAddress=0.0.0.0, on every interface, warned once per run on standard error and in the report")
        void optIn() {
            assumeTrue(otherInterface != null, "this machine has no non-loopback IPv4 interface");
            EngineExecutionResults results = EngineRunner.run(ReachableElsewhereTestCases.class,
                    Map.of(Settings.BIND_ADDRESS, "0.0.0.0"));
            results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
            assertThat(warnings(results)).containsExactly("Misbehave: peers listen on 0.0.0.0 (configuration"
                    + " parameter misbehave.bindAddress), not on loopback only: other hosts can connect to them"
                    + " while the tests run. Remove misbehave.bindAddress to listen on 127.0.0.1 only.");
        }

        @Test
        @DisplayName("with misbehave.bindAddress=127.0.0.1, as by default, and nothing is warned")
        void loopbackExplicitly() {
            assumeTrue(otherInterface != null, "this machine has no non-loopback IPv4 interface");
            EngineExecutionResults results = EngineRunner.run(RefusedElsewhereTestCases.class,
                    Map.of(Settings.BIND_ADDRESS, "127.0.0.1"));
            results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
            assertThat(warnings(results)).isEmpty();
        }

        private List<String> warnings(EngineExecutionResults results) {
            return results.allEvents().reportingEntryPublished().stream()
                    .map(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
                    .filter(pairs -> pairs.containsKey("misbehave.warning"))
                    .map(pairs -> pairs.get("misbehave.warning"))
                    .toList();
        }
    }

    @Nested
    @DisplayName("through the programmatic API")
    class Api {

        @Test
        @DisplayName("start(script, fault, port) listens on 127.0.0.1 only")
        void loopbackByDefault() throws IOException {
            assumeTrue(otherInterface != null, "this machine has no non-loopback IPv4 interface");
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.echo(), null, 0)) {
                assertThat(peer.host()).isEqualTo("127.0.0.1");
                assertRefused(peer.port());
                assertEchoes(new InetSocketAddress(peer.host(), peer.port()));
            }
        }

        @Test
        @DisplayName("start(script, fault, address) listens where it is told; a wildcard address gives clients 127.0.0.1")
        void chosenAddress() throws IOException {
            assumeTrue(otherInterface != null, "this machine has no non-loopback IPv4 interface");
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.echo(), null, new InetSocketAddress("0.0.0.0", 0))) {
                assertThat(peer.host()).isEqualTo("127.0.0.1");
                assertEchoes(new InetSocketAddress(otherInterface, peer.port()));
                assertEchoes(peer.address());
            }
            try (MisbehavingPeer peer = MisbehavingPeer.start(Script.echo(), null,
                    new InetSocketAddress(otherInterface, 0))) {
                assertThat(peer.host()).isEqualTo(otherInterface.getHostAddress());
                assertEchoes(peer.address());
            }
        }

        @Test
        @DisplayName("an unresolved address is rejected before any socket is opened")
        void unresolved() {
            assertThatThrownBy(() -> MisbehavingPeer.start(Script.echo(), null,
                    InetSocketAddress.createUnresolved("no-such-host.invalid", 0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("listen address no-such-host.invalid:0 is unresolved: its host name has"
                            + " no address. Give an address of this machine, for example 127.0.0.1.");
        }
    }

    static void assertRefused(int port) {
        assertThatThrownBy(() -> new Socket(otherInterface, port).close()).isInstanceOf(ConnectException.class);
    }

    static void assertEchoes(InetSocketAddress address) throws IOException {
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.getOutputStream().write("hi".getBytes(UTF_8));
            assertThat(new String(Sockets.readExactly(client, 2), UTF_8)).isEqualTo("hi");
        }
    }

    // ---- fixtures: run only through EngineRunner ----

    @PeerScript(echo = true)
    static class RefusedElsewhereTestCases {
        @Test
        void first(MisbehavingPeer peer) throws IOException {
            assertRefused(peer.port());
            assertEchoes(peer.address());
        }

        @Test
        void second(MisbehavingPeer peer) throws IOException {
            assertRefused(peer.port());
        }
    }

    @PeerScript(echo = true)
    static class ReachableElsewhereTestCases {
        @Test
        void first(MisbehavingPeer peer) throws IOException {
            assertThat(peer.host()).isEqualTo("127.0.0.1");
            assertEchoes(new InetSocketAddress(otherInterface, peer.port()));
        }

        @Test
        void second(MisbehavingPeer peer) throws IOException {
            assertEchoes(new InetSocketAddress(otherInterface, peer.port()));
        }
    }
}
