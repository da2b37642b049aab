import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * What each candidate "delivery confirmation" signal costs per call, on one loopback connection,
 * with the host's connection table as it is and again after adding TIME_WAIT entries (issue 14,
 * goal 3). Every signal reads the send queue of the peer's side of the connection (unsent plus
 * unacknowledged bytes, what SendQueues waits to see at 0):
 *
 * <ul>
 *   <li>{@code proc}: today's SendQueues pass, read /proc/net/tcp6 (then tcp) and find the line;
 *   <li>{@code ioctl}: FFM ioctl(fd, SIOCOUTQ) on the NIO channel's fd;
 *   <li>{@code tcp_info}: FFM getsockopt(fd, TCP_INFO), queue = notsent_bytes, drained = also 0 unacked segments;
 *   <li>{@code netlink}: FFM sock_diag request for exactly this 4-tuple (no dump: a hash lookup in the
 *       kernel), idiag_wqueue; needs no fd, only the two addresses SendQueues already has;
 *   <li>{@code fd-scan}: finding the fd without JDK internals, getsockname/getpeername on each fd in /proc/self/fd
 *       (once per connection; then ioctl);
 *   <li>{@code ss}: the ss tool as a child process with a kernel-side filter;
 *   <li>{@code epoll}: Netty's native epoll EpollSocketChannel.tcpInfo(), if Netty's epoll jars are on the class path.
 * </ul>
 *
 * Signals are timed round by round in a rotated order, in one process; the table gives the median
 * over rounds of each round's mean per call. Before timing, a check with a stalled client (a full
 * send queue) shows that every signal reports the same non-zero queue.
 *
 * <p>Run (JDK 22+; the FFM calls need native access, Netty's jars are optional):
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --enable-native-access=ALL-UNNAMED \
 *     --add-exports java.base/sun.nio.ch=ALL-UNNAMED \
 *     -cp "$(ls ~/.m2/repository/io/netty/netty-*&#47;4.2.18.Final/*.jar | tr '\n' :)" \
 *     benchmarks/src/jdk25/DeliverySignals.java [timeWaitEntries=12000] [rounds=7]
 * </pre>
 * Without {@code --add-exports} the fd is found by scanning (and the program says so).
 */
public final class DeliverySignals {

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    static final ValueLayout ADDR = ValueLayout.ADDRESS;

    static final MethodHandle IOCTL = handle("ioctl", FunctionDescriptor.of(INT, INT, LONG, ADDR),
            Linker.Option.firstVariadicArg(2));
    static final MethodHandle GETSOCKOPT = handle("getsockopt", FunctionDescriptor.of(INT, INT, INT, INT, ADDR, ADDR));
    static final MethodHandle GETSOCKNAME = handle("getsockname", FunctionDescriptor.of(INT, INT, ADDR, ADDR));
    static final MethodHandle GETPEERNAME = handle("getpeername", FunctionDescriptor.of(INT, INT, ADDR, ADDR));
    static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    static final MethodHandle SEND = handle("send", FunctionDescriptor.of(LONG, INT, ADDR, LONG, INT));
    static final MethodHandle RECV = handle("recv", FunctionDescriptor.of(LONG, INT, ADDR, LONG, INT));

    static final long SIOCOUTQ = 0x5411; // TIOCOUTQ
    static final int IPPROTO_TCP = 6;
    static final int TCP_INFO = 11;

    static MethodHandle handle(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, options);
    }

    /** One way of reading the send queue of a connection: bytes, or -1 if the connection is not found. */
    interface Signal {
        long queue() throws Throwable;
    }

    public static void main(String[] args) throws Throwable {
        int timeWait = args.length > 0 ? Integer.parseInt(args[0]) : 12_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        System.out.printf("JVM %s %s; native access for this module: %s%n", System.getProperty("java.vm.name"),
                Runtime.version(), DeliverySignals.class.getModule().isNativeAccessEnabled());

        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                Socket client = new Socket()) {
            client.setReceiveBufferSize(64 * 1024);
            client.connect(listener.getLocalAddress());
            SocketChannel peer = listener.accept();
            InetSocketAddress local = (InetSocketAddress) peer.getLocalAddress();
            InetSocketAddress remote = (InetSocketAddress) peer.getRemoteAddress();

            int fd = fdOf(peer, local, remote);
            try (Arena arena = Arena.ofConfined(); Netlink netlink = new Netlink()) {
                MemorySegment intOut = arena.allocate(INT);
                MemorySegment info = arena.allocate(256);
                MemorySegment infoLen = arena.allocate(INT);
                Map<String, Signal> signals = new LinkedHashMap<>();
                signals.put("proc", () -> procQueue(local, remote));
                signals.put("ioctl", () -> {
                    check((int) IOCTL.invokeExact(fd, SIOCOUTQ, intOut), "ioctl");
                    return intOut.get(INT, 0);
                });
                signals.put("tcp_info", () -> {
                    infoLen.set(INT, 0, 256);
                    check((int) GETSOCKOPT.invokeExact(fd, IPPROTO_TCP, TCP_INFO, info, infoLen), "getsockopt");
                    int unacked = info.get(INT, 24);
                    int notSent = info.get(INT, 144);
                    return unacked == 0 && notSent == 0 ? 0 : Math.max(1, notSent);
                });
                signals.put("netlink", () -> netlink.wqueue(local, remote));
                signals.put("fd-scan+ioctl", () -> {
                    int found = scanForFd(local, remote);
                    check((int) IOCTL.invokeExact(found, SIOCOUTQ, intOut), "ioctl");
                    return intOut.get(INT, 0);
                });
                signals.put("ss", () -> ssQueue(local, remote));
                Signal epoll = Epoll.signal();
                if (epoll != null) {
                    signals.put("epoll tcpInfo", epoll);
                }

                checkAgree(signals, peer, client);
                Thread reader = new Thread(() -> drain(client), "client-reader");
                reader.setDaemon(true);
                reader.start();
                Map<String, Signal> confirmable = new LinkedHashMap<>(signals);
                confirmable.remove("epoll tcpInfo"); // another connection

                Map<String, double[]> base = measure(signals, rounds);
                report("table as found", base, null);
                Map<String, double[]> baseConfirm = confirm(confirmable, peer, rounds);
                report("table as found, write 64 KiB then poll until the queue is 0 (the reset's wait)", baseConfirm, null);
                if (timeWait > 0) {
                    long started = System.nanoTime();
                    makeTimeWait(timeWait);
                    System.out.printf("%nadded %,d TIME_WAIT entries in %.1f s; ss counts %s%n", timeWait,
                            (System.nanoTime() - started) / 1e9, timeWaitCount());
                    Map<String, double[]> loaded = measure(signals, rounds);
                    report("with the TIME_WAIT entries", loaded, base);
                    Map<String, double[]> loadedConfirm = confirm(confirmable, peer, rounds);
                    report("with the TIME_WAIT entries, write 64 KiB then poll until 0", loadedConfirm, baseConfirm);
                    System.out.printf("ss counts %s TIME_WAIT entries after the measurement%n", timeWaitCount());
                }
            }
        }
        System.exit(0); // Netty's event loop thread, if any, is not a daemon
    }

    // ---- the fd ---------------------------------------------------------------------------------

    /** The JDK-internal accessor if sun.nio.ch is exported to us, else the scan (no supported way exists). */
    static int fdOf(SocketChannel channel, InetSocketAddress local, InetSocketAddress remote) throws Throwable {
        try {
            int fd = (int) Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal").invoke(channel);
            System.out.println("fd from sun.nio.ch.SelChImpl.getFDVal(): " + fd);
            return fd;
        } catch (ReflectiveOperationException | RuntimeException denied) {
            int fd = scanForFd(local, remote);
            System.out.println("fd from sun.nio.ch.SelChImpl.getFDVal() denied (" + denied
                    + "); found by scanning /proc/self/fd: " + fd);
            return fd;
        }
    }

    /** The fd of this process whose socket is bound to local and connected to remote, by getsockname/getpeername. */
    static int scanForFd(InetSocketAddress local, InetSocketAddress remote) throws Throwable {
        try (Arena arena = Arena.ofConfined(); Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            MemorySegment address = arena.allocate(128);
            MemorySegment length = arena.allocate(INT);
            for (Path entry : (Iterable<Path>) fds::iterator) {
                int fd;
                try {
                    fd = Integer.parseInt(entry.getFileName().toString());
                } catch (NumberFormatException notFd) {
                    continue;
                }
                length.set(INT, 0, 128);
                if ((int) GETSOCKNAME.invokeExact(fd, address, length) != 0 || !matches(address, local)) {
                    continue;
                }
                length.set(INT, 0, 128);
                if ((int) GETPEERNAME.invokeExact(fd, address, length) == 0 && matches(address, remote)) {
                    return fd;
                }
            }
        }
        return -1;
    }

    /** sockaddr_in or sockaddr_in6 (v4-mapped for an IPv4 address) equals the address. */
    static boolean matches(MemorySegment sockaddr, InetSocketAddress expected) {
        short family = sockaddr.get(ValueLayout.JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(Short.reverseBytes(sockaddr.get(ValueLayout.JAVA_SHORT, 2)));
        if (port != expected.getPort()) {
            return false;
        }
        byte[] want = expected.getAddress().getAddress();
        if (family == 2) {
            return Arrays.equals(sockaddr.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE), want);
        }
        if (family == 10) {
            byte[] got = sockaddr.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
            return want.length == 16 ? Arrays.equals(got, want) : Arrays.equals(got, mapped(want));
        }
        return false;
    }

    static byte[] mapped(byte[] v4) {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(v4, 0, mapped, 12, 4);
        return mapped;
    }

    static void check(int rc, String call) {
        if (rc != 0) {
            throw new IllegalStateException(call + " failed: " + rc);
        }
    }

    // ---- sock_diag --------------------------------------------------------------------------------

    /** One NETLINK_SOCK_DIAG socket; each query names the exact 4-tuple, so the kernel looks it up by hash. */
    static final class Netlink implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final MemorySegment request = arena.allocate(72);
        final MemorySegment reply = arena.allocate(8192);
        final int socket;

        Netlink() throws Throwable {
            socket = (int) SOCKET.invokeExact(16 /* AF_NETLINK */, 2 | 0x80000 /* SOCK_DGRAM | SOCK_CLOEXEC */,
                    4 /* NETLINK_SOCK_DIAG */);
            if (socket < 0) {
                throw new IllegalStateException("socket(AF_NETLINK) failed");
            }
        }

        long wqueue(InetSocketAddress local, InetSocketAddress remote) throws Throwable {
            byte[] src = local.getAddress().getAddress();
            byte[] dst = remote.getAddress().getAddress();
            request.fill((byte) 0);
            request.set(INT, 0, 72); // nlmsg_len
            request.set(ValueLayout.JAVA_SHORT, 4, (short) 20); // SOCK_DIAG_BY_FAMILY
            request.set(ValueLayout.JAVA_SHORT, 6, (short) 1); // NLM_F_REQUEST, no NLM_F_DUMP
            // inet_diag_req_v2 at 16: family, protocol, ext, pad, states, then inet_diag_sockid at 24.
            // An IPv4 tuple is found by inet_lookup whether the socket is AF_INET or AF_INET6 (v4-mapped).
            request.set(ValueLayout.JAVA_BYTE, 16, (byte) (src.length == 4 ? 2 : 10));
            request.set(ValueLayout.JAVA_BYTE, 17, (byte) IPPROTO_TCP);
            request.set(INT, 20, -1); // all states
            request.set(ValueLayout.JAVA_SHORT, 24, Short.reverseBytes((short) local.getPort()));
            request.set(ValueLayout.JAVA_SHORT, 26, Short.reverseBytes((short) remote.getPort()));
            MemorySegment.copy(src, 0, request, ValueLayout.JAVA_BYTE, 28, src.length);
            MemorySegment.copy(dst, 0, request, ValueLayout.JAVA_BYTE, 44, dst.length);
            request.set(INT, 64, -1); // INET_DIAG_NOCOOKIE
            request.set(INT, 68, -1);
            if ((long) SEND.invokeExact(socket, request, 72L, 0) != 72) {
                throw new IllegalStateException("send failed");
            }
            long got = (long) RECV.invokeExact(socket, reply, reply.byteSize(), 0);
            if (got < 16 + 72 || reply.get(ValueLayout.JAVA_SHORT, 4) != 20) {
                return -1; // NLMSG_ERROR (ENOENT): no such connection
            }
            return Integer.toUnsignedLong(reply.get(INT, 16 + 60)); // inet_diag_msg.idiag_wqueue
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    // ---- procfs and ss ----------------------------------------------------------------------------

    /** Today's pass: tcp6 first, then tcp; the same line matching as SendQueues.txQueue. */
    static long procQueue(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        for (String file : List.of("/proc/net/tcp6", "/proc/net/tcp")) {
            OptionalLong queue = txQueue(Files.readString(Path.of(file)), local, remote);
            if (queue.isPresent()) {
                return queue.getAsLong();
            }
        }
        return -1;
    }

    static OptionalLong txQueue(String content, InetSocketAddress local, InetSocketAddress remote) {
        List<String> locals = encodings(local);
        List<String> remotes = encodings(remote);
        for (String line : content.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 5 || fields[3].equalsIgnoreCase("0A")) {
                continue;
            }
            if (locals.contains(fields[1].toUpperCase(Locale.ROOT)) && remotes.contains(fields[2].toUpperCase(Locale.ROOT))) {
                int colon = fields[4].indexOf(':');
                return OptionalLong.of(Long.parseLong(fields[4].substring(0, Math.max(colon, 0)), 16));
            }
        }
        return OptionalLong.empty();
    }

    static List<String> encodings(InetSocketAddress address) {
        String port = String.format(Locale.ROOT, ":%04X", address.getPort());
        byte[] bytes = address.getAddress().getAddress();
        if (address.getAddress() instanceof Inet4Address) {
            return List.of(hexWords(bytes) + port, hexWords(mapped(bytes)) + port);
        }
        return List.of(hexWords(bytes) + port);
    }

    static String hexWords(byte[] bytes) {
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        StringBuilder hex = new StringBuilder();
        for (int word = 0; word < bytes.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                hex.append(String.format(Locale.ROOT, "%02X", bytes[word + (little ? 3 - i : i)]));
            }
        }
        return hex.toString();
    }

    /** ss with a kernel-side filter (the kernel still walks the table it dumps); Send-Q column. */
    static long ssQueue(InetSocketAddress local, InetSocketAddress remote) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-tnH", "state", "connected", "exclude", "time-wait",
                "( sport = :" + local.getPort() + " and dport = :" + remote.getPort() + " )")
                .redirectErrorStream(true).start();
        String out;
        try (InputStream in = ss.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        ss.waitFor();
        if (out.isEmpty()) {
            return -1;
        }
        String[] fields = out.split("\\s+");
        return Long.parseLong(fields[2]);
    }

    // ---- Netty epoll (optional) ---------------------------------------------------------------------

    /** A second connection served by Netty's native epoll transport, read through tcpInfo(). Reflective, so optional. */
    static final class Epoll {
        static Signal signal() {
            try {
                Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll");
                boolean available = (boolean) epoll.getMethod("isAvailable").invoke(null);
                if (!available) {
                    System.out.println("Netty epoll not available: " + epoll.getMethod("unavailabilityCause").invoke(null));
                    return null;
                }
                return (Signal) Class.forName("EpollProbe").getMethod("start").invoke(null);
            } catch (ClassNotFoundException absent) {
                System.out.println("Netty epoll not on the class path: its row is left out");
                return null;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError failed) {
                System.out.println("Netty epoll failed: " + failed);
                return null;
            }
        }
    }

    // ---- table and TIME_WAIT ------------------------------------------------------------------------

    /** A stalled client: the peer's queue fills and stays; every signal must report it, then 0 once read. */
    static void checkAgree(Map<String, Signal> signals, SocketChannel peer, Socket client) throws Throwable {
        peer.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long written = 0;
        for (int quiet = 0; quiet < 50; ) {
            chunk.clear();
            int n = peer.write(chunk);
            written += n;
            quiet = n == 0 ? quiet + 1 : 0;
            if (n == 0) {
                Thread.onSpinWait();
            }
        }
        Map<String, Long> full = new LinkedHashMap<>();
        for (Map.Entry<String, Signal> signal : signals.entrySet()) {
            full.put(signal.getKey(), signal.getValue().queue());
        }
        System.out.printf("stalled client, %,d bytes written: queue per signal %s%n", written, full);
        InputStream in = client.getInputStream();
        byte[] sink = new byte[64 * 1024];
        for (long read = 0; read < written; ) {
            read += in.read(sink);
        }
        Map<String, Long> drained = new LinkedHashMap<>();
        for (Map.Entry<String, Signal> signal : signals.entrySet()) {
            drained.put(signal.getKey(), signal.getValue().queue());
        }
        System.out.printf("client read everything: queue per signal %s%n", drained);
        peer.configureBlocking(true);
    }

    /** Per signal, per round: the mean µs per call; rounds alternate the signals in a rotated order. */
    static Map<String, double[]> measure(Map<String, Signal> signals, int rounds) throws Throwable {
        List<String> names = new ArrayList<>(signals.keySet());
        Map<String, double[]> micros = new LinkedHashMap<>();
        names.forEach(name -> micros.put(name, new double[rounds]));
        for (String name : names) { // warm-up
            time(signals.get(name), callsFor(name));
        }
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get((i + round) % names.size());
                micros.get(name)[round] = time(signals.get(name), callsFor(name));
            }
        }
        return micros;
    }

    /**
     * Per signal, per round: the mean µs from the end of a blocking 64 KiB write (the client reads all
     * the time) until the signal reads 0, polling without pause; what a reset after delivery waits.
     */
    static Map<String, double[]> confirm(Map<String, Signal> signals, SocketChannel peer, int rounds) throws Throwable {
        List<String> names = new ArrayList<>(signals.keySet());
        Map<String, double[]> micros = new LinkedHashMap<>();
        names.forEach(name -> micros.put(name, new double[rounds]));
        ByteBuffer response = ByteBuffer.allocate(64 * 1024);
        for (int round = -1; round < rounds; round++) { // round -1: warm-up
            for (int i = 0; i < names.size(); i++) {
                String name = names.get((i + Math.max(round, 0)) % names.size());
                Signal signal = signals.get(name);
                int writes = name.equals("proc") || name.equals("ss") ? 5 : 50;
                long total = 0;
                for (int w = 0; w < writes; w++) {
                    response.clear();
                    while (response.hasRemaining()) {
                        peer.write(response);
                    }
                    long start = System.nanoTime();
                    long deadline = start + 5_000_000_000L;
                    while (signal.queue() != 0) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(name + ": queue not empty after 5 s");
                        }
                    }
                    total += System.nanoTime() - start;
                }
                if (round >= 0) {
                    micros.get(name)[round] = total / 1e3 / writes;
                }
            }
        }
        return micros;
    }

    static void drain(Socket client) {
        byte[] sink = new byte[256 * 1024];
        try (InputStream in = client.getInputStream()) {
            while (in.read(sink) >= 0) {
                // discard
            }
        } catch (IOException closed) {
            // the program ends
        }
    }

    static int callsFor(String name) {
        return switch (name) {
            case "proc", "ss" -> 10;
            case "fd-scan+ioctl" -> 200;
            default -> 5_000;
        };
    }

    static double time(Signal signal, int calls) throws Throwable {
        long sum = 0;
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            sum += signal.queue();
        }
        long nanos = System.nanoTime() - start;
        if (sum != 0) {
            throw new IllegalStateException("queue not empty or connection not found: " + sum);
        }
        return nanos / 1e3 / calls;
    }

    static void report(String title, Map<String, double[]> micros, Map<String, double[]> base) {
        System.out.printf("%n%s: µs per call, median of %d rounds (min–max)%n", title,
                micros.values().iterator().next().length);
        double proc = median(micros.get("proc"));
        double baseProc = base == null ? proc : median(base.get("proc"));
        for (Map.Entry<String, double[]> row : micros.entrySet()) {
            double[] sorted = row.getValue().clone();
            Arrays.sort(sorted);
            double median = median(sorted);
            System.out.printf("  %-14s %10.2f  (%.2f–%.2f)  ratio to proc here %.5f, to proc on the table as found %.5f%n",
                    row.getKey(), median, sorted[0], sorted[sorted.length - 1], median / proc, median / baseProc);
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Connect/close pairs on loopback, the client closing first, so the client's side stays in TIME_WAIT 60 s. */
    static void makeTimeWait(int count) throws IOException {
        try (ServerSocket server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < count; i++) {
                try (Socket client = new Socket()) {
                    client.connect(server.getLocalSocketAddress());
                    Socket accepted = server.accept();
                    client.close();
                    accepted.close();
                }
            }
        }
    }

    static String timeWaitCount() throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("sh", "-c", "ss -tanH state time-wait | wc -l").start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        ss.waitFor();
        return out;
    }
}
