package dev.misbehave.internal;

/**
 * English ordinals for the texts Misbehave prints ("on every 2nd connection"): the one formatter
 * every {@code toString}, journal line and message uses.
 */
public final class Ordinals {

    private Ordinals() {}

    /**
     * {@code n} as an English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 101st,
     * 111th.
     *
     * @param n any whole number
     * @return the number followed by its suffix
     */
    public static String of(long n) {
        long lastTwo = Math.abs(n % 100);
        long last = Math.abs(n % 10);
        String suffix = lastTwo >= 11 && lastTwo <= 13 ? "th"
                : last == 1 ? "st" : last == 2 ? "nd" : last == 3 ? "rd" : "th";
        return n + suffix;
    }
}
