package dev.misbehave.internal;

import dev.misbehave.RequestEnd;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Splits the client's bytes into requests as a {@link RequestEnd} says, one piece at a time, and
 * says how far the current request's end may be, so reads can be sized never to pass it.
 */
final class RequestFramer {

    /** The most head bytes kept to look for the length field. */
    private static final int MAX_HEAD = 64 * 1024;

    private final RequestEnd end;
    private final PatternMatcher delimiter;
    private final String lengthField;
    private long requestBytes;
    private long bodyLeft = -1;
    private StringBuilder head;

    RequestFramer(RequestEnd end) {
        this.end = end;
        if (end instanceof RequestEnd.Delimiter d) {
            this.delimiter = new PatternMatcher(d.delimiter());
            this.lengthField = null;
        } else if (end instanceof RequestEnd.HeadersThenLength h) {
            this.delimiter = new PatternMatcher(h.delimiter());
            this.lengthField = h.lengthField().toLowerCase(Locale.ROOT);
            this.head = new StringBuilder();
        } else {
            this.delimiter = null;
            this.lengthField = null;
        }
    }

    /** Whether the current request has begun (at least one of its bytes was fed). */
    boolean inRequest() {
        return requestBytes > 0;
    }

    /** The fewest bytes that could end the current request. */
    long bytesToPossibleEnd() {
        if (end instanceof RequestEnd.Length length) {
            return length.bytes() - requestBytes;
        }
        if (bodyLeft >= 0) {
            return bodyLeft;
        }
        return delimiter.bytesToPossibleMatch();
    }

    /**
     * Feeds {@code length} bytes; returns how many of them it consumed up to and including the end
     * of the request that completes among them, or -1 if no request completes (all were consumed).
     */
    int feed(byte[] bytes, int offset, int length) {
        if (end instanceof RequestEnd.Length fixed) {
            long want = fixed.bytes() - requestBytes;
            if (length >= want) {
                requestBytes = 0;
                return (int) want;
            }
            requestBytes += length;
            return -1;
        }
        if (bodyLeft >= 0) {
            if (length >= bodyLeft) {
                int used = (int) bodyLeft;
                finish();
                return used;
            }
            bodyLeft -= length;
            requestBytes += length;
            return -1;
        }
        int ended = delimiter.feed(bytes, offset, length);
        int used = ended < 0 ? length : ended;
        requestBytes += used;
        if (head != null && head.length() < MAX_HEAD) {
            head.append(new String(bytes, offset, Math.min(used, MAX_HEAD - head.length()), StandardCharsets.ISO_8859_1));
        }
        if (ended < 0) {
            return -1;
        }
        if (head == null) {
            requestBytes = 0;
            return ended;
        }
        long body = bodyLength(head.toString());
        if (body == 0) {
            finish();
            return ended;
        }
        bodyLeft = body;
        int more = feed(bytes, offset + ended, length - ended);
        return more < 0 ? -1 : ended + more;
    }

    private void finish() {
        requestBytes = 0;
        bodyLeft = -1;
        head.setLength(0);
    }

    private long bodyLength(String headText) {
        for (String line : headText.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(lengthField)) {
                try {
                    return Math.max(0, Long.parseLong(line.substring(colon + 1).trim()));
                } catch (NumberFormatException notANumber) {
                    return 0;
                }
            }
        }
        return 0;
    }
}
