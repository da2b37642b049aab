package dev.misbehave;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * What the peer does to a connection when the {@link Trigger} of its {@link Fault} fires.
 *
 * <p>Effects are plain immutable values; they know nothing of Netty or JUnit. Every effect is of
 * one of three kinds, each a sealed sub-interface:
 *
 * <ul>
 *   <li>{@link Terminal}: ends normal service on the connection ({@link Reset}, {@link Close},
 *       {@link Truncate}, {@link HalfClose}, {@link Stall}, {@link Garbage}, {@link Alert}, {@link
 *       CorruptRecord});
 *   <li>{@link Shaping}: keeps serving the {@link Script}, slower or in pieces, in one {@link
 *       Direction} from the trigger on ({@link Delay}, {@link Throttle}, {@link Slice});
 *   <li>{@link OnPort}: acts on the peer's port rather than on a connection, and applies from the
 *       moment the fault is set ({@link Refuse}, {@link NeverAccept}).
 * </ul>
 *
 * <p>The static factories read as a sentence: {@code new Fault(Effect.reset(),
 * Trigger.onPattern(UPSTREAM, "\r\n\r\n"))}.
 */
public sealed interface Effect permits Effect.Terminal, Effect.Shaping, Effect.OnPort {

    /**
     * An effect that ends normal service on the connection: the peer stops serving its {@link
     * Script} when the trigger fires.
     */
    sealed interface Terminal extends Effect permits Reset, Close, Truncate, HalfClose, Stall, Garbage, Alert, CorruptRecord {}

    /**
     * An effect that keeps serving the {@link Script} but paces the bytes of one direction from the
     * trigger on.
     */
    sealed interface Shaping extends Effect permits Delay, Throttle, Slice {
        /**
         * The bytes this effect paces.
         *
         * @return the direction
         */
        Direction direction();
    }

    /**
     * An effect on the peer's port, before any connection exists: it needs the {@link
     * Trigger.OnAccept} trigger and the {@link Schedule.All} schedule, and applies from the moment the
     * fault is set.
     */
    sealed interface OnPort extends Effect permits Refuse, NeverAccept {}

    /**
     * A TCP reset; see {@link Reset}.
     *
     * @return the effect
     */
    static Reset reset() {
        return new Reset();
    }

    /**
     * An orderly close (FIN); see {@link Close}.
     *
     * @return the effect
     */
    static Close close() {
        return new Close();
    }

    /**
     * A TLS connection's end without {@code close_notify}; see {@link Truncate}.
     *
     * @return the effect
     */
    static Truncate truncate() {
        return new Truncate();
    }

    /**
     * A fatal TLS alert in answer to the ClientHello; see {@link Alert}.
     *
     * @param alert which alert
     * @return the effect
     */
    static Alert alert(TlsAlert alert) {
        return new Alert(alert);
    }

    /**
     * One TLS record whose authentication tag fails, then a close; see {@link CorruptRecord}.
     *
     * @return the effect
     */
    static CorruptRecord corruptRecord() {
        return new CorruptRecord();
    }

    /**
     * A half-close; see {@link HalfClose}.
     *
     * @return the effect
     */
    static HalfClose halfClose() {
        return new HalfClose();
    }

    /**
     * A stall; see {@link Stall}.
     *
     * @return the effect
     */
    static Stall stall() {
        return new Stall();
    }

    /**
     * Garbage, then a reset or close; see {@link Garbage}.
     *
     * @param bytes the garbage, 1 byte or more
     * @param then {@link Reset} or {@link Close}
     * @return the effect
     * @throws IllegalArgumentException if {@code bytes} is empty or {@code then} is another effect
     */
    static Garbage garbage(byte[] bytes, Effect then) {
        return new Garbage(bytes, then);
    }

    /**
     * A delay of one direction; see {@link Delay}.
     *
     * @param direction which bytes are delayed
     * @param first the delay before the first chunk, zero or more
     * @param perChunk the delay before each later chunk, zero or more
     * @return the effect
     * @throws IllegalArgumentException if a duration is negative or both are zero
     */
    static Delay delay(Direction direction, Duration first, Duration perChunk) {
        return new Delay(direction, first, perChunk);
    }

    /**
     * A bandwidth limit on one direction; see {@link Throttle}.
     *
     * @param direction which bytes are limited
     * @param bytesPerSecond 1 or more
     * @return the effect
     * @throws IllegalArgumentException if {@code bytesPerSecond} is less than 1
     */
    static Throttle throttle(Direction direction, long bytesPerSecond) {
        return new Throttle(direction, bytesPerSecond);
    }

    /**
     * Pieces of one direction; see {@link Slice}.
     *
     * @param direction which bytes are split
     * @param bytes the piece size, 1 or more
     * @param gap the pause between pieces, zero or more
     * @return the effect
     * @throws IllegalArgumentException if {@code bytes} is less than 1 or {@code gap} is negative
     */
    static Slice slice(Direction direction, int bytes, Duration gap) {
        return new Slice(direction, bytes, gap);
    }

    /**
     * Refused connections; see {@link Refuse}.
     *
     * @return the effect
     */
    static Refuse refuse() {
        return new Refuse();
    }

    /**
     * A full accept queue; see {@link NeverAccept}.
     *
     * @return the effect
     */
    static NeverAccept neverAccept() {
        return new NeverAccept();
    }

    /**
     * Abort the connection with a TCP RST: the peer sets {@code SO_LINGER} to 0 and closes, so the
     * client sees "Connection reset", never an orderly end-of-stream. After sent bytes, the peer
     * first waits (bounded) until the client's kernel holds them all; see {@link Delivery}.
     */
    record Reset() implements Terminal {
        @Override
        public String toString() {
            return "reset";
        }
    }

    /**
     * Close the connection in order, as a server's {@code close()} does: the client reads
     * end-of-stream, not a reset. The peer does not read the rest of the client's request, so its
     * kernel follows the FIN with an RST if data was left unread; a client that reads sees
     * end-of-stream, and one of its later writes fails with "Broken pipe".
     */
    record Close() implements Terminal {
        @Override
        public String toString() {
            return "close";
        }
    }

    /**
     * End a TLS connection as a crashed server or a middlebox does: a FIN with no {@code
     * close_notify} before it, so the client's TLS layer sees its stream truncated. Only for a peer
     * that terminates TLS ({@link Script#withTls(Tls)}); over TLS, {@link Close} sends {@code
     * close_notify} first. Most clients read it as an ordinary end of stream: the JDK's, and
     * Python's {@code ssl} with its default {@code suppress_ragged_eofs=True}; Python with {@code
     * suppress_ragged_eofs=False} raises {@code SSLEOFError}.
     */
    record Truncate() implements Terminal {
        @Override
        public String toString() {
            return "truncate (no close_notify)";
        }
    }

    /**
     * Send one TLS record whose ciphertext is corrupted (the last byte of its authentication tag
     * flipped), then close with a FIN and no {@code close_notify}, as a faulty middlebox or a bad
     * NIC offload does to a stream. Every record before it arrives intact: the client's application
     * reads every byte the peer sent before the trigger, then its TLS layer rejects the record with
     * a {@code bad_record_mac} alert. The JDK's clients throw {@code SSLException} ({@code "Tag
     * mismatch"} with TLS 1.3's ciphers). Only for a peer that terminates TLS ({@link
     * Script#withTls(Tls)}), after the handshake: the trigger counts plaintext, not a stage of the
     * handshake. The record's plaintext is the peer's own, never counted as sent.
     */
    record CorruptRecord() implements Terminal {
        @Override
        public String toString() {
            return "corrupt a TLS record";
        }
    }

    /**
     * Answer the client's ClientHello with a fatal TLS alert record instead of a ServerHello, then
     * close (a FIN), as a server that refuses the handshake does. Only with the trigger {@link
     * Trigger.OnHandshake} at {@link HandshakeStage#CLIENT_HELLO}, on a peer that terminates TLS.
     * The JDK's clients then throw {@code SSLHandshakeException: Received fatal alert: } and the
     * alert's name.
     *
     * @param alert which alert
     */
    record Alert(TlsAlert alert) implements Terminal {
        /**
         * Checks the alert.
         *
         * @param alert which alert
         * @throws NullPointerException if {@code alert} is null
         * @throws IllegalArgumentException if {@code alert} is {@link TlsAlert#NONE}
         */
        public Alert {
            Objects.requireNonNull(alert, "alert");
            if (alert == TlsAlert.NONE) {
                throw new IllegalArgumentException("TlsAlert.NONE is not an alert: give one, for example"
                        + " TlsAlert.HANDSHAKE_FAILURE, or close with Effect.close()");
            }
        }

        @Override
        public String toString() {
            return "alert " + alert;
        }
    }

    /**
     * Shut down the peer's output (a FIN to the client) and keep reading: the client reads
     * end-of-stream but can still send, and the peer records what it sends until the client closes.
     */
    record HalfClose() implements Terminal {
        @Override
        public String toString() {
            return "half-close";
        }
    }

    /**
     * Stall the connection: the peer stops reading and never writes, and keeps the connection open
     * until the peer is closed (in a JUnit test: when the test ends, with a reset). A client waiting
     * for a response runs into its read timeout; a client with more to send than the kernel buffers
     * hold blocks in its write. This is also the reverse half-close: the peer stops reading but keeps
     * the connection.
     */
    record Stall() implements Terminal {
        @Override
        public String toString() {
            return "stall";
        }
    }

    /**
     * Send {@code bytes} instead of what the script says, then end the connection with {@code then}
     * ({@link Reset} or {@link Close}).
     *
     * @param bytes the garbage, 1 byte or more
     * @param then {@link Reset} or {@link Close}
     */
    record Garbage(byte[] bytes, Effect then) implements Terminal {
        /** The most pseudo-random bytes {@link #random} makes: 16 MiB. */
        private static final int MAX_RANDOM = 16 * 1024 * 1024;

        /**
         * Validates and copies the values.
         *
         * @param bytes the garbage, 1 byte or more
         * @param then {@link Reset} or {@link Close}
         * @throws IllegalArgumentException if {@code bytes} is empty or {@code then} is another effect
         */
        public Garbage {
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(then, "then");
            if (bytes.length == 0) {
                throw new IllegalArgumentException("bytes must not be empty; give the garbage to send");
            }
            if (!(then instanceof Reset) && !(then instanceof Close)) {
                throw new IllegalArgumentException(
                        "then must be a Reset or a Close, was " + then + ": garbage ends the connection");
            }
            bytes = bytes.clone();
        }

        /**
         * {@code length} pseudo-random bytes from {@code seed}: the same seed gives the same bytes
         * in every run. The bytes are made here, so the length is bounded: at most 16 MiB
         * (16,777,216 bytes).
         *
         * @param length 1 to 16,777,216
         * @param seed the seed
         * @param then {@link Reset} or {@link Close}
         * @return the effect
         * @throws IllegalArgumentException if {@code length} is out of range or {@code then} is
         *     another effect
         */
        public static Garbage random(int length, long seed, Effect then) {
            if (length < 1 || length > MAX_RANDOM) {
                throw new IllegalArgumentException("length must be 1 to " + MAX_RANDOM + " (16 MiB), was " + length);
            }
            byte[] bytes = new byte[length];
            new Random(seed).nextBytes(bytes);
            return new Garbage(bytes, then);
        }

        /**
         * The garbage.
         *
         * @return a copy of the bytes
         */
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Garbage that && then.equals(that.then) && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Objects.hash(then, Arrays.hashCode(bytes));
        }

        @Override
        public String toString() {
            return "garbage (" + bytes.length + " B) then " + then;
        }
    }

    /**
     * Delay the bytes of one direction: {@code first} before the first chunk after the trigger,
     * {@code perChunk} before each later one. A chunk is one response of the script (downstream) or
     * one read (upstream); when the trigger fires in the middle of a response, the rest of that
     * response is the first chunk.
     *
     * @param direction which bytes are delayed
     * @param first the delay before the first chunk, zero or more
     * @param perChunk the delay before each later chunk, zero or more
     */
    record Delay(Direction direction, Duration first, Duration perChunk) implements Shaping {
        /**
         * Validates the values.
         *
         * @param direction which bytes are delayed
         * @param first zero or more
         * @param perChunk zero or more
         * @throws IllegalArgumentException if a duration is negative or both are zero
         */
        public Delay {
            Objects.requireNonNull(direction, "direction");
            requireNotNegative("first", first);
            requireNotNegative("perChunk", perChunk);
            if (first.isZero() && perChunk.isZero()) {
                throw new IllegalArgumentException("first and perChunk are both zero: nothing would be delayed");
            }
        }

        @Override
        public String toString() {
            return "delay " + direction + " " + Millis.text(first) + " first, " + Millis.text(perChunk)
                    + " per chunk";
        }
    }

    /**
     * Limit one direction to {@code bytesPerSecond}. Downstream, the peer sends in timed pieces;
     * upstream, it reads in timed pieces, so its small receive window slows the client's writes.
     *
     * @param direction which bytes are limited
     * @param bytesPerSecond 1 or more
     */
    record Throttle(Direction direction, long bytesPerSecond) implements Shaping {
        /**
         * Validates the values.
         *
         * @param direction which bytes are limited
         * @param bytesPerSecond 1 or more
         * @throws IllegalArgumentException if {@code bytesPerSecond} is less than 1
         */
        public Throttle {
            Objects.requireNonNull(direction, "direction");
            if (bytesPerSecond < 1) {
                throw new IllegalArgumentException("bytesPerSecond must be 1 or more, was " + bytesPerSecond);
            }
        }

        @Override
        public String toString() {
            return "throttle " + direction + " to " + bytesPerSecond + " B/s";
        }
    }

    /**
     * Split one direction into pieces of at most {@code bytes} bytes with {@code gap} between them,
     * from the trigger on. Downstream, the peer writes each piece on its own, one write per piece: a
     * client that reads as the pieces come gets partial data in each read, while one that reads
     * more slowly finds several pieces in its kernel buffer and may get them in one read. Upstream,
     * the peer reads one piece at a time.
     *
     * @param direction which bytes are split
     * @param bytes the piece size, 1 or more
     * @param gap the pause between pieces, zero or more
     */
    record Slice(Direction direction, int bytes, Duration gap) implements Shaping {
        /**
         * Validates the values.
         *
         * @param direction which bytes are split
         * @param bytes 1 or more
         * @param gap zero or more
         * @throws IllegalArgumentException if {@code bytes} is less than 1 or {@code gap} is negative
         */
        public Slice {
            Objects.requireNonNull(direction, "direction");
            if (bytes < 1) {
                throw new IllegalArgumentException("bytes must be 1 or more, was " + bytes);
            }
            requireNotNegative("gap", gap);
        }

        @Override
        public String toString() {
            return "slice " + direction + " into " + bytes + " B pieces, " + Millis.text(gap) + " apart";
        }
    }

    /**
     * Refuse connections: nothing listens on the peer's port, which stays reserved so that no other
     * socket takes it, and a client's {@code connect()} fails with "Connection refused". Needs the
     * {@link Trigger.OnAccept} trigger and the {@link Schedule.All} schedule; to refuse for a while
     * and then serve, change the fault with {@link MisbehavingPeer#behave()}.
     */
    record Refuse() implements OnPort {
        @Override
        public String toString() {
            return "refuse";
        }
    }

    /**
     * Never accept: the peer listens but its accept queue is full (the peer fills it itself), so the
     * kernel drops a client's SYN and {@code connect()} times out. Needs the {@link
     * Trigger.OnAccept} trigger and the {@link Schedule.All} schedule.
     */
    record NeverAccept() implements OnPort {
        @Override
        public String toString() {
            return "never accept";
        }
    }

    private static void requireNotNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
    }
}
