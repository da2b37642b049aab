package dev.misbehave.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The standalone peer with {@code --tls}, against a Python client that verifies it with the
 * authority's PEM file the peer names on standard error ({@code src/test/python/tls_client.py}).
 */
@DisplayName("The standalone peer with --tls, against Python's ssl")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern AUTHORITY = Pattern.compile("misbehave: TLS: clients verify the peer with the"
            + " authority in (\\S+) \\(");

    /**
     * Starts the jar with {@code args}, runs the Python client against it once per mode ({@code ""}
     * or {@code "strict"}), returns what the client printed and the journal.
     */
    private static List<String> run(List<String> args, List<String> journal, String... modes) throws Exception {
        try (StandaloneJar jar = StandaloneJar.start(args, WAIT)) {
            Matcher named = AUTHORITY.matcher(jar.stderr());
            assertThat(named.find()).as("standard error names the authority's PEM file: %s", jar.stderr()).isTrue();
            Path pem = Path.of(named.group(1));
            assertThat(Files.readString(pem)).startsWith("-----BEGIN CERTIFICATE-----\n");
            List<String> printed = new java.util.ArrayList<>();
            for (String mode : modes.length == 0 ? new String[] {""} : modes) {
                printed.addAll(Python.run(WAIT, Python.scripts().resolve("tls_client.py").toString(),
                        jar.host(), Integer.toString(jar.port()), pem.toString(), mode));
            }
            journal.addAll(jar.journalLines(WAIT));
            assertThat(jar.awaitExit(WAIT)).isZero();
            return printed;
        }
    }

    @Test
    @DisplayName("a close after the echo sends close_notify: Python verifies the peer and reads to a clean end")
    void closeNotify() throws Exception {
        List<String> journal = new java.util.ArrayList<>();
        assertThat(run(List.of("--tls", "--script", "echo", "--effect", "close", "--after-bytes", "14",
                "--direction", "downstream", "--connections", "1"), journal))
                .containsExactly("Received b'Hello, server!'");
        assertThat(journal).singleElement().asString().contains("TLSv1.3", "PEER_CLOSED");
    }

    @Test
    @DisplayName("a reset after 14 plaintext bytes: Python's ssl reads it as an end of stream, or an SSLEOFError"
            + " when strict, not as ConnectionResetError")
    void reset() throws Exception {
        List<String> journal = new java.util.ArrayList<>();
        // strace shows the kernel's ECONNRESET under OpenSSL's read; OpenSSL 3 reports an unexpected EOF
        List<String> printed = run(List.of("--tls", "--effect", "reset", "--after-bytes", "14", "--connections", "2"),
                journal, "", "strict");
        assertThat(printed).as("Python %s", Python.version()).hasSize(2);
        assertThat(printed.get(0)).isEqualTo("Received b''");
        assertThat(printed.get(1)).startsWith("SSLEOFError: EOF occurred in violation of protocol");
        assertThat(journal).hasSize(2).allSatisfy(line -> assertThat(line).contains("received 14 B", "PEER_RESET"));
    }

    @Test
    @DisplayName("a truncation after the echo: Python reads an end of stream, or raises SSLEOFError when strict")
    void truncation() throws Exception {
        List<String> journal = new java.util.ArrayList<>();
        List<String> printed = run(List.of("--tls", "--script", "echo", "--effect", "truncate", "--after-bytes", "14",
                "--direction", "downstream", "--connections", "2"), journal, "", "strict");
        assertThat(printed).hasSize(2);
        assertThat(printed.get(0)).isEqualTo("Received b'Hello, server!'"); // suppress_ragged_eofs=True, the default
        assertThat(printed.get(1)).startsWith("SSLEOFError: [SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in"
                + " violation of protocol");
        assertThat(journal).hasSize(2).allSatisfy(line -> assertThat(line).contains("truncate (no close_notify)",
                "PEER_CLOSED"));
    }
}
