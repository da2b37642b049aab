package dev.misbehave.examples;

import dev.misbehave.ConnectionRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Prints the one line each example shows: what the client observed (the exception and its cause
 * chain) and how many connections the peer saw. The determinism run tallies these lines.
 */
final class Observed {

    /** Every line starts with this after the bracketed label; the determinism run looks for it. */
    static final String MARKER = "] observed: ";

    private Observed() {}

    /**
     * Prints {@code [label] observed: Type: message <- Cause: message; peer saw N connection(s)}.
     *
     * @param label the scenario, for example {@code HttpClient POST, reset after 100 B}
     * @param thrown what the application code threw, or null if it returned normally
     * @param journal the peer's journal
     */
    static void print(String label, Throwable thrown, List<ConnectionRecord> journal) {
        System.out.println("[" + label + MARKER + chain(thrown)
                + "; peer saw " + journal.size() + " connection(s)");
    }

    /** {@code Type: message <- Cause: message <- ...}, each throwable once. */
    static String chain(Throwable thrown) {
        if (thrown == null) {
            return "no exception";
        }
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<String> parts = new ArrayList<>();
        for (Throwable t = thrown; t != null && seen.add(t); t = t.getCause()) {
            parts.add(t.getClass().getSimpleName() + ": " + t.getMessage());
        }
        return String.join(" <- ", parts);
    }
}
