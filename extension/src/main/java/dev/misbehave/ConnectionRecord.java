package dev.misbehave;

import dev.misbehave.internal.Addresses;
import dev.misbehave.internal.Records;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The journal entry of one connection the peer accepted: what the client sent, what the peer sent,
 * which trigger fired and how the connection ended. Immutable; obtained from {@link
 * MisbehavingPeer#connections()}.
 *
 * <p>The byte arrays hold every byte up to a cap per direction ({@value #DEFAULT_CAPTURE_CAP} bytes
 * by default); past the cap, {@link #receivedCount()} and {@link #sentCount()} still give the exact
 * totals.
 */
public final class ConnectionRecord {

    /** How many bytes per direction a record keeps by default: 1 MiB. */
    public static final int DEFAULT_CAPTURE_CAP = 1 << 20;

    private static final int PREVIEW_BYTES = 32;

    static {
        Records.register((index, acceptedAt, client, received, receivedCount, sent, sentCount, firedTrigger, ending,
                fault, delivery, upstream, tls) -> new ConnectionRecord(index, acceptedAt, client, received, receivedCount,
                        sent, sentCount, firedTrigger, ending, fault, delivery, upstream, tls));
    }

    private final int index;
    private final Instant acceptedAt;
    private final InetSocketAddress client;
    private final byte[] received;
    private final long receivedCount;
    private final byte[] sent;
    private final long sentCount;
    private final Trigger firedTrigger;
    private final Ending ending;
    private final Fault fault;
    private final Delivery delivery;
    private final UpstreamRecord upstream;
    private final TlsRecord tls;

    /**
     * Creates a record. Misbehave creates these; tests only read them.
     *
     * @param index 0-based accept order
     * @param acceptedAt when the peer accepted the connection
     * @param client the client's address
     * @param received the bytes the peer consumed, up to the cap
     * @param receivedCount how many bytes the peer consumed in all
     * @param sent the bytes the peer sent, up to the cap
     * @param sentCount how many bytes the peer sent in all
     * @param firedTrigger the trigger that fired, or null if none did
     * @param ending how the connection ended, or {@link Ending#OPEN}
     * @param fault the fault planned for this connection when it was accepted, or null if it was
     *     served normally
     * @param delivery whether the client's kernel held every sent byte before a reset
     * @deprecated Not API: only Misbehave makes records. Read them from {@link
     *     MisbehavingPeer#connections()}; this constructor goes before 0.1.0 is released.
     */
    @Deprecated(forRemoval = true)
    public ConnectionRecord(
            int index,
            Instant acceptedAt,
            InetSocketAddress client,
            byte[] received,
            long receivedCount,
            byte[] sent,
            long sentCount,
            Trigger firedTrigger,
            Ending ending,
            Fault fault,
            Delivery delivery) {
        this(index, acceptedAt, client, received, receivedCount, sent, sentCount, firedTrigger, ending, fault,
                delivery, null, (TlsRecord) null);
    }

    /** Creates a record of a forwarded connection; see the accessors. */
    private ConnectionRecord(
            int index,
            Instant acceptedAt,
            InetSocketAddress client,
            byte[] received,
            long receivedCount,
            byte[] sent,
            long sentCount,
            Trigger firedTrigger,
            Ending ending,
            Fault fault,
            Delivery delivery,
            UpstreamRecord upstream,
            TlsRecord tls) {
        if (index < 0) {
            throw new IllegalArgumentException("index must be 0 or more, was " + index);
        }
        this.index = index;
        this.acceptedAt = Objects.requireNonNull(acceptedAt, "acceptedAt");
        this.client = Objects.requireNonNull(client, "client");
        this.received = received.clone();
        this.receivedCount = checkCount("receivedCount", receivedCount, received);
        this.sent = sent.clone();
        this.sentCount = checkCount("sentCount", sentCount, sent);
        this.firedTrigger = firedTrigger;
        this.ending = Objects.requireNonNull(ending, "ending");
        this.fault = fault;
        this.delivery = Objects.requireNonNull(delivery, "delivery");
        this.upstream = upstream;
        this.tls = tls;
    }

    /**
     * Creates a record of a forwarded connection. Misbehave creates these; tests only read them.
     *
     * @param index 0-based accept order
     * @param acceptedAt when the peer accepted the connection
     * @param client the client's address
     * @param received the bytes the peer consumed, up to the cap
     * @param receivedCount how many bytes the peer consumed in all
     * @param sent the bytes the peer sent, up to the cap
     * @param sentCount how many bytes the peer sent in all
     * @param firedTrigger the trigger that fired, or null if none did
     * @param ending how the connection ended, or {@link Ending#OPEN}
     * @param fault the fault planned for this connection when it was accepted, or null if it was
     *     served normally
     * @param delivery whether the client's kernel held every sent byte before a reset
     * @param upstream the leg to the server, or null if the peer does not forward
     * @deprecated Not API: only Misbehave makes records. Read them from {@link
     *     MisbehavingPeer#connections()}; this constructor goes before 0.1.0 is released.
     */
    @Deprecated(forRemoval = true)
    public ConnectionRecord(
            int index,
            Instant acceptedAt,
            InetSocketAddress client,
            byte[] received,
            long receivedCount,
            byte[] sent,
            long sentCount,
            Trigger firedTrigger,
            Ending ending,
            Fault fault,
            Delivery delivery,
            UpstreamRecord upstream) {
        this(index, acceptedAt, client, received, receivedCount, sent, sentCount, firedTrigger, ending, fault,
                delivery, upstream, (TlsRecord) null);
    }

    private static long checkCount(String name, long count, byte[] captured) {
        if (count < captured.length) {
            throw new IllegalArgumentException(
                    name + " (" + count + ") is less than the captured bytes (" + captured.length + ")");
        }
        return count;
    }

    /**
     * The connection's place in accept order.
     *
     * @return 0 for the first connection the peer accepted, 1 for the second, and so on
     */
    public int index() {
        return index;
    }

    /**
     * When the peer accepted the connection.
     *
     * @return the accept time
     */
    public Instant acceptedAt() {
        return acceptedAt;
    }

    /**
     * The client's end of the connection.
     *
     * @return the client's address and port
     */
    public InetSocketAddress client() {
        return client;
    }

    /**
     * Exactly the bytes the peer consumed from the client, in order, up to the capture cap.
     *
     * @return a copy of the bytes
     */
    public byte[] received() {
        return received.clone();
    }

    /**
     * How many bytes the peer consumed from the client, exact even past the capture cap.
     *
     * @return the count
     */
    public long receivedCount() {
        return receivedCount;
    }

    /**
     * The bytes the peer sent to the client, in order, up to the capture cap.
     *
     * @return a copy of the bytes
     */
    public byte[] sent() {
        return sent.clone();
    }

    /**
     * How many bytes the peer sent to the client, exact even past the capture cap.
     *
     * @return the count
     */
    public long sentCount() {
        return sentCount;
    }

    /**
     * The trigger that fired on this connection.
     *
     * @return the trigger, or empty if none fired (yet)
     */
    public Optional<Trigger> firedTrigger() {
        return Optional.ofNullable(firedTrigger);
    }

    /**
     * How the connection ended.
     *
     * @return the ending, or {@link Ending#OPEN}
     */
    public Ending ending() {
        return ending;
    }

    /**
     * The fault this connection was planned with when the peer accepted it.
     *
     * @return the fault, or empty if the connection was served normally (no fault, or its schedule
     *     did not select this connection)
     */
    public Optional<Fault> fault() {
        return Optional.ofNullable(fault);
    }

    /**
     * Whether the client's kernel held every byte the peer sent before the peer reset.
     *
     * @return {@link Delivery#NOT_CHECKED} unless a reset followed sent bytes
     */
    public Delivery delivery() {
        return delivery;
    }

    /**
     * The leg between the peer and its server, for a connection a forwarding peer ({@link
     * Script#forwardTo(InetSocketAddress)}) accepted. In such a record, {@link #received()} are the
     * client's bytes the peer consumed (and forwarded, up to the fault) and {@link #sent()} the
     * server's bytes the client was sent.
     *
     * @return the upstream leg; empty if the peer does not forward
     */
    public Optional<UpstreamRecord> upstream() {
        return Optional.ofNullable(upstream);
    }

    /**
     * What the TLS handshake settled, for a connection a peer that terminates TLS ({@link
     * Script#withTls(Tls)}) accepted: protocol, cipher suite, SNI, ALPN, or why it failed. Its
     * {@link #received()} and {@link #sent()} are then plaintext. Present from the end of the
     * handshake (or from the connection's end, if the handshake never ended).
     *
     * @return the TLS facts; empty for plain TCP, or before the handshake ended
     */
    public Optional<TlsRecord> tls() {
        return Optional.ofNullable(tls);
    }

    /**
     * One readable line: index, client, byte counts with a short hex and ASCII preview, the trigger
     * that fired and the ending.
     */
    @Override
    public String toString() {
        return "#" + index
                + " from " + Addresses.of(client)
                + " received " + receivedCount + " B" + preview(received)
                + ", sent " + sentCount + " B" + preview(sent)
                + ", " + (fault == null ? "served normally" : "fault '" + fault + "'")
                + ", trigger " + (firedTrigger == null ? "none" : "'" + firedTrigger + "'")
                + (delivery == Delivery.NOT_CHECKED ? "" : ", delivery " + delivery)
                + ", " + ending
                + (tls == null ? "" : "; " + tls)
                + (upstream == null ? "" : "; " + upstream);
    }

    private static String preview(byte[] bytes) {
        if (bytes.length == 0) {
            return "";
        }
        int n = Math.min(bytes.length, PREVIEW_BYTES);
        StringBuilder hex = new StringBuilder();
        StringBuilder ascii = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xff;
            if (i > 0) {
                hex.append(' ');
            }
            hex.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            ascii.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
        }
        String more = bytes.length > n ? " …" : "";
        return " [" + hex + more + " |" + ascii + more + "|]";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ConnectionRecord)) {
            return false;
        }
        ConnectionRecord that = (ConnectionRecord) o;
        return index == that.index
                && receivedCount == that.receivedCount
                && sentCount == that.sentCount
                && acceptedAt.equals(that.acceptedAt)
                && client.equals(that.client)
                && Arrays.equals(received, that.received)
                && Arrays.equals(sent, that.sent)
                && Objects.equals(firedTrigger, that.firedTrigger)
                && ending == that.ending
                && Objects.equals(fault, that.fault)
                && delivery == that.delivery
                && Objects.equals(upstream, that.upstream)
                && Objects.equals(tls, that.tls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, acceptedAt, client, receivedCount, sentCount, ending);
    }
}
