package dev.misbehave.internal;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Ending;
import dev.misbehave.Trigger;
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
 */
final class Journal {

    private final int captureCap;
    private final List<Entry> entries = new ArrayList<>();

    Journal(int captureCap) {
        this.captureCap = captureCap;
    }

    synchronized Entry open(InetSocketAddress client) {
        Entry entry = new Entry(entries.size(), Instant.now(), client);
        entries.add(entry);
        notifyAll();
        return entry;
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
        private byte[] received = new byte[0];
        private int receivedKept;
        private long receivedCount;
        private Trigger fired;
        private Ending ending = Ending.OPEN;

        private Entry(int index, Instant acceptedAt, InetSocketAddress client) {
            this.index = index;
            this.acceptedAt = acceptedAt;
            this.client = client;
        }

        long receivedCount() {
            synchronized (Journal.this) {
                return receivedCount;
            }
        }

        void received(ByteBuf bytes) {
            synchronized (Journal.this) {
                int n = bytes.readableBytes();
                int keep = (int) Math.min(n, captureCap - receivedKept);
                if (keep > 0) {
                    if (receivedKept + keep > received.length) {
                        int grown = Math.max(receivedKept + keep, Math.min(captureCap, received.length * 2));
                        received = Arrays.copyOf(received, grown);
                    }
                    bytes.getBytes(bytes.readerIndex(), received, receivedKept, keep);
                    receivedKept += keep;
                }
                receivedCount += n;
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
                    Arrays.copyOf(received, receivedKept),
                    receivedCount,
                    new byte[0],
                    0,
                    fired,
                    ending,
                    null,
                    dev.misbehave.Delivery.NOT_CHECKED);
        }
    }
}
