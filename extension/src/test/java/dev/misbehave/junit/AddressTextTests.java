package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Fault;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.UpstreamRecord;
import dev.misbehave.internal.Addresses;
import dev.misbehave.testing.Sockets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Addresses and failures in the journal, {@code toString}s and messages read as a person writes
 * them (issue 13: {@code [0:0:0:0:0:0:0:1]:PORT}, {@code 127.0.0.1/127.0.0.1:P}, a lambda's class
 * name).
 */
@Timeout(60)
@DisplayName("Addresses and failures in words")
class AddressTextTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Nested
    @DisplayName("the one formatter")
    class Formatter {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
            "127.0.0.1, 127.0.0.1:8080",
            "::1, [::1]:8080",
            "::, [::]:8080",
            "0:0:0:0:0:0:0:0, [::]:8080",
            "2001:DB8:0:0:0:0:0:1, [2001:db8::1]:8080",
            "2001:db8:0:0:1:0:0:1, [2001:db8::1:0:0:1]:8080",
            "2001:db8:0:1:1:1:1:1, [2001:db8:0:1:1:1:1:1]:8080",
            "2001:0:0:1:0:0:0:1, [2001:0:0:1::1]:8080",
            "fe80:0:0:0:0:0:0:0, [fe80::]:8080",
            "::ffff:127.0.0.1, 127.0.0.1:8080",
        })
        void resolved(String host, String text) throws Exception {
            assertThat(Addresses.of(new InetSocketAddress(InetAddress.getByName(host), 8080))).isEqualTo(text);
        }

        @Test
        @DisplayName("an unresolved address as its host name, a scoped one with its scope")
        void unresolvedAndScoped() throws Exception {
            assertThat(Addresses.of(InetSocketAddress.createUnresolved("db.example", 5432))).isEqualTo("db.example:5432");
            assertThat(Addresses.host(InetAddress.getByName("fe80:0:0:0:0:0:0:1%1"))).isEqualTo("fe80::1%1");
        }
    }

    @Test
    @DisplayName("a peer on ::1: host(), toString(), the journal line and the failure report say [::1]:PORT")
    void ipv6Loopback() {
        EngineExecutionResults results = EngineRunner.run(Ipv6TestCases.class,
                Map.of(Settings.BIND_ADDRESS, "::1"));
        results.testEvents().assertThatEvents().haveExactly(1,
                event(test("fails"), finishedWithFailure(message("the test's own failure"))));
        assertThat(results.allEvents().reportingEntryPublished().stream()
                        .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
                        .map(entry -> entry.get("misbehave.journal")))
                .singleElement().asString()
                .contains("#0 from [::1]:")
                .doesNotContain("0:0:0:0");
    }

    @Test
    @DisplayName("a proxy's journal: an upstream supplier that returned null, and one that threw, in words")
    void supplierInWords() {
        Supplier<InetSocketAddress> none = () -> null;
        Script script = Script.forwardTo(none);
        assertThat(script).hasToString("forward to the address a supplier gives");
        try (MisbehavingPeer peer = MisbehavingPeer.start(script)) {
            UpstreamRecord leg = forwardOnce(peer);
            assertThat(leg).hasToString("upstream (no address): forwarded 0 B, read 0 B, NOT_CONNECTED (the upstream"
                    + " supplier returned null, so there was no address to connect to)");
            assertThat(peer.toString()).doesNotContain("Lambda");
        }
        try (MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(() -> {
            throw new IllegalStateException("the server is not started yet");
        }))) {
            assertThat(forwardOnce(peer).failure()).contains(
                    "the upstream supplier threw IllegalStateException: the server is not started yet");
        }
    }

    @Test
    @DisplayName("a proxy's journal: a connect timeout in words, the address once, as a person writes it")
    void connectTimeout() {
        try (MisbehavingPeer full = MisbehavingPeer.start(Fault.neverAccept());
                MisbehavingPeer peer = MisbehavingPeer.start(Script.forwardTo(full.address()))) {
            assertThat(forwardOnce(peer).failure()).contains("connect to 127.0.0.1:" + full.port()
                    + " failed: no answer within 5000 ms (the connect timed out)");
        }
    }

    /** Opens one connection to {@code peer} and returns its upstream leg once it has ended. */
    static UpstreamRecord forwardOnce(MisbehavingPeer peer) {
        try (Socket client = new Socket(peer.host(), peer.port())) {
            Sockets.readAll(client);
        } catch (IOException e) {
            // the reset may already reach connect()
        }
        ConnectionRecord record = peer.awaitConnections(1, WAIT).get(0);
        return record.upstream().orElseThrow();
    }

    // ---- fixtures: run only through EngineRunner ----

    static class Ipv6TestCases {
        @Test
        @ForceResetAfter(bytes = 1)
        void fails(MisbehavingPeer peer) throws IOException {
            assertThat(peer.host()).isEqualTo("::1");
            assertThat(peer.toString()).startsWith("MisbehavingPeer[[::1]:" + peer.port() + ", ");
            try (Socket client = new Socket(peer.host(), peer.port())) {
                client.getOutputStream().write('x');
                Sockets.readAll(client);
            }
            assertThat(peer.awaitConnections(1, WAIT).get(0).toString()).startsWith("#0 from [::1]:");
            throw new AssertionError("the test's own failure");
        }
    }
}
