package dev.misbehave;

import dev.misbehave.internal.Addresses;
import dev.misbehave.internal.ClientEntry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The journal entry of one connection a {@link MisbehavingClient} opened: what it sent, what the
 * server sent back, which trigger fired, and how and when the connection ended. Immutable; obtained
 * from {@link MisbehavingClient#connections()}.
 *
 * <p>Times are durations from the moment the client started to connect, measured on a monotonic
 * clock: "the server closed the connection {@link #endedAfter()} after it was opened" is what a
 * test of a server's timeout asserts.
 *
 * <p>The byte arrays hold every byte up to {@value #CAPTURE_CAP} bytes per direction; past the cap,
 * {@link #sentCount()} and {@link #receivedCount()} still give the exact totals.
 */
public final class ClientRecord {

    /** How many bytes per direction a record keeps: 1 MiB. */
    public static final int CAPTURE_CAP = ClientEntry.CAPTURE_CAP;

    private static final int PREVIEW_BYTES = 32;

    private final int index;
    private final Instant startedAt;
    private final InetSocketAddress local;
    private final byte[] sent;
    private final long sentCount;
    private final byte[] received;
    private final long receivedCount;
    private final Fault fault;
    private final Trigger firedTrigger;
    private final long connectedNanos;
    private final long firstReceivedNanos;
    private final long firedNanos;
    private final ClientEnding ending;
    private final long endedNanos;
    private final String failure;

    ClientRecord(ClientEntry entry) {
        synchronized (entry) { // one consistent moment of a live entry
            index = entry.index();
            startedAt = entry.startedAt();
            local = entry.local();
            sent = entry.sent();
            sentCount = entry.sentCount();
            received = entry.received();
            receivedCount = entry.receivedCount();
            fault = entry.fault();
            firedTrigger = entry.firedTrigger();
            connectedNanos = entry.connectedNanos();
            firstReceivedNanos = entry.firstReceivedNanos();
            firedNanos = entry.firedNanos();
            ending = entry.ending();
            endedNanos = entry.endedNanos();
            failure = entry.failure();
        }
    }

    /**
     * The connection's place among the client's connections, from 0, in the order they were opened.
     *
     * @return 0 or more
     */
    public int index() {
        return index;
    }

    /**
     * When the client started to connect (wall clock).
     *
     * @return the instant
     */
    public Instant startedAt() {
        return startedAt;
    }

    /**
     * The client's own address, the one the server sees as its remote address.
     *
     * @return the address, or empty if the connection was never made
     */
    public Optional<InetSocketAddress> localAddress() {
        return Optional.ofNullable(local);
    }

    /**
     * The bytes the client sent (the server's kernel took them), up to {@link #CAPTURE_CAP}.
     *
     * @return a copy
     */
    public byte[] sent() {
        return sent.clone();
    }

    /**
     * How many bytes the client sent in all.
     *
     * @return 0 or more
     */
    public long sentCount() {
        return sentCount;
    }

    /**
     * The bytes the server sent that the client read, up to {@link #CAPTURE_CAP}.
     *
     * @return a copy
     */
    public byte[] received() {
        return received.clone();
    }

    /**
     * The bytes the client read, as ISO-8859-1 text (one character per byte): for an HTTP response,
     * its status line and headers as sent.
     *
     * @return the text
     */
    public String receivedText() {
        return new String(received, StandardCharsets.ISO_8859_1);
    }

    /**
     * How many bytes the client read in all.
     *
     * @return 0 or more
     */
    public long receivedCount() {
        return receivedCount;
    }

    /**
     * The fault the client's schedule chose for this connection.
     *
     * @return the fault, or empty if the connection was well-behaved
     */
    public Optional<Fault> fault() {
        return Optional.ofNullable(fault);
    }

    /**
     * The trigger that fired.
     *
     * @return the trigger, or empty if none fired (no fault, or the connection ended first)
     */
    public Optional<Trigger> firedTrigger() {
        return Optional.ofNullable(firedTrigger);
    }

    /**
     * How long the connect took.
     *
     * @return the duration, or empty if the connection was never made
     */
    public Optional<Duration> connectedAfter() {
        return nanos(connectedNanos);
    }

    /**
     * When the first byte from the server was read, from the start of the connect: for a request sent
     * at once, the server's latency to its first byte.
     *
     * @return the duration, or empty if the server sent nothing
     */
    public Optional<Duration> firstReceivedAfter() {
        return nanos(firstReceivedNanos);
    }

    /**
     * When the trigger fired, from the start of the connect.
     *
     * @return the duration, or empty if no trigger fired
     */
    public Optional<Duration> firedAfter() {
        return nanos(firedNanos);
    }

    /**
     * How the connection ended, or {@link ClientEnding#OPEN}.
     *
     * @return the ending
     */
    public ClientEnding ending() {
        return ending;
    }

    /**
     * When the connection ended, from the start of the connect: for {@link ClientEnding#SERVER_CLOSED}
     * and {@link ClientEnding#SERVER_RESET}, when the server's FIN or RST reached the client.
     *
     * @return the duration, or empty while the connection is open
     */
    public Optional<Duration> endedAfter() {
        return nanos(endedNanos);
    }

    /**
     * Why the connect failed ({@link ClientEnding#CONNECT_FAILED}), or the words of the server's reset
     * ({@link ClientEnding#SERVER_RESET}).
     *
     * @return the text, or empty
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    private static Optional<Duration> nanos(long value) {
        return value < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(value));
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("#").append(index);
        if (local != null) {
            text.append(" from ").append(Addresses.of(local));
        }
        text.append(" sent ").append(sentCount).append(" B").append(preview(sent, sentCount))
                .append(", received ").append(receivedCount).append(" B").append(preview(received, receivedCount))
                .append(", ").append(fault == null ? "well-behaved" : "fault '" + fault + "'")
                .append(", trigger ").append(firedTrigger == null ? "none" : "'" + firedTrigger + "'");
        firedAfter().ifPresent(after -> text.append(" at ").append(millis(after)));
        text.append(", ").append(ending);
        endedAfter().ifPresent(after -> text.append(" at ").append(millis(after)));
        if (failure != null) {
            text.append(" (").append(failure).append(')');
        }
        return text.toString();
    }

    private static String millis(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1f ms", duration.toNanos() / 1e6);
    }

    private static String preview(byte[] bytes, long count) {
        if (count == 0) {
            return "";
        }
        int shown = Math.min(bytes.length, PREVIEW_BYTES);
        StringBuilder text = new StringBuilder(" |");
        for (int i = 0; i < shown; i++) {
            int b = bytes[i] & 0xff;
            text.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
        }
        text.append(count > shown ? "...|" : "|");
        return text.toString();
    }
}
