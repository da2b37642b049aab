package dev.misbehave.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What this JVM holds open, to compare before and after a step: its sockets (Linux:
 * {@code /proc/self/fd}) and its threads. A step that neither opens a socket nor starts a thread
 * leaves the "after" sets inside the "before" sets, whatever closes meanwhile.
 *
 * @param sockets the inodes of the open sockets; empty where {@code /proc/self/fd} does not exist
 * @param threads the ids of the live threads
 */
public record Footprint(Set<String> sockets, Set<Long> threads) {

    private static final Path FDS = Path.of("/proc/self/fd");

    /** Whether sockets can be counted here. */
    public static boolean socketsVisible() {
        return Files.isDirectory(FDS);
    }

    /** The footprint now. */
    public static Footprint now() {
        Set<Long> threads = Thread.getAllStackTraces().keySet().stream().map(Thread::getId)
                .collect(Collectors.toCollection(TreeSet::new));
        return new Footprint(openSockets(), threads);
    }

    /** The sockets open now that were not open at {@code before}. */
    public Set<String> newSockets(Footprint before) {
        Set<String> added = new TreeSet<>(sockets);
        added.removeAll(before.sockets);
        return added;
    }

    /** The names of the threads alive now that were not alive at {@code before}. */
    public Set<String> newThreads(Footprint before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> threads.contains(thread.getId()) && !before.threads.contains(thread.getId()))
                .map(Thread::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> openSockets() {
        if (!socketsVisible()) {
            return Set.of();
        }
        Set<String> sockets = new TreeSet<>();
        try (Stream<Path> fds = Files.list(FDS)) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) {
                        sockets.add(target);
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed between the listing and the read: not open
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return sockets;
    }
}
