package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.MisbehavingPeer;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import dev.misbehave.Tls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One HTTPS exchange before a class's TLS tests, once per JVM, with a generous connect timeout. The
 * first TLS handshake of a JVM generates the test certificate and loads the JDK's TLS classes; on a
 * loaded machine that has taken longer than the examples' 2 s connect timeout, which the JDK {@code
 * HttpClient} applies to the handshake too (an {@code HttpConnectTimeoutException} instead of the
 * fault under test).
 */
final class TlsWarmUp {

    private TlsWarmUp() {}

    /** Runs the exchange, unless this JVM has run it. */
    static void once() throws Exception {
        Done.check();
    }

    private static final class Done {
        private static final boolean DONE = exchange();

        static void check() {
            assertThat(DONE).isTrue();
        }

        private static boolean exchange() {
            try (var peer = MisbehavingPeer.start(Script.respond(RequestEnd.delimiter("\r\n\r\n"),
                    "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n").withTls(Tls.generated()))) {
                var http = HttpClient.newBuilder().sslContext(Tls.generated().clientContext())
                        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
                var response = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + peer.port()
                        + "/warm-up")).build(), HttpResponse.BodyHandlers.discarding());
                return response.statusCode() == 201;
            } catch (Exception e) {
                throw new IllegalStateException("the TLS warm-up exchange failed", e);
            }
        }
    }
}
