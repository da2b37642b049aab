package dev.misbehave.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * A Java program that starts the built jar as a process and reads its journal, as
 * docs/standalone.md shows ("Driving the jar from a Java program"): the documented stop (the end of
 * standard input) lets the program read every line, the last ones included; {@link
 * Process#destroy()} does not, because it closes this side's pipes before the peer prints them.
 *
 * <p>The reads block as a user's program would; each test's {@code @Timeout} runs it on a thread
 * of its own, so that a read that never returns fails the test instead of hanging the build.
 */
@DisplayName("A Java program driving the standalone jar")
class DrivingFromJavaIT {

    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    @Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
    @DisplayName("closing its standard input stops it, and every journal line is read, the open connection's too")
    void stopsAtTheEndOfStandardInput() throws Exception {
        String java = JAVA;
        String jar = StandaloneJar.jar().toString();
        // tag::drive-from-java[]
        Process peer = new ProcessBuilder(java, "-jar", jar, "--script", "echo", "--until-stdin-closes")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8));
            String listening = output.readLine(); // "misbehave listening on 127.0.0.1:PORT"
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));

            try (Socket client = new Socket("127.0.0.1", port)) { // the code under test, still connected
                client.getOutputStream().write("ping".getBytes(UTF_8));
                assertThat(client.getInputStream().readNBytes(4)).asString(UTF_8).isEqualTo("ping");

                peer.getOutputStream().close(); // stops the peer: the end of its standard input
                List<String> journal = output.lines().collect(Collectors.toList()); // up to the peer's exit
                assertThat(peer.waitFor()).isZero();
                assertThat(journal).singleElement().asString() // the connection the stop reset
                        .contains("received 4 B").endsWith("PEER_RESET");
            }
        } finally {
            peer.destroyForcibly(); // nothing is left running if the test failed before the stop
        }
        // end::drive-from-java[]
    }

    @Test
    @Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
    @DisplayName("Process.destroy() closes the pipes at once: the last journal lines cannot be read")
    void destroyLosesTheLastLines() throws Exception {
        Process peer = new ProcessBuilder(JAVA, "-jar", StandaloneJar.jar().toString(), "--script", "echo")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8));
            String listening = output.readLine();
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.getOutputStream().write("ping".getBytes(UTF_8));
                assertThat(client.getInputStream().readNBytes(4)).asString(UTF_8).isEqualTo("ping");

                peer.destroy(); // SIGTERM: the peer prints the open connection's line on its way out...

                assertThatThrownBy(output::readLine) // ...but this side's end of the pipe is closed already
                        .isInstanceOf(IOException.class).hasMessage("Stream closed");
                assertThat(peer.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(peer.exitValue()).isEqualTo(143); // it did stop as on SIGTERM
            }
        } finally {
            peer.destroyForcibly();
        }
    }
}
