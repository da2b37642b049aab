package dev.misbehave.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * The send queue of one TCP connection in a few microseconds, whatever the number of sockets on
 * the host: a {@code NETLINK_SOCK_DIAG} exact lookup of the connection's two addresses (what
 * {@code ss} uses), made by a small JNI library that the build compiles where it has gcc and puts
 * in the jar under {@code dev/misbehave/internal/native/<os.arch>/}.
 *
 * <p>It is used only where loading it prints nothing: on Linux, on JDK 17 to 23, and on JDK 24
 * and later only when native access is already enabled for Misbehave's module (for the class path,
 * {@code --enable-native-access=ALL-UNNAMED}); JDK 24 warns on the first native library a module
 * without it loads. Anywhere else {@link #available()} is false and {@link SendQueues} reads
 * {@code /proc/net/tcp} as before. The library is copied to a temporary file, loaded and deleted
 * at once, so nothing stays on disk.
 */
final class SockDiag {

    /** The connection is not in the kernel's table (or only its listener is). */
    static final long NOT_LISTED = -1;
    /** The lookup failed: the kernel or the library could not answer. */
    static final long CANNOT_TELL = -2;

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final String LIBRARY = "libmisbehave_sockdiag.so";
    private static final Optional<String> UNAVAILABLE_BECAUSE = load();

    private SockDiag() {}

    /** Whether the lookup can be made here (the library is loaded). */
    static boolean available() {
        return UNAVAILABLE_BECAUSE.isEmpty();
    }

    /** Why the lookup cannot be made here; empty when it can. */
    static Optional<String> unavailableBecause() {
        return UNAVAILABLE_BECAUSE;
    }

    /**
     * The send queue (unsent plus unacknowledged bytes) of the TCP connection {@code local} to
     * {@code remote}, {@link #NOT_LISTED} if the kernel has no such connection, or {@link
     * #CANNOT_TELL}. Only when {@link #available()}.
     */
    static long sendQueue(InetSocketAddress local, InetSocketAddress remote) {
        byte[] localBytes = comparable(local.getAddress(), remote.getAddress());
        byte[] remoteBytes = comparable(remote.getAddress(), local.getAddress());
        int family = localBytes.length == 4 ? AF_INET : AF_INET6;
        return sendQueue0(family, localBytes, local.getPort(), remoteBytes, remote.getPort());
    }

    /**
     * The address in the family the kernel can look both ends up in: IPv4 when both are IPv4 or
     * IPv4-mapped (a JDK socket on the IPv6 stack reports its IPv4 peers either way), else IPv6.
     */
    static byte[] comparable(InetAddress address, InetAddress other) {
        byte[] bytes = address.getAddress();
        if (ipv4(address) && ipv4(other)) {
            return bytes.length == 4 ? bytes : java.util.Arrays.copyOfRange(bytes, 12, 16);
        }
        if (bytes.length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            return mapped;
        }
        return bytes;
    }

    private static boolean ipv4(InetAddress address) {
        if (address instanceof Inet4Address) {
            return true;
        }
        byte[] bytes = address.getAddress();
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xFF && bytes[11] == (byte) 0xFF;
    }

    private static native long sendQueue0(int family, byte[] local, int localPort, byte[] remote, int remotePort);

    /** Loads the library where that is silent; the reason it was not loaded otherwise. */
    private static Optional<String> load() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.of("not Linux");
        }
        if (Runtime.version().feature() >= 24 && !nativeAccessEnabled()) {
            return Optional.of("JDK " + Runtime.version().feature()
                    + " without --enable-native-access for Misbehave's module (JDK 24 and later warn otherwise)");
        }
        String resource = "native/" + System.getProperty("os.arch", "unknown") + "/" + LIBRARY;
        try (InputStream library = SockDiag.class.getResourceAsStream(resource)) {
            if (library == null) {
                return Optional.of("the jar has no " + resource + " (built without gcc, or for another architecture)");
            }
            Path copy = Files.createTempFile("misbehave-sockdiag", ".so");
            try {
                Files.copy(library, copy, StandardCopyOption.REPLACE_EXISTING);
                System.load(copy.toAbsolutePath().toString());
            } finally {
                Files.deleteIfExists(copy); // the mapping stays; nothing stays on disk
            }
            return Optional.empty();
        } catch (IOException | RuntimeException | LinkageError failed) {
            return Optional.of("the library did not load: " + failed);
        }
    }

    /** {@code Module.isNativeAccessEnabled()} (JDK 22+), called reflectively: this is Java 17 bytecode. */
    private static boolean nativeAccessEnabled() {
        try {
            Method enabled = Module.class.getMethod("isNativeAccessEnabled");
            return (Boolean) enabled.invoke(SockDiag.class.getModule());
        } catch (ReflectiveOperationException | RuntimeException notThere) {
            return false;
        }
    }
}
