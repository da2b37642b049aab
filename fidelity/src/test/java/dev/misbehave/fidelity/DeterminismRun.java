package dev.misbehave.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectIteration;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.misbehave.examples.servers.PostgresServer;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.discovery.MethodSelector;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.opentest4j.TestAbortedException;

/**
 * Repeats every example scenario {@code misbehave.determinism.trials} times (5 in the normal build)
 * through the JUnit Platform Launcher and requires every trial to pass: each example asserts its
 * documented outcome and its documented journal, so a trial that passed showed both. Writes the
 * table to {@code target/determinism.md}; with {@code -Dmisbehave.determinism.publish=true} also its
 * first part (the run and the table of trials) to {@code target/generated-docs/determinism.md}
 * ({@code determinism-parallel.md} with {@code -Pparallel}), which {@code mvn -B -pl docs test
 * -Ddocs.update=true} then publishes in the docs.
 *
 * <p>It learns everything from JUnit's own events, nothing from the examples' code: a trial passed
 * when its test finished successfully; a failed trial is reported with the failure's message and the
 * journal that Misbehave's extension publishes as a report entry ({@code misbehave.journal}, one per
 * peer) when a test fails. A scenario whose class was skipped (an assumption aborted it: its real
 * server cannot run on this machine) is reported as skipped, with the reason, and does not fail the
 * run; with {@code MISBEHAVE_REQUIRE_SERVERS=1} such a class fails instead, and so does the run.
 *
 * <p>The long run: {@code mvn -B -pl fidelity -am verify -Dtest=DeterminismRun
 * -Dsurefire.failIfNoSpecifiedTests=false -DskipITs -Dmisbehave.determinism.trials=1000} ({@code
 * -am} builds the extension and the examples it needs; {@code -Dtest} and {@code -DskipITs} leave
 * out their own tests). With {@code -Pparallel} the scenarios of each trial run with JUnit's
 * parallel execution (the profile's system properties reach this Launcher too).
 *
 * <p>A long sequential run can be split: {@code -Dmisbehave.determinism.shard=K/N} runs every N-th
 * scenario from the K-th (one shard per clone, side by side), and {@code
 * -Dmisbehave.determinism.merge=<report>,<report>,...} joins the N shards' {@code
 * target/determinism.md} into one report instead of running anything (docs/fault-catalogue.md,
 * "Determinism").
 */
@DisplayName("The determinism run")
class DeterminismRun {

    /** The package of the example classes the scenarios name. */
    static final String EXAMPLES = "dev.misbehave.examples.";

    /** The report entry keys under which the extension publishes a failed test's journals. */
    static final String JOURNAL_KEY = "misbehave.journal";

    /**
     * One example test method, or one invocation of a parameterized one ({@code invocation} 1 or
     * more; 0 for a plain test), and what it documents.
     *
     * @param testClass the example class's binary name in {@value #EXAMPLES}, {@code Outer$Nested}
     *     for a nested class
     */
    record Scenario(String name, String testClass, String methodName, int invocation, String outcome,
            String journal) {

        Scenario(String name, String testClass, String methodName, String outcome, String journal) {
            this(name, testClass, methodName, 0, outcome, journal);
        }

        String className() {
            return EXAMPLES + testClass;
        }

        DiscoverySelector selector() {
            Class<?> type;
            try {
                type = Class.forName(className());
            } catch (ClassNotFoundException e) {
                throw new AssertionError("scenario \"" + name + "\": no example class " + className(), e);
            }
            List<Method> methods = Arrays.stream(type.getDeclaredMethods())
                    .filter(m -> m.getName().equals(methodName))
                    .collect(Collectors.toList());
            assertThat(methods).as("scenario \"%s\": test method %s in %s", name, methodName, className())
                    .hasSize(1);
            MethodSelector method = selectMethod(type, methods.get(0));
            return invocation == 0 ? method : selectIteration(method, invocation - 1);
        }

        boolean is(TestIdentifier test, MethodSource source) {
            return source.getClassName().equals(className())
                    && source.getMethodName().equals(methodName)
                    && (invocation == 0
                            || test.getUniqueId().endsWith("[test-template-invocation:#" + invocation + "]"));
        }

        /** The scenario's class and the classes enclosing it, innermost first. */
        List<String> classes() {
            List<String> classes = new ArrayList<>();
            for (String c = className(); ; c = c.substring(0, c.lastIndexOf('$'))) {
                classes.add(c);
                if (c.lastIndexOf('$') < 0) {
                    return classes;
                }
            }
        }
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("raw socket upload, retried once, reset after 16 B",
                    "UploadExamples", "retriesOnceThenFails",
                    "UploadFailedException after 2 attempts, cause is a reset",
                    "2 connections, each received exactly the first 16 payload bytes, PEER_RESET"),
            new Scenario("raw socket 8 MiB upload, reset after 100 B",
                    "UploadExamples", "largeUploadFailsOnWrite",
                    "UploadFailedException in phase SEND, cause is a reset",
                    "1 connection, received exactly the first 100 payload bytes, PEER_RESET"),
            new Scenario("JDK HttpClient POST, reset after 100 B",
                    "HttpClientExamples", "postIsResetMidRequest",
                    "IOException whose chain is a reset",
                    "1 connection, 100 bytes starting \"POST /events \", PEER_RESET"),
            new Scenario("HttpURLConnection GET, reset after 1 B",
                    "HttpUrlConnectionExamples", "getIsRetriedSilently",
                    "PriceFeedUnavailableException, cause is a reset",
                    "2 connections, each received \"G\", PEER_RESET"),
            new Scenario("HttpURLConnection POST, reset after 100 B",
                    "HttpUrlConnectionExamples", "postIsRetriedSilently",
                    "an exception whose chain is a reset",
                    "2 connections, each 100 bytes starting \"POST /orders \", PEER_RESET"),
            new Scenario("raw socket upload, reset on accept (0 B)",
                    "UploadExamples", "resetOnAccept",
                    "UploadFailedException whose chain is a reset (connect, write or read)",
                    "1 connection, 0 bytes received, PEER_RESET"),
            new Scenario("JDK HttpClient POST, close after 100 B",
                    "CloseExamples", "postMeetsEndOfStream",
                    "IOException whose chain is end-of-stream (connectionClosed), not a reset",
                    "1 connection, 100 bytes starting \"POST /events \", PEER_CLOSED"),
            new Scenario("JDK HttpClient GET, stall after 16 B",
                    "StallExamples", "silentServerIsUnresponsive",
                    "HealthCheck says UNRESPONSIVE after its 1 s timeout (HttpTimeoutException)",
                    "1 connection, received \"GET /health HTTP\", trigger fired, still OPEN"),
            new Scenario("HttpClient download, reset after 256 KiB of body (downstream)",
                    "DownloadExamples", "crashMidTransfer",
                    "DownloadFailedException, chain is a reset, HttpClient received exactly 262,144 body bytes",
                    "1 connection, sent exactly 67 + 262,144 B, delivery CONFIRMED, PEER_RESET"),
            new Scenario("HttpClient download, close after 100,000 B of body (downstream)",
                    "DownloadExamples", "truncatedBody",
                    "DownloadFailedException, not a reset, HttpClient received exactly 100,000 body bytes",
                    "1 connection, sent exactly 67 + 100,000 B, PEER_CLOSED"),
            new Scenario("HttpClient download, sliced into 1,000 B writes",
                    "DownloadExamples", "slicedResponse",
                    "the whole 300,000-byte report",
                    "1 connection, sent 300,067 B"),
            new Scenario("HttpClient download, throttled to 2 MB/s",
                    "DownloadExamples", "throttledResponse",
                    "the whole report, in no less than 140 ms",
                    "1 connection, sent 300,067 B"),
            new Scenario("HttpClient download, body sliced into 1,000 B writes after the head (bytes trigger)",
                    "SlowdownExamples", "bodyInPieces",
                    "the whole 300,000-byte report",
                    "1 connection, sent 300,067 B, AfterBytes fired"),
            new Scenario("HttpClient download, throttled to 2 MB/s after the head (pattern trigger)",
                    "SlowdownExamples", "bodyThrottled",
                    "the whole report, in no less than 140 ms",
                    "1 connection, OnPattern fired"),
            new Scenario("quote client, pooled connection delayed 5 s after its first answer (k-th exchange, first"
                    + " connection only)",
                    "SlowdownExamples", "slowPooledConnection",
                    "both quotes answered; the second after a 500 ms read timeout and one retry",
                    "2 connections: #0 sent \"12.34\\n\" only, AfterExchanges(1); #1 served"),
            new Scenario("quote client, reset on the 2nd request of a pooled connection (k-th exchange, first connection only)",
                    "QuoteExamples", "staleConnectionIsRetriedOnce",
                    "both quotes answered; the second after one retry",
                    "2 connections: #0 received \"QUOTE ACME\\nQ\", AfterExchanges(1), PEER_RESET; #1 served"),
            new Scenario("quote client, idle timeout (100 ms) closes the pooled connection",
                    "QuoteExamples", "idleTimeout",
                    "both quotes answered",
                    "#0 received one request, AfterIdle(100 ms), PEER_CLOSED; a 2nd connection"),
            new Scenario("quote client, half-close after the first answer (downstream)",
                    "QuoteExamples", "halfClosed",
                    "both quotes answered; the second after one retry",
                    "#0 received both requests, sent 6 B, CLIENT_CLOSED; #1 received the retry"),
            new Scenario("raw socket with 1 s keepalive, stall on accept",
                    "StallExamples", "keepaliveDoesNotDetectAStalledServer",
                    "SocketTimeoutException after the 2.5 s read timeout, not a keepalive reset",
                    "1 connection, still OPEN"),
            new Scenario("proxy: middlebox resets a pooled connection at its 2nd request",
                    "ProxyExamples", "middleboxResetsPooledConnection",
                    "both quotes answered, the second after one retry; the real server answered 2",
                    "#0 received \"QUOTE ACME\\nQ\", forwarded 11 B, both legs reset; #1 served"),
            new Scenario("proxy: middlebox resets after 3 B of the answer",
                    "ProxyExamples", "middleboxResetsMidAnswer",
                    "QuoteUnavailableException caused by a reset; the real server answered 1",
                    "1 connection, sent \"12.\" of the 6 B read from the server"),
            new Scenario("proxy: the real server resets (crash)",
                    "ProxyExamples", "serverCrashReachesTheClientAsAReset",
                    "QuoteUnavailableException caused by a reset",
                    "1 connection, no fault, PEER_RESET; upstream SERVER_RESET"),
            new Scenario("proxy: the server is down",
                    "ProxyExamples", "serverDown",
                    "QuoteUnavailableException caused by a reset",
                    "1 connection, upstream NOT_CONNECTED, with why the connect failed"),
            new Scenario("SMTP-style greeting, reset after the 25-byte greeting (downstream)",
                    "MailExamples", "resetAfterGreeting",
                    "NotificationFailedException, chain is a reset",
                    "1 connection, sent exactly the greeting, delivery CONFIRMED, PEER_RESET"),
            new Scenario("SMTP-style relay, reset after 4 B of the client's command (upstream, server-first)",
                    "MailExamples", "resetMidCommand",
                    "NotificationFailedException, chain is a reset",
                    "1 connection, sent the greeting, received exactly \"HELO\", PEER_RESET"),
            new Scenario("HttpURLConnection POST streamed as head + 3 pieces, reset after 20 B",
                    "RequestPiecesExamples", "headThenThreePieces",
                    "IOException whose chain is a reset",
                    "1 connection, received exactly 20 B, PEER_RESET"),
            new Scenario("HttpClient chunked upload, reset after the 29-byte request line",
                    "RequestPiecesExamples", "chunkedUpload",
                    "IOException whose chain is a reset",
                    "1 connection, received exactly the request line, PEER_RESET"),
            new Scenario("raw socket, two pipelined GETs, reset after 10 B",
                    "RequestPiecesExamples", "pipelinedPair",
                    "IOException whose chain is a reset",
                    "1 connection, received exactly \"GET /statu\", PEER_RESET"),
            new Scenario("SMTP-style greeting, garbage then close",
                    "MailExamples", "wrongServiceOnThePort",
                    "NotificationFailedException \"no 220 greeting, got: SSH-2.0-OpenSSH_9.6\"",
                    "1 connection, sent 21 B, PEER_CLOSED"),
            new Scenario("HttpClient POST with retries, first 2 connections reset after 100 B",
                    "PaymentsExamples", "thirdAttemptSucceeds",
                    "Receipt(attempts=3, status=201)",
                    "3 connections: 2 with the fault (100 B, PEER_RESET), the 3rd served"),
            new Scenario("HttpClient GET, connection refused",
                    "HealthExamples", "refused",
                    "DOWN, chain is a refusal",
                    "no connections"),
            new Scenario("HttpClient GET, server never accepts",
                    "HealthExamples", "neverAccepts",
                    "UNRESPONSIVE, HttpConnectTimeoutException",
                    "no connections"),
            new Scenario("HttpClient GET, response delayed 2 s",
                    "HealthExamples", "slowAnswer",
                    "UNRESPONSIVE, HttpTimeoutException",
                    "1 connection, received the GET, sent 0 B"),
            new Scenario("HttpClient GET, refused, then served after behave()",
                    "HealthExamples", "recoversWhenTheDependencyComesBack",
                    "DOWN, then UP",
                    "1 connection, served normally"),
            new Scenario("HttpClient POST, reset after the end of the headers (pattern)",
                    "RequestCutExamples", "resetAfterHeaders",
                    "IOException, chain is a reset",
                    "1 connection, received exactly the head, OnPattern, PEER_RESET"),
            new Scenario("raw socket upload, reset 200 ms after accept (duration)",
                    "RequestCutExamples", "deadline",
                    "UploadFailedException in phase ACKNOWLEDGE, chain is a reset",
                    "1 connection, 1,024 B received, AfterDuration(200 ms), PEER_RESET"),
            new Scenario("two named peers: api served, db refused",
                    "NamedPeersExamples", "oneUpOneDown",
                    "api UP, db DOWN (refused)",
                    "api 1 connection, db none, different ports"),
            new Scenario("programmatic peer: healthy, reset, healthy",
                    "ProgrammaticExamples", "changeTheFaultMidTest",
                    "QuoteUnavailableException, chain is a reset, between two answered quotes",
                    "3 connections: served, fault, served"),
            new Scenario("quote client, stall after the first answer (downstream)",
                    "QuoteExamples", "stalledAfterFirstAnswer",
                    "both quotes answered; the second after a 200 ms read timeout and one retry",
                    "2 connections, #0 received only the first request and sent 6 B"),
            new Scenario("raw socket uploads with one retry, every 2nd connection reset",
                    "ScheduleExamples", "everySecondConnection",
                    "3 uploads acknowledged",
                    "5 connections, the fault on the 2nd and 4th"),
            new Scenario("raw socket uploads with one retry, only the 2nd connection reset",
                    "ScheduleExamples", "onlySecondConnection",
                    "3 uploads acknowledged",
                    "4 connections, the fault on the 2nd only"),
            new Scenario("raw socket uploads with retries, every connection after the first reset",
                    "ScheduleExamples", "allButFirstConnection",
                    "1st upload acknowledged; 2nd fails after 3 attempts, chain is a reset",
                    "4 connections, the fault on all but the 1st"),
            new Scenario("raw socket 64 KiB upload, uplink throttled to 256 KB/s",
                    "SlowNetworkExamples", "slowUplink",
                    "acknowledged, in no less than 200 ms",
                    "1 connection, received 65,536 B"),
            new Scenario("HttpClient download, 512 random bytes (seed 42) then reset",
                    "SlowNetworkExamples", "noiseInsteadOfAResponse",
                    "DownloadFailedException caused by an IOException (ProtocolException)",
                    "1 connection, sent exactly the 512 seeded bytes"),
            new Scenario("Resilience4j PUT (idempotent), first 2 connections reset after 100 B",
                    "Resilience4jExamples", "idempotentPutSucceedsOnTheThirdAttempt",
                    "Outcome(attempts=3, status=200)",
                    "3 connections: 2 with the fault (100 B, PEER_RESET), the 3rd served \"PUT /stock/SKU-42\""),
            new Scenario("Resilience4j POST (not idempotent), reset after the whole request (pattern)",
                    "Resilience4jExamples", "postThatMayHaveArrivedIsNotRetried",
                    "CallFailedException after 1 attempt, chain is a reset",
                    "1 connection, received the whole \"POST /reservations\" request, PEER_RESET"),
            new Scenario("Resilience4j POST (not idempotent), connection refused",
                    "Resilience4jExamples", "refusedPostIsRetried",
                    "CallFailedException after 3 attempts, chain is a refusal",
                    "no connections"),
            new Scenario("Failsafe PUT (idempotent), first 2 connections reset after 100 B",
                    "FailsafeExamples", "idempotentPutSucceedsOnTheThirdAttempt",
                    "Outcome(attempts=3, status=200)",
                    "3 connections: 2 with the fault (100 B, PEER_RESET), the 3rd served \"PUT /shipments/S-7/address\""),
            new Scenario("Failsafe POST (not idempotent), reset after the whole request (pattern)",
                    "FailsafeExamples", "postThatMayHaveArrivedIsNotRetried",
                    "CallFailedException after 1 attempt, chain is a reset",
                    "1 connection, received the whole \"POST /shipments\" request, PEER_RESET"),
            new Scenario("Failsafe POST (not idempotent), connection refused",
                    "FailsafeExamples", "refusedPostIsRetried",
                    "CallFailedException after 3 attempts, chain is a refusal",
                    "no connections"),
            new Scenario("proxy to JDK HttpServer, JDK HttpClient download, reset after 200,000 response B",
                    "HttpProxyExamples", "crashMidDownload", 1,
                    "DownloadFailedException, chain is a reset, every delivered body byte counted, none accepted",
                    "1 connection, sent exactly 200,000 B, PEER_RESET; server leg read >= 200,000 B, PEER_RESET"),
            new Scenario("proxy to JDK HttpServer, HttpURLConnection download, reset after 200,000 response B",
                    "HttpProxyExamples", "crashMidDownload", 2,
                    "DownloadFailedException, chain is a reset, every delivered body byte counted, none accepted",
                    "1 connection, sent exactly 200,000 B, PEER_RESET; server leg read >= 200,000 B, PEER_RESET"),
            new Scenario("proxy to JDK HttpServer, OkHttp download, reset after 200,000 response B",
                    "HttpProxyExamples", "crashMidDownload", 3,
                    "DownloadFailedException, chain is a reset, every delivered body byte counted, none accepted",
                    "1 connection, sent exactly 200,000 B, PEER_RESET; server leg read >= 200,000 B, PEER_RESET"),
            new Scenario("proxy to JDK HttpServer, Apache HttpClient 5 download, reset after 200,000 response B",
                    "HttpProxyExamples", "crashMidDownload", 4,
                    "DownloadFailedException, chain is a reset, every delivered body byte counted, none accepted",
                    "1 connection, sent exactly 200,000 B, PEER_RESET; server leg read >= 200,000 B, PEER_RESET"),
            new Scenario("proxy to JDK HttpServer, JDK HttpClient 1 MiB upload, reset after 300,000 request B",
                    "HttpProxyExamples", "middleboxResetsMidUpload", 1,
                    "the upload throws, chain is a reset",
                    "1 connection (not sent twice), received 300,000 B, PEER_RESET both legs; server: 1 upload begun, 0 whole"),
            new Scenario("proxy to JDK HttpServer, HttpURLConnection 1 MiB upload, reset after 300,000 request B",
                    "HttpProxyExamples", "middleboxResetsMidUpload", 2,
                    "the upload throws, chain is a reset",
                    "1 connection (not sent twice), received 300,000 B, PEER_RESET both legs; server: 1 upload begun, 0 whole"),
            new Scenario("proxy to JDK HttpServer, OkHttp 1 MiB upload, reset after 300,000 request B",
                    "HttpProxyExamples", "middleboxResetsMidUpload", 3,
                    "the upload throws, chain is a reset",
                    "1 connection (not sent twice), received 300,000 B, PEER_RESET both legs; server: 1 upload begun, 0 whole"),
            new Scenario("proxy to JDK HttpServer, Apache HttpClient 5 1 MiB upload, reset after 300,000 request B",
                    "HttpProxyExamples", "middleboxResetsMidUpload", 4,
                    "the upload throws, chain is a reset",
                    "1 connection (not sent twice), received 300,000 B, PEER_RESET both legs; server: 1 upload begun, 0 whole"),
            new Scenario("proxy to JDK HttpServer, JDK HttpClient download, the server closes (FIN) after 100 KiB of body",
                    "HttpProxyExamples", "serverClosesMidBody", 1,
                    "DownloadFailedException after 102,400 body B, classified CLOSED",
                    "1 connection: server leg SERVER_CLOSED, client leg PEER_CLOSED, every byte the server sent passed on"),
            new Scenario("proxy to JDK HttpServer, HttpURLConnection download, the server closes (FIN) after 100 KiB of body",
                    "HttpProxyExamples", "serverClosesMidBody", 2,
                    "DownloadFailedException \"Body cut short: 102400 of 524288 bytes\" (JDK 17: no exception from the client)",
                    "1 connection: server leg SERVER_CLOSED, client leg PEER_CLOSED, every byte the server sent passed on"),
            new Scenario("proxy to JDK HttpServer, OkHttp download, the server closes (FIN) after 100 KiB of body",
                    "HttpProxyExamples", "serverClosesMidBody", 3,
                    "DownloadFailedException after 102,400 body B, classified CLOSED",
                    "1 connection: server leg SERVER_CLOSED, client leg PEER_CLOSED, every byte the server sent passed on"),
            new Scenario("proxy to JDK HttpServer, Apache HttpClient 5 download, the server closes (FIN) after 100 KiB of body",
                    "HttpProxyExamples", "serverClosesMidBody", 4,
                    "DownloadFailedException after 102,400 body B, ConnectionClosedException, not classified",
                    "1 connection: server leg SERVER_CLOSED, client leg PEER_CLOSED, every byte the server sent passed on"),
            new Scenario("proxy to JDK HttpServer, JDK HttpClient two GETs, pooled connection reset at its 2nd request",
                    "HttpProxyExamples", "staleConnectionGet", 1,
                    "both catalogs returned (the client retried on a fresh connection)",
                    "2 connections: #0 AfterExchanges(1) fired, PEER_RESET; #1 no fault; server: 2 GETs"),
            new Scenario("proxy to JDK HttpServer, HttpURLConnection two GETs, pooled connection reset at its 2nd request",
                    "HttpProxyExamples", "staleConnectionGet", 2,
                    "both catalogs returned (the client retried on a fresh connection)",
                    "2 connections: #0 AfterExchanges(1) fired, PEER_RESET; #1 no fault; server: 2 GETs"),
            new Scenario("proxy to JDK HttpServer, OkHttp two GETs, pooled connection reset at its 2nd request",
                    "HttpProxyExamples", "staleConnectionGet", 3,
                    "both catalogs returned (the client retried on a fresh connection)",
                    "2 connections: #0 AfterExchanges(1) fired, PEER_RESET; #1 no fault; server: 2 GETs"),
            new Scenario("proxy to JDK HttpServer, Apache HttpClient 5 two GETs, pooled connection reset at its 2nd request",
                    "HttpProxyExamples", "staleConnectionGet", 4,
                    "both catalogs returned (the client retried on a fresh connection)",
                    "2 connections: #0 AfterExchanges(1) fired, PEER_RESET; #1 no fault; server: 2 GETs"),
            new Scenario("proxy to JDK HttpServer, JDK HttpClient two POSTs, pooled connection reset at its 2nd request",
                    "HttpProxyExamples", "staleConnectionPost", 1,
                    "1st upload 201, 2nd throws, chain is a reset (not sent again)",
                    "1 connection, PEER_RESET; server: 1 upload whole"),
            new Scenario("proxy to JDK HttpServer, HttpURLConnection two POSTs, pooled connection reset at its 2nd request",
                    "HttpProxyExamples", "staleConnectionPost", 2,
                    "1st upload 201, 2nd throws, chain is a reset (not sent again)",
                    "1 connection, PEER_RESET; server: 1 upload whole"),
            new Scenario("proxy to JDK HttpServer, OkHttp two POSTs, pooled connection reset at its 2nd request",
                    "HttpProxyExamples", "staleConnectionPost", 3,
                    "both uploads 201: OkHttp sent the 2nd POST again on a fresh connection",
                    "2 connections, #0 PEER_RESET; server: 2 uploads whole"),
            new Scenario("proxy to JDK HttpServer, Apache HttpClient 5 two POSTs, pooled connection reset at its 2nd request",
                    "HttpProxyExamples", "staleConnectionPost", 4,
                    "1st upload 201, 2nd throws, chain is a reset (not sent again)",
                    "1 connection, PEER_RESET; server: 1 upload whole"),
            new Scenario("Resilience4j via proxy to JDK HttpServer, PUT, first 2 connections reset after 100 B",
                    "RetryBehindProxyExamples$Resilience4j", "idempotentPutSucceedsOnTheThirdAttempt",
                    "Outcome(attempts=3, status=200)",
                    "3 connections, 2 reset after forwarding 100 B; server handled PUT /stock/SKU-42 once"),
            new Scenario("Resilience4j via proxy to JDK HttpServer, POST, reset after the whole request (pattern)",
                    "RetryBehindProxyExamples$Resilience4j", "postThatReachedTheServerIsNotRetried",
                    "CallFailedException after 1 attempt, chain is a reset",
                    "1 connection, every request byte forwarded; server handled POST /reservations once"),
            new Scenario("Resilience4j via proxy to JDK HttpServer, POST, connection refused",
                    "RetryBehindProxyExamples$Resilience4j", "refusedPostIsRetried",
                    "CallFailedException after 3 attempts, chain is a refusal",
                    "no connections; server handled no POST /reservations"),
            new Scenario("Failsafe via proxy to JDK HttpServer, PUT, first 2 connections reset after 100 B",
                    "RetryBehindProxyExamples$FailsafeRetry", "idempotentPutSucceedsOnTheThirdAttempt",
                    "Outcome(attempts=3, status=200)",
                    "3 connections, 2 reset after forwarding 100 B; server handled PUT /shipments/S-7/address once"),
            new Scenario("Failsafe via proxy to JDK HttpServer, POST, reset after the whole request (pattern)",
                    "RetryBehindProxyExamples$FailsafeRetry", "postThatReachedTheServerIsNotRetried",
                    "CallFailedException after 1 attempt, chain is a reset",
                    "1 connection, every request byte forwarded; server handled POST /shipments once"),
            new Scenario("Failsafe via proxy to JDK HttpServer, POST, connection refused",
                    "RetryBehindProxyExamples$FailsafeRetry", "refusedPostIsRetried",
                    "CallFailedException after 3 attempts, chain is a refusal",
                    "no connections; server handled no POST /shipments"),
            new Scenario("README quick start, reset after 16 B",
                    "UploadExamples", "uploadSurfacesTheReset",
                    "the upload throws, and the chain is a reset",
                    "1 connection, 16 bytes received"),
            new Scenario("PostgreSQL read via proxy, reset after 100,000 B of the result set, first connection",
                    "DatabaseExamples", "resetMidResultSetIsRetried",
                    "all 10,000 rows after 1 retry; HikariCP holds 1 connection (the broken one evicted)",
                    "2 connections: #0 sent exactly 100,000 B, PEER_RESET (server leg PEER_RESET); #1 served in full"),
            new Scenario("PostgreSQL read via proxy, reset after 100,000 B of the result set, every connection",
                    "DatabaseExamples", "resetMidResultSet",
                    "InventoryUnavailableException after 2 attempts, SQLState 08006, chain is a reset; pool at 0"
                            + " connections; after behave() the read succeeds on 1 connection",
                    "3 connections: #0 and #1 sent exactly 100,000 B, PEER_RESET; #2 without fault"),
            new Scenario("PostgreSQL pool via proxy, idle timeout (600 ms) closes the pooled connection",
                    "DatabaseExamples", "idleTimeout",
                    "both reads answered, no retry (HikariCP validated the idle connection and replaced it)",
                    "2 connections: #0 AfterIdle(600 ms), PEER_CLOSED; #1 without fault"),
            new Scenario("PostgreSQL UPDATE via proxy, reset after \"UPDATE 1\" (downstream pattern)",
                    "DatabaseExamples", "writeIsNotRetried",
                    "ReservationOutcomeUnknownException, SQLState 08006, chain is a reset; the row was decremented once",
                    "1 connection (not retried), trigger fired, PEER_RESET"),
            new Scenario("PostgreSQL pool via proxy, the server terminates the backend (pg_terminate_backend)",
                    "DatabaseExamples", "serverEndsTheConnection",
                    "both reads answered; HikariCP holds 1 connection",
                    "2 connections, no fault: #0's server leg SERVER_CLOSED (awaited before the next query); #1 served"),
            new Scenario("Redis GET via proxy, reset after 100,000 B of a 256 KiB value, every connection",
                    "SessionExamples", "resetMidGet",
                    "SessionStoreUnavailableException after 2 attempts, JedisConnectionException, chain is a reset;"
                            + " pool created 3, destroyed 2",
                    "3 connections: #0 and #1 sent exactly 100,000 B, PEER_RESET; #2 the pool's idle replacement, 0 B"),
            new Scenario("Redis MGET via proxy, reset after 100,000 B of 4 x 64 KiB, first connection",
                    "SessionExamples", "resetMidMgetIsRetried",
                    "all 4 sessions after 1 retry; pool created 2, destroyed 1",
                    "2 connections: #0 sent exactly 100,000 B, PEER_RESET; #1 received the same MGET, served"),
            new Scenario("Redis GET via proxy, stall after 100,000 B",
                    "SessionExamples", "stallIsATimeout",
                    "SessionStoreUnavailableException, timed out, 1 attempt, SocketTimeoutException, in 200 ms to 2 s",
                    "2 connections: #0 sent exactly 100,000 B, trigger fired, OPEN; #1 the idle replacement, 0 B"),
            new Scenario("Redis GET via proxy, close after 100,000 B, every connection",
                    "SessionExamples", "closeMidGet",
                    "SessionStoreUnavailableException after 2 attempts, \"Unexpected end of stream.\", a close",
                    "3 connections: #0 and #1 sent exactly 100,000 B, PEER_CLOSED; #2 the idle replacement, 0 B"),
            new Scenario("Redis GET via proxy, half-close after 100,000 B, first connection",
                    "SessionExamples", "halfCloseMidGet",
                    "the 256 KiB session after 1 retry",
                    "2 connections: #0 sent exactly 100,000 B, CLIENT_RESET (Jedis closes with SO_LINGER 0); #1 served"),
            new Scenario("HTTPS: JDK HttpClient POST, reset after 100 plaintext B",
                    "TlsExamples", "postIsResetMidRequest",
                    "IOException, chain is a reset",
                    "1 connection, handshake completed, received exactly 100 B starting \"POST /events \", PEER_RESET"),
            new Scenario("HTTPS: HttpClient download, reset after 256 KiB of plaintext body (downstream)",
                    "TlsExamples", "resetMidDownload",
                    "DownloadFailedException, chain is a reset",
                    "1 connection, sent exactly 67 + 262,144 B, delivery CONFIRMED, PEER_RESET"),
            new Scenario("HTTPS: OkHttp download, reset after 256 KiB of plaintext body (downstream)",
                    "TlsExamples", "okHttpResetMidDownload",
                    "DownloadFailedException, chain is a reset",
                    "1 connection, sent exactly 67 + 262,144 B, delivery CONFIRMED"),
            new Scenario("HTTPS: Apache HttpClient 5 download, reset after 256 KiB of plaintext body (downstream)",
                    "TlsExamples", "apacheResetMidDownload",
                    "DownloadFailedException, chain is a reset",
                    "1 connection, sent exactly 67 + 262,144 B, delivery CONFIRMED"),
            new Scenario("HTTPS: HttpClient download, truncated after 100,000 B of body (no close_notify)",
                    "TlsExamples", "truncatedDownload",
                    "DownloadFailedException, not a reset, HttpClient received exactly 100,000 body bytes",
                    "1 connection, the truncate fault, sent exactly 67 + 100,000 B, PEER_CLOSED"),
            new Scenario("HTTPS: reset on the ClientHello",
                    "TlsExamples", "resetMidHandshake",
                    "IOException, chain is a reset",
                    "1 connection, trigger on the TLS ClientHello, handshake not completed, 0 B received"),
            new Scenario("HTTPS: protocol_version alert on the ClientHello",
                    "TlsExamples", "refusedWithAnAlert",
                    "SSLHandshakeException \"Received fatal alert: protocol_version\"",
                    "1 connection, the alert fault, PEER_CLOSED"),
            new Scenario("HTTPS: expired certificate",
                    "TlsExamples", "expiredCertificate",
                    "SSLHandshakeException, root cause CertificateExpiredException",
                    "1 connection, handshake not completed, 0 B received"),
            new Scenario("HTTPS: certificate not in the default trust store",
                    "TlsExamples", "untrustedCertificate",
                    "SSLHandshakeException \"PKIX path building failed\"",
                    "1 connection, handshake not completed, 0 B received, CLIENT_CLOSED"),
            new Scenario("HTTPS: reset on the ClientHello (programmatic)",
                    "TlsExamples", "cutAtEachStage", 1,
                    "IOException", "1 connection, trigger on the stage, 0 B received, PEER_RESET"),
            new Scenario("HTTPS: reset after the server flight",
                    "TlsExamples", "cutAtEachStage", 2,
                    "IOException", "1 connection, trigger on the stage, 0 B received, PEER_RESET"),
            new Scenario("HTTPS: reset after the handshake",
                    "TlsExamples", "cutAtEachStage", 3,
                    "IOException", "1 connection, trigger on the stage, 0 B received, PEER_RESET"),
            new Scenario("HTTPS: close on the ClientHello",
                    "TlsExamples", "cutAtEachStage", 4,
                    "IOException", "1 connection, trigger on the stage, 0 B received, PEER_CLOSED"),
            new Scenario("HTTPS: close after the server flight",
                    "TlsExamples", "cutAtEachStage", 5,
                    "IOException", "1 connection, trigger on the stage, 0 B received, PEER_CLOSED"),
            new Scenario("HTTPS: close after the handshake",
                    "TlsExamples", "cutAtEachStage", 6,
                    "IOException", "1 connection, trigger on the stage, 0 B received, PEER_CLOSED"),
            new Scenario("HTTPS: HttpsURLConnection download, reset after 256 KiB of plaintext body (downstream)",
                    "TlsClientExamples", "urlConnectionResetMidDownload",
                    "DownloadFailedException, chain is a reset",
                    "1 connection, sent exactly 67 + 262,144 B, delivery CONFIRMED"),
            new Scenario("HTTPS: HttpClient download, a corrupted record after 100,000 B of body",
                    "TlsClientExamples", "corruptedRecord",
                    "DownloadFailedException, not a reset, \"Tag mismatch\" in the chain",
                    "1 connection, the corrupt-record fault, sent exactly 67 + 100,000 B, PEER_CLOSED"),
            new Scenario("HTTPS: HTTP/2 chosen by ALPN, reset after the 24-byte preface",
                    "TlsClientExamples", "http2ResetAfterPreface",
                    "IOException, chain is a reset",
                    "1 connection, ALPN h2, received exactly the preface, PEER_RESET"),
            new Scenario("HTTPS: terminating proxy in front of a JDK HttpsServer, reset after 100,000 plaintext B",
                    "TlsProxyExamples", "resetInFrontOfARealHttpsServer",
                    "DownloadFailedException, chain is a reset",
                    "1 connection, sent exactly 100,000 B, delivery CONFIRMED, upstream PEER_RESET"),
            new Scenario("HTTPS: PostgreSQL verify-full through a terminating proxy, reset after 100,000 B",
                    "TlsProxyExamples", "postgresVerifyFull",
                    "InventoryUnavailableException, SQLState 08006, chain is a reset; then all rows",
                    "2 connections, ALPN postgresql, each sent exactly 100,000 B, PEER_RESET"),
            new Scenario("HTTPS: a raw SSLSocket's pooled connection reset as request 2 arrives, retried once",
                    "TlsClientExamples", "sslSocketStaleConnectionIsRetried",
                    "both quotes, 1 retry", "2 connections: #0 received \"QUOTE ACME\\nQ\", PEER_RESET; #1 served"),
            new Scenario("HTTPS: a stall on the ClientHello, ended by the HttpClient's 2 s connect timeout",
                    "TlsClientExamples", "stalledHandshake",
                    "HttpConnectTimeoutException", "1 connection, the stall fired, no TLS record, 0 B received"),
            new Scenario("HTTPS: plain HTTP answering the ClientHello",
                    "TlsClientExamples", "plainHttpOnTheTlsPort",
                    "SSLException \"Unrecognized SSL message, plaintext connection?\"",
                    "1 connection, 0 B received, sent the HTTP answer"),
            new Scenario("HTTPS troubleshooting: a reset on the ClientHello, reported as nothing sent",
                    "TlsTroubleshootingExamples", "handshakeHangUpIsReported", 1,
                    "SSLHandshakeException, root cause a reset", "1 connection, 0 B received, PEER_RESET"),
            new Scenario("HTTPS troubleshooting: a FIN on the ClientHello, reported as nothing sent",
                    "TlsTroubleshootingExamples", "handshakeHangUpIsReported", 2,
                    "SSLHandshakeException \"Remote host terminated the handshake\"",
                    "1 connection, 0 B received, PEER_CLOSED"),
            new Scenario("HTTPS troubleshooting: a POST retried after a hang-up mid-handshake",
                    "TlsTroubleshootingExamples", "postRetriedAfterHandshakeHangUp",
                    "the POST succeeds on its second attempt", "2 connections: #0 0 B received; #1 served"),
            new Scenario("HTTPS troubleshooting: a pooled TLS connection closed as the next GET goes out",
                    "TlsTroubleshootingExamples", "stalePooledConnectionGetIsRepeated",
                    "HttpClient repeats the GET by itself", "2 connections: #0 closed after 1 exchange; #1 served"),
            new Scenario("HTTPS troubleshooting: a pooled TLS connection closed as the next POST goes out",
                    "TlsTroubleshootingExamples", "stalePooledConnectionFailsAPost",
                    "the POST fails with a close, not retried", "1 connection, closed after 1 exchange"),
            new Scenario("HTTPS troubleshooting: an idempotent charge retried on a closed pooled TLS connection",
                    "TlsTroubleshootingExamples", "stalePooledConnectionRetriedWithIdempotencyKey",
                    "the second charge takes 2 attempts", "2 connections, the first closed after 1 exchange"),
            new Scenario("HTTPS troubleshooting: a middlebox reset after the handshake",
                    "TlsTroubleshootingExamples", "resetAfterHandshake",
                    "the POST is not retried (1 attempt), the PUT is (2)", "every connection PEER_RESET, 0 B received"),
            new Scenario("HTTPS troubleshooting: a response without a length truncated after 100,000 B",
                    "TlsTroubleshootingExamples", "unframedResponseCutShort", 1,
                    "the short body, no error", "1 connection, the truncate fault, PEER_CLOSED"),
            new Scenario("client: an upload reset after 8 KiB of its body, against the JDK HttpServer",
                    "MisbehavingClientExamples", "abortedUploadCommitsNothing",
                    "the handler's IOException, nothing committed, no response",
                    "1 connection, sent exactly the head + 8,192 B, CLIENT_RESET"),
            new Scenario("client: a half-close after the request, against the JDK HttpServer",
                    "MisbehavingClientExamples", "halfClosingClientGetsItsResponse",
                    "the body committed", "1 connection, the whole 201 response read, SERVER_CLOSED"),
            new Scenario("client: stops reading after 16 KiB of a 64 MiB export, against the JDK HttpServer",
                    "MisbehavingClientExamples", "clientThatNeverReads",
                    "the handler's write blocks until the client goes away, then fails",
                    "1 connection, exactly 16,384 B read, OPEN until the test closes it"),
            new Scenario("client: an upload beside 200 connections that never speak, against the JDK HttpServer",
                    "MisbehavingClientExamples", "servesBesideSilentConnections",
                    "the upload answered 201", "200 silent connections OPEN; 1 connection, SERVER_CLOSED"),
            new Scenario("client: a hang-up (FIN) after 8 KiB of an upload's body, against the JDK HttpServer",
                    "MisbehavingClientExamples", "hangUpMidUpload",
                    "the handler's 'connection closed before all data received', nothing committed",
                    "1 connection, CLIENT_CLOSED"),
            new Scenario("client: a stall after 1 KiB of an upload's body, against the JDK HttpServer",
                    "MisbehavingClientExamples", "stallMidUpload",
                    "the handler waits until the client goes away, then 'connection closed before all data received'",
                    "1 connection, sent exactly the head + 1,024 B, OPEN until the test closes it"),
            new Scenario("client: an upload throttled to 64 KiB/s, against the JDK HttpServer",
                    "MisbehavingClientExamples", "throttledUpload",
                    "committed whole", "1 connection, the 201 no sooner than 500 ms"),
            new Scenario("client: an upload that starts 300 ms after its connect, against the JDK HttpServer",
                    "MisbehavingClientExamples", "delayedUpload",
                    "committed whole", "1 connection, the 201 no sooner than 300 ms after the connect"),
            new Scenario("client: noise instead of a request, then a close, against the JDK HttpServer",
                    "MisbehavingClientExamples", "garbageInsteadOfARequest",
                    "no handler runs", "1 connection, 0 B received, CLIENT_CLOSED"),
            new Scenario("client: 50 resets right after connecting, then an upload, against the JDK HttpServer",
                    "MisbehavingClientExamples", "resetsRightAfterConnect",
                    "no handler runs for the resets; the upload answered 201", "50 connections CLIENT_RESET, 0 B sent"));

    private static final Pattern PORT = Pattern.compile("127\\.0\\.0\\.1:\\d+");

    private static final String TRIAL_PASSED = "A trial passed when the example's test passed: every assertion it"
            + " makes on the documented outcome and on the journal held.\n\n";
    private static final String TABLE_HEAD = "| scenario | trials | passed |\n|---|---:|---:|\n";
    private static final String FAILURES_INTRO =
            "Per scenario: how many trials failed each way, and the first such trial's failure message and journal.\n";

    /** The report's table of what each scenario's example asserts. */
    static String documented(java.util.Collection<Scenario> scenarios) {
        StringBuilder out = new StringBuilder("\n## Documented\n\n| scenario | outcome | journal |\n|---|---|---|\n");
        scenarios.forEach(s -> out.append(String.format("| %s | %s | %s |%n", s.name, s.outcome, s.journal)));
        return out.toString();
    }

    @Test
    @DisplayName("sees every example scenario pass, with its documented outcome and journal, in every trial")
    void everyScenarioBehavesTheSameEveryTime() throws IOException {
        int trials = Integer.getInteger("misbehave.determinism.trials", 5);
        String merge = System.getProperty("misbehave.determinism.merge", "");
        String report;
        if (!merge.isBlank()) {
            List<String> shards = new ArrayList<>();
            for (String file : merge.split(",")) {
                shards.add(Files.readString(Path.of(file.strip())));
            }
            report = merged(selected(System.getProperty("misbehave.determinism.only", "")), shards);
        } else {
            report = run(trials);
        }
        System.out.println(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "determinism.md"), report);
        if (Boolean.getBoolean("misbehave.determinism.publish")) {
            // the docs' table, on request: staged for the docs module, whose -Ddocs.update=true
            // publishes it into the generated region of the same name (fault-catalogue.md, and
            // parallel-execution.md for a run with -Pparallel)
            String region = Boolean.getBoolean("junit.jupiter.execution.parallel.enabled")
                    ? "determinism-parallel.md" : "determinism.md";
            Path staged = Path.of("target", "generated-docs", region);
            Files.createDirectories(staged.getParent());
            Files.writeString(staged, report.substring(report.indexOf("\n\n") + 2, report.indexOf("\n## Documented")));
        }

        int requested = requested(report);
        assertThat(table(report)).allSatisfy((name, cells) -> {
            if (cells[1].equals("skipped")) {
                return; // its class was skipped in every round: reported, with the reason
            }
            assertThat(Integer.parseInt(cells[1].split(" ")[0]))
                    .as("%s: trials that passed (see target/determinism.md for the failures)", name)
                    .isEqualTo(requested);
        });
    }

    /** The trials per scenario a report's run was asked for. */
    static int requested(String report) {
        java.util.regex.Matcher m = Pattern.compile("(\\d+) trials per scenario requested").matcher(report);
        assertThat(m.find()).as("a report's first line, in:%n%s", report).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Runs the selected scenarios (of this shard) {@code trials} times, or until the time budget is spent. */
    private static String run(int trials) {
        Duration budget = Duration.ofMinutes(Long.getLong("misbehave.determinism.maxMinutes", 30));
        String shard = System.getProperty("misbehave.determinism.shard", "");
        List<Scenario> scenarios = sharded(selected(System.getProperty("misbehave.determinism.only", "")), shard);
        Tally tally = new Tally(scenarios);
        Launcher launcher = LauncherFactory.create();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(scenarios.stream().map(Scenario::selector).collect(Collectors.toList()))
                .build();

        long started = System.nanoTime();
        int rounds = 0;
        // each example class's real PostgreSQL starts once in this JVM, not once per round
        String keep = System.setProperty(PostgresServer.KEEP_PROPERTY, "true");
        try {
            while (rounds < trials && System.nanoTime() - started < budget.toNanos()) {
                launcher.execute(request, tally);
                tally.endRound();
                rounds++;
            }
        } finally {
            if (keep == null) {
                System.clearProperty(PostgresServer.KEEP_PROPERTY);
            } else {
                System.setProperty(PostgresServer.KEEP_PROPERTY, keep);
            }
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - started);
        return tally.report(trials, rounds, wall, shard.isBlank() ? "" : ", shard " + shard.replace("/", " of "));
    }

    /**
     * The scenarios of shard {@code K/N} (all of them if it is blank): the 1st of every N, starting
     * at the K-th, so that N JVMs side by side, each running its shard one scenario after another,
     * together run every scenario once per trial ({@code -Dmisbehave.determinism.shard=2/3}).
     */
    static List<Scenario> sharded(List<Scenario> scenarios, String shard) {
        if (shard.isBlank()) {
            return scenarios;
        }
        java.util.regex.Matcher kn = Pattern.compile("(\\d+)/(\\d+)").matcher(shard.strip());
        if (!kn.matches() || Integer.parseInt(kn.group(1)) < 1
                || Integer.parseInt(kn.group(1)) > Integer.parseInt(kn.group(2))) {
            throw new IllegalArgumentException("-Dmisbehave.determinism.shard=" + shard
                    + " is not a shard: write K/N with 1 <= K <= N, for example 2/3 (the 2nd of 3 shards)");
        }
        int k = Integer.parseInt(kn.group(1));
        int n = Integer.parseInt(kn.group(2));
        List<Scenario> chosen = new ArrayList<>();
        for (int i = k - 1; i < scenarios.size(); i += n) {
            chosen.add(scenarios.get(i));
        }
        return chosen;
    }

    private static final Pattern SHARD_HEADER = Pattern.compile(
            "(\\d+) trials per scenario requested, (\\d+) run, wall time ([\\d.]+) s, shard (\\d+) of (\\d+); (.*)");

    /**
     * One report from the reports of the N shards of a run ({@code target/determinism.md} of each):
     * the table in the order of {@code scenarios}, the wall time of the longest shard, and each
     * shard's skipped scenarios and failures. Fails unless the shards are K = 1..N of the same N and
     * trials, and together hold every scenario exactly once.
     */
    static String merged(List<Scenario> scenarios, List<String> shards) {
        Map<String, String[]> cells = new LinkedHashMap<>();
        Set<Integer> seen = new TreeSet<>();
        Set<String> runs = new TreeSet<>();
        String machine = null;
        double wall = 0;
        int n = 0;
        StringBuilder skipped = new StringBuilder();
        StringBuilder failures = new StringBuilder();
        for (String shard : shards) {
            java.util.regex.Matcher header = shard.lines().map(SHARD_HEADER::matcher).filter(java.util.regex.Matcher::matches)
                    .findFirst().orElseThrow(() -> new IllegalArgumentException(
                            "-Dmisbehave.determinism.merge: a report is not a shard's (its first line has no"
                                    + " \"shard K of N\"): run each part with -Dmisbehave.determinism.shard=K/N"));
            runs.add(header.group(1) + " trials per scenario requested, " + header.group(2) + " run");
            seen.add(Integer.parseInt(header.group(4)));
            n = Integer.parseInt(header.group(5));
            machine = header.group(6);
            wall = Math.max(wall, Double.parseDouble(header.group(3)));
            table(shard).forEach((name, row) -> {
                if (cells.put(name, row) != null) {
                    throw new IllegalArgumentException("-Dmisbehave.determinism.merge: \"" + name
                            + "\" is in two shards' reports: give each shard's report once");
                }
            });
            skipped.append(section(shard, "## Skipped"));
            failures.append(section(shard, "## Failures"));
        }
        if (runs.size() != 1 || !seen.equals(shardNumbers(n)) || shards.size() != n) {
            throw new IllegalArgumentException("-Dmisbehave.determinism.merge: the reports are shards " + seen
                    + " of " + n + " of runs " + runs + ": give the reports of shards 1 to N of one run, each once");
        }
        List<String> missing = scenarios.stream().map(Scenario::name).filter(name -> !cells.containsKey(name))
                .collect(Collectors.toList());
        if (!missing.isEmpty() || cells.size() != scenarios.size()) {
            throw new IllegalArgumentException("-Dmisbehave.determinism.merge: the shards do not hold every scenario"
                    + " exactly once; missing: " + missing + ", reported: " + cells.size() + " of " + scenarios.size());
        }
        StringBuilder out = new StringBuilder("# Determinism run\n\n")
                .append(runs.iterator().next()).append(String.format(
                        ", in %d shards side by side (each a JVM running its scenarios one after another), wall time"
                                + " %.3f s (the longest shard); %s%n%n", n, wall, machine))
                .append(TRIAL_PASSED).append(TABLE_HEAD);
        scenarios.forEach(s -> out.append("| ").append(s.name).append(" | ").append(cells.get(s.name)[0])
                .append(" | ").append(cells.get(s.name)[1]).append(" |\n"));
        if (skipped.length() > 0) {
            out.append("\n## Skipped\n\n").append(skipped);
        }
        out.append(documented(scenarios));
        if (failures.length() > 0) {
            out.append("\n## Failures\n\n").append(FAILURES_INTRO).append(failures);
        }
        return out.toString();
    }

    private static Set<Integer> shardNumbers(int n) {
        Set<Integer> all = new TreeSet<>();
        for (int k = 1; k <= n; k++) {
            all.add(k);
        }
        return all;
    }

    /** A report's table of trials: per scenario, its "trials" and "passed" cells. */
    static Map<String, String[]> table(String report) {
        Map<String, String[]> rows = new LinkedHashMap<>();
        String table = report.substring(report.indexOf(TABLE_HEAD) + TABLE_HEAD.length());
        for (String line : table.substring(0, table.indexOf("\n\n") + 1).lines().collect(Collectors.toList())) {
            String[] cells = line.substring(2, line.length() - 2).split(" \\| ");
            rows.put(String.join(" | ", Arrays.copyOf(cells, cells.length - 2)),
                    new String[] {cells[cells.length - 2], cells[cells.length - 1]});
        }
        return rows;
    }

    /** The lines of a report's section, without its heading (and intro, for failures). */
    private static String section(String report, String heading) {
        int at = report.indexOf("\n" + heading + "\n\n");
        if (at < 0) {
            return "";
        }
        String rest = report.substring(at + heading.length() + 3);
        if (heading.equals("## Failures")) {
            rest = rest.substring(FAILURES_INTRO.length());
        }
        int next = rest.indexOf("\n## ");
        return next < 0 ? rest : rest.substring(0, next + 1);
    }

    /**
     * The scenarios whose name contains one of the {@code |}-separated parts of {@code only} (all if
     * it is blank), to repeat a few of them: {@code -Dmisbehave.determinism.only="download|never"}.
     */
    static List<Scenario> selected(String only) {
        if (only.isBlank()) {
            return SCENARIOS;
        }
        List<String> parts = Arrays.stream(only.split("\\|")).map(String::trim).filter(p -> !p.isEmpty())
                .collect(Collectors.toList());
        List<Scenario> chosen = SCENARIOS.stream()
                .filter(s -> parts.stream().anyMatch(s.name::contains))
                .collect(Collectors.toList());
        assertThat(chosen).as("scenarios matching misbehave.determinism.only=%s", only).isNotEmpty();
        return chosen;
    }

    @Test
    @DisplayName("names an existing example test method in every scenario, each scenario once")
    void scenariosNameTheirTests() {
        assertThat(SCENARIOS).allSatisfy(Scenario::selector);
        assertThat(SCENARIOS.stream().map(Scenario::name)).doesNotHaveDuplicates();
        assertThat(SCENARIOS.stream().map(s -> s.className() + "#" + s.methodName() + "#" + s.invocation()))
                .doesNotHaveDuplicates();
    }

    @Nested
    @DisplayName("split into shards")
    class Shards {

        private final List<Scenario> four = SCENARIOS.subList(0, 4);

        private String shard(int k, int n, String... passed) {
            List<Scenario> mine = sharded(four, k + "/" + n);
            StringBuilder out = new StringBuilder("# Determinism run\n\n1000 trials per scenario requested, 1000 run,"
                    + " wall time " + (100 + k) + ".500 s, shard " + k + " of " + n + "; JDK 17, Linux 6, 2 CPUs.\n\n")
                    .append(TRIAL_PASSED).append(TABLE_HEAD);
            for (int i = 0; i < mine.size(); i++) {
                out.append("| ").append(mine.get(i).name()).append(" | 1000 | ").append(passed[i]).append(" |\n");
            }
            return out.append(documented(mine)).toString();
        }

        @Test
        @DisplayName("deal the scenarios round, every one to exactly one shard")
        void deal() {
            assertThat(sharded(four, "1/2")).containsExactly(four.get(0), four.get(2));
            assertThat(sharded(four, "2/2")).containsExactly(four.get(1), four.get(3));
            assertThat(sharded(four, "3/3")).containsExactly(four.get(2));
            assertThat(sharded(four, "")).isEqualTo(four);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> sharded(four, "3/2")))
                    .hasMessage("-Dmisbehave.determinism.shard=3/2 is not a shard: write K/N with 1 <= K <= N,"
                            + " for example 2/3 (the 2nd of 3 shards)");
        }

        @Test
        @DisplayName("merge into one table in the scenarios' order, with the longest shard's wall time")
        void merge() {
            String merged = merged(four, List.of(shard(2, 2, "1000 (100.0%)", "999 (99.9%)"),
                    shard(1, 2, "1000 (100.0%)", "1000 (100.0%)")));

            assertThat(merged).startsWith("# Determinism run\n\n1000 trials per scenario requested, 1000 run, in 2"
                    + " shards side by side (each a JVM running its scenarios one after another), wall time 102.500 s"
                    + " (the longest shard); JDK 17, Linux 6, 2 CPUs.\n\n");
            assertThat(table(merged)).containsOnlyKeys(four.stream().map(Scenario::name).toArray(String[]::new));
            assertThat(table(merged).keySet()).containsExactlyElementsOf(four.stream().map(Scenario::name)
                    .collect(Collectors.toList()));
            assertThat(table(merged).get(four.get(3).name())).containsExactly("1000", "999 (99.9%)");
            assertThat(requested(merged)).isEqualTo(1000);
        }

        @Test
        @DisplayName("refuse a missing or repeated shard")
        void refuse() {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> merged(four,
                    List.of(shard(1, 2, "1000 (100.0%)", "1000 (100.0%)")))))
                    .hasMessage("-Dmisbehave.determinism.merge: the reports are shards [1] of 2 of runs"
                            + " [1000 trials per scenario requested, 1000 run]: give the reports of shards 1 to N of"
                            + " one run, each once");
            String one = shard(1, 2, "1000 (100.0%)", "1000 (100.0%)");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> merged(four, List.of(one, one))))
                    .hasMessageContaining("is in two shards' reports");
        }
    }

    @Nested
    @DisplayName("counts a trial")
    class Counting {

        private final Scenario scenario = SCENARIOS.get(0);
        private final Tally tally = new Tally(List.of(scenario));
        private final Row row = tally.rows.get(scenario);

        private TestIdentifier test() {
            return TestIdentifier.from(new AbstractTestDescriptor(
                    UniqueId.forEngine("junit-jupiter").append("method", "m"),
                    "a test", MethodSource.from(scenario.className(), scenario.methodName())) {
                @Override
                public Type getType() {
                    return Type.TEST;
                }
            });
        }

        private TestIdentifier container(String className) {
            return TestIdentifier.from(new AbstractTestDescriptor(
                    UniqueId.forEngine("junit-jupiter").append("class", className),
                    className, ClassSource.from(className)) {
                @Override
                public Type getType() {
                    return Type.CONTAINER;
                }
            });
        }

        @Test
        @DisplayName("that passed as passed")
        void passed() {
            tally.executionFinished(test(), TestExecutionResult.successful());
            tally.endRound();

            assertThat(new int[] {row.ran, row.passed, row.skipped}).containsExactly(1, 1, 0);
            assertThat(row.failures).isEmpty();
        }

        @Test
        @DisplayName("that failed as failed, with its message and the journal the extension published")
        void failed() {
            TestIdentifier test = test();
            tally.reportingEntryPublished(test, ReportEntry.from(JOURNAL_KEY, "\nconnection #0 ... PEER_RESET"));
            tally.executionFinished(test, TestExecutionResult.failed(
                    new AssertionError("\nExpecting actual:\n  1\nto be equal to 2 (127.0.0.1:45678)")));
            tally.endRound();

            assertThat(new int[] {row.ran, row.passed, row.skipped}).containsExactly(1, 0, 0);
            assertThat(row.failures).singleElement().satisfies(failure -> {
                assertThat(failure.summary).isEqualTo("AssertionError: Expecting actual: 1 to be equal to 2 (127.0.0.1:PORT)");
                assertThat(failure.count).isEqualTo(1);
                assertThat(failure.message).contains("to be equal to 2");
                assertThat(failure.journal).contains("connection #0 ... PEER_RESET");
            });
        }

        @Test
        @DisplayName("that was aborted, or never ran, as failed")
        void abortedOrMissing() {
            tally.executionFinished(test(), TestExecutionResult.aborted(null));
            tally.endRound();
            tally.endRound(); // a round in which the scenario did not run at all

            assertThat(new int[] {row.ran, row.passed, row.skipped}).containsExactly(2, 0, 0);
            assertThat(row.failures).extracting(failure -> failure.summary)
                    .containsExactlyInAnyOrder("aborted: (no throwable)", "did not run (its class neither ran nor was skipped)");
        }

        @Test
        @DisplayName("whose class was skipped by an assumption as skipped, with the reason")
        void classSkipped() {
            tally.executionFinished(container(scenario.className()), TestExecutionResult.aborted(
                    new TestAbortedException("redis-server is not on the PATH")));
            tally.endRound();

            assertThat(new int[] {row.ran, row.passed, row.skipped}).containsExactly(0, 0, 1);
            assertThat(row.skipReasons).containsExactly("redis-server is not on the PATH");
        }

        @Test
        @DisplayName("whose class failed before its tests as failed")
        void classFailed() {
            tally.executionFinished(container(scenario.className()), TestExecutionResult.failed(
                    new IllegalStateException("redis-server did not start")));
            tally.endRound();

            assertThat(new int[] {row.ran, row.passed, row.skipped}).containsExactly(1, 0, 0);
            assertThat(row.failures).extracting(failure -> failure.summary)
                    .containsExactly("IllegalStateException: redis-server did not start");
        }
    }

    /**
     * Counts, per scenario, the trials that ran, passed or were skipped, and what failed. With parallel
     * execution on ({@code -Pparallel}) the Launcher calls it from several threads at once.
     */
    static final class Tally implements TestExecutionListener {

        final Map<Scenario, Row> rows = new LinkedHashMap<>();
        /** The journals published for a test still running, by its unique id. */
        private final Map<String, Map<String, String>> journals = new HashMap<>();
        /** This round's classes that did not succeed (aborted or failed), by class name. */
        private final Map<String, TestExecutionResult> classResults = new HashMap<>();
        /** This round's classes skipped as a whole (@Disabled), by class name. */
        private final Map<String, String> classSkips = new HashMap<>();
        private final Set<Row> countedThisRound = new HashSet<>();

        Tally(List<Scenario> scenarios) {
            scenarios.forEach(s -> rows.put(s, new Row(s)));
        }

        @Override
        public synchronized void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
            entry.getKeyValuePairs().forEach((key, value) -> {
                if (key.equals(JOURNAL_KEY) || key.startsWith(JOURNAL_KEY + ".")) {
                    journals.computeIfAbsent(test.getUniqueId(), id -> new TreeMap<>()).put(key, value.strip());
                }
            });
        }

        @Override
        public synchronized void executionSkipped(TestIdentifier test, String reason) {
            classOf(test).ifPresent(name -> classSkips.put(name, reason));
            rowOf(test).ifPresent(row -> {
                row.skip(reason);
                countedThisRound.add(row);
            });
        }

        @Override
        public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
            Map<String, String> published = journals.remove(test.getUniqueId());
            if (test.isTest()) {
                rowOf(test).ifPresent(row -> {
                    row.count(result, published);
                    countedThisRound.add(row);
                });
            } else if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                classOf(test).ifPresent(name -> classResults.put(name, result));
            }
        }

        /**
         * Accounts for the scenarios that did not run in the round just ended: skipped with their
         * class, failed with it, or missing.
         */
        synchronized void endRound() {
            for (Row row : rows.values()) {
                if (countedThisRound.contains(row)) {
                    continue;
                }
                Optional<String> skipped = row.scenario.classes().stream()
                        .map(classSkips::get).filter(r -> r != null).findFirst();
                Optional<TestExecutionResult> ended = row.scenario.classes().stream()
                        .map(classResults::get).filter(r -> r != null).findFirst();
                if (skipped.isPresent()) {
                    row.skip(skipped.get());
                } else if (ended.isPresent() && ended.get().getStatus() == TestExecutionResult.Status.ABORTED) {
                    row.skip(ended.get().getThrowable().map(Throwable::getMessage).orElse("(no reason given)"));
                } else if (ended.isPresent()) {
                    row.count(ended.get(), null);
                } else {
                    row.missing();
                }
            }
            countedThisRound.clear();
            classResults.clear();
            classSkips.clear();
            journals.clear();
        }

        private static Optional<String> classOf(TestIdentifier test) {
            return test.getSource().filter(ClassSource.class::isInstance)
                    .map(source -> ((ClassSource) source).getClassName());
        }

        private Optional<Row> rowOf(TestIdentifier test) {
            Optional<TestSource> source = test.getSource();
            if (source.isEmpty() || !(source.get() instanceof MethodSource)) {
                return Optional.empty();
            }
            MethodSource method = (MethodSource) source.get();
            return rows.values().stream().filter(row -> row.scenario.is(test, method)).findFirst();
        }

        synchronized String report(int trials, int rounds, Duration wall, String shard) {
            StringBuilder out = new StringBuilder();
            out.append("# Determinism run\n\n")
                    .append(String.format("%d trials per scenario requested, %d run, wall time %d.%03d s%s%s; "
                                    + "JDK %s, %s %s, %d CPUs.%n%n",
                            trials, rounds, wall.toSeconds(), wall.toMillisPart(),
                            Boolean.getBoolean("junit.jupiter.execution.parallel.enabled")
                                    ? ", scenarios of a trial in parallel (-Pparallel)" : "", shard,
                            System.getProperty("java.version"), System.getProperty("os.name"),
                            System.getProperty("os.version"), Runtime.getRuntime().availableProcessors()))
                    .append(TRIAL_PASSED).append(TABLE_HEAD);
            rows.values().forEach(row -> out.append(String.format("| %s | %d | %s |%n",
                    row.scenario.name, row.ran, row.ran == 0 && row.skipped > 0
                            ? "skipped" : row.passed + " (" + percent(row.passed, trials) + ")")));
            List<Row> skipped = rows.values().stream().filter(row -> row.skipped > 0).collect(Collectors.toList());
            if (!skipped.isEmpty()) {
                out.append("\n## Skipped\n\n");
                skipped.forEach(row -> out.append("- ").append(row.scenario.name).append(" (")
                        .append(row.skipped).append(" of ").append(rounds).append(" trials): ")
                        .append(String.join("; ", row.skipReasons)).append('\n'));
            }
            out.append(documented(rows.keySet()));
            List<Row> failed = rows.values().stream().filter(row -> !row.failures.isEmpty()).collect(Collectors.toList());
            if (!failed.isEmpty()) {
                out.append("\n## Failures\n\n").append(FAILURES_INTRO);
                failed.forEach(row -> {
                    out.append("\n### ").append(row.scenario.name).append("\n\n");
                    row.failures.forEach(failure -> out.append("- ").append(failure.count).append(" × `")
                            .append(failure.summary).append("`\n\n  ```text\n")
                            .append(indent(failure.message)).append("\n\n")
                            .append(indent(failure.journal == null
                                    ? "(no journal published with this failure: the extension publishes the"
                                            + " journals of the peers it starts, not of peers started in code)"
                                    : failure.journal))
                            .append("\n  ```\n"));
                });
            }
            return out.toString();
        }

        private static String indent(String text) {
            return text.lines().map(line -> "  " + line).collect(Collectors.joining("\n"));
        }

        private static String percent(int count, int trials) {
            return trials == 0 ? "n/a" : String.format("%.1f%%", 100.0 * count / trials);
        }
    }

    /** One way a scenario failed: how many trials, and the first such trial's message and journal. */
    static final class Failure {
        /** Longest failure message kept, in characters. */
        static final int MAX_MESSAGE = 4_000;

        final String summary;
        final String message;
        final String journal;
        int count;

        Failure(String summary, String message, String journal) {
            this.summary = summary;
            this.message = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message;
            this.journal = journal;
        }
    }

    /** One scenario's counts. */
    static final class Row {
        final Scenario scenario;
        final List<Failure> failures = new ArrayList<>();
        final Set<String> skipReasons = new TreeSet<>();
        int ran;
        int passed;
        int skipped;

        Row(Scenario scenario) {
            this.scenario = scenario;
        }

        void count(TestExecutionResult result, Map<String, String> journals) {
            ran++;
            if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                passed++;
                return;
            }
            Throwable thrown = result.getThrowable().orElse(null);
            String summary = (result.getStatus() == TestExecutionResult.Status.ABORTED ? "aborted: " : "")
                    + summary(thrown);
            String journal = journals == null || journals.isEmpty() ? null
                    : journals.entrySet().stream().map(e -> e.getKey() + ":\n" + e.getValue())
                            .collect(Collectors.joining("\n\n"));
            fail(summary, thrown == null ? summary : String.valueOf(thrown), journal);
        }

        void missing() {
            ran++;
            String summary = "did not run (its class neither ran nor was skipped)";
            fail(summary, summary, null);
        }

        void skip(String reason) {
            skipped++;
            skipReasons.add(reason);
        }

        private void fail(String summary, String message, String journal) {
            Failure failure = failures.stream().filter(f -> f.summary.equals(summary)).findFirst().orElseGet(() -> {
                Failure first = new Failure(summary, message, journal);
                failures.add(first);
                return first;
            });
            failure.count++;
        }

        /** The failure's type and the start of its message, on one line, ports left out. */
        private static String summary(Throwable failure) {
            if (failure == null) {
                return "(no throwable)";
            }
            // AssertJ puts a description on a line of its own; keep it with the lines after it
            String first = String.valueOf(failure.getMessage()).lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .limit(3)
                    .collect(Collectors.joining(" "));
            String line = failure.getClass().getSimpleName() + ": " + PORT.matcher(first).replaceAll("127.0.0.1:PORT");
            return line.length() > 300 ? line.substring(0, 300) + "…" : line;
        }
    }
}
