package dev.misbehave.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Whether ports that peers used are released: each can be bound again, and (on Linux) no socket of
 * this JVM, in any state, still has it as its local port. No connect is tried: by the time of the
 * check another program (another build's test) may listen on such a port, and a stray connection
 * would disturb it. That program's socket makes the bind fail, and {@code /proc} tells it apart from
 * this JVM's.
 */
public final class Ports {

    private Ports() {}

    /**
     * What the check of a set of ports found.
     *
     * @param checked how many distinct ports were checked
     * @param released could be bound again, and no socket of this JVM holds them
     * @param heldByOthers could not be bound, but no socket of this JVM holds them: another program's
     * @param notReleased port to what was wrong: a socket of this JVM holds it, or (without {@code
     *     /proc}) it could not be bound
     */
    public record Check(int checked, int released, int heldByOthers, TreeMap<Integer, String> notReleased) {}

    /** Checks every port of {@code ports} (duplicates once). */
    public static Check check(Collection<Integer> ports) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Set<Integer> distinct = new HashSet<>(ports);
        Optional<Set<Integer>> ours = portsOfThisProcess();
        TreeMap<Integer, String> notReleased = new TreeMap<>();
        int released = 0;
        int others = 0;
        for (int port : distinct) {
            Optional<String> bindFailure = bindable(loopback, port);
            if (ours.isPresent() && ours.get().contains(port)) {
                notReleased.put(port, "a socket of this JVM still has it as its local port"
                        + bindFailure.map(failure -> "; " + failure).orElse(""));
            } else if (bindFailure.isEmpty()) {
                released++;
            } else if (ours.isPresent()) {
                others++;
            } else {
                notReleased.put(port, bindFailure.get());
            }
        }
        return new Check(distinct.size(), released, others, notReleased);
    }

    /**
     * The socket a peer listens on, seen while the peer is open: its port and, on Linux, the inode of
     * the socket of this JVM that listens there. Checking the inode later tells exactly whether
     * <em>that</em> socket was closed, even if the port has meanwhile been given to another peer (a
     * test running beside this one) or another program: a connect to the port would be answered by
     * them.
     *
     * @param port the port
     * @param inode the listening socket's inode, empty without {@code /proc}
     */
    public record Listener(int port, Optional<String> inode) {

        /**
         * The listener of this JVM on {@code port}, which must be open now.
         *
         * @throws AssertionError where {@code /proc} tells, if no socket of this JVM listens on {@code
         *     port}: a later check would have nothing to look for
         */
        public static Listener of(int port) {
            Optional<String> inode = listenerInode(port);
            if (inode.isEmpty() && socketInodesOfThisProcess().isPresent()) {
                throw new AssertionError("no socket of this JVM listens on port " + port
                        + ": take the Listener while its peer is open (and serving)");
            }
            return new Listener(port, inode);
        }

        /**
         * Asserts that this listener is closed: its socket is no longer one of this JVM's. Without
         * {@code /proc}: its port can be bound again (which cannot tell this JVM's socket from another
         * program's that took the port since, so it may fail for a port that was released).
         *
         * <p>Never by a connect: whatever listens on the port by then, a peer of a test running beside
         * this one or of another build on the machine, would accept it and journal a connection that
         * sent nothing and was closed by its client, and that test would fail (see {@code PortsTests}).
         */
        public void assertClosed(String what) {
            if (inode.isPresent()) {
                Optional<Set<String>> open = socketInodesOfThisProcess();
                if (open.isPresent()) {
                    if (open.get().contains(inode.get())) {
                        throw new AssertionError("the listening socket of " + what + " (port " + port + ", socket:["
                                + inode.get() + "]) is still open");
                    }
                    return;
                }
            }
            Optional<String> bindFailure = bindable(InetAddress.getLoopbackAddress(), port);
            if (bindFailure.isPresent()) {
                throw new AssertionError("the port of " + what + " (" + port + ") is still taken: " + bindFailure.get()
                        + " (without /proc, this JVM's socket cannot be told from another program's)");
            }
        }
    }

    /** The inode of the socket of this JVM in LISTEN state on {@code port}, where {@code /proc} tells. */
    static Optional<String> listenerInode(int port) {
        Optional<Set<String>> ours = socketInodesOfThisProcess();
        if (ours.isEmpty()) {
            return Optional.empty();
        }
        for (String[] fields : tcpTable()) {
            String local = fields[1];
            boolean listening = fields[3].equals("0A");
            if (listening && ours.get().contains(fields[9])
                    && Integer.parseInt(local.substring(local.indexOf(':') + 1), 16) == port) {
                return Optional.of(fields[9]);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> bindable(InetAddress loopback, int port) {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(loopback, port));
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("it could not be bound again: " + e.getMessage());
        }
    }

    /**
     * The local ports of this JVM's TCP sockets, from {@code /proc/self/fd} and {@code
     * /proc/net/tcp{,6}}; empty where there is no {@code /proc}.
     */
    public static Optional<Set<Integer>> portsOfThisProcess() {
        Optional<Set<String>> inodes = socketInodesOfThisProcess();
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        Set<Integer> ports = new HashSet<>();
        for (String[] fields : tcpTable()) {
            if (inodes.get().contains(fields[9])) {
                String local = fields[1];
                ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
            }
        }
        return Optional.of(ports);
    }

    /** The inodes of this JVM's open sockets, from {@code /proc/self/fd}; empty where there is no {@code /proc}. */
    private static Optional<Set<String>> socketInodesOfThisProcess() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return Optional.empty();
        }
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> entries = Files.list(fds)) {
            entries.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the listing's own handle, or a file closed since
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(inodes);
    }

    /** The rows of {@code /proc/net/tcp} and {@code /proc/net/tcp6}, split into fields (10 or more each). */
    private static List<String[]> tcpTable() {
        List<String[]> rows = new java.util.ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            try {
                List<String> lines = Files.readAllLines(path);
                for (String line : lines.subList(1, lines.size())) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 9) {
                        rows.add(fields);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return rows;
    }
}
