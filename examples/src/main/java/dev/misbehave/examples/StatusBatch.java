package dev.misbehave.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Application code: asks a status server about several services on one connection with HTTP/1.1
 * pipelining: every {@code GET} goes out in one write, then the status lines are read in order.
 */
public final class StatusBatch {

    private final String host;
    private final int port;

    /**
     * A client of the status server at {@code host}:{@code port}.
     *
     * @param host the server's host
     * @param port the server's port
     */
    public StatusBatch(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * The status line of each service's {@code GET /status/<service>}, in order.
     *
     * @param services the services to ask about
     * @return one status line per service
     * @throws IOException if the connection fails, or ends before every answer
     */
    public List<String> statuses(List<String> services) throws IOException {
        StringBuilder requests = new StringBuilder();
        for (String service : services) {
            requests.append("GET /status/").append(service).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n\r\n");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            List<String> statuses = new ArrayList<>();
            while (statuses.size() < services.size()) {
                String status = in.readLine();
                if (status == null) {
                    throw new IOException("the server closed the connection after " + statuses.size() + " of "
                            + services.size() + " answers");
                }
                statuses.add(status);
                for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
                    // headers of a body-less answer
                }
            }
            return statuses;
        }
    }
}
