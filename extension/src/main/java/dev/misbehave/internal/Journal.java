package dev.misbehave.internal;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Delivery;
import dev.misbehave.Fault;
import dev.misbehave.Ending;
import dev.misbehave.Trigger;
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
 */
final class Journal {

    private final int captureCap;
    private final List<Entry> entries = new ArrayList<>();

    Journal(int captureCap) {
        this.captureCap = captureCap;
    }

    synchronized Entry open(InetSocketAddress client, Fault fault) {
        Entry entry = new Entry(entries.size(), Instant.now(), client, fault);
        entries.add(entry);
        notifyAll();
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
        return await(() -> endedCount() >= count, timeout, () -> "Expected at least " + count
                + " ended connection(s) within " + timeout + " but " + endedCount() + " of "
                + entries.size() + " accepted had ended.");
    }

    synchronized List<ConnectionRecord> awaitAccepted(int count, Duration timeout) {
        return await(() -> entries.size() >= count, timeout, () -> "Expected at least " + count
                + " accepted connection(s) within " + timeout + " but " + entries.size() + " were.");
    }

    synchronized List<ConnectionRecord> awaitFired(int count, Duration timeout) {
        return await(() -> firedCount() >= count, timeout, () -> "Expected the trigger to fire on at least "
                + count + " connection(s) within " + timeout + " but it fired on " + firedCount() + ".");
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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(failure.get() + " Journal so far:\n" + describe(snapshot()));
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for the peer's connections", e);
            }
        }
        return snapshot();
    }

    private int endedCount() {
        int ended = 0;
        for (Entry entry : entries) {
            if (entry.ending.ended()) {
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

        private Entry(int index, Instant acceptedAt, InetSocketAddress client, Fault fault) {
            this.index = index;
            this.acceptedAt = acceptedAt;
            this.client = client;
            this.fault = fault;
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
            }
        }

        void sent(byte[] bytes, int offset, int length) {
            synchronized (Journal.this) {
                sent.add(bytes, offset, length);
            }
        }

        void delivery(Delivery result) {
            synchronized (Journal.this) {
                delivery = result;
            }
        }

        void fired(Trigger trigger) {
            synchronized (Journal.this) {
                fired = trigger;
                Journal.this.notifyAll();
            }
        }

        /** Records the ending unless one is recorded already; returns whether this call did. */
        boolean end(Ending how) {
            synchronized (Journal.this) {
                if (ending.ended()) {
                    return false;
                }
                ending = how;
                Journal.this.notifyAll();
                return true;
            }
        }

        boolean ended() {
            synchronized (Journal.this) {
                return ending.ended();
            }
        }

        private ConnectionRecord record() {
            return new ConnectionRecord(
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
                    delivery);
        }
    }

    /** The bytes of one direction, kept up to the cap, counted exactly. Guarded by the journal. */
    private final class Capture {
        private byte[] kept = new byte[0];
        private int keptCount;
        private long count;

        void add(byte[] bytes, int offset, int length) {
            int keep = (int) Math.min(length, captureCap - keptCount);
            if (keep > 0) {
                if (keptCount + keep > kept.length) {
                    int grown = Math.max(keptCount + keep, Math.min(captureCap, kept.length * 2));
                    kept = Arrays.copyOf(kept, grown);
                }
                System.arraycopy(bytes, offset, kept, keptCount, keep);
                keptCount += keep;
            }
            count += length;
        }

        byte[] bytes() {
            return Arrays.copyOf(kept, keptCount);
        }
    }
}
