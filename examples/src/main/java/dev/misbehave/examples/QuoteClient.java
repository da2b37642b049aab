package dev.misbehave.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Application code: asks a quote server for prices over a line protocol ({@code "QUOTE ACME\n"} is
 * answered by {@code "12.34\n"}) and keeps its connection open between requests, like a pool of
 * one. A pooled connection can go stale while it sits idle (the server timed it out, or crashed): a
 * request on a reused connection that fails is retried once on a fresh connection. A request on a
 * fresh connection that fails is not retried; it throws {@link QuoteUnavailableException}.
 */
public final class QuoteClient implements AutoCloseable {

    private final InetSocketAddress server;
    private final int readTimeoutMillis;
    private final SSLSocketFactory tls;
    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    /**
     * A client of {@code server}.
     *
     * @param server the quote server
     * @param readTimeoutMillis the read timeout of each request
     */
    public QuoteClient(InetSocketAddress server, int readTimeoutMillis) {
        this(server, readTimeoutMillis, null);
    }

    /**
     * A client of {@code server} over TLS: an {@link SSLSocket} from {@code tls}, which checks the
     * server's host name as HTTPS does.
     *
     * @param server the quote server
     * @param readTimeoutMillis the read timeout of each request
     * @param tls the socket factory; null for plain TCP
     */
    public QuoteClient(InetSocketAddress server, int readTimeoutMillis, SSLSocketFactory tls) {
        this.server = server;
        this.readTimeoutMillis = readTimeoutMillis;
        this.tls = tls;
    }

    /**
     * Asks for one price.
     *
     * @param symbol the instrument
     * @return the price line
     * @throws QuoteUnavailableException if a fresh connection fails too
     */
    // tag::stale-connection[]
    public String quote(String symbol) throws QuoteUnavailableException {
        boolean reused = socket != null;
        try {
            return ask(symbol);
        } catch (IOException stale) {
            disconnect();
            if (!reused) {
                throw new QuoteUnavailableException(symbol, stale);
            }
        }
        try {
            return ask(symbol); // the pooled connection was stale: one retry on a fresh one
        } catch (IOException broken) {
            disconnect();
            throw new QuoteUnavailableException(symbol, broken);
        }
    }
    // end::stale-connection[]

    private String ask(String symbol) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.connect(server, readTimeoutMillis);
            socket.setSoTimeout(readTimeoutMillis);
            if (tls != null) {
                SSLSocket secured = (SSLSocket) tls.createSocket(socket, server.getHostString(), server.getPort(), true);
                SSLParameters parameters = secured.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // check the host name
                secured.setSSLParameters(parameters);
                secured.startHandshake();
                socket = secured;
            }
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = socket.getOutputStream();
        }
        out.write(("QUOTE " + symbol + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String line = in.readLine();
        if (line == null) {
            throw new IOException("The quote server closed the connection");
        }
        return line;
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
            socket = null;
        }
    }

    @Override
    public void close() {
        disconnect();
    }
}
