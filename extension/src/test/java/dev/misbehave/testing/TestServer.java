package dev.misbehave.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real blocking TCP server on 127.0.0.1 for proxy tests: each accepted connection runs {@code
 * handler} on its own daemon thread, and the handler's result (or failure) completes that
 * connection's future. Closing the server closes every connection.
 */
public final class TestServer implements AutoCloseable {

    /** What the server does with one connection; returns what the test wants to know. */
    @FunctionalInterface
    public interface Handler {
        Object handle(Socket socket) throws Exception;
    }

    private final ServerSocket listener;
    private final Handler handler;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<Object>> outcomes = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final CompletableFuture<Object> first = new CompletableFuture<>();

    private TestServer(Handler handler) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.handler = handler;
        Thread acceptor = new Thread(this::acceptLoop, "test-server-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static TestServer start(Handler handler) {
        try {
            return new TestServer(handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException closed) {
                return;
            }
            sockets.add(socket);
            CompletableFuture<Object> outcome = accepted.getAndIncrement() == 0 ? first : new CompletableFuture<>();
            outcomes.add(outcome);
            Thread worker = new Thread(() -> {
                try (socket) {
                    outcome.complete(handler.handle(socket));
                } catch (Throwable t) {
                    outcome.completeExceptionally(t);
                }
            }, "test-server-connection");
            worker.setDaemon(true);
            worker.start();
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The outcome of the first connection's handler. */
    public CompletableFuture<Object> firstOutcome() {
        return first;
    }

    /** How many connections the server accepted. */
    public int accepted() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (SocketException ignored) {
                // closed already
            }
        }
    }
}
