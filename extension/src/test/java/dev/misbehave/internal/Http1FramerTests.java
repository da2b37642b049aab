package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The HTTP/1.x request framer")
class Http1FramerTests {

    private static Http1Framer fed(String... pieces) {
        Http1Framer framer = new Http1Framer();
        for (String piece : pieces) {
            byte[] bytes = piece.getBytes(StandardCharsets.ISO_8859_1);
            framer.feed(bytes, 0, bytes.length);
        }
        return framer;
    }

    /** Feeds {@code request} one byte at a time; true if it is at a request end after the last byte only. */
    private static boolean endsOnlyAtItsLastByte(String request) {
        Http1Framer framer = new Http1Framer();
        byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i++) {
            framer.feed(bytes, i, 1);
            if (framer.atRequestEnd() != (i == bytes.length - 1)) {
                return false;
            }
        }
        return framer.follows() && framer.requests() == 1;
    }

    @Test
    @DisplayName("ends a request without a body at its empty line, fed in any pieces")
    void noBody() {
        String get = "GET /orders/42 HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
        assertThat(endsOnlyAtItsLastByte(get)).isTrue();
        assertThat(fed(get.substring(0, 10), get.substring(10)).atRequestEnd()).isTrue();
        assertThat(fed(get.substring(0, get.length() - 1)).atRequestEnd()).isFalse();
    }

    @Test
    @DisplayName("ends a request with a Content-Length body after the body's last byte")
    void contentLength() {
        String post = "POST /events HTTP/1.1\r\nContent-Length: 11\r\nHost: x\r\n\r\n{\"id\":42}\r\n";
        assertThat(endsOnlyAtItsLastByte(post)).isTrue();
        assertThat(fed("POST / HTTP/1.0\r\ncontent-length:  3 \r\n\r\n", "a", "b").atRequestEnd()).isFalse();
    }

    @Test
    @DisplayName("ends a chunked request after its last chunk and trailer section, whatever a chunk holds")
    void chunked() {
        String upload = "POST /upload HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 2\r\n\r\n"
                + "5;ext=1\r\n0\r\n\r\n\r\n" + "A\r\n0123456789\r\n" + "0\r\nX-Checksum: 1\r\n\r\n";
        assertThat(endsOnlyAtItsLastByte(upload)).isTrue();
    }

    @Test
    @DisplayName("counts pipelined requests and is at an end only between them")
    void pipelined() {
        String two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
        Http1Framer framer = fed(two);
        assertThat(framer.requests()).isEqualTo(2);
        assertThat(framer.atRequestEnd()).isTrue();
        assertThat(fed(two.substring(0, two.length() - 2)).atRequestEnd()).isFalse();
        assertThat(fed("\r\n" + two).requests()).as("an empty line before a request").isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"*2\r\n$3\r\nGET\r\n", "EHLO client.example\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            "\u0000\u0000\u0000\u0008\u0004\u00d2\u0016\u002f", "GET  /double-space HTTP/1.1\r\n", "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"})
    @DisplayName("gives up on bytes that are not HTTP/1.x requests: Redis, SMTP, HTTP/2, PostgreSQL, malformed")
    void notHttp(String bytes) {
        Http1Framer framer = fed(bytes);
        assertThat(framer.follows()).isFalse();
        assertThat(framer.atRequestEnd()).isFalse();
    }

    @Test
    @DisplayName("gives up on a line longer than 16 KiB")
    void longLine() {
        assertThat(fed("GET /" + "a".repeat(Http1Framer.MAX_LINE)).follows()).isFalse();
        assertThat(fed("GET /" + "a".repeat(Http1Framer.MAX_LINE - 10)).follows()).isTrue();
    }
}
