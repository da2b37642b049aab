package dev.misbehave;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where one request of the client ends, so that a {@link Script} knows when to respond and a {@link
 * Trigger.AfterExchanges} trigger can count exchanges. Protocol-agnostic: a fixed length, a
 * delimiter, or a delimiter followed by a body whose length a header gives (HTTP/1.x is {@code
 * headersThenLength("\r\n\r\n", "Content-Length")}).
 */
public sealed interface RequestEnd {

    /**
     * Every request is exactly {@code bytes} bytes long.
     *
     * @param bytes 1 or more
     * @return the framing
     */
    static RequestEnd length(int bytes) {
        return new Length(bytes);
    }

    /**
     * A request ends with {@code delimiter} (encoded as UTF-8), for example {@code "\n"} for a line
     * protocol.
     *
     * @param delimiter not empty
     * @return the framing
     */
    static RequestEnd delimiter(String delimiter) {
        return new Delimiter(delimiter.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A request is a head that ends with {@code delimiter}, then a body of as many bytes as the
     * head's {@code lengthField} says ({@code "Content-Length: 12"}, name matched ignoring case; no
     * such field means no body). HTTP/1.x: {@code headersThenLength("\r\n\r\n", "Content-Length")}.
     *
     * @param delimiter the end of the head, not empty
     * @param lengthField the name of the field that gives the body's length, not empty
     * @return the framing
     */
    static RequestEnd headersThenLength(String delimiter, String lengthField) {
        return new HeadersThenLength(delimiter.getBytes(StandardCharsets.UTF_8), lengthField);
    }

    /**
     * A fixed length.
     *
     * @param bytes 1 or more
     */
    record Length(int bytes) implements RequestEnd {
        /**
         * Validates the value.
         *
         * @param bytes 1 or more
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Length {
            if (bytes < 1) {
                throw new IllegalArgumentException("bytes must be 1 or more, was " + bytes);
            }
        }

        @Override
        public String toString() {
            return bytes + " bytes";
        }
    }

    /**
     * A delimiter.
     *
     * @param delimiter the bytes that end a request, not empty
     */
    record Delimiter(byte[] delimiter) implements RequestEnd {
        /**
         * Validates and copies the value.
         *
         * @param delimiter not empty
         * @throws IllegalArgumentException if {@code delimiter} is empty
         */
        public Delimiter {
            delimiter = nonEmpty("delimiter", delimiter);
        }

        /**
         * The delimiter.
         *
         * @return a copy of the bytes
         */
        @Override
        public byte[] delimiter() {
            return delimiter.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Delimiter that && Arrays.equals(delimiter, that.delimiter);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(delimiter);
        }

        @Override
        public String toString() {
            return "ends with \"" + Script.escape(delimiter) + "\"";
        }
    }

    /**
     * A head that ends with a delimiter, then a body whose length a field of the head gives.
     *
     * @param delimiter the end of the head, not empty
     * @param lengthField the field that gives the body's length, not empty
     */
    record HeadersThenLength(byte[] delimiter, String lengthField) implements RequestEnd {
        /**
         * Validates and copies the values.
         *
         * @param delimiter not empty
         * @param lengthField not empty
         * @throws IllegalArgumentException if a value is empty
         */
        public HeadersThenLength {
            delimiter = nonEmpty("delimiter", delimiter);
            Objects.requireNonNull(lengthField, "lengthField");
            if (lengthField.isBlank()) {
                throw new IllegalArgumentException("lengthField must not be blank");
            }
        }

        /**
         * The end of the head.
         *
         * @return a copy of the bytes
         */
        @Override
        public byte[] delimiter() {
            return delimiter.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof HeadersThenLength that
                    && Arrays.equals(delimiter, that.delimiter)
                    && lengthField.equalsIgnoreCase(that.lengthField);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(delimiter);
        }

        @Override
        public String toString() {
            return "head ending with \"" + Script.escape(delimiter) + "\" then " + lengthField + " bytes";
        }
    }

    private static byte[] nonEmpty(String name, byte[] bytes) {
        Objects.requireNonNull(bytes, name);
        if (bytes.length == 0) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return bytes.clone();
    }
}
