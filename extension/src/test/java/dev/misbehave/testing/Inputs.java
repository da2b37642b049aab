package dev.misbehave.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Random inputs for property tests, reproducible from a seed: each try gets its own generator,
 * seeded with {@link #SEED} plus the try's number, and a failure names the seed, so
 * {@code -Dmisbehave.inputs.seed=N} reruns exactly the failing try first. Values favour the unset
 * value and the edges (0, ±1, the extremes of the type), then anything.
 */
public final class Inputs {

    /** The seed of try 0; {@code -Dmisbehave.inputs.seed} sets it. */
    public static final long SEED = Long.getLong("misbehave.inputs.seed", 20_261_125L);

    private static final long[] LONG_EDGES = {0, 1, -1, -2, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE,
            Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, 65_535, 65_536, 1L << 40};
    private static final int[] INT_EDGES = {0, 1, -1, -2, Integer.MIN_VALUE, Integer.MAX_VALUE, 65_535, 65_536,
            1 << 24, (1 << 24) + 1};
    private static final List<String> TEXT_EDGES = List.of(" ", "\n", "\r\n\r\n", "\"", "\\", "\u0000", "\uD800",
            "`", "|", "é", "\uFFFF", "x".repeat(200));

    private final SplittableRandom random;
    private final List<Object> drawn = new ArrayList<>();

    private Inputs(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * Runs {@code property} {@code tries} times, each with fresh inputs; a failure says which try,
     * its seed and what it drew.
     */
    public static void check(String property, int tries, Consumer<Inputs> body) {
        for (int i = 0; i < tries; i++) {
            long seed = SEED + i;
            Inputs inputs = new Inputs(seed);
            try {
                body.accept(inputs);
            } catch (Throwable failure) {
                throw new AssertionError(property + ": try " + i + " of " + tries + " failed (rerun it first with"
                        + " -Dmisbehave.inputs.seed=" + seed + "); inputs " + inputs.drawn + ": " + failure, failure);
            }
        }
    }

    /** Records {@code value} as an input of this try (for the failure message) and returns it. */
    public <T> T note(T value) {
        drawn.add(value);
        return value;
    }

    /** {@code unset} often, otherwise a small value, an edge, or any long. */
    public long longValue(long unset) {
        int pick = random.nextInt(8);
        if (pick < 3) {
            return unset;
        }
        if (pick < 6) {
            return random.nextLong(-3, 100_000);
        }
        return pick == 6 ? LONG_EDGES[random.nextInt(LONG_EDGES.length)] : random.nextLong();
    }

    /** {@code unset} often, otherwise a small value, an edge, or any int. */
    public int intValue(int unset) {
        int pick = random.nextInt(8);
        if (pick < 3) {
            return unset;
        }
        if (pick < 6) {
            return random.nextInt(-3, 100_000);
        }
        return pick == 6 ? INT_EDGES[random.nextInt(INT_EDGES.length)] : random.nextInt();
    }

    /** An int from {@code from} (inclusive) to {@code to} (exclusive). */
    public int between(int from, int to) {
        return random.nextInt(from, to);
    }

    /** Empty often, otherwise an awkward text or any chars (control characters, lone surrogates). */
    public String text() {
        int pick = random.nextInt(6);
        if (pick < 3) {
            return "";
        }
        if (pick == 3) {
            return TEXT_EDGES.get(random.nextInt(TEXT_EDGES.size()));
        }
        StringBuilder text = new StringBuilder();
        for (int n = random.nextInt(1, 40); n > 0; n--) {
            text.append(pick == 4 ? (char) random.nextInt(0x20, 0x7F) : (char) random.nextInt(Character.MAX_VALUE + 1));
        }
        return text.toString();
    }

    /** True or false. */
    public boolean bool() {
        return random.nextBoolean();
    }

    /** True with probability 1 in {@code n}. */
    public boolean oneIn(int n) {
        return random.nextInt(n) == 0;
    }

    /** One of {@code values}. */
    public <T> T oneOf(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** One of {@code values}. */
    @SafeVarargs
    public final <T> T oneOf(T... values) {
        return values[random.nextInt(values.length)];
    }
}
