package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionRefused;
import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.ProxyTo;
import dev.misbehave.RefuseConnections;
import dev.misbehave.Schedule;
import dev.misbehave.Script;
import dev.misbehave.Trigger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The retry libraries again, now through the misbehaving proxy in front of a real HTTP server
 * (the JDK's {@code HttpServer}), so the server's own count proves what reached it: three
 * connections for one PUT that the server handled once; a POST cut off after the whole request
 * went out, which the server handled although the client saw a reset, so a retry would have
 * handled it twice.
 */
@DisplayName("Retry libraries through a misbehaving proxy, against a real HTTP server")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
// The tests assert what the class's one artifact server counted (forgotten before each test), so
// they run one at a time under parallel execution (-Pparallel); the class runs beside the others.
@Execution(ExecutionMode.SAME_THREAD)
class RetryBehindProxyExamples {

    static final Duration WAIT = Duration.ofSeconds(10);
    static ArtifactServer server;

    @BeforeAll
    static void startServer() {
        server = ArtifactServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void forgetCounts() {
        server.forget();
    }

    // tag::proxy-to[]
    static InetSocketAddress artifactServer() {
        return server.address(); // @ProxyTo("artifactServer") reads this at each connection
    }
    // end::proxy-to[]

    static URI through(MisbehavingPeer proxy) {
        return URI.create("http://" + proxy.host() + ":" + proxy.port());
    }

    /** A reset of both legs as soon as the proxy has forwarded the request's last bytes. */
    static Fault resetAfterWholeRequest(String lastBytes) {
        return new Fault(new Effect.Reset(), Trigger.OnPattern.of(Direction.UPSTREAM, lastBytes));
    }

    @Nested
    @DisplayName("Resilience4j Retry (the proxy declared with @ProxyTo)")
    class Resilience4j {

        @DisplayName("sets a stock level on the third connection; the server handled the PUT once")
        // tag::proxy-resilience4j-third-attempt[]
        @Test
        @ProxyTo("artifactServer")
        @ForceResetAfter(bytes = 100, connections = @Connections(first = 2))
        void idempotentPutSucceedsOnTheThirdAttempt(MisbehavingPeer proxy) throws Exception {
            InventoryClient.Outcome outcome = new InventoryClient(through(proxy), 3).setLevel("SKU-42", 7);

            assertThat(outcome).isEqualTo(new InventoryClient.Outcome(3, 200));
            List<ConnectionRecord> journal = proxy.awaitConnections(2, WAIT);
            assertThat(journal).hasSize(3);
            assertThat(journal.subList(0, 2)).allSatisfy(attempt -> {
                assertThat(attempt.upstream().orElseThrow().sentCount()).isEqualTo(100);
                assertThat(attempt.ending()).isEqualTo(Ending.PEER_RESET);
            });
            assertThat(server.handled("PUT /stock/SKU-42")).isEqualTo(1);
        }
        // end::proxy-resilience4j-third-attempt[]

        @DisplayName("does not retry a reservation the server handled before the reset; the server handled it once")
        // tag::proxy-resilience4j-post[]
        @Test
        @ProxyTo("artifactServer")
        @ForceResetAfter(pattern = "\"quantity\":2}") // forwards the whole request, then resets both legs
        void postThatReachedTheServerIsNotRetried(MisbehavingPeer proxy) throws Exception {
            CallFailedException failed = catchThrowableOfType(CallFailedException.class,
                    () -> new InventoryClient(through(proxy), 3).reserve("SKU-42", 2));

            assertThat(failed.attempts()).isEqualTo(1);
            assertThat(failed).is(connectionReset());
            assertThat(proxy.awaitConnections(1, WAIT)).singleElement().satisfies(reservation -> // every byte went on
                    assertThat(reservation.upstream().orElseThrow().sentCount())
                            .isEqualTo(reservation.receivedCount()));
            // the client saw a reset, yet the reservation was made: a retry would have made two
            server.awaitHandled(1, WAIT);
            assertThat(server.handled("POST /reservations")).isEqualTo(1);
        }
        // end::proxy-resilience4j-post[]

        @DisplayName("retries a reservation whose connection was refused; the server never saw it")
        @Test
        @ProxyTo("artifactServer")
        @RefuseConnections
        void refusedPostIsRetried(MisbehavingPeer proxy) {
            CallFailedException failed = catchThrowableOfType(CallFailedException.class,
                    () -> new InventoryClient(through(proxy), 3).reserve("SKU-42", 2));

            assertThat(failed.attempts()).isEqualTo(3);
            assertThat(failed).is(connectionRefused());
            assertThat(proxy.connections()).isEmpty();
            assertThat(server.handled("POST /reservations")).isZero();
        }
    }

    @Nested
    @DisplayName("Failsafe (the proxy started in code, Script.forwardTo)")
    class FailsafeRetry {

        @Test
        @DisplayName("updates an address on the third connection; the server handled the PUT once")
        void idempotentPutSucceedsOnTheThirdAttempt() throws Exception {
            try (MisbehavingPeer proxy = MisbehavingPeer.start(Script.forwardTo(server.address()),
                    Fault.resetAfter(Direction.UPSTREAM, 100).on(Schedule.first(2)))) {
                ShippingClient.Outcome outcome = new ShippingClient(through(proxy), 3).updateAddress("S-7", "1 Main St");

                assertThat(outcome).isEqualTo(new ShippingClient.Outcome(3, 200));
                List<ConnectionRecord> journal = proxy.awaitConnections(2, WAIT);
                assertThat(journal).hasSize(3);
                assertThat(journal.subList(0, 2)).allSatisfy(attempt -> {
                    assertThat(attempt.upstream().orElseThrow().sentCount()).isEqualTo(100);
                    assertThat(attempt.ending()).isEqualTo(Ending.PEER_RESET);
                });
                assertThat(server.handled("PUT /shipments/S-7/address")).isEqualTo(1);
            }
        }

        @Test
        @DisplayName("does not retry a booking the server handled before the reset; the server handled it once")
        void postThatReachedTheServerIsNotRetried() throws Exception {
            try (MisbehavingPeer proxy = MisbehavingPeer.start(Script.forwardTo(server.address()),
                    resetAfterWholeRequest("parcel 1 of 1"))) {
                CallFailedException failed = catchThrowableOfType(CallFailedException.class,
                        () -> new ShippingClient(through(proxy), 3).book("parcel 1 of 1"));

                assertThat(failed.attempts()).isEqualTo(1);
                assertThat(failed).is(connectionReset());
                assertThat(proxy.awaitConnections(1, WAIT)).singleElement().satisfies(booking ->
                        assertThat(booking.upstream().orElseThrow().sentCount()).isEqualTo(booking.receivedCount()));
                server.awaitHandled(1, WAIT);
                assertThat(server.handled("POST /shipments")).isEqualTo(1);
            }
        }

        @Test
        @DisplayName("retries a booking whose connection was refused; the server never saw it")
        void refusedPostIsRetried() throws Exception {
            try (MisbehavingPeer proxy = MisbehavingPeer.start(Script.forwardTo(server.address()), Fault.refuse())) {
                CallFailedException failed = catchThrowableOfType(CallFailedException.class,
                        () -> new ShippingClient(through(proxy), 3).book("parcel 1 of 1"));

                assertThat(failed.attempts()).isEqualTo(3);
                assertThat(failed).is(connectionRefused());
                assertThat(proxy.connections()).isEmpty();
                assertThat(server.handled("POST /shipments")).isZero();
            }
        }
    }
}
