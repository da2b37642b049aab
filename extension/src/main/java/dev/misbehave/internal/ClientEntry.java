package dev.misbehave.internal;

import dev.misbehave.ClientEnding;
import dev.misbehave.Fault;
import dev.misbehave.Trigger;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * The journal of one connection of a misbehaving client, written on its event loop and read by the
 * test's thread: what the client sent and received, which trigger fired, and how and when the
 * connection ended. The first ending recorded wins. Times are kept as {@link System#nanoTime()}
 * offsets from the connection's start, so durations do not depend on the wall clock.
 */
public final class ClientEntry {

    /** How many bytes per direction an entry keeps: 1 MiB, as the peer's journal. */
    public static final int CAPTURE_CAP = 1 << 20;

    private final int index;
    private final Fault fault;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private long sentCount;
    private long receivedCount;
    private InetSocketAddress local;
    private long connectedNanos = -1;
    private long firstReceivedNanos = -1;
    private Trigger fired;
    private long firedNanos = -1;
    private ClientEnding ending = ClientEnding.OPEN;
    private long endedNanos = -1;
    private String failure;

    /** Told after every change but the ending, outside this entry's lock, so that waiters look again. */
    private final Runnable changed;
    /** Told once, when the ending is recorded, outside this entry's lock. */
    private final Runnable endedNow;

    ClientEntry(int index, Fault fault, Runnable changed, Runnable ended) {
        this.index = index;
        this.fault = fault;
        this.changed = changed;
        this.endedNow = ended;
    }

    void connected(InetSocketAddress localAddress) {
        synchronized (this) {
            local = localAddress;
            connectedNanos = System.nanoTime() - startedNanos;
        }
        changed.run();
    }

    void sent(byte[] bytes, int from, int length) {
        synchronized (this) {
            sentCount += length;
            int room = (int) Math.max(0, CAPTURE_CAP - sent.size());
            sent.write(bytes, from, Math.min(room, length));
        }
        changed.run();
    }

    void received(ByteBuf bytes) {
        synchronized (this) {
            int length = bytes.readableBytes();
            if (receivedCount == 0 && length > 0) {
                firstReceivedNanos = System.nanoTime() - startedNanos;
            }
            receivedCount += length;
            int keep = (int) Math.min(length, Math.max(0, CAPTURE_CAP - received.size()));
            if (keep > 0) {
                byte[] copy = new byte[keep];
                bytes.getBytes(bytes.readerIndex(), copy);
                received.write(copy, 0, keep);
            }
        }
        changed.run();
    }

    void fired(Trigger trigger) {
        synchronized (this) {
            if (fired != null) {
                return;
            }
            fired = trigger;
            firedNanos = System.nanoTime() - startedNanos;
        }
        changed.run();
    }

    /**
     * Records how the connection ended, if no ending is recorded yet.
     *
     * @return true if this call recorded it
     */
    boolean end(ClientEnding how, String why) {
        synchronized (this) {
            if (ending != ClientEnding.OPEN) {
                return false;
            }
            ending = how;
            failure = why;
            endedNanos = System.nanoTime() - startedNanos;
        }
        endedNow.run();
        return true;
    }

    public int index() {
        return index;
    }

    public Fault fault() {
        return fault;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public synchronized InetSocketAddress local() {
        return local;
    }

    public synchronized byte[] sent() {
        return sent.toByteArray();
    }

    public synchronized long sentCount() {
        return sentCount;
    }

    public synchronized byte[] received() {
        return received.toByteArray();
    }

    public synchronized long receivedCount() {
        return receivedCount;
    }

    /** Nanoseconds from the start to the connect, or -1 if it never connected. */
    public synchronized long connectedNanos() {
        return connectedNanos;
    }

    /** Nanoseconds from the start to the first byte read, or -1 if none was. */
    public synchronized long firstReceivedNanos() {
        return firstReceivedNanos;
    }

    public synchronized Trigger firedTrigger() {
        return fired;
    }

    /** Nanoseconds from the start to the trigger, or -1 if none fired. */
    public synchronized long firedNanos() {
        return firedNanos;
    }

    public synchronized ClientEnding ending() {
        return ending;
    }

    /** Nanoseconds from the start to the ending, or -1 while open. */
    public synchronized long endedNanos() {
        return endedNanos;
    }

    /** Why the connection failed or what the server's reset said, or null. */
    public synchronized String failure() {
        return failure;
    }
}
