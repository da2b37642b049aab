package dev.misbehave.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Application code: pushes metric samples to a collector in one HTTP POST with {@link
 * HttpURLConnection} in fixed-length streaming mode, writing each sample as it is formatted: the
 * request's head goes out first, then each sample in a write of its own.
 */
public final class MetricsPusher {

    private final URL collector;

    /**
     * A pusher that posts to {@code collector}.
     *
     * @param collector the collector's URL, for example {@code http://127.0.0.1:8080/metrics}
     */
    public MetricsPusher(URL collector) {
        this.collector = collector;
    }

    /**
     * Posts the samples, one line each.
     *
     * @param samples the samples, for example {@code cpu=0.93}
     * @return the collector's status code
     * @throws IOException if the request fails
     */
    public int push(List<String> samples) throws IOException {
        List<byte[]> lines = samples.stream().map(s -> (s + "\n").getBytes(StandardCharsets.UTF_8)).toList();
        HttpURLConnection connection = (HttpURLConnection) collector.openConnection();
        connection.setConnectTimeout(2_000);
        connection.setReadTimeout(5_000);
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(lines.stream().mapToInt(line -> line.length).sum());
        try (OutputStream body = connection.getOutputStream()) {
            for (byte[] line : lines) {
                body.write(line);
                body.flush(); // each sample leaves as soon as it is ready
            }
        }
        return connection.getResponseCode();
    }
}
