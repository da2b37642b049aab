package dev.misbehave;

import dev.misbehave.internal.Ordinals;

/**
 * Which connections a {@link Fault} applies to, decided when the peer accepts each connection.
 * Connections outside the schedule are served normally, by the peer's {@link Script}.
 *
 * <p>Connections are numbered from 1 in accept order here ("the first two", "only the third");
 * {@link ConnectionRecord#index()} counts the same connections from 0. Every accepted connection
 * counts, including the ones a client opens when it retries on its own.
 */
public sealed interface Schedule {

    /**
     * Whether the fault applies to a connection.
     *
     * @param index the connection's 0-based accept order, as in {@link ConnectionRecord#index()}
     * @return true if the fault applies
     */
    boolean selects(int index);

    /**
     * Every connection (the default).
     *
     * @return the schedule
     */
    static Schedule all() {
        return new All();
    }

    /**
     * The first {@code count} connections; later ones are served normally.
     *
     * @param count 1 or more
     * @return the schedule
     * @throws IllegalArgumentException if {@code count} is less than 1
     */
    static Schedule first(int count) {
        return new First(count);
    }

    /**
     * Only the {@code number}-th connection (1 is the first).
     *
     * @param number 1 or more
     * @return the schedule
     * @throws IllegalArgumentException if {@code number} is less than 1
     */
    static Schedule only(int number) {
        return new Only(number);
    }

    /**
     * Every {@code n}-th connection: the n-th, the 2n-th, and so on.
     *
     * @param n 1 or more; 1 is every connection
     * @return the schedule
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    static Schedule every(int n) {
        return new Every(n);
    }

    /**
     * Every connection after the first {@code count}, which are served normally.
     *
     * @param count 1 or more
     * @return the schedule
     * @throws IllegalArgumentException if {@code count} is less than 1
     */
    static Schedule allButFirst(int count) {
        return new AllButFirst(count);
    }

    /** Every connection. */
    record All() implements Schedule {
        @Override
        public boolean selects(int index) {
            return true;
        }

        @Override
        public String toString() {
            return "on every connection";
        }
    }

    /**
     * The first {@code count} connections.
     *
     * @param count 1 or more
     */
    record First(int count) implements Schedule {
        /**
         * Validates the count.
         *
         * @param count 1 or more
         * @throws IllegalArgumentException if {@code count} is less than 1
         */
        public First {
            requirePositive("count", count);
        }

        @Override
        public boolean selects(int index) {
            return index < count;
        }

        @Override
        public String toString() {
            return count == 1 ? "on the first connection" : "on the first " + count + " connections";
        }
    }

    /**
     * Only the {@code number}-th connection, 1 being the first.
     *
     * @param number 1 or more
     */
    record Only(int number) implements Schedule {
        /**
         * Validates the number.
         *
         * @param number 1 or more
         * @throws IllegalArgumentException if {@code number} is less than 1
         */
        public Only {
            requirePositive("number", number);
        }

        @Override
        public boolean selects(int index) {
            return index == number - 1;
        }

        @Override
        public String toString() {
            return "only on connection " + number;
        }
    }

    /**
     * Every {@code n}-th connection.
     *
     * @param n 1 or more
     */
    record Every(int n) implements Schedule {
        /**
         * Validates n.
         *
         * @param n 1 or more
         * @throws IllegalArgumentException if {@code n} is less than 1
         */
        public Every {
            requirePositive("n", n);
        }

        @Override
        public boolean selects(int index) {
            return (index + 1) % n == 0;
        }

        @Override
        public String toString() {
            return n == 1 ? "on every connection" : "on every " + Ordinals.of(n) + " connection";
        }
    }

    /**
     * Every connection after the first {@code count}.
     *
     * @param count 1 or more
     */
    record AllButFirst(int count) implements Schedule {
        /**
         * Validates the count.
         *
         * @param count 1 or more
         * @throws IllegalArgumentException if {@code count} is less than 1
         */
        public AllButFirst {
            requirePositive("count", count);
        }

        @Override
        public boolean selects(int index) {
            return index >= count;
        }

        @Override
        public String toString() {
            return "on every connection after the first " + count;
        }
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be 1 or more, was " + value);
        }
    }
}
