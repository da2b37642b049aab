package dev.misbehave.examples.outputs;

import static dev.misbehave.assertj.ConnectionConditions.connectionReset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.examples.SessionStore;
import dev.misbehave.examples.SessionStoreUnavailableException;
import dev.misbehave.examples.servers.RedisServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The producer of the exception chain docs/real-servers-databases.md shows for a Redis GET reset
 * mid-value on every connection: the session store of the examples (Jedis), through a peer in front
 * of a real {@code redis-server}, captured for the docs module ({@link DocOutputs}). The example
 * ({@code SessionExamples.resetMidGet}) asserts the outcome; this run only shows its text. Without
 * {@code redis-server} the class is skipped (as the examples are) and the block is not checked.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@DisplayName("The exception chain of a Redis GET reset mid-value")
class RedisOutputsTests {

    static {
        // replaced by the capture below; left if redis-server is not installed or cannot start
        DocOutputs.skip("redis-reset-chain", "redis-server did not start in this build");
    }

    @RegisterExtension
    static final RedisServer redis = new RedisServer();

    @BeforeAll
    static void session() {
        try (var sessions = new SessionStore(redis.address(), Duration.ofSeconds(2))) { // no proxy
            sessions.save("big", "x".repeat(256 * 1024), Duration.ofHours(1));
        }
    }

    @Test
    @DisplayName("every connection reset after 100,000 B of a 256 KiB value: fails after one retry, a reset")
    void resetMidGet() {
        try (var peer = MisbehavingPeer.start(Script.forwardTo(redis.address()),
                        Fault.resetAfter(Direction.DOWNSTREAM, 100_000));
                var sessions = new SessionStore(peer.address(), Duration.ofSeconds(2))) {
            var failure = catchThrowableOfType(SessionStoreUnavailableException.class, () -> sessions.load("big"));

            assertThat(failure).is(connectionReset());
            DocOutputs.capture("redis-reset-chain", DocOutputs.ports(DocOutputs.chain(failure, "\n <- ")));
        }
    }
}
