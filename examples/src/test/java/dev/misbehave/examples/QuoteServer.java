package dev.misbehave.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real quote server, as the team would run it: a thread per connection, a line protocol
 * ({@code "QUOTE ACME\n"} is answered by {@code "12.34\n"}), connections kept open between requests.
 * It counts what it served, so a test can tell whether a request reached it. {@link
 * #crashOnNextRequest()} makes it abort the connection of the next request it reads (an RST, as a
 * crashing process's kernel sends), instead of answering.
 */
final class QuoteServer implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicBoolean crashNext = new AtomicBoolean();
    private final Thread acceptor;
    private volatile Socket portHolder;

    private QuoteServer() throws IOException {
        listener = new ServerSocket();
        if (listener.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
            listener.setOption(StandardSocketOptions.SO_REUSEPORT, true); // lets goDown() take the port first
        }
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        acceptor = new Thread(this::acceptLoop, "quote-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a server on an ephemeral loopback port. */
    static QuoteServer start() throws IOException {
        return new QuoteServer();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** The requests the server answered. */
    int answered() {
        return answered.get();
    }

    /** The connections the server accepted. */
    int accepted() {
        return accepted.get();
    }

    /** The next request read is not answered: its connection is reset. */
    void crashOnNextRequest() {
        crashNext.set(true);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                accepted.incrementAndGet();
                connections.add(socket);
                Thread worker = new Thread(() -> serve(socket), "quote-server-connection");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            for (String line; (line = in.readLine()) != null; ) {
                if (crashNext.compareAndSet(true, false)) {
                    socket.setSoLinger(true, 0); // the close below sends an RST
                    return;
                }
                if (line.startsWith("QUOTE ")) {
                    answered.incrementAndGet();
                    out.write("12.34\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.write("ERR unknown command\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            }
        } catch (IOException connectionGone) {
            // the client or the network ended the connection
        }
    }

    /**
     * Goes down as a server whose process died does: when this returns, nothing listens on its port,
     * so a connect is refused. Until {@link #close()}, the port stays taken by a socket that does not
     * listen, so that no other server or peer of this machine, in a test running beside this one, is
     * given the port and answers in its place. Where the platform has {@code SO_REUSEPORT}, that
     * socket takes the port before the listener lets it go, so no other socket can take it in
     * between (binding it after the close failed with "Address already in use" in 5 of 950 trials
     * of the parallel determinism run: another test's connection had been given the port).
     *
     * @throws IOException if the port cannot be held
     */
    public void goDown() throws IOException {
        InetSocketAddress address = address();
        Socket holder = new Socket();
        holder.setReuseAddress(true); // the port's earlier connections may still be in TIME_WAIT
        boolean early = holder.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)
                && Boolean.TRUE.equals(listener.getOption(StandardSocketOptions.SO_REUSEPORT));
        if (early) {
            holder.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            holder.bind(address);
            stopListening();
        } else {
            stopListening();
            holder.bind(address);
        }
        portHolder = holder;
    }

    /**
     * Stops the server: when this returns, nothing listens on its port. (A {@code ServerSocket}
     * closed while another thread is blocked in {@code accept()} keeps listening until that thread
     * wakes up: measured here, a connect right after {@code close()} was still answered in about 1
     * of 10 trials. So this waits for the accepting thread to end, bounded.)
     */
    @Override
    public void close() throws IOException {
        stopListening();
        for (Socket socket : connections) {
            socket.close();
        }
        Socket holder = portHolder;
        if (holder != null) {
            holder.close();
        }
    }

    private void stopListening() throws IOException {
        listener.close();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
