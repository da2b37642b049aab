package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.examples.servers.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A session store (Jedis) against a real {@code redis-server}, started once for the class by
 * {@link RedisServer}.
 */
@DisplayName("A session store on a real Redis")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SessionExamples {

    @RegisterExtension
    static final RedisServer redis = new RedisServer();

    @Test
    @DisplayName("saves and loads sessions straight from the server (no proxy)")
    void direct() {
        try (var sessions = new SessionStore(redis.address(), Duration.ofSeconds(2))) {
            sessions.save("s1", "user=ada", Duration.ofMinutes(5));
            sessions.save("s2", "user=bob", Duration.ofMinutes(5));

            assertThat(sessions.load("s1")).contains("user=ada");
            assertThat(sessions.load("nope")).isEmpty();
            assertThat(sessions.loadAll(List.of("s1", "nope", "s2")))
                    .containsExactly(Map.entry("s1", "user=ada"), Map.entry("s2", "user=bob"));
            assertThat(sessions.connectionCounts()).isEqualTo("1/0");
        }
    }
}
