package dev.misbehave.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Tells when the peer's kernel has handed every sent byte of a connection to the client's kernel,
 * so that a reset after K bytes does not discard the tail still in the send queue (design,
 * guarantee 4). A write future only means the peer's kernel took the bytes; an RST discards
 * whatever is still unsent or unacknowledged.
 *
 * <p>Where {@link SockDiag} is available (Linux, JDK 17 to 23, or 24 and later with native access
 * enabled), the send queue (unsent plus unacknowledged bytes, the value of {@code SIOCOUTQ}) of
 * the one connection is asked of the kernel by netlink: a few microseconds whatever the number of
 * sockets on the host. The first question is asked at once, on the caller's thread, which nearly
 * always finds the queue empty already on loopback; a queue still holding bytes goes to the poller
 * thread, which asks again every {@value #DIAG_PAUSE_MICROS} µs.
 *
 * <p>Elsewhere on Linux the send queue is the {@code tx_queue} column of {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6}. Reading those
 * costs milliseconds of kernel CPU even on an idle host (the kernel walks its whole connection hash
 * table), so one daemon thread, {@code misbehave-delivery}, reads them once per pass for all
 * waiters, pausing at least 1 ms and at least as long as the pass took, while anyone waits, and
 * blocks on its queue otherwise; event loop threads never read them. JDK sockets are IPv6 sockets
 * unless {@code java.net.preferIPv4Stack} is set, so an IPv4 connection is usually listed in
 * {@code tcp6} as {@code ::ffff:a.b.c.d}; both files are searched, {@code tcp6} first.
 */
final class SendQueues {

    private static final Path TCP = Path.of("/proc/net/tcp");
    private static final Path TCP6 = Path.of("/proc/net/tcp6");
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long DIAG_PAUSE_MICROS = 50;
    private static final long DIAG_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(DIAG_PAUSE_MICROS);
    private static final String LISTEN = "0A";
    private static final SendQueues SHARED = new SendQueues(TCP, TCP6, SockDiag.available());

    private final Path tcp;
    private final Path tcp6;
    private final boolean sockDiag;
    private final BlockingQueue<Waiter> incoming = new LinkedBlockingQueue<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final boolean readable;

    /** Tests pass other files; the peer uses {@link #shared()}. */
    SendQueues(Path tcp, Path tcp6) {
        this(tcp, tcp6, false);
    }

    /** With {@code sockDiag}, asks the kernel by netlink ({@link SockDiag}) instead of reading the files. */
    SendQueues(Path tcp, Path tcp6, boolean sockDiag) {
        this.tcp = tcp;
        this.tcp6 = tcp6;
        this.sockDiag = sockDiag;
        this.readable = sockDiag || Files.isReadable(tcp);
    }

    /** The one instance of this JVM; its thread starts with the first waiter. */
    static SendQueues shared() {
        return SHARED;
    }

    /**
     * Whether this platform tells send queues: {@link SockDiag} is available or {@code
     * /proc/net/tcp} is readable.
     */
    static boolean supported() {
        return SHARED.readable;
    }

    /** How {@link #shared()} learns send queues: "netlink sock_diag", "/proc/net/tcp" or "none". */
    static String source() {
        return SHARED.sockDiag ? "netlink sock_diag" : SHARED.readable ? "/proc/net/tcp" : "none";
    }

    /**
     * Calls {@code callback.accept(true)} once the send queue of the TCP connection {@code local}
     * to {@code remote} is empty, or {@code accept(false)} if it did not empty within {@code max},
     * the connection is no longer listed, or the platform cannot tell. The callback runs on {@code
     * executor}. Never blocks the caller.
     */
    void whenDrained(
            InetSocketAddress local,
            InetSocketAddress remote,
            Duration max,
            Executor executor,
            Consumer<Boolean> callback) {
        Waiter waiter = new Waiter(resolved(local), resolved(remote), saturatedNanos(max),
                System.nanoTime(), Objects.requireNonNull(executor), Objects.requireNonNull(callback));
        if (!readable) {
            waiter.complete(false);
            return;
        }
        if (sockDiag && waiter.settled(waiter.start, SockDiag.sendQueue(waiter.local, waiter.remote))) {
            return;
        }
        incoming.add(waiter);
        if (!started.get() && started.compareAndSet(false, true)) {
            Thread poller = new Thread(this::poll, "misbehave-delivery");
            poller.setDaemon(true);
            poller.start();
        }
    }

    /**
     * The {@code tx_queue} of the line of {@code /proc/net/tcp} or {@code tcp6} content that lists
     * exactly the connection {@code local} to {@code remote}; empty if no connection line does.
     * Header, listening and malformed lines never match.
     */
    static OptionalLong txQueue(String procNetTcp, InetSocketAddress local, InetSocketAddress remote) {
        List<String> locals = encodings(local);
        List<String> remotes = encodings(remote);
        for (String line : procNetTcp.split("\n")) {
            // sl local_address rem_address st tx_queue:rx_queue ...
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 5 || fields[3].equalsIgnoreCase(LISTEN)) {
                continue;
            }
            if (locals.contains(fields[1].toUpperCase(Locale.ROOT))
                    && remotes.contains(fields[2].toUpperCase(Locale.ROOT))) {
                int colon = fields[4].indexOf(':');
                try {
                    return OptionalLong.of(Long.parseLong(fields[4].substring(0, Math.max(colon, 0)), 16));
                } catch (NumberFormatException malformed) {
                    // not a usable line; keep looking
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The forms the kernel prints an address in: IPv4 native, and IPv4-mapped in tcp6. */
    private static List<String> encodings(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        String port = String.format(Locale.ROOT, ":%04X", address.getPort());
        byte[] bytes = ip.getAddress();
        if (ip instanceof Inet4Address) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            return List.of(hexWords(bytes) + port, hexWords(mapped) + port);
        }
        return List.of(hexWords(bytes) + port);
    }

    /** The kernel prints each 32-bit word of an address with %08X, so in host byte order. */
    private static String hexWords(byte[] bytes) {
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        StringBuilder hex = new StringBuilder(bytes.length * 2);
        for (int word = 0; word < bytes.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                hex.append(String.format(Locale.ROOT, "%02X", bytes[word + (little ? 3 - i : i)]));
            }
        }
        return hex.toString();
    }

    /** Checked here, in the caller, so one bad waiter cannot fail a pass for all the others. */
    private static InetSocketAddress resolved(InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("not a connection's address: " + Addresses.of(address));
        }
        return address;
    }

    private static long saturatedNanos(Duration max) {
        if (max.isNegative()) {
            throw new IllegalArgumentException("max must not be negative: " + max);
        }
        return max.compareTo(Duration.ofDays(365)) > 0 ? Long.MAX_VALUE : max.toNanos();
    }

    private void poll() {
        List<Waiter> waiting = new ArrayList<>();
        while (true) {
            try {
                if (waiting.isEmpty()) {
                    waiting.add(incoming.take());
                }
                incoming.drainTo(waiting);
                long passStart = System.nanoTime();
                pass(waiting);
                if (!waiting.isEmpty()) {
                    // a pass is kernel CPU time (~3.5 ms per file measured here, whatever the number of
                    // connections); pausing at least as long keeps the poller under half a core
                    long pause = Math.max(sockDiag ? DIAG_PAUSE_NANOS : PAUSE_NANOS, System.nanoTime() - passStart);
                    Waiter next = incoming.poll(pause, TimeUnit.NANOSECONDS);
                    if (next != null) {
                        waiting.add(next);
                    }
                }
            } catch (InterruptedException ignored) {
                // nobody else owns this thread; keep serving
            } catch (RuntimeException | Error unexpected) {
                waiting.forEach(waiter -> waiter.complete(false));
                waiting.clear();
            }
        }
    }

    /** Reads each needed file at most once, then completes drained, vanished and expired waiters. */
    private void pass(List<Waiter> waiting) {
        long now = System.nanoTime();
        if (sockDiag) {
            waiting.removeIf(waiter -> waiter.settled(now, SockDiag.sendQueue(waiter.local, waiter.remote)));
            return;
        }
        Map<Path, String> contents = new HashMap<>();
        waiting.removeIf(waiter -> {
            OptionalLong queue = OptionalLong.empty();
            for (Path file : waiter.listedIn != null ? List.of(waiter.listedIn) : List.of(tcp6, tcp)) {
                queue = txQueue(contents.computeIfAbsent(file, SendQueues::readOrEmpty), waiter.local, waiter.remote);
                if (queue.isPresent()) {
                    waiter.listedIn = file;
                    break;
                }
            }
            boolean done = queue.isEmpty() || queue.getAsLong() == 0 || now - waiter.start >= waiter.maxNanos;
            if (done) {
                waiter.complete(queue.isPresent() && queue.getAsLong() == 0);
            }
            return done;
        });
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException unreadable) {
            return ""; // not listed, so "cannot tell"
        }
    }

    private static final class Waiter {
        final InetSocketAddress local;
        final InetSocketAddress remote;
        final long maxNanos;
        final long start;
        final Executor executor;
        final Consumer<Boolean> callback;
        Path listedIn; // poller thread only

        Waiter(InetSocketAddress local, InetSocketAddress remote, long maxNanos, long start,
                Executor executor, Consumer<Boolean> callback) {
            this.local = local;
            this.remote = remote;
            this.maxNanos = maxNanos;
            this.start = start;
            this.executor = executor;
            this.callback = callback;
        }

        /**
         * Completes this waiter if {@code queue} (a {@link SockDiag#sendQueue} answer at {@code
         * now}) settles it: empty, not listed, not answerable, or past the bound.
         */
        boolean settled(long now, long queue) {
            boolean done = queue <= 0 || now - start >= maxNanos;
            if (done) {
                complete(queue == 0);
            }
            return done;
        }

        /** Never throws: a rejecting executor or a throwing inline callback must not stop the poller. */
        void complete(boolean drained) {
            try {
                executor.execute(() -> callback.accept(drained));
            } catch (RuntimeException | Error ignored) {
                // the caller's executor is gone or its callback failed inline; nothing to tell
            }
        }
    }
}
