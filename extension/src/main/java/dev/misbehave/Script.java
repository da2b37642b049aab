package dev.misbehave;

import dev.misbehave.internal.Addresses;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the peer says when it is not misbehaving: an optional greeting sent on accept, then one of
 * three behaviours for the client's bytes; or, as a proxy, whatever a real server says.
 * Protocol-agnostic and immutable. A script is of one of four kinds, each a final class:
 *
 * <ul>
 *   <li>{@link #silent()}, a {@link Silent} (the default): read and record everything, send nothing.
 *   <li>{@link #echo()}, an {@link Echo}: send back every byte read.
 *   <li>{@link #respond(RequestEnd, byte[])}, a {@link Respond}: read one request (where it ends is
 *       a {@link RequestEnd}), send the response, repeat for as long as the connection stays open.
 *   <li>{@link #forwardTo(InetSocketAddress)}, a {@link Forward}: proxy mode. Every accepted
 *       connection is forwarded to a real server (the upstream), both ways, with the fault applied in
 *       between: {@link Direction#UPSTREAM} bytes are the client's, on their way to the server, {@link
 *       Direction#DOWNSTREAM} bytes the server's, on their way to the client. The settings of a proxy
 *       ({@link Forward#withRequestEnd(RequestEnd)}, {@link Forward#whenUnreachable(Unreachable)})
 *       are on {@link Forward} only.
 * </ul>
 *
 * <p>Downstream faults count the bytes the script sends: {@code Fault.resetAfter(DOWNSTREAM, 100)}
 * with a 1 KiB response sends its first 100 bytes, then resets.
 *
 * <pre>{@code
 * Script http = Script.respond(
 *         RequestEnd.headersThenLength("\r\n\r\n", "Content-Length"),
 *         "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
 * }</pre>
 */
public abstract sealed class Script permits Script.Silent, Script.Echo, Script.Respond, Script.Forward {

    private static final byte[] NONE = new byte[0];

    private final byte[] greeting;
    /** The TLS the peer terminates; null for plain TCP. */
    private final Tls tls;

    private Script(byte[] greeting, Tls tls) {
        this.greeting = greeting;
        this.tls = tls;
    }

    /**
     * Reads and records everything, sends nothing.
     *
     * @return the script
     */
    public static Silent silent() {
        return new Silent(NONE, null);
    }

    /**
     * Sends back every byte it reads.
     *
     * @return the script
     */
    public static Echo echo() {
        return new Echo(NONE, null);
    }

    /**
     * Answers every request with {@code response}.
     *
     * @param requestEnd where each request ends
     * @param response the bytes sent after each request, 1 or more
     * @return the script
     * @throws IllegalArgumentException if {@code response} is empty
     */
    public static Respond respond(RequestEnd requestEnd, byte[] response) {
        Objects.requireNonNull(requestEnd, "requestEnd");
        Objects.requireNonNull(response, "response");
        if (response.length == 0) {
            throw new IllegalArgumentException("response must not be empty; use Script.silent() to send nothing");
        }
        return new Respond(NONE, null, requestEnd, response.clone());
    }

    /**
     * Answers every request with {@code response}, encoded as UTF-8.
     *
     * @param requestEnd where each request ends
     * @param response the text sent after each request, not empty
     * @return the script
     */
    public static Respond respond(RequestEnd requestEnd, String response) {
        return respond(requestEnd, response.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Proxy mode: forwards every accepted connection to the server at {@code upstream}, and the
     * server's bytes back, applying the peer's fault in between. What the server does reaches the
     * client as the server did it: its reset as a reset, its close (FIN) as a close, a half-close as
     * a half-close; and the same the other way. Reading from either side waits until the other has
     * taken the last bytes, so a slow client slows the server, and nothing is buffered without
     * bound. When the server cannot be reached, the client's connection is reset ({@link
     * Forward#whenUnreachable(Unreachable)} changes that) and the journal says why. A connection is never
     * forwarded to the peer itself, nor round a cycle of peers of this JVM: when the upstream is the
     * peer's own address, or that of a peer the connection came through, it is unreachable too.
     *
     * @param upstream the server's address, for example {@code new InetSocketAddress("127.0.0.1", 5432)}
     * @return the script
     */
    public static Forward forwardTo(InetSocketAddress upstream) {
        Objects.requireNonNull(upstream, "upstream");
        if (upstream.isUnresolved()) {
            throw new IllegalArgumentException("upstream " + Addresses.of(upstream) + " is unresolved: its host name"
                    + " has no address. Give a host that resolves, for example 127.0.0.1.");
        }
        if (upstream.getPort() == 0) {
            throw new IllegalArgumentException("upstream " + Addresses.of(upstream) + " has port 0, which no server"
                    + " listens on. Give the port the server listens on.");
        }
        return forward(() -> upstream, Addresses.of(upstream));
    }

    /**
     * Proxy mode, as {@link #forwardTo(InetSocketAddress)}, to {@code host:port}.
     *
     * @param host the server's host name or address, for example {@code "127.0.0.1"}
     * @param port the server's port, 1 to 65535
     * @return the script
     * @throws IllegalArgumentException if the port is out of range or the host does not resolve
     */
    public static Forward forwardTo(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not a TCP port; give the port the"
                    + " server listens on, 1 to 65535");
        }
        return forwardTo(new InetSocketAddress(host, port));
    }

    /**
     * Proxy mode, as {@link #forwardTo(InetSocketAddress)}, to the address {@code upstream} gives
     * at each accepted connection: for a server the test starts after the peer, or restarts on
     * another port. The supplier runs on the peer's event loop and must return quickly. When it
     * throws or returns null, the connection is treated as unreachable, and the journal says why.
     *
     * @param upstream gives the server's address for each connection
     * @return the script
     */
    public static Forward forwardTo(Supplier<? extends InetSocketAddress> upstream) {
        Objects.requireNonNull(upstream, "upstream");
        return forward(upstream, describe(upstream));
    }

    /**
     * The supplier in words: by its own {@code toString} if it has one, else only as "a supplier"
     * (a lambda's class name, {@code Tests$$Lambda$123/0x...}, says nothing to a reader).
     */
    private static String describe(Supplier<?> upstream) {
        try {
            if (upstream.getClass().getMethod("toString").getDeclaringClass() != Object.class) {
                return "the address " + upstream + " gives";
            }
        } catch (NoSuchMethodException impossible) {
            // every class has toString
        }
        return "the address a supplier gives";
    }

    private static Forward forward(Supplier<? extends InetSocketAddress> address, String description) {
        return new Forward(address, description, null, Unreachable.RESET);
    }

    /**
     * A forwarding script that also tells where each of the client's requests ends; see {@link
     * Forward#withRequestEnd(RequestEnd)}.
     *
     * @param requestEnd where each request ends
     * @return a copy of this script that counts requests
     * @throws IllegalStateException if this script does not forward
     * @deprecated A setting of forwarding scripts only: call it on the {@link Forward} that {@code
     *     Script.forwardTo} returns. Kept for 0.1.0 snapshot users; goes in a later version.
     */
    @Deprecated
    public Script withRequestEnd(RequestEnd requestEnd) {
        Objects.requireNonNull(requestEnd, "requestEnd");
        throw new IllegalStateException("withRequestEnd is for a forwarding script (Script.forwardTo);"
                + " this script (" + this + ") " + (response().isEmpty()
                        ? "has no requests to count. Use Script.respond(requestEnd, response)."
                        : "already knows where its requests end."));
    }

    /**
     * A forwarding script that ends the client's connection as {@code how} says when its server
     * cannot be reached; see {@link Forward#whenUnreachable(Unreachable)}.
     *
     * @param how what the client gets
     * @return a copy of this script
     * @throws IllegalStateException if this script does not forward
     * @deprecated A setting of forwarding scripts only: call it on the {@link Forward} that {@code
     *     Script.forwardTo} returns. Kept for 0.1.0 snapshot users; goes in a later version.
     */
    @Deprecated
    public Script whenUnreachable(Unreachable how) {
        Objects.requireNonNull(how, "how");
        throw new IllegalStateException("whenUnreachable is for a forwarding script (Script.forwardTo);"
                + " this script (" + this + ") has no server to reach.");
    }

    /**
     * This script with a greeting that the peer sends as soon as it accepts a connection (server-first
     * protocols: SMTP's banner, a database's handshake).
     *
     * @param greeting the bytes, may be empty for none
     * @return a new script
     * @throws IllegalStateException if this script forwards: its server greets, not the peer
     */
    public Script withGreeting(byte[] greeting) {
        return copy(greeting.clone(), tls);
    }

    /**
     * This script over TLS: the peer terminates TLS with {@code tls}'s certificate, then runs the
     * script on the plaintext. Every effect, trigger and schedule counts plaintext bytes: {@code
     * Fault.resetAfter(UPSTREAM, 10)} resets after exactly 10 bytes of the client's application data,
     * whatever the TLS records around them. A reset is an RST with no {@code close_notify} before it;
     * a close sends {@code close_notify}, then the FIN. See {@link Tls}.
     *
     * <p>On a forwarding script it makes a terminating proxy: the client's TLS ends at the peer,
     * faults count the plaintext, and the peer forwards the plaintext to its server, over plain TCP
     * unless {@link Forward#withUpstreamTls(UpstreamTls)} says to speak TLS to it too. Without
     * {@code withTls} a proxy passes TLS through as ciphertext, and its byte counts are ciphertext.
     *
     * @param tls the certificate and key the peer presents, for example {@link Tls#generated()}
     * @return a new script
     */
    public Script withTls(Tls tls) {
        return copy(greeting, Objects.requireNonNull(tls, "tls"));
    }

    /**
     * The TLS the peer terminates.
     *
     * @return the TLS settings, empty for plain TCP (the default)
     */
    public Optional<Tls> tls() {
        return Optional.ofNullable(tls);
    }

    /** This kind of script with {@code greeting} (already copied) and {@code tls}. */
    abstract Script copy(byte[] greeting, Tls tls);

    /**
     * This script with a text greeting, encoded as UTF-8.
     *
     * @param greeting the text, may be empty for none
     * @return a new script
     */
    public Script withGreeting(String greeting) {
        return withGreeting(greeting.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The greeting.
     *
     * @return a copy of the bytes, empty if none
     */
    public byte[] greeting() {
        return greeting.clone();
    }

    /**
     * Whether the peer sends back what it reads.
     *
     * @return true for {@link #echo()}
     */
    public boolean echoes() {
        return false;
    }

    /**
     * Where a request ends.
     *
     * @return the framing, or empty unless the script responds (or forwards and was told)
     */
    public Optional<RequestEnd> requestEnd() {
        return Optional.empty();
    }

    /**
     * The response to each request.
     *
     * @return a copy of the bytes, or empty unless the script responds
     */
    public Optional<byte[]> response() {
        return Optional.empty();
    }

    /**
     * Whether this script forwards to a server (proxy mode).
     *
     * @return true for a script made by {@code forwardTo}
     */
    public boolean forwards() {
        return false;
    }

    /** Whether the peer sends bytes on its connections: the script's own, or its server's. */
    boolean sends() {
        return greeting.length > 0;
    }

    /**
     * Where a forwarding script connects: the supplier it was given, or one that returns the fixed
     * address. It is called once per accepted connection.
     *
     * @return the upstream's address supplier; empty if this script does not forward
     */
    public Optional<Supplier<? extends InetSocketAddress>> upstream() {
        return Optional.empty();
    }

    /**
     * The TLS a forwarding script speaks to its server; see {@link Forward#withUpstreamTls(UpstreamTls)}.
     *
     * @return the upstream TLS; empty for plain TCP to the server, and for a script that does not forward
     */
    public Optional<UpstreamTls> upstreamTls() {
        return Optional.empty();
    }

    /**
     * What the client gets when a forwarding script's server cannot be reached.
     *
     * @return {@link Unreachable#RESET} unless changed by {@link Forward#whenUnreachable(Unreachable)};
     *     for a script that does not forward, also {@link Unreachable#RESET}, which never applies
     */
    public Unreachable unreachable() {
        return Unreachable.RESET;
    }

    /** The greeting's words for {@code toString}: {@code body}, after the greeting if there is one. */
    String afterGreeting(String body) {
        return (greeting.length == 0 ? body : "greet " + greeting.length + " B, " + body) + (tls == null ? "" : ", over TLS");
    }

    /** Reads and records everything, sends nothing but its greeting, if any: {@link #silent()}. */
    public static final class Silent extends Script {
        private Silent(byte[] greeting, Tls tls) {
            super(greeting, tls);
        }

        @Override
        Silent copy(byte[] greeting, Tls tls) {
            return new Silent(greeting, tls);
        }

        @Override
        public Silent withTls(Tls tls) {
            return (Silent) super.withTls(tls);
        }

        @Override
        public Silent withGreeting(String greeting) {
            return (Silent) super.withGreeting(greeting);
        }

        @Override
        public Silent withGreeting(byte[] greeting) {
            return (Silent) super.withGreeting(greeting);
        }

        @Override
        public String toString() {
            return afterGreeting("silent");
        }
    }

    /** Sends back every byte it reads: {@link #echo()}. */
    public static final class Echo extends Script {
        private Echo(byte[] greeting, Tls tls) {
            super(greeting, tls);
        }

        @Override
        Echo copy(byte[] greeting, Tls tls) {
            return new Echo(greeting, tls);
        }

        @Override
        public Echo withTls(Tls tls) {
            return (Echo) super.withTls(tls);
        }

        @Override
        public Echo withGreeting(String greeting) {
            return (Echo) super.withGreeting(greeting);
        }

        @Override
        public Echo withGreeting(byte[] greeting) {
            return (Echo) super.withGreeting(greeting);
        }

        @Override
        public boolean echoes() {
            return true;
        }

        @Override
        boolean sends() {
            return true;
        }

        @Override
        public String toString() {
            return afterGreeting("echo");
        }
    }

    /** Answers every request with the same response: {@link #respond(RequestEnd, byte[])}. */
    public static final class Respond extends Script {
        private final RequestEnd requestEnd;
        private final byte[] response;

        private Respond(byte[] greeting, Tls tls, RequestEnd requestEnd, byte[] response) {
            super(greeting, tls);
            this.requestEnd = requestEnd;
            this.response = response;
        }

        @Override
        Respond copy(byte[] greeting, Tls tls) {
            return new Respond(greeting, tls, requestEnd, response);
        }

        @Override
        public Respond withTls(Tls tls) {
            return (Respond) super.withTls(tls);
        }

        @Override
        public Respond withGreeting(String greeting) {
            return (Respond) super.withGreeting(greeting);
        }

        @Override
        public Respond withGreeting(byte[] greeting) {
            return (Respond) super.withGreeting(greeting);
        }

        @Override
        public Optional<RequestEnd> requestEnd() {
            return Optional.of(requestEnd);
        }

        @Override
        public Optional<byte[]> response() {
            return Optional.of(response.clone());
        }

        @Override
        boolean sends() {
            return true;
        }

        @Override
        public String toString() {
            return afterGreeting("respond " + response.length + " B per request (" + requestEnd + ")");
        }
    }

    /**
     * Proxy mode: forwards every accepted connection to a server, {@link
     * #forwardTo(InetSocketAddress)}. The settings only a proxy has are here.
     */
    public static final class Forward extends Script {
        private final Supplier<? extends InetSocketAddress> address;
        private final String description;
        private final RequestEnd requestEnd;
        private final Unreachable unreachable;
        private final UpstreamTls upstreamTls;

        private Forward(Supplier<? extends InetSocketAddress> address, String description, RequestEnd requestEnd,
                Unreachable unreachable) {
            this(address, description, requestEnd, unreachable, null, null);
        }

        private Forward(Supplier<? extends InetSocketAddress> address, String description, RequestEnd requestEnd,
                Unreachable unreachable, Tls tls, UpstreamTls upstreamTls) {
            super(NONE, tls);
            this.address = address;
            this.description = description;
            this.requestEnd = requestEnd;
            this.unreachable = unreachable;
            this.upstreamTls = upstreamTls;
        }

        /**
         * This forwarding script, also told where each of the client's requests ends, so that {@link
         * Trigger.AfterExchanges} can count them. The bytes are forwarded unchanged.
         *
         * @param requestEnd where each request ends
         * @return a copy of this script that counts requests
         */
        @Override
        public Forward withRequestEnd(RequestEnd requestEnd) {
            Objects.requireNonNull(requestEnd, "requestEnd");
            return new Forward(address, description, requestEnd, unreachable, tls().orElse(null), upstreamTls);
        }

        /**
         * This forwarding script, ending the client's connection as {@code how} says when its server
         * cannot be reached: {@link Unreachable#RESET} (the default) or {@link Unreachable#CLOSE}.
         * A server whose TLS handshake fails counts as unreachable.
         *
         * @param how what the client gets
         * @return a copy of this script
         */
        @Override
        public Forward whenUnreachable(Unreachable how) {
            Objects.requireNonNull(how, "how");
            return new Forward(address, description, requestEnd, how, tls().orElse(null), upstreamTls);
        }

        /**
         * This forwarding script as a terminating proxy: the client's TLS ends at the peer, which
         * presents {@code tls}'s certificate; see {@link Script#withTls(Tls)}.
         *
         * @param tls the certificate and key the peer presents to the client
         * @return a copy of this script
         */
        @Override
        public Forward withTls(Tls tls) {
            return (Forward) super.withTls(tls);
        }

        /**
         * This forwarding script, speaking TLS to its server: the peer opens its own TLS connection
         * to the server, trusting what {@code upstreamTls} says, and offering the ALPN protocols of
         * its own {@link Tls#withApplicationProtocols(String...)}, if any. Byte counts and the
         * journal's upstream bytes are then plaintext. How the server ends its TLS is passed on to
         * the client: its {@code close_notify} as a {@code close_notify} (with {@link
         * #withTls(Tls)}), a FIN without one as a FIN without one, a reset as a reset. A server whose
         * handshake fails (its certificate is not trusted, say) counts as unreachable ({@link
         * #whenUnreachable(Unreachable)}), and the journal's upstream record says why.
         *
         * @param upstreamTls which server certificates the peer trusts
         * @return a copy of this script
         */
        public Forward withUpstreamTls(UpstreamTls upstreamTls) {
            Objects.requireNonNull(upstreamTls, "upstreamTls");
            return new Forward(address, description, requestEnd, unreachable, tls().orElse(null), upstreamTls);
        }

        @Override
        public Optional<UpstreamTls> upstreamTls() {
            return Optional.ofNullable(upstreamTls);
        }

        @Override
        Script copy(byte[] greeting, Tls tls) {
            if (greeting != NONE) { // withGreeting: withTls passes the script's own, NONE
                throw new IllegalStateException("A forwarding script (" + this + ") sends what its server sends;"
                        + " it cannot greet. Let the server greet, or use a script that does not forward.");
            }
            return new Forward(address, description, requestEnd, unreachable, tls, upstreamTls);
        }

        @Override
        public Optional<RequestEnd> requestEnd() {
            return Optional.ofNullable(requestEnd);
        }

        @Override
        public boolean forwards() {
            return true;
        }

        @Override
        public Optional<Supplier<? extends InetSocketAddress>> upstream() {
            return Optional.of(address);
        }

        @Override
        public Unreachable unreachable() {
            return unreachable;
        }

        @Override
        boolean sends() {
            return true; // the server sends
        }

        @Override
        public String toString() {
            return "forward to " + description
                    + (requestEnd == null ? "" : " (requests: " + requestEnd + ")")
                    + (unreachable == Unreachable.RESET ? "" : ", close when unreachable")
                    + tls().map(t -> ", terminating TLS").orElse("")
                    + (upstreamTls == null ? "" : ", " + upstreamTls);
        }
    }

    /** Bytes as printable ASCII, with escapes for the rest (for messages). */
    static String escape(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '\r' -> text.append("\\r");
                case '\n' -> text.append("\\n");
                case '\t' -> text.append("\\t");
                case '"' -> text.append("\\\"");
                case '\\' -> text.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        text.append((char) c);
                    } else {
                        text.append(String.format("\\x%02x", c));
                    }
                }
            }
        }
        return text.toString();
    }
}
