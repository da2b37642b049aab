package com.example.inventory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A line-protocol client of an inventory service: sends "RESERVE sku qty\n", expects "OK\n".
 * A reset is reported as {@link ServiceUnavailableException}, so callers can tell it from bad input.
 */
public final class InventoryClient {

    private final String host;
    private final int port;

    public InventoryClient(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public void reserve(String sku, int quantity) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("RESERVE " + sku + " " + quantity + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String reply = in.readLine();
            if (!"OK".equals(reply)) {
                throw new IllegalStateException("unexpected reply: " + reply);
            }
        } catch (SocketException e) {
            throw new ServiceUnavailableException("inventory service at " + host + ":" + port + " hung up", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The service dropped the connection; the reservation may be retried. */
    public static final class ServiceUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ServiceUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
