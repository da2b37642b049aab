package dev.misbehave.examples;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Application code: web sessions in Redis, through a Jedis pool.
 *
 * <p>Jedis reports every broken connection as a {@link JedisConnectionException} and destroys the
 * connection instead of returning it to the pool. Its policy:
 *
 * <ul>
 *   <li>A connection that broke (reset, or closed by the server) is retried once, on a fresh
 *       connection: {@code GET}, {@code MGET} and {@code SET} of a whole session are idempotent.
 *   <li>A timeout (the server, or something between, went silent) is not retried: the socket
 *       timeout already cost the caller its budget, and a silent server would cost it again. It
 *       fails at once with {@link SessionStoreUnavailableException#timedOut()} true.
 * </ul>
 */
public final class SessionStore implements AutoCloseable {

    private final JedisPool pool;
    private final String server;

    /**
     * A store in the Redis at {@code redis}.
     *
     * @param redis the server (or a proxy in front of it)
     * @param timeout the socket timeout of every command, and the connect timeout
     */
    // tag::client-config[]
    public SessionStore(InetSocketAddress redis, Duration timeout) {
        var client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) timeout.toMillis())
                .socketTimeoutMillis((int) timeout.toMillis()) // a silent server: SocketTimeoutException
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED) // no CLIENT SETINFO on connect
                .build();
        var connections = new GenericObjectPoolConfig<Jedis>();
        connections.setMaxTotal(2);
        this.pool = new JedisPool(connections, new HostAndPort(redis.getHostString(), redis.getPort()), client);
        this.server = redis.getHostString() + ":" + redis.getPort();
    }
    // end::client-config[]

    /**
     * Stores a session for {@code ttl}.
     *
     * @param id the session id
     * @param data the session, serialized
     * @param ttl how long it lives
     * @throws SessionStoreUnavailableException if Redis did not take it
     */
    public void save(String id, String data, Duration ttl) {
        call("save session " + id, jedis -> jedis.setex(key(id), ttl.toSeconds(), data));
    }

    /**
     * The session {@code id}, if it exists.
     *
     * @param id the session id
     * @return the session, serialized
     * @throws SessionStoreUnavailableException if Redis did not answer
     */
    public Optional<String> load(String id) {
        return Optional.ofNullable(call("load session " + id, jedis -> jedis.get(key(id))));
    }

    /**
     * The sessions {@code ids} that exist, in one {@code MGET}.
     *
     * @param ids the session ids
     * @return id to session, in the order of {@code ids}, missing ones left out
     * @throws SessionStoreUnavailableException if Redis did not answer
     */
    public Map<String, String> loadAll(List<String> ids) {
        List<String> values = call("load " + ids.size() + " sessions",
                jedis -> jedis.mget(ids.stream().map(SessionStore::key).toArray(String[]::new)));
        Map<String, String> sessions = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            if (values.get(i) != null) {
                sessions.put(ids.get(i), values.get(i));
            }
        }
        return sessions;
    }

    // tag::retry-policy[]
    private <T> T call(String what, Function<Jedis, T> command) {
        try {
            return once(command);
        } catch (JedisConnectionException first) {
            if (isTimeout(first)) { // silent server: do not wait twice
                throw new SessionStoreUnavailableException(what, server, 1, true, first);
            }
            try {
                return once(command); // broken connection: Jedis destroyed it; once more on a fresh one
            } catch (JedisConnectionException second) {
                second.addSuppressed(first);
                throw new SessionStoreUnavailableException(what, server, 2, isTimeout(second), second);
            }
        }
    }

    private <T> T once(Function<Jedis, T> command) {
        try (Jedis jedis = pool.getResource()) { // a broken connection is destroyed, not pooled
            return command.apply(jedis);
        }
    }

    private static boolean isTimeout(JedisConnectionException e) {
        return e.getCause() instanceof SocketTimeoutException;
    }
    // end::retry-policy[]

    private static String key(String id) {
        return "session:" + id;
    }

    /**
     * How many connections the pool has created and destroyed so far, as the application's metrics
     * would show them.
     *
     * @return {@code created/destroyed}
     */
    public String connectionCounts() {
        return pool.getCreatedCount() + "/" + pool.getDestroyedCount();
    }

    @Override
    public void close() {
        pool.close();
    }
}
