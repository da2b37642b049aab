package dev.misbehave;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * What the peer says when it is not misbehaving: an optional greeting sent on accept, then one of
 * three behaviours for the client's bytes. Protocol-agnostic and immutable.
 *
 * <ul>
 *   <li>{@link #silent()} (the default): read and record everything, send nothing.
 *   <li>{@link #echo()}: send back every byte read.
 *   <li>{@link #respond(RequestEnd, byte[])}: read one request (where it ends is a {@link
 *       RequestEnd}), send the response, repeat for as long as the connection stays open.
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
public final class Script {

    private static final byte[] NONE = new byte[0];

    private final byte[] greeting;
    private final boolean echo;
    private final RequestEnd requestEnd;
    private final byte[] response;

    private Script(byte[] greeting, boolean echo, RequestEnd requestEnd, byte[] response) {
        this.greeting = greeting;
        this.echo = echo;
        this.requestEnd = requestEnd;
        this.response = response;
    }

    /**
     * Reads and records everything, sends nothing.
     *
     * @return the script
     */
    public static Script silent() {
        return new Script(NONE, false, null, null);
    }

    /**
     * Sends back every byte it reads.
     *
     * @return the script
     */
    public static Script echo() {
        return new Script(NONE, true, null, null);
    }

    /**
     * Answers every request with {@code response}.
     *
     * @param requestEnd where each request ends
     * @param response the bytes sent after each request, 1 or more
     * @return the script
     * @throws IllegalArgumentException if {@code response} is empty
     */
    public static Script respond(RequestEnd requestEnd, byte[] response) {
        Objects.requireNonNull(requestEnd, "requestEnd");
        Objects.requireNonNull(response, "response");
        if (response.length == 0) {
            throw new IllegalArgumentException("response must not be empty; use Script.silent() to send nothing");
        }
        return new Script(NONE, false, requestEnd, response.clone());
    }

    /**
     * Answers every request with {@code response}, encoded as UTF-8.
     *
     * @param requestEnd where each request ends
     * @param response the text sent after each request, not empty
     * @return the script
     */
    public static Script respond(RequestEnd requestEnd, String response) {
        return respond(requestEnd, response.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * This script with a greeting that the peer sends as soon as it accepts a connection (server-first
     * protocols: SMTP's banner, a database's handshake).
     *
     * @param greeting the bytes, may be empty for none
     * @return a new script
     */
    public Script withGreeting(byte[] greeting) {
        return new Script(greeting.clone(), echo, requestEnd, response);
    }

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
        return echo;
    }

    /**
     * Where a request ends.
     *
     * @return the framing, or empty unless the script responds
     */
    public Optional<RequestEnd> requestEnd() {
        return Optional.ofNullable(requestEnd);
    }

    /**
     * The response to each request.
     *
     * @return a copy of the bytes, or empty unless the script responds
     */
    public Optional<byte[]> response() {
        return Optional.ofNullable(response).map(byte[]::clone);
    }

    @Override
    public String toString() {
        String body = echo ? "echo" : response == null ? "silent"
                : "respond " + response.length + " B per request (" + requestEnd + ")";
        return greeting.length == 0 ? body : "greet " + greeting.length + " B, " + body;
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
