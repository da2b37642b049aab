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
            Set<Integer> ports = new HashSet<>();
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path path = Path.of(table);
                if (!Files.isReadable(path)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(path);
                for (String line : lines.subList(1, lines.size())) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 9 && inodes.contains(fields[9])) {
                        String local = fields[1];
                        ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
                    }
                }
            }
            return Optional.of(ports);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
