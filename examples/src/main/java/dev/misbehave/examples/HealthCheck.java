package dev.misbehave.examples;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Application code: probes a dependency's health endpoint with the JDK {@link HttpClient} and
 * never waits longer than its timeout, so a hung dependency is reported instead of hanging the
 * caller.
 */
public final class HealthCheck {

    /** What the probe concluded. */
    public enum Status {
        /** The endpoint answered 2xx. */
        UP,
        /** The endpoint answered something else, or the connection failed. */
        DOWN,
        /** The endpoint did not answer within the timeout. */
        UNRESPONSIVE
    }

    /**
     * The probe's conclusion and, unless the endpoint was up, the failure behind it.
     *
     * @param status what the probe concluded
     * @param failure why it was not {@link Status#UP}, or null
     */
    public record Health(Status status, Throwable failure) {}

    private final URI endpoint;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * A probe of {@code endpoint} that gives up after {@code timeout}.
     *
     * @param endpoint the health endpoint, for example {@code http://127.0.0.1:8080/health}
     * @param timeout how long to wait for an answer at most
     */
    public HealthCheck(URI endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
    }

    /**
     * Probes once.
     *
     * @return the conclusion; never throws for network trouble
     */
    // tag::health-check[]
    public Health check() {
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(timeout).GET().build();
        try {
            int code = http.send(request, BodyHandlers.discarding()).statusCode();
            return new Health(code / 100 == 2 ? Status.UP : Status.DOWN, null);
        } catch (HttpTimeoutException silent) {
            return new Health(Status.UNRESPONSIVE, silent);
        } catch (IOException broken) {
            return new Health(Status.DOWN, broken);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return new Health(Status.DOWN, interrupted);
        }
    }
    // end::health-check[]
}
