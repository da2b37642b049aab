package dev.misbehave.internal;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Delivery;
import dev.misbehave.Fault;
import dev.misbehave.Ending;
import dev.misbehave.TlsRecord;
import dev.misbehave.Trigger;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.UpstreamRecord;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The journal of one peer: an entry per accepted connection, written by the event loop and read by
 * the test thread. One monitor guards all of it; it is never contended for long.
 *
 * <p>Every change a waiter's condition can observe (an accept, bytes either way, the upstream leg,
 * the trigger, the delivery check, the ending) wakes the threads waiting in an {@code await}
 * method, so that a condition is re-checked as soon as it can have become true. The event loop
 * holds the monitor for each change anyway; it signals only while someone waits ({@link
 * #waiters}), so a journal nobody waits on costs no more than the field read.
 */
final class Journal {

    private final int captureCap;
    private final List<Entry> entries = new ArrayList<>();
    /** How many threads wait in {@link #await} now. Guarded by this. */
    private int waiters;

    Journal(int captureCap) {
        this.captureCap = captureCap;
    }

    synchronized Entry open(InetSocketAddress client, Fault fault, boolean forwards) {
        Entry entry = new Entry(entries.size(), Instant.now(), client, fault, forwards);
        entries.add(entry);
        changed();
        return entry;
    }

    /** The number of connections accepted so far, which is also the index the next one gets. */
    synchronized int size() {
        return entries.size();
    }

    synchronized List<ConnectionRecord> snapshot() {
        List<ConnectionRecord> records = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            records.add(entry.record());
        }
        return List.copyOf(records);
    }

    synchronized List<ConnectionRecord> awaitEnded(int count, Duration timeout) {
        return awaitEnded(count, timeout, "");
    }

    /** @param raise how to wait longer, appended to the failure's first line */
    synchronized List<ConnectionRecord> awaitEnded(int count, Duration timeout, String raise) {
        return await(() -> endedCount() >= count, timeout, () -> "Expected at least " + count
                + " ended connection(s) within " + timeout + " but " + endedCount() + " of "
                + entries.size() + " accepted had ended." + raise);
    }

    synchronized List<ConnectionRecord> awaitAccepted(int count, Duration timeout) {
        return await(() -> entries.size() >= count, timeout, () -> "Expected at least " + count
                + " accepted connection(s) within " + timeout + " but " + entries.size() + " were.");
    }

    synchronized List<ConnectionRecord> awaitFired(int count, Duration timeout) {
        return awaitFired(count, timeout, "");
    }

    /** @param raise how to wait longer, appended to the failure's first line */
    synchronized List<ConnectionRecord> awaitFired(int count, Duration timeout, String raise) {
        return await(() -> firedCount() >= count, timeout, () -> "Expected the trigger to fire on at least "
                + count + " connection(s) within " + timeout + " but it fired on " + firedCount() + "." + raise);
    }

    synchronized List<ConnectionRecord> awaitSnapshot(
            java.util.function.Predicate<? super List<ConnectionRecord>> condition, Duration timeout) {
        return awaitSnapshot(condition, timeout, "");
    }

    /** @param raise how to wait longer, appended to the failure's first line */
    synchronized List<ConnectionRecord> awaitSnapshot(
            java.util.function.Predicate<? super List<ConnectionRecord>> condition, Duration timeout, String raise) {
        List<List<ConnectionRecord>> last = new ArrayList<>(1);
        await(() -> {
            List<ConnectionRecord> snapshot = snapshot();
            last.clear();
            last.add(snapshot);
            return condition.test(snapshot);
        }, timeout, () -> "Expected the journal to satisfy the condition within " + timeout + " but it did not." + raise);
        return last.get(0);
    }

    private int firedCount() {
        int fired = 0;
        for (Entry entry : entries) {
            if (entry.fired != null) {
                fired++;
            }
        }
        return fired;
    }

    private List<ConnectionRecord> await(BooleanSupplier done, Duration timeout, Supplier<String> failure) {
        long deadline = System.nanoTime() + Nanos.of(timeout);
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(failure.get() + " Journal so far:\n" + describe(snapshot()));
            }
            waiters++;
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for the peer's connections", e);
            } finally {
                waiters--;
            }
        }
        return snapshot();
    }

    /** Wakes the waiting threads, if any, after a change. Call holding this monitor. */
    private void changed() {
        if (waiters > 0) {
            notifyAll();
        }
    }

    /** The most bytes any connection held waiting to be sent to its client (proxy mode's bound). */
    synchronized long maxPendingBytes() {
        long max = 0;
        for (Entry entry : entries) {
            max = Math.max(max, entry.pendingPeak);
        }
        return max;
    }

    private int endedCount() {
        int ended = 0;
        for (Entry entry : entries) {
            // a forwarded connection has ended when both legs have
            if (entry.ending.ended() && entry.upstreamEnding != UpstreamEnding.OPEN) {
                ended++;
            }
        }
        return ended;
    }

    static String describe(List<ConnectionRecord> records) {
        if (records.isEmpty()) {
            return "  (no connections)";
        }
        StringBuilder text = new StringBuilder();
        for (ConnectionRecord record : records) {
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append("  ").append(record);
        }
        return text.toString();
    }

    /** One connection's entry. Every method holds the journal's monitor. */
    final class Entry {
        private final int index;
        private final Instant acceptedAt;
        private final InetSocketAddress client;
        private final Fault fault;
        private final Capture received = new Capture();
        private final Capture sent = new Capture();
        private Trigger fired;
        private Ending ending = Ending.OPEN;
        private Delivery delivery = Delivery.NOT_CHECKED;
        private final boolean forwards;
        private InetSocketAddress upstream;
        private long upstreamSent;
        private long upstreamReceived;
        private UpstreamEnding upstreamEnding = UpstreamEnding.NOT_CONNECTED;
        private String upstreamFailure;
        private long pendingPeak;
        private TlsRecord tls;
        /** What the TLS handshake has settled so far, for an end that comes before its outcome. */
        private java.util.function.Supplier<TlsRecord> tlsSoFar;

        private Entry(int index, Instant acceptedAt, InetSocketAddress client, Fault fault, boolean forwards) {
            this.index = index;
            this.acceptedAt = acceptedAt;
            this.client = client;
            this.fault = fault;
            this.forwards = forwards;
        }

        /** The server this forwarded connection goes to (known before the connect). */
        void upstream(InetSocketAddress address) {
            synchronized (Journal.this) {
                upstream = address;
                changed();
            }
        }

        /** A new peak of bytes waiting to be sent to the client. */
        void pendingPeak(long bytes) {
            synchronized (Journal.this) {
                pendingPeak = Math.max(pendingPeak, bytes);
            }
        }

        void upstreamConnected() {
            synchronized (Journal.this) {
                upstreamEnding = UpstreamEnding.OPEN;
                changed();
            }
        }

        /** The server could not be reached: why. Recorded before the client can observe it. */
        void upstreamFailed(String why) {
            synchronized (Journal.this) {
                upstreamFailure = why;
                changed();
            }
        }

        void upstreamSent(int bytes) {
            synchronized (Journal.this) {
                upstreamSent += bytes;
                changed();
            }
        }

        void upstreamReceived(int bytes) {
            synchronized (Journal.this) {
                upstreamReceived += bytes;
                changed();
            }
        }

        /** Records how the open upstream leg ended, unless it has already; returns whether this call did. */
        boolean upstreamEnd(UpstreamEnding how) {
            synchronized (Journal.this) {
                if (upstreamEnding != UpstreamEnding.OPEN) {
                    return false;
                }
                upstreamEnding = how;
                changed();
                return true;
            }
        }

        UpstreamEnding upstreamEnding() {
            synchronized (Journal.this) {
                return upstreamEnding;
            }
        }

        int index() {
            return index;
        }

        /** The fault planned for this connection, or null if it is served normally. */
        Fault fault() {
            return fault;
        }

        long receivedCount() {
            synchronized (Journal.this) {
                return received.count;
            }
        }

        long sentCount() {
            synchronized (Journal.this) {
                return sent.count;
            }
        }

        void received(byte[] bytes, int offset, int length) {
            synchronized (Journal.this) {
                received.add(bytes, offset, length);
                changed();
            }
        }

        void sent(byte[] bytes, int offset, int length) {
            synchronized (Journal.this) {
                sent.add(bytes, offset, length);
                changed();
            }
        }

        /** Records the readable bytes of {@code buf} as received; copies only what the capture keeps. */
        void received(ByteBuf buf) {
            synchronized (Journal.this) {
                received.add(buf, buf.readerIndex(), buf.readableBytes());
                changed();
            }
        }

        /** Records {@code length} bytes of {@code buf} from {@code index} as sent; copies only what the capture keeps. */
        void sent(ByteBuf buf, int index, int length) {
            synchronized (Journal.this) {
                sent.add(buf, index, length);
                changed();
            }
        }

        /**
         * Gives the handshake's facts so far, recorded if the connection ends before the handshake's
         * outcome is (a fault at a stage of the handshake ends it first): an ended TLS connection
         * always has its TLS record.
         */
        void tlsSoFar(java.util.function.Supplier<TlsRecord> facts) {
            synchronized (Journal.this) {
                tlsSoFar = facts;
            }
        }

        /** Records what the TLS handshake settled (or how it failed). */
        void tls(TlsRecord facts) {
            synchronized (Journal.this) {
                tls = facts;
                changed();
            }
        }

        void delivery(Delivery result) {
            synchronized (Journal.this) {
                delivery = result;
                changed();
            }
        }

        void fired(Trigger trigger) {
            synchronized (Journal.this) {
                fired = trigger;
                changed();
            }
        }

        /** Records the ending unless one is recorded already; returns whether this call did. */
        boolean end(Ending how) {
            java.util.function.Supplier<TlsRecord> pending;
            synchronized (Journal.this) {
                if (ending.ended()) {
                    return false;
                }
                pending = tls == null ? tlsSoFar : null;
            }
            TlsRecord facts = pending == null ? null : pending.get(); // asks the engine: not under the lock
            synchronized (Journal.this) {
                if (ending.ended()) {
                    return false;
                }
                if (tls == null && facts != null) {
                    tls = facts;
                }
                ending = how;
                changed();
                return true;
            }
        }

        boolean ended() {
            synchronized (Journal.this) {
                return ending.ended();
            }
        }

        Ending ending() {
            synchronized (Journal.this) {
                return ending;
            }
        }

        private ConnectionRecord record() {
            return Records.connection(
                    index,
                    acceptedAt,
                    client,
                    received.bytes(),
                    received.count,
                    sent.bytes(),
                    sent.count,
                    fired,
                    ending,
                    fault,
                    delivery,
                    forwards ? Records.upstream(upstream, upstreamSent, upstreamReceived, upstreamEnding,
                            upstreamFailure) : null,
                    tls);
        }
    }

    /** The bytes of one direction, kept up to the cap, counted exactly. Guarded by the journal. */
    private final class Capture {
        private byte[] kept = new byte[0];
        private int keptCount;
        private long count;

        void add(byte[] bytes, int offset, int length) {
            int keep = room(length);
            if (keep > 0) {
                System.arraycopy(bytes, offset, kept, keptCount, keep);
                keptCount += keep;
            }
            count += length;
        }

        /** Like {@link #add(byte[], int, int)}; leaves the buffer's indexes as they are. */
        void add(ByteBuf buf, int index, int length) {
            int keep = room(length);
            if (keep > 0) {
                buf.getBytes(index, kept, keptCount, keep);
                keptCount += keep;
            }
            count += length;
        }

        /** How many of {@code length} more bytes the capture keeps; grows it to hold them. */
        private int room(int length) {
            int keep = (int) Math.min(length, captureCap - keptCount);
            if (keep > 0 && keptCount + keep > kept.length) {
                int grown = Math.max(keptCount + keep, Math.min(captureCap, kept.length * 2));
                kept = Arrays.copyOf(kept, grown);
            }
            return keep;
        }

        byte[] bytes() {
            return Arrays.copyOf(kept, keptCount);
        }
    }
}
