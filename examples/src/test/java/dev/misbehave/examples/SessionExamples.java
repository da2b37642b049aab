package dev.misbehave.examples;

import static dev.misbehave.assertj.ConnectionConditions.connectionClosed;
import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Connections;
import dev.misbehave.Direction;
import dev.misbehave.Ending;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceHalfCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.ProxyTo;
import dev.misbehave.StallAfter;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.examples.servers.RedisServer;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A session store (Jedis) against a real {@code redis-server}, started once for the class by
 * {@link RedisServer}, with a misbehaving peer forwarding between them.
 */
@DisplayName("A session store on a real Redis")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SessionExamples {

    /** A large session: 256 KiB, so a fault after 100,000 B of the answer lands in its middle. */
    static final String BIG = "x".repeat(256 * 1024);

    static final List<String> IDS = List.of("a", "b", "c", "d");

    static final Duration WAIT = Duration.ofSeconds(10);

    // tag::server[]
    @RegisterExtension
    static final RedisServer redis = new RedisServer(); // started once for this class, always stopped
    // end::server[]

    /** The server's address, for {@code @ProxyTo("server")}: read at each connection the peer accepts. */
    static InetSocketAddress server() {
        return redis.address();
    }

    @BeforeAll
    static void sessions() {
        try (var sessions = new SessionStore(redis.address(), Duration.ofSeconds(2))) { // no proxy
            sessions.save("big", BIG, Duration.ofHours(1));
            IDS.forEach(id -> sessions.save(id, id.repeat(64 * 1024), Duration.ofHours(1)));
        }
    }

    @Test
    @DisplayName("saves and loads sessions straight from the server (no proxy)")
    void direct() {
        try (var sessions = new SessionStore(redis.address(), Duration.ofSeconds(2))) {
            sessions.save("s1", "user=ada", Duration.ofMinutes(5));

            assertThat(sessions.load("s1")).contains("user=ada");
            assertThat(sessions.load("nope")).isEmpty();
            assertThat(sessions.loadAll(List.of("s1", "nope"))).containsExactly(Map.entry("s1", "user=ada"));
            assertThat(sessions.connectionCounts()).isEqualTo("1/0");
        }
    }

    @DisplayName("is reset 100,000 B into a 256 KiB GET on every connection: fails after one retry, a reset")
    // tag::reset-mid-get[]
    @Test
    @ProxyTo("server")
    @ForceResetAfter(bytes = 100_000, direction = Direction.DOWNSTREAM)
    void resetMidGet(MisbehavingPeer peer) {
        try (var sessions = new SessionStore(peer.address(), Duration.ofSeconds(2))) {

            var failure = catchThrowableOfType(SessionStoreUnavailableException.class, () -> sessions.load("big"));

            assertThat(failure.attempts()).isEqualTo(2);
            assertThat(failure.timedOut()).isFalse();
            assertThat(failure.getCause()).isInstanceOf(JedisConnectionException.class);
            assertThat(failure).is(connectionReset());
            // created/destroyed: each broken connection is destroyed and at once replaced by an idle one
            assertThat(sessions.connectionCounts()).isEqualTo("3/2");

            sessions.close(); // closes the pool's idle replacement too
            List<ConnectionRecord> journal = peer.awaitConnections(3, WAIT);
            assertThat(journal).hasSize(3);
            assertThat(journal.subList(0, 2)).allSatisfy(connection -> {
                assertThat(connection.sentCount()).isEqualTo(100_000);
                assertThat(connection.ending()).isEqualTo(Ending.PEER_RESET);
                assertThat(connection.upstream()).hasValueSatisfying(server ->
                        assertThat(server.ending()).isEqualTo(UpstreamEnding.PEER_RESET));
            });
            assertThat(journal.get(2).receivedCount()).isZero(); // the idle replacement
        }
    }
    // end::reset-mid-get[]

    @DisplayName("is reset 100,000 B into a 256 KiB MGET on its first connection: the retry gets every session")
    // tag::reset-mid-mget-retried[]
    @Test
    @ProxyTo("server")
    @ForceResetAfter(bytes = 100_000, direction = Direction.DOWNSTREAM, connections = @Connections(first = 1))
    void resetMidMgetIsRetried(MisbehavingPeer peer) {
        try (var sessions = new SessionStore(peer.address(), Duration.ofSeconds(2))) {

            Map<String, String> loaded = sessions.loadAll(IDS);

            assertThat(loaded).containsOnlyKeys(IDS);
            assertThat(loaded.get("d")).hasSize(64 * 1024);
            assertThat(sessions.connectionCounts()).isEqualTo("2/1"); // one broken, destroyed

            List<ConnectionRecord> journal = peer.awaitConnections(1, WAIT);
            assertThat(journal).hasSize(2);
            assertThat(journal.get(0).sentCount()).isEqualTo(100_000);
            assertThat(journal.get(0).ending()).isEqualTo(Ending.PEER_RESET);
            assertThat(journal.get(1).fault()).isEmpty();
            assertThat(journal.get(1).received()).isEqualTo(journal.get(0).received()); // the same MGET, sent again
        }
    }
    // end::reset-mid-mget-retried[]

    @DisplayName("stalls 100,000 B into a GET: the socket timeout fires in bounded time, and it is not retried")
    // tag::stall[]
    @Test
    @ProxyTo("server")
    @StallAfter(bytes = 100_000, direction = Direction.DOWNSTREAM)
    void stallIsATimeout(MisbehavingPeer peer) {
        try (var sessions = new SessionStore(peer.address(), Duration.ofMillis(200))) {

            long started = System.nanoTime();
            var failure = catchThrowableOfType(SessionStoreUnavailableException.class, () -> sessions.load("big"));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(failure.timedOut()).isTrue();
            assertThat(failure.attempts()).isEqualTo(1);
            assertThat(failure.getCause()).hasCauseInstanceOf(SocketTimeoutException.class);
            assertThat(took).isBetween(Duration.ofMillis(200), Duration.ofSeconds(2));

            sessions.close(); // closes the pool's idle replacement too
            List<ConnectionRecord> journal = peer.awaitConnections(1, WAIT); // the replacement; #0 stays stalled
            assertThat(journal).hasSize(2); // one attempt, and the pool's idle replacement
            assertThat(journal.get(0).sentCount()).isEqualTo(100_000);
            assertThat(journal.get(0).firedTrigger()).isPresent();
            // a stalled peer reads nothing, so it does not see that Jedis reset the connection
            assertThat(journal.get(0).ending()).isEqualTo(Ending.OPEN);
            assertThat(journal.get(1).receivedCount()).isZero();
        }
    }
    // end::stall[]

    @DisplayName("is closed (FIN) 100,000 B into a GET on every connection: end of stream, not a reset")
    // tag::close-mid-get[]
    @Test
    @ProxyTo("server")
    @ForceCloseAfter(bytes = 100_000, direction = Direction.DOWNSTREAM)
    void closeMidGet(MisbehavingPeer peer) {
        try (var sessions = new SessionStore(peer.address(), Duration.ofSeconds(2))) {

            var failure = catchThrowableOfType(SessionStoreUnavailableException.class, () -> sessions.load("big"));

            assertThat(failure.attempts()).isEqualTo(2);
            assertThat(failure.timedOut()).isFalse();
            assertThat(failure).is(connectionClosed());

            sessions.close(); // closes the pool's idle replacement too
            List<ConnectionRecord> journal = peer.awaitConnections(3, WAIT);
            assertThat(journal).hasSize(3);
            assertThat(journal.subList(0, 2)).allSatisfy(connection -> {
                assertThat(connection.sentCount()).isEqualTo(100_000);
                assertThat(connection.ending()).isEqualTo(Ending.PEER_CLOSED);
            });
            assertThat(journal.get(2).receivedCount()).isZero(); // the idle replacement
        }
    }
    // end::close-mid-get[]

    @DisplayName("is half-closed 100,000 B into a GET: Jedis sees end of stream too, and hangs up itself")
    // tag::half-close-mid-get[]
    @Test
    @ProxyTo("server")
    @ForceHalfCloseAfter(bytes = 100_000, direction = Direction.DOWNSTREAM, connections = @Connections(first = 1))
    void halfCloseMidGet(MisbehavingPeer peer) {
        try (var sessions = new SessionStore(peer.address(), Duration.ofSeconds(2))) {

            assertThat(sessions.load("big")).contains(BIG); // end of stream, retried

            List<ConnectionRecord> journal = peer.awaitConnections(1, WAIT);
            assertThat(journal).hasSize(2);
            assertThat(journal.get(0).sentCount()).isEqualTo(100_000);
            assertThat(journal.get(0).ending()).isEqualTo(Ending.CLIENT_RESET); // Jedis closes with SO_LINGER 0
            assertThat(journal.get(1).fault()).isEmpty();
        }
    }
    // end::half-close-mid-get[]
}
