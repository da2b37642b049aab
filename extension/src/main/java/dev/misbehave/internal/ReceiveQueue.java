package dev.misbehave.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Reads how many bytes sit unread in the kernel receive queue of one TCP connection, from Linux's
 * {@code /proc/net/tcp} and {@code /proc/net/tcp6} ({@code rx_queue}). Elsewhere it reports nothing
 * and callers fall back to a plain quiet period.
 */
final class ReceiveQueue {

    private static final Path[] TABLES = {Path.of("/proc/net/tcp6"), Path.of("/proc/net/tcp")};
    private static final boolean AVAILABLE = Files.isReadable(TABLES[1]);

    private ReceiveQueue() {}

    static boolean available() {
        return AVAILABLE;
    }

    /**
     * The receive queue of the socket whose local port is {@code localPort} and remote port is
     * {@code remotePort}, or empty if no table lists it.
     */
    static OptionalLong bytesQueued(int localPort, int remotePort) {
        if (!AVAILABLE) {
            return OptionalLong.empty();
        }
        for (Path table : TABLES) {
            OptionalLong found = scan(table, localPort, remotePort);
            if (found.isPresent()) {
                return found;
            }
        }
        return OptionalLong.empty();
    }

    private static OptionalLong scan(Path table, int localPort, int remotePort) {
        String text;
        try {
            text = new String(Files.readAllBytes(table), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        int lineStart = text.indexOf('\n') + 1; // skip the header
        while (lineStart > 0 && lineStart < text.length()) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            OptionalLong rx = rxQueueIfMatches(text, lineStart, lineEnd, localPort, remotePort);
            if (rx.isPresent()) {
                return rx;
            }
            lineStart = lineEnd + 1;
        }
        return OptionalLong.empty();
    }

    // A line: "  sl  local_address rem_address st tx_queue:rx_queue ..."
    // e.g.    "   3: 0100007F:A1B2 0100007F:1F90 01 00000000:00000010 ..."
    private static OptionalLong rxQueueIfMatches(
            String text, int from, int to, int localPort, int remotePort) {
        String[] fields = text.substring(from, to).trim().split("\\s+", 6);
        if (fields.length < 5) {
            return OptionalLong.empty();
        }
        if (port(fields[1]) != localPort || port(fields[2]) != remotePort) {
            return OptionalLong.empty();
        }
        String queues = fields[4];
        int colon = queues.indexOf(':');
        if (colon < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(queues.substring(colon + 1), 16));
    }

    private static int port(String addressAndPort) {
        int colon = addressAndPort.lastIndexOf(':');
        if (colon < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(addressAndPort.substring(colon + 1), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
