package dev.misbehave.internal;

/**
 * Finds non-overlapping occurrences of a byte pattern in a stream fed in pieces (Knuth-Morris-Pratt),
 * and says how many more bytes can arrive before the next occurrence could complete, so that reads
 * can be sized never to pass it.
 */
final class PatternMatcher {

    private final byte[] pattern;
    private final int[] fallback;
    private int matched;

    PatternMatcher(byte[] pattern) {
        this.pattern = pattern.clone();
        this.fallback = fallback(this.pattern);
    }

    private static int[] fallback(byte[] pattern) {
        int[] table = new int[pattern.length];
        for (int i = 1, k = 0; i < pattern.length; i++) {
            while (k > 0 && pattern[i] != pattern[k]) {
                k = table[k - 1];
            }
            if (pattern[i] == pattern[k]) {
                k++;
            }
            table[i] = k;
        }
        return table;
    }

    /** The fewest bytes that could complete the next occurrence. */
    int bytesToPossibleMatch() {
        return pattern.length - matched;
    }

    /**
     * Feeds {@code length} bytes; returns the offset just past the end of the first occurrence that
     * completes among them (relative to {@code offset}), or -1 if none does. After an occurrence the
     * search starts afresh (occurrences do not overlap); bytes after it are not consumed.
     */
    int feed(byte[] bytes, int offset, int length) {
        for (int i = 0; i < length; i++) {
            byte b = bytes[offset + i];
            while (matched > 0 && b != pattern[matched]) {
                matched = fallback[matched - 1];
            }
            if (b == pattern[matched]) {
                matched++;
            }
            if (matched == pattern.length) {
                matched = 0;
                return i + 1;
            }
        }
        return -1;
    }

    /** Like {@link #feed} but leaves this matcher's state unchanged. */
    int peek(byte[] bytes, int offset, int length) {
        int saved = matched;
        try {
            return feed(bytes, offset, length);
        } finally {
            matched = saved;
        }
    }
}
