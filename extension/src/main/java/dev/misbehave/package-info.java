/**
 * Misbehave's public API: the annotations that give a JUnit test a misbehaving TCP peer, the
 * {@link dev.misbehave.MisbehavingPeer} handle a test receives, and the fault model ({@link
 * dev.misbehave.Fault}: an {@link dev.misbehave.Effect}, a {@link dev.misbehave.Trigger} and a
 * {@link dev.misbehave.Schedule}) that the annotations are shorthands for.
 *
 * <p>What every fault annotation shares is described once, here; each annotation links to it.
 *
 * <h2 id="kinds">The fault annotations</h2>
 * <ul>
 *   <li><b>Terminal</b>: {@link dev.misbehave.ForceResetAfter}, {@link
 *       dev.misbehave.ForceCloseAfter}, {@link dev.misbehave.ForceHalfCloseAfter}, {@link
 *       dev.misbehave.StallAfter} and {@link dev.misbehave.SendGarbageAfter} end normal service on
 *       a connection when their trigger fires. They need exactly one trigger attribute.
 *   <li><b>Shaping</b>: {@link dev.misbehave.Delay}, {@link dev.misbehave.Throttle} and {@link
 *       dev.misbehave.Slice} keep serving the peer's script, slower or in pieces, from the moment
 *       their trigger fires. They take at most one trigger attribute; with none, they shape from
 *       the accept on.
 *   <li><b>On the port</b>: {@link dev.misbehave.RefuseConnections} and {@link
 *       dev.misbehave.NeverAccept} act before any connection exists, so they take no trigger and
 *       no schedule.
 * </ul>
 *
 * <h2 id="trigger">When: the trigger</h2>
 * Every terminal and shaping annotation declares the same trigger attributes, with the same
 * defaults:
 * <ul>
 *   <li>{@code bytes}: after exactly this many bytes of {@code direction}, 0 or more; 0 fires as
 *       soon as the connection is accepted. Upstream, the peer consumes exactly that many of the
 *       client's bytes and never one more; downstream, it sends exactly that many of its script's
 *       bytes.
 *   <li>{@code pattern}: right after an occurrence of this text (UTF-8) in {@code direction}; with
 *       {@code occurrence} (1, the first, by default) the n-th. The peer consumes or sends the
 *       pattern's last byte and nothing after it.
 *   <li>{@code idleMillis}: when the client has sent nothing for this many milliseconds (counted
 *       from the accept, then from each byte the peer consumes), 1 or more: a server's idle timeout.
 *   <li>{@code millis}: this many milliseconds after the accept, whatever has passed, 1 or more.
 *   <li>{@code exchanges}: when the client starts request {@code exchanges + 1} on a kept-alive
 *       connection, after the peer has answered this many, 1 or more: a stale pooled connection.
 *       It needs a {@link dev.misbehave.PeerScript} that responds, or a {@link dev.misbehave.ProxyTo}
 *       with {@code requestEndsWith}.
 *   <li>{@code handshake}: at a stage of the TLS handshake ({@link dev.misbehave.HandshakeStage}),
 *       for a peer that terminates TLS: on the ClientHello, after the peer's first flight, or once
 *       the handshake completed. Only {@code @ForceResetAfter}, {@code @ForceCloseAfter}, {@code
 *       @StallAfter} and {@code @SendGarbageAfter} act there, on the TLS bytes.
 * </ul>
 *
 * <p>A trigger attribute you do not write is unset: its default is a value that stands for "not
 * set", not a count or a time. Whatever you write is checked, so {@code bytes = -1} fails as a
 * negative count and {@code millis = 0} as a time that is not 1 or more, each with a message that
 * names the value. Two trigger attributes on one annotation are a configuration error, and so is
 * none on a terminal annotation.
 *
 * <p>{@code direction} says which bytes {@code bytes} counts and {@code pattern} searches: {@link
 * dev.misbehave.Direction#UPSTREAM} the client's, {@link dev.misbehave.Direction#DOWNSTREAM} the
 * peer's (its script's, or in proxy mode the server's).
 * <ul>
 *   <li>On a terminal annotation it defaults to {@code UPSTREAM}, and goes only with {@code bytes}
 *       or {@code pattern}.
 *   <li>On a shaping annotation it is also the direction shaped, and defaults to {@code
 *       DOWNSTREAM} (the responses, which is what most tests slow down); {@code bytes} and {@code
 *       pattern} count the bytes of that same direction: {@code @Delay(bytes = 100, firstMillis =
 *       500)} sends the first 100 bytes at once and holds the rest of that response back 500 ms.
 *       To shape one direction after bytes of the other, for example the responses after the
 *       client has sent 100 bytes, build the {@link
 *       dev.misbehave.Fault} yourself: {@code new Fault(Effect.delay(DOWNSTREAM, ...),
 *       Trigger.afterBytes(UPSTREAM, 100))}, or use {@code exchanges}, which counts requests.
 * </ul>
 *
 * <h2 id="connections">Which connections: the schedule</h2>
 * The {@code connections} attribute of the terminal and shaping annotations picks the connections
 * the fault applies to, for example {@code connections = @Connections(first = 2)}; the others are
 * served normally by the peer's script. With nothing set (the default) the fault applies to every
 * connection. Connections are numbered from 1 in accept order, and every accepted connection
 * counts, including the ones a client opens when it retries on its own. See {@link
 * dev.misbehave.Connections}.
 *
 * <h2 id="peer">Which peer</h2>
 * A test may talk to several peers, one per name. The {@code peer} attribute of every annotation
 * names the peer it applies to; the default, {@code ""}, is the test's unnamed peer. A {@link
 * dev.misbehave.MisbehavingPeer} parameter annotated with {@link dev.misbehave.PeerName
 * &#64;PeerName("name")} receives the named peer, an unannotated one the unnamed peer. Repeat an
 * annotation with other names to give each peer its fault; a peer applies a single fault and has a
 * single script. On a field, {@code peer} must stay empty: the field's name names its peer.
 *
 * <h2 id="where">Where an annotation applies</h2>
 * <ul>
 *   <li>On a test method it applies to that test.
 *   <li>On a test class it applies to every test of the class and of its {@code @Nested} classes;
 *       for each peer name, an annotation on a method wins over one on its class.
 *   <li>On another annotation it composes your own: {@code @ForceResetAfter(bytes = 16) @interface
 *       FlakyUploadServer {}}.
 *   <li>On a field of type {@link dev.misbehave.MisbehavingPeer} it starts a peer and assigns it to
 *       the field: a static field gets one peer for all tests of the class, an instance field a
 *       fresh one per test.
 * </ul>
 *
 * <p>Each test gets its own peers, on 127.0.0.1 and ephemeral ports unless configured otherwise,
 * closed when the test ends whatever its outcome, so tests may run in parallel. A misconfigured
 * annotation fails the test with an {@code ExtensionConfigurationException} that names the
 * annotation, the attribute, the value and the fix, before any socket is opened.
 */
package dev.misbehave;
