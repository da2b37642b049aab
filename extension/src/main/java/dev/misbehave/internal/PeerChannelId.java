package dev.misbehave.internal;

import io.netty.channel.ChannelId;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A channel's id: a number unique in this JVM. Netty's default id mixes the machine's address, the
 * process id, a counter, the time and a random number, and hashes them, for ids unique across
 * machines; a peer's channels never leave the JVM, and measured here that id was an eighth of the
 * caller's time in a peer's start.
 */
final class PeerChannelId implements ChannelId {

    private static final long serialVersionUID = 1L;
    private static final AtomicLong NEXT = new AtomicLong();

    private final long value;

    private PeerChannelId(long value) {
        this.value = value;
    }

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
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        return asShortText();
    }
}
