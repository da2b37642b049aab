package dev.misbehave.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Locale;

/**
 * Follows a client's bytes as a sequence of HTTP/1.x requests (request line, header fields, then a
 * body delimited by {@code Content-Length} or chunked transfer coding, RFC 9112) and says whether
 * the bytes seen so far end exactly at the end of a request. The peer uses it, for a script without
 * a {@link dev.misbehave.RequestEnd}, to tell that a client has finished sending its request.
 *
 * <p>It gives up for good ({@link #follows()} turns false) at the first byte that cannot belong to
 * an HTTP/1.x request: a first line that is not {@code METHOD SP target SP HTTP/1.x}, a line longer
 * than {@link #MAX_LINE}, a malformed length or chunk size. Any other protocol is therefore told
 * apart within its first few bytes.
 */
final class Http1Framer {

    /** The longest request line, header field or chunk-size line followed, in bytes. */
    static final int MAX_LINE = 16 * 1024;

    private enum State { REQUEST_LINE, HEADER, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILER, NOT_HTTP }

    private State state = State.REQUEST_LINE;
    private final StringBuilder line = new StringBuilder();
    /** The spaces in the request line so far: method SP target SP version has two. */
    private int spaces;
    /** Bytes of the body (or of the current chunk) still to come. */
    private long left;
    private long contentLength;
    private boolean chunked;
    private int requests;

    /** Whether every byte so far belongs to HTTP/1.x requests. */
    boolean follows() {
        return state != State.NOT_HTTP;
    }

    /** Whether the bytes so far end exactly at the end of a request (or before the first one). */
    boolean atRequestEnd() {
        return state == State.REQUEST_LINE && line.length() == 0;
    }

    /** How many requests have ended so far. */
    int requests() {
        return requests;
    }

    void feed(byte[] bytes, int offset, int length) {
        feed(Unpooled.wrappedBuffer(bytes, offset, length));
    }

    /** Feeds the readable bytes of {@code buf} where they are (a body is skipped, not read); leaves its indexes alone. */
    void feed(ByteBuf buf) {
        int end = buf.writerIndex();
        for (int i = buf.readerIndex(); i < end && state != State.NOT_HTTP; ) {
            if (state == State.BODY || state == State.CHUNK_DATA) {
                int take = (int) Math.min(left, end - i);
                i += take;
                left -= take;
                if (left == 0) {
                    if (state == State.BODY) {
                        requestEnded();
                    } else {
                        state = State.CHUNK_DATA_END;
                    }
                }
                continue;
            }
            byte b = buf.getByte(i++);
            if (b == '\n') {
                lineEnded();
            } else if (b != '\r') {
                if (line.length() >= MAX_LINE || !plausible(b)) {
                    state = State.NOT_HTTP;
                } else {
                    line.append((char) (b & 0xff));
                }
            }
        }
    }

    /** Whether {@code b} may come next in the current line; the request line is checked as it grows. */
    private boolean plausible(byte b) {
        if (state != State.REQUEST_LINE) {
            return true;
        }
        if (spaces == 0 && b != ' ') {
            // the method: a token (RFC 9110), checked byte by byte so any other protocol fails fast
            return isTokenChar(b);
        }
        if (b == ' ') {
            spaces++;
            return spaces <= 2 && line.length() > 0 && line.charAt(line.length() - 1) != ' ';
        }
        return true;
    }

    private static boolean isTokenChar(byte b) {
        return b > 32 && b < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(b) < 0;
    }

    private void lineEnded() {
        String text = line.toString();
        line.setLength(0);
        spaces = 0;
        switch (state) {
            case REQUEST_LINE -> {
                if (text.isEmpty()) {
                    return; // an empty line before a request is allowed (RFC 9112, 2.2)
                }
                int first = text.indexOf(' ');
                int last = text.lastIndexOf(' ');
                String version = text.substring(last + 1);
                if (first < 0 || last == first || !(version.equals("HTTP/1.1") || version.equals("HTTP/1.0"))) {
                    state = State.NOT_HTTP;
                    return;
                }
                contentLength = 0;
                chunked = false;
                state = State.HEADER;
            }
            case HEADER -> {
                if (text.isEmpty()) {
                    headEnded();
                } else {
                    header(text);
                }
            }
            case CHUNK_SIZE -> {
                int semicolon = text.indexOf(';');
                String size = (semicolon < 0 ? text : text.substring(0, semicolon)).trim();
                try {
                    left = Long.parseLong(size, 16);
                } catch (NumberFormatException notHex) {
                    left = -1;
                }
                if (left < 0) {
                    state = State.NOT_HTTP;
                } else {
                    state = left == 0 ? State.TRAILER : State.CHUNK_DATA;
                }
            }
            case CHUNK_DATA_END -> state = text.isEmpty() ? State.CHUNK_SIZE : State.NOT_HTTP;
            case TRAILER -> {
                if (text.isEmpty()) {
                    requestEnded();
                }
            }
            default -> state = State.NOT_HTTP;
        }
    }

    private void header(String field) {
        int colon = field.indexOf(':');
        if (colon <= 0) {
            state = State.NOT_HTTP;
            return;
        }
        String name = field.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = field.substring(colon + 1).trim();
        if (name.equals("content-length")) {
            try {
                contentLength = Long.parseLong(value);
            } catch (NumberFormatException notANumber) {
                contentLength = -1;
            }
            if (contentLength < 0) {
                state = State.NOT_HTTP;
            }
        } else if (name.equals("transfer-encoding")) {
            String[] codings = value.toLowerCase(Locale.ROOT).split(",");
            chunked = codings[codings.length - 1].trim().equals("chunked");
        }
    }

    private void headEnded() {
        if (chunked) {
            state = State.CHUNK_SIZE; // chunked wins over a Content-Length (RFC 9112, 6.3)
        } else if (contentLength > 0) {
            left = contentLength;
            state = State.BODY;
        } else {
            requestEnded();
        }
    }

    private void requestEnded() {
        requests++;
        state = State.REQUEST_LINE;
    }
}
