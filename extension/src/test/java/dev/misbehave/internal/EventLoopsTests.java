package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(90)
@DisplayName("The shared event loops")
class EventLoopsTests {

    @Test
    @DisplayName("end when the JVM shuts down, so no loop waits in a native call while the JVM exits")
    void endAtShutdown() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ExitProbe.class.getName()).redirectErrorStream(true).start();
        boolean exited = child.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(exited).as("the child JVM exited; its output:%n%s", output).isTrue();
        assertThat(output).contains("client saw: reset, reset").contains("misbehave-io threads after shutdown: 2 ended, 0 alive");
    }

    /**
     * The child JVM: two peers, one connection each (a peer's connections run on its listener's
     * loop, and the group hands listeners to its two loops in turn, so both have started), then exit; its own
     * shutdown hook waits, bounded, for the peer's loop threads to end and reports what it saw.
     */
    static final class ExitProbe {
        public static void main(String[] args) throws IOException {
            try (MisbehavingPeer first = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 0));
                    MisbehavingPeer second = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 0))) {
                System.out.println("client saw: " + connectAndRead(first.port()) + ", " + connectAndRead(second.port()));
            }
            List<Thread> loops = new ArrayList<>();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().startsWith("misbehave-io-") && !thread.getName().equals("misbehave-io-exit")) {
                    loops.add(thread);
                }
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                int ended = 0;
                for (Thread loop : loops) {
                    try {
                        loop.join(10_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ended += loop.isAlive() ? 0 : 1;
                }
                System.out.println("misbehave-io threads after shutdown: " + ended + " ended, "
                        + (loops.size() - ended) + " alive");
            }));
            System.exit(0);
        }

        private static String connectAndRead(int port) {
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout(10_000);
                InputStream in = client.getInputStream();
                return in.read() < 0 ? "end of stream" : "data";
            } catch (SocketException e) {
                return String.valueOf(e.getMessage()).contains("reset") ? "reset" : e.toString();
            } catch (IOException e) {
                return e.toString();
            }
        }
    }
}
