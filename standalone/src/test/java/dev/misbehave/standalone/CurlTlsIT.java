package dev.misbehave.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The standalone peer with {@code --tls}, against curl, which verifies it with the authority's PEM
 * file the peer names on standard error: {@code curl -sS --cacert PEM https://localhost:PORT/report.csv}.
 */
@DisplayName("The standalone peer with --tls, against curl")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CurlTlsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern AUTHORITY = Pattern.compile("misbehave: TLS: clients verify the peer with the"
            + " authority in (\\S+) \\(");
    /** A 39-byte head and a 10-byte body. */
    private static final String RESPONSE = "HTTP/1.1 200 OK\\r\\nContent-Length: 10\\r\\n\\r\\n0123456789";
    /** A 38-byte head and a body that ends where the connection ends. */
    private static final String UNFRAMED = "HTTP/1.1 200 OK\\r\\nConnection: close\\r\\n\\r\\n0123456789";

    /** Starts the jar with {@code args} and {@code --connections 1}, runs curl once against it. */
    private static Curl.Result run(List<String> args, List<String> journal) throws Exception {
        List<String> withLimit = new ArrayList<>(args);
        withLimit.addAll(List.of("--connections", "1"));
        try (StandaloneJar jar = StandaloneJar.start(withLimit, WAIT)) {
            Matcher named = AUTHORITY.matcher(jar.stderr());
            assertThat(named.find()).as("standard error names the authority's PEM file: %s", jar.stderr()).isTrue();
            Path pem = Path.of(named.group(1));
            assertThat(Files.readString(pem)).startsWith("-----BEGIN CERTIFICATE-----\n");
            Curl.Result result = Curl.run(Duration.ofSeconds(10), "-sS", "--cacert", pem.toString(),
                    "https://localhost:" + jar.port() + "/report.csv");
            journal.addAll(jar.journalLines(WAIT));
            assertThat(jar.awaitExit(WAIT)).isZero();
            return result;
        }
    }

    private static List<String> respond(String response, String... fault) {
        List<String> args = new ArrayList<>(List.of("--tls", "--script", "respond", "--request-http",
                "--response", response));
        args.addAll(List.of(fault));
        return args;
    }

    @Test
    @DisplayName("a good response: curl verifies the peer and prints the body")
    void goodResponse() throws Exception {
        List<String> journal = new ArrayList<>();
        Curl.Result curl = run(respond(RESPONSE), journal);
        assertThat(curl).as(Curl.version()).isEqualTo(new Curl.Result(0, "0123456789", ""));
        assertThat(journal).singleElement().asString()
                .contains("GET /report.csv", "sent 49 B", "TLSv1.3", "SNI localhost");
    }

    @Test
    @DisplayName("a reset after 14 bytes of the request: curl exits with 56, Connection reset by peer")
    void resetMidRequest() throws Exception {
        List<String> journal = new ArrayList<>();
        Curl.Result curl = run(List.of("--tls", "--effect", "reset", "--after-bytes", "14"), journal);
        assertThat(curl).as(Curl.version())
                .isEqualTo(new Curl.Result(56, "", "curl: (56) Recv failure: Connection reset by peer"));
        assertThat(journal).singleElement().asString().contains("received 14 B", "PEER_RESET");
    }

    @Test
    @DisplayName("a reset after 4 body bytes: curl writes them, then exits with 56, Connection reset by peer")
    void resetMidBody() throws Exception {
        List<String> journal = new ArrayList<>();
        Curl.Result curl = run(respond(RESPONSE, "--effect", "reset", "--after-bytes", "43", "--direction",
                "downstream"), journal);
        assertThat(curl).as(Curl.version())
                .isEqualTo(new Curl.Result(56, "0123", "curl: (56) Recv failure: Connection reset by peer"));
        assertThat(journal).singleElement().asString().contains("sent 43 B", "delivery CONFIRMED", "PEER_RESET");
    }

    @Test
    @DisplayName("a truncation after 4 body bytes: curl exits with 18, as for a close_notify, from the Content-Length")
    void truncationMidBody() throws Exception {
        List<String> truncated = new ArrayList<>();
        Curl.Result curl = run(respond(RESPONSE, "--effect", "truncate", "--after-bytes", "43", "--direction",
                "downstream"), truncated);
        assertThat(curl).as(Curl.version())
                .isEqualTo(new Curl.Result(18, "0123", "curl: (18) transfer closed with 6 bytes remaining to read"));
        assertThat(truncated).singleElement().asString().contains("truncate (no close_notify)", "PEER_CLOSED");

        List<String> closed = new ArrayList<>();
        assertThat(run(respond(RESPONSE, "--effect", "close", "--after-bytes", "43", "--direction", "downstream"),
                closed)).isEqualTo(curl); // close_notify first: the same exit status and message
        assertThat(closed).singleElement().asString().contains("close after 43 DOWNSTREAM bytes", "PEER_CLOSED");
    }

    @Test
    @DisplayName("a corrupted record after 4 body bytes: curl writes them, then exits with 56, bad record mac")
    void corruptRecordMidBody() throws Exception {
        List<String> journal = new ArrayList<>();
        Curl.Result curl = run(respond(RESPONSE, "--effect", "corrupt-record", "--after-bytes", "43", "--direction",
                "downstream"), journal);
        assertThat(curl.exitCode()).as(Curl.version()).isEqualTo(56);
        assertThat(curl.stdout()).isEqualTo("0123");
        assertThat(curl.stderr()).as(Curl.version()) // OpenSSL names its own version in the message
                .startsWith("curl: (56) OpenSSL SSL_read: ").endsWith("decryption failed or bad record mac, errno 0");
        assertThat(journal).singleElement().asString().contains("corrupt a TLS record", "sent 43 B", "PEER_CLOSED");
    }

    @Test
    @DisplayName("a truncation of a response without a length: curl exits with 0 and the short body, as for a close_notify")
    void truncationUnframed() throws Exception {
        List<String> truncated = new ArrayList<>();
        Curl.Result curl = run(respond(UNFRAMED, "--effect", "truncate", "--after-bytes", "42", "--direction",
                "downstream"), truncated);
        assertThat(curl).as(Curl.version()).isEqualTo(new Curl.Result(0, "0123", ""));
        assertThat(truncated).singleElement().asString().contains("truncate (no close_notify)", "sent 42 B");

        List<String> closed = new ArrayList<>();
        assertThat(run(respond(UNFRAMED, "--effect", "close", "--after-bytes", "42", "--direction", "downstream"),
                closed)).isEqualTo(curl);
        assertThat(closed).singleElement().asString().contains("close after 42 DOWNSTREAM bytes", "PEER_CLOSED");
    }
}
