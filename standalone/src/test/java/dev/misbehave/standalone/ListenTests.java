package dev.misbehave.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where the CLI's peer listens, checked by connecting through an address of another interface of
 * this machine: refused by default, accepted with {@code --listen 0.0.0.0:0 --allow-remote}, which
 * prints one warning on standard error.
 */
@DisplayName("The CLI listens on loopback unless told otherwise")
class ListenTests {

    @Test
    @Timeout(60)
    @DisplayName("by default on 127.0.0.1: refused through another interface, and no warning")
    void loopbackByDefault() throws Exception {
        InetAddress other = otherInterface();
        Run run = Run.start(List.of("--script", "echo", "--connections", "1"));
        assertThat(run.host).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> new Socket(other, run.port).close()).isInstanceOf(ConnectException.class);
        echo(InetAddress.getByName("127.0.0.1"), run.port);
        assertThat(run.finish()).isZero();
        assertThat(run.err()).doesNotContain("warning");
    }

    @Test
    @Timeout(60)
    @DisplayName("--listen 0.0.0.0:0 --allow-remote: reachable through another interface, and warned once")
    void everywhereWhenAllowed() throws Exception {
        InetAddress other = otherInterface();
        Run run = Run.start(List.of("--listen", "0.0.0.0:0", "--allow-remote", "--script", "echo", "--connections", "1"));
        assertThat(run.host).isEqualTo("127.0.0.1");
        echo(other, run.port);
        assertThat(run.finish()).isZero();
        assertThat(run.err().lines().filter(line -> line.contains("warning")).toList()).containsExactly(
                "misbehave: warning: listening on 0.0.0.0:" + run.port + ", not on loopback only (--allow-remote):"
                        + " other hosts can connect to the peer while it runs.");
    }

    @Test
    @Timeout(60)
    @DisplayName("--listen [::1]:0: prints [::1]:PORT, as a person writes it, and so does the journal line")
    void ipv6AsWritten() throws Exception {
        assumeTrue(hasIpv6Loopback(), "this machine has no ::1");
        Run run = Run.start(List.of("--listen", "[::1]:0", "--script", "echo", "--connections", "1"));
        assertThat(run.host).isEqualTo("[::1]");
        echo(InetAddress.getByName("::1"), run.port);
        assertThat(run.finish()).isZero();
        assertThat(run.lines()).singleElement().asString().startsWith("#0 from [::1]:").doesNotContain("0:0:0:0");
    }

    private static boolean hasIpv6Loopback() {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return probe.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    private static void echo(InetAddress address, int port) throws IOException {
        try (Socket client = new Socket(address, port)) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("hi".getBytes(UTF_8));
            assertThat(new String(client.getInputStream().readNBytes(2), UTF_8)).isEqualTo("hi");
        }
    }

    private static InetAddress otherInterface() throws SocketException {
        List<InetAddress> found = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                Collections.list(nic.getInetAddresses()).stream().filter(Inet4Address.class::isInstance).forEach(found::add);
            }
        }
        assumeTrue(!found.isEmpty(), "this machine has no non-loopback IPv4 interface");
        return found.get(0);
    }

    /** Main.run on its own thread, with the address it printed. */
    private static final class Run {
        private final ExecutorService thread = Executors.newSingleThreadExecutor();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        /** The lines printed after the first, once Main's thread has ended. */
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private Thread drain;
        private Future<Integer> status;
        private String host;
        private int port;

        static Run start(List<String> args) throws Exception {
            Run run = new Run();
            PipedInputStream printed = new PipedInputStream();
            PrintStream out = new PrintStream(new PipedOutputStream(printed), true, UTF_8);
            PrintStream err = new PrintStream(run.err, true, UTF_8);
            run.status = run.thread.submit(() -> {
                try {
                    return Main.run(args, InputStream.nullInputStream(), out, err);
                } finally {
                    out.close(); // the reader sees the end of the output
                }
            });
            BufferedReader lines = new BufferedReader(new InputStreamReader(printed, UTF_8));
            String first = lines.readLine(); // Main prints it before it serves
            assertThat(first).startsWith("misbehave listening on ");
            String address = first.substring("misbehave listening on ".length());
            run.host = address.substring(0, address.lastIndexOf(':'));
            run.port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            run.drain = new Thread(() -> {
                try {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        run.lines.add(line); // the journal lines
                    }
                } catch (IOException ended) {
                    // Main's thread ended: the pipe is broken
                }
            }, "listen-tests-drain");
            run.drain.setDaemon(true);
            run.drain.start();
            return run;
        }

        int finish() throws Exception {
            try {
                return status.get(30, TimeUnit.SECONDS);
            } finally {
                thread.shutdownNow();
            }
        }

        /** The journal lines Main printed; call after {@link #finish()}. */
        List<String> lines() throws InterruptedException {
            drain.join(TimeUnit.SECONDS.toMillis(10));
            return List.copyOf(lines);
        }

        String err() {
            return err.toString(UTF_8);
        }
    }
}
