package dev.misbehave.internal;

import io.netty.channel.ChannelId;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The id of a peer's channels: a number counted up in this JVM, which is all the peer needs (Netty
 * uses a channel's id for its hash code, its order and its {@code toString()}).
 *
 * <p>Netty's default id ({@code DefaultChannelId}) is globally unique: its class initialisation
 * looks up the machine's network interfaces for a MAC address and the process id, which cost the
 * first peer of a JVM several milliseconds (see the cold-start section of docs/performance.md).
 * Giving the peer's channels this id instead skips that work without touching Netty's defaults, so
 * an application's own channels in the same JVM are unaffected.
 */
final class PeerChannelId implements ChannelId {

    private static final long serialVersionUID = 1L;

    private static final AtomicLong NEXT = new AtomicLong();

    private final long value;

    private PeerChannelId(long value) {
        this.value = value;
    }

    /** A new id, different from every other id this class has made in this JVM. */
    static PeerChannelId next() {
        return new PeerChannelId(NEXT.incrementAndGet());
    }

    @Override
    public String asShortText() {
        return Long.toHexString(value);
    }

    @Override
    public String asLongText() {
        return "misbehave-" + Long.toHexString(value);
    }

    @Override
    public int compareTo(ChannelId other) {
        if (other instanceof PeerChannelId id) {
            return Long.compare(value, id.value);
        }
        return asLongText().compareTo(other.asLongText());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PeerChannelId id && id.value == value;
    }

    @Override
    public int hashCode() {
        // spread consecutive values, as hash tables keyed by channel see them
        return Long.hashCode(value * 0x9E3779B97F4A7C15L);
    }

    @Override
    public String toString() {
        return asShortText();
    }
}
