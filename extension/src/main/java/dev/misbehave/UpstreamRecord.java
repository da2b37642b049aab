package dev.misbehave;

import dev.misbehave.internal.Addresses;
import dev.misbehave.internal.Records;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * The journal of the second leg of a forwarded connection: between the peer and its server. Part
 * of the {@link ConnectionRecord} of every connection a forwarding peer accepts ({@link
 * ConnectionRecord#upstream()}). Immutable.
 */
public final class UpstreamRecord {

    private final InetSocketAddress address;
    private final long sentCount;
    private final long receivedCount;
    private final UpstreamEnding ending;
    private final String failure;

    static {
        Records.register((address, sentCount, receivedCount, ending, failure) ->
                new UpstreamRecord(address, sentCount, receivedCount, ending, failure, null));
    }

    /**
     * A record of the upstream leg.
     *
     * @param address the server's address, or null if it was never known (the supplier failed)
     * @param sentCount the bytes the peer forwarded to the server
     * @param receivedCount the bytes the peer read from the server
     * @param ending how the leg ended
     * @param failure why the server could not be reached, or null
     * @deprecated Not API: only Misbehave makes records. Read them from {@link
     *     ConnectionRecord#upstream()}; this constructor goes before 0.1.0 is released.
     */
    @Deprecated(forRemoval = true)
    public UpstreamRecord(
            InetSocketAddress address, long sentCount, long receivedCount, UpstreamEnding ending, String failure) {
        this(address, sentCount, receivedCount, ending, failure, null);
    }

    /** A record of the upstream leg; see the accessors. */
    private UpstreamRecord(InetSocketAddress address, long sentCount, long receivedCount, UpstreamEnding ending,
            String failure, Void made) {
        this.address = address;
        this.sentCount = sentCount;
        this.receivedCount = receivedCount;
        this.ending = Objects.requireNonNull(ending, "ending");
        this.failure = failure;
    }

    /**
     * The server's address for this connection.
     *
     * @return the address; empty if the supplier of the address failed
     */
    public Optional<InetSocketAddress> address() {
        return Optional.ofNullable(address);
    }

    /**
     * The bytes the peer forwarded to the server: the client's bytes up to the fault.
     *
     * @return the count
     */
    public long sentCount() {
        return sentCount;
    }

    /**
     * The bytes the peer read from the server. More than the client got when a downstream fault
     * cut the response.
     *
     * @return the count
     */
    public long receivedCount() {
        return receivedCount;
    }

    /**
     * How the leg ended.
     *
     * @return the ending
     */
    public UpstreamEnding ending() {
        return ending;
    }

    /**
     * Why the peer could not reach the server, or did not try, for example {@code "connect to
     * 127.0.0.1:5432 failed: Connection refused"}, or {@code "the upstream 127.0.0.1:5432 is this
     * peer's own address; forwarding to it would loop without end"}.
     *
     * @return the reason; empty if the server was reached, or never tried
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public String toString() {
        String where = address == null ? "(no address)" : Addresses.of(address);
        return "upstream " + where + ": forwarded " + sentCount + " B, read " + receivedCount + " B, "
                + ending + (failure == null ? "" : " (" + failure + ")");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UpstreamRecord other
                && Objects.equals(address, other.address)
                && sentCount == other.sentCount
                && receivedCount == other.receivedCount
                && ending == other.ending
                && Objects.equals(failure, other.failure);
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, sentCount, receivedCount, ending, failure);
    }
}
