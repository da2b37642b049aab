package dev.misbehave.standalone;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small real server for proxy mode: on 127.0.0.1, an ephemeral port, it sends back every byte it
 * reads, one thread per connection, until the client closes. {@link #close()} closes the listener
 * and every connection, which ends the threads.
 */
final class EchoServer implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    private EchoServer(ServerSocket listener) {
        this.listener = listener;
    }

    static EchoServer start() throws IOException {
        EchoServer server = new EchoServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread acceptor = new Thread(server::accept, "echo-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    /** {@code 127.0.0.1:PORT}, as {@code --upstream} takes it. */
    String hostAndPort() {
        return listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                connections.add(socket);
                Thread echo = new Thread(() -> echo(socket), "echo-server-connection");
                echo.setDaemon(true);
                echo.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void echo(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the client reset, or the server closed: this connection is over
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : connections) {
            socket.close();
        }
    }
}
