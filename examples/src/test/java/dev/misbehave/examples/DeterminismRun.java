package dev.misbehave.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectIteration;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.discovery.MethodSelector;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherConstants;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Repeats every example scenario {@code misbehave.determinism.trials} times (5 in the normal build)
 * through the JUnit Platform Launcher and requires the documented outcome and the documented
 * journal in every trial. Writes the table to {@code target/determinism.md}.
 *
 * <p>A trial counts against "outcome" when it failed with an assertion described {@code
 * "outcome"}, against "journal" when described {@code "journal"}, and against both when it failed
 * any other way (an unlabelled assertion, an exception, a timeout, or not running at all).
 *
 * <p>The long run: {@code mvn -B -pl examples -am verify -Dtest=DeterminismRun
 * -Dsurefire.failIfNoSpecifiedTests=false -Dmisbehave.determinism.trials=1000}. With {@code
 * -Pparallel} the scenarios of each trial run with JUnit's parallel execution (the profile's system
 * properties reach this Launcher too).
 */
@DisplayName("The determinism run")
class DeterminismRun {

    /**
     * One example test method, or one invocation of a parameterized one ({@code invocation} 1 or
     * more; 0 for a plain test), and what it documents.
     */
    record Scenario(String name, Class<?> testClass, String methodName, int invocation, String outcome,
            String journal) {

        Scenario(String name, Class<?> testClass, String methodName, String outcome, String journal) {
            this(name, testClass, methodName, 0, outcome, journal);
        }

        DiscoverySelector selector() {
            List<Method> methods = Arrays.stream(testClass.getDeclaredMethods())
                    .filter(m -> m.getName().equals(methodName))
                    .collect(Collectors.toList());
            assertThat(methods).as("test method %s in %s", methodName, testClass.getSimpleName())
                    .hasSize(1);
            MethodSelector method = selectMethod(testClass, methods.get(0));
            return invocation == 0 ? method : selectIteration(method, invocation - 1);
        }

        boolean is(TestIdentifier test, MethodSource source) {
            return source.getClassName().equals(testClass.getName())
                    && source.getMethodName().equals(methodName)
                    && (invocation == 0
                            || test.getUniqueId().endsWith("[test-template-invocation:#" + invocation + "]"));
        }
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("raw socket upload, retried once, reset after 16 B",
                    UploadExamples.class, "retriesOnceThenFails",
                    "UploadFailedException after 2 attempts, cause is a reset",
                    "2 connections, each received exactly the first 16 payload bytes, PEER_RESET"),
            new Scenario("raw socket 8 MiB upload, reset after 100 B",
                    UploadExamples.class, "largeUploadFailsOnWrite",
                    "UploadFailedException in phase SEND, cause is a reset",
                    "1 connection, received exactly the first 100 payload bytes, PEER_RESET"),
            new Scenario("JDK HttpClient POST, reset after 100 B",
                    HttpClientExamples.class, "postIsResetMidRequest",
                    "IOException whose chain is a reset",
                    "1 connection, 100 bytes starting \"POST /events \", PEER_RESET"),
            new Scenario("HttpURLConnection GET, reset after 1 B",
                    HttpUrlConnectionExamples.class, "getIsRetriedSilently",
                    "PriceFeedUnavailableException, cause is a reset",
                    "2 connections, each received \"G\", PEER_RESET"),
            new Scenario("HttpURLConnection POST, reset after 100 B",
                    HttpUrlConnectionExamples.class, "postIsRetriedSilently",
                    "an exception whose chain is a reset",
                    "2 connections, each 100 bytes starting \"POST /orders \", PEER_RESET"),
            new Scenario("raw socket upload, reset on accept (0 B)",
                    UploadExamples.class, "resetOnAccept",
                    "UploadFailedException whose chain is a reset (connect, write or read)",
                    "1 connection, 0 bytes received, PEER_RESET"),
            new Scenario("JDK HttpClient POST, close after 100 B",
                    CloseExamples.class, "postMeetsEndOfStream",
                    "IOException whose chain is end-of-stream (connectionClosed), not a reset",
                    "1 connection, 100 bytes starting \"POST /events \", PEER_CLOSED"),
            new Scenario("JDK HttpClient GET, stall after 16 B",
                    StallExamples.class, "silentServerIsUnresponsive",
                    "HealthCheck says UNRESPONSIVE after its 250 ms timeout (HttpTimeoutException)",
                    "1 connection, received \"GET /health HTTP\", trigger fired, still OPEN"),
            new Scenario("HttpClient download, reset after 256 KiB of body (downstream)",
                    DownloadExamples.class, "crashMidTransfer",
                    "DownloadFailedException, chain is a reset, HttpClient received exactly 262,144 body bytes",
                    "1 connection, sent exactly 67 + 262,144 B, delivery CONFIRMED, PEER_RESET"),
            new Scenario("HttpClient download, close after 100,000 B of body (downstream)",
                    DownloadExamples.class, "truncatedBody",
                    "DownloadFailedException, not a reset, HttpClient received exactly 100,000 body bytes",
                    "1 connection, sent exactly 67 + 100,000 B, PEER_CLOSED"),
            new Scenario("HttpClient download, sliced into 1,000 B writes",
                    DownloadExamples.class, "slicedResponse",
                    "the whole 300,000-byte report",
                    "1 connection, sent 300,067 B"),
            new Scenario("HttpClient download, throttled to 2 MB/s",
                    DownloadExamples.class, "throttledResponse",
                    "the whole report, in no less than 140 ms",
                    "1 connection, sent 300,067 B"),
            new Scenario("HttpClient download, body sliced into 1,000 B writes after the head (bytes trigger)",
                    SlowdownExamples.class, "bodyInPieces",
                    "the whole 300,000-byte report",
                    "1 connection, sent 300,067 B, AfterBytes fired"),
            new Scenario("HttpClient download, throttled to 2 MB/s after the head (pattern trigger)",
                    SlowdownExamples.class, "bodyThrottled",
                    "the whole report, in no less than 140 ms",
                    "1 connection, OnPattern fired"),
            new Scenario("quote client, pooled connection delayed 5 s after its first answer (k-th exchange, first"
                    + " connection only)",
                    SlowdownExamples.class, "slowPooledConnection",
                    "both quotes answered; the second after a 500 ms read timeout and one retry",
                    "2 connections: #0 sent \"12.34\\n\" only, AfterExchanges(1); #1 served"),
            new Scenario("quote client, reset on the 2nd request of a pooled connection (k-th exchange, first connection only)",
                    QuoteExamples.class, "staleConnectionIsRetriedOnce",
                    "both quotes answered; the second after one retry",
                    "2 connections: #0 received \"QUOTE ACME\\nQ\", AfterExchanges(1), PEER_RESET; #1 served"),
            new Scenario("quote client, idle timeout (100 ms) closes the pooled connection",
                    QuoteExamples.class, "idleTimeout",
                    "both quotes answered",
                    "#0 received one request, AfterIdle(100 ms), PEER_CLOSED; a 2nd connection"),
            new Scenario("quote client, half-close after the first answer (downstream)",
                    QuoteExamples.class, "halfClosed",
                    "both quotes answered; the second after one retry",
                    "#0 received both requests, sent 6 B, CLIENT_CLOSED; #1 received the retry"),
            new Scenario("raw socket with 1 s keepalive, stall on accept",
                    StallExamples.class, "keepaliveDoesNotDetectAStalledServer",
                    "SocketTimeoutException after the 2.5 s read timeout, not a keepalive reset",
                    "1 connection, still OPEN"),
            new Scenario("proxy: middlebox resets a pooled connection at its 2nd request",
                    ProxyExamples.class, "middleboxResetsPooledConnection",
                    "both quotes answered, the second after one retry; the real server answered 2",
                    "#0 received \"QUOTE ACME\\nQ\", forwarded 11 B, both legs reset; #1 served"),
            new Scenario("proxy: middlebox resets after 3 B of the answer",
                    ProxyExamples.class, "middleboxResetsMidAnswer",
                    "QuoteUnavailableException caused by a reset; the real server answered 1",
                    "1 connection, sent \"12.\" of the 6 B read from the server"),
            new Scenario("proxy: the real server resets (crash)",
                    ProxyExamples.class, "serverCrashReachesTheClientAsAReset",
                    "QuoteUnavailableException caused by a reset",
                    "1 connection, no fault, PEER_RESET; upstream SERVER_RESET"),
            new Scenario("proxy: the server is down",
                    ProxyExamples.class, "serverDown",
                    "QuoteUnavailableException caused by a reset",
                    "1 connection, upstream NOT_CONNECTED, with why the connect failed"),
            new Scenario("SMTP-style greeting, reset after the 25-byte greeting (downstream)",
                    MailExamples.class, "resetAfterGreeting",
                    "NotificationFailedException, chain is a reset",
                    "1 connection, sent exactly the greeting, delivery CONFIRMED, PEER_RESET"),
            new Scenario("SMTP-style greeting, garbage then close",
                    MailExamples.class, "wrongServiceOnThePort",
                    "NotificationFailedException \"no 220 greeting, got: SSH-2.0-OpenSSH_9.6\"",
                    "1 connection, sent 21 B, PEER_CLOSED"),
            new Scenario("HttpClient POST with retries, first 2 connections reset after 100 B",
                    PaymentsExamples.class, "thirdAttemptSucceeds",
                    "Receipt(attempts=3, status=201)",
                    "3 connections: 2 with the fault (100 B, PEER_RESET), the 3rd served"),
            new Scenario("HttpClient GET, connection refused",
                    HealthExamples.class, "refused",
                    "DOWN, chain is a refusal",
                    "no connections"),
            new Scenario("HttpClient GET, server never accepts",
                    HealthExamples.class, "neverAccepts",
                    "UNRESPONSIVE, HttpConnectTimeoutException",
                    "no connections"),
            new Scenario("HttpClient GET, response delayed 2 s",
                    HealthExamples.class, "slowAnswer",
                    "UNRESPONSIVE, HttpTimeoutException",
                    "1 connection, received the GET, sent 0 B"),
            new Scenario("HttpClient GET, refused, then served after behave()",
                    HealthExamples.class, "recoversWhenTheDependencyComesBack",
                    "DOWN, then UP",
                    "1 connection, served normally"),
            new Scenario("HttpClient POST, reset after the end of the headers (pattern)",
                    RequestCutExamples.class, "resetAfterHeaders",
                    "IOException, chain is a reset",
                    "1 connection, received exactly the head, OnPattern, PEER_RESET"),
            new Scenario("raw socket upload, reset 200 ms after accept (duration)",
                    RequestCutExamples.class, "deadline",
                    "UploadFailedException in phase ACKNOWLEDGE, chain is a reset",
                    "1 connection, 1,024 B received, AfterDuration(200 ms), PEER_RESET"),
            new Scenario("two named peers: api served, db refused",
                    NamedPeersExamples.class, "oneUpOneDown",
                    "api UP, db DOWN (refused)",
                    "api 1 connection, db none, different ports"),
            new Scenario("programmatic peer: healthy, reset, healthy",
                    ProgrammaticExamples.class, "changeTheFaultMidTest",
                    "QuoteUnavailableException, chain is a reset, between two answered quotes",
                    "3 connections: served, fault, served"),
            new Scenario("quote client, stall after the first answer (downstream)",
                    QuoteExamples.class, "stalledAfterFirstAnswer",
                    "both quotes answered; the second after a 200 ms read timeout and one retry",
                    "2 connections, #0 received only the first request and sent 6 B"),
            new Scenario("raw socket uploads with one retry, every 2nd connection reset",
                    ScheduleExamples.class, "everySecondConnection",
                    "3 uploads acknowledged",
                    "5 connections, the fault on the 2nd and 4th"),
            new Scenario("raw socket uploads with one retry, only the 2nd connection reset",
                    ScheduleExamples.class, "onlySecondConnection",
                    "3 uploads acknowledged",
                    "4 connections, the fault on the 2nd only"),
            new Scenario("raw socket uploads with retries, every connection after the first reset",
                    ScheduleExamples.class, "allButFirstConnection",
                    "1st upload acknowledged; 2nd fails after 3 attempts, chain is a reset",
                    "4 connections, the fault on all but the 1st"),
            new Scenario("raw socket 64 KiB upload, uplink throttled to 256 KB/s",
                    SlowNetworkExamples.class, "slowUplink",
                    "acknowledged, in no less than 200 ms",
                    "1 connection, received 65,536 B"),
            new Scenario("HttpClient download, 512 random bytes (seed 42) then reset",
                    SlowNetworkExamples.class, "noiseInsteadOfAResponse",
                    "DownloadFailedException caused by an IOException (ProtocolException)",
                    "1 connection, sent exactly the 512 seeded bytes"),
            new Scenario("Resilience4j PUT (idempotent), first 2 connections reset after 100 B",
                    Resilience4jExamples.class, "idempotentPutSucceedsOnTheThirdAttempt",
                    "Outcome(attempts=3, status=200)",
                    "3 connections: 2 with the fault (100 B, PEER_RESET), the 3rd served \"PUT /stock/SKU-42\""),
            new Scenario("Resilience4j POST (not idempotent), reset after the whole request (pattern)",
                    Resilience4jExamples.class, "postThatMayHaveArrivedIsNotRetried",
                    "CallFailedException after 1 attempt, chain is a reset",
                    "1 connection, received the whole \"POST /reservations\" request, PEER_RESET"),
            new Scenario("Resilience4j POST (not idempotent), connection refused",
                    Resilience4jExamples.class, "refusedPostIsRetried",
                    "CallFailedException after 3 attempts, chain is a refusal",
                    "no connections"),
            new Scenario("Failsafe PUT (idempotent), first 2 connections reset after 100 B",
                    FailsafeExamples.class, "idempotentPutSucceedsOnTheThirdAttempt",
                    "Outcome(attempts=3, status=200)",
                    "3 connections: 2 with the fault (100 B, PEER_RESET), the 3rd served \"PUT /shipments/S-7/address\""),
            new Scenario("Failsafe POST (not idempotent), reset after the whole request (pattern)",
                    FailsafeExamples.class, "postThatMayHaveArrivedIsNotRetried",
                    "CallFailedException after 1 attempt, chain is a reset",
                    "1 connection, received the whole \"POST /shipments\" request, PEER_RESET"),
            new Scenario("Failsafe POST (not idempotent), connection refused",
                    FailsafeExamples.class, "refusedPostIsRetried",
                    "CallFailedException after 3 attempts, chain is a refusal",
                    "no connections"),
            new Scenario("proxy to JDK HttpServer, JDK HttpClient download, reset after 200,000 response B",
                    HttpProxyExamples.class, "crashMidDownload", 1,
                    "DownloadFailedException, chain is a reset, every delivered body byte counted, none accepted",
                    "1 connection, sent exactly 200,000 B, PEER_RESET; server leg read >= 200,000 B, PEER_RESET"),
            new Scenario("proxy to JDK HttpServer, HttpURLConnection download, reset after 200,000 response B",
                    HttpProxyExamples.class, "crashMidDownload", 2,
                    "DownloadFailedException, chain is a reset, every delivered body byte counted, none accepted",
                    "1 connection, sent exactly 200,000 B, PEER_RESET; server leg read >= 200,000 B, PEER_RESET"),
            new Scenario("proxy to JDK HttpServer, OkHttp download, reset after 200,000 response B",
                    HttpProxyExamples.class, "crashMidDownload", 3,
                    "DownloadFailedException, chain is a reset, every delivered body byte counted, none accepted",
                    "1 connection, sent exactly 200,000 B, PEER_RESET; server leg read >= 200,000 B, PEER_RESET"),
            new Scenario("proxy to JDK HttpServer, Apache HttpClient 5 download, reset after 200,000 response B",
                    HttpProxyExamples.class, "crashMidDownload", 4,
                    "DownloadFailedException, chain is a reset, every delivered body byte counted, none accepted",
                    "1 connection, sent exactly 200,000 B, PEER_RESET; server leg read >= 200,000 B, PEER_RESET"),
            new Scenario("proxy to JDK HttpServer, JDK HttpClient 1 MiB upload, reset after 300,000 request B",
                    HttpProxyExamples.class, "middleboxResetsMidUpload", 1,
                    "the upload throws, chain is a reset",
                    "1 connection (not sent twice), received 300,000 B, PEER_RESET both legs; server: 1 upload begun, 0 whole"),
            new Scenario("proxy to JDK HttpServer, HttpURLConnection 1 MiB upload, reset after 300,000 request B",
                    HttpProxyExamples.class, "middleboxResetsMidUpload", 2,
                    "the upload throws, chain is a reset",
                    "1 connection (not sent twice), received 300,000 B, PEER_RESET both legs; server: 1 upload begun, 0 whole"),
            new Scenario("proxy to JDK HttpServer, OkHttp 1 MiB upload, reset after 300,000 request B",
                    HttpProxyExamples.class, "middleboxResetsMidUpload", 3,
                    "the upload throws, chain is a reset",
                    "1 connection (not sent twice), received 300,000 B, PEER_RESET both legs; server: 1 upload begun, 0 whole"),
            new Scenario("proxy to JDK HttpServer, Apache HttpClient 5 1 MiB upload, reset after 300,000 request B",
                    HttpProxyExamples.class, "middleboxResetsMidUpload", 4,
                    "the upload throws, chain is a reset",
                    "1 connection (not sent twice), received 300,000 B, PEER_RESET both legs; server: 1 upload begun, 0 whole"),
            new Scenario("proxy to JDK HttpServer, JDK HttpClient download, the server closes (FIN) after 100 KiB of body",
                    HttpProxyExamples.class, "serverClosesMidBody", 1,
                    "DownloadFailedException after 102,400 body B, classified CLOSED",
                    "1 connection: server leg SERVER_CLOSED, client leg PEER_CLOSED, every byte the server sent passed on"),
            new Scenario("proxy to JDK HttpServer, HttpURLConnection download, the server closes (FIN) after 100 KiB of body",
                    HttpProxyExamples.class, "serverClosesMidBody", 2,
                    "DownloadFailedException \"Body cut short: 102400 of 524288 bytes\" (JDK 17: no exception from the client)",
                    "1 connection: server leg SERVER_CLOSED, client leg PEER_CLOSED, every byte the server sent passed on"),
            new Scenario("proxy to JDK HttpServer, OkHttp download, the server closes (FIN) after 100 KiB of body",
                    HttpProxyExamples.class, "serverClosesMidBody", 3,
                    "DownloadFailedException after 102,400 body B, classified CLOSED",
                    "1 connection: server leg SERVER_CLOSED, client leg PEER_CLOSED, every byte the server sent passed on"),
            new Scenario("proxy to JDK HttpServer, Apache HttpClient 5 download, the server closes (FIN) after 100 KiB of body",
                    HttpProxyExamples.class, "serverClosesMidBody", 4,
                    "DownloadFailedException after 102,400 body B, ConnectionClosedException, not classified",
                    "1 connection: server leg SERVER_CLOSED, client leg PEER_CLOSED, every byte the server sent passed on"),
            new Scenario("proxy to JDK HttpServer, JDK HttpClient two GETs, pooled connection reset at its 2nd request",
                    HttpProxyExamples.class, "staleConnectionGet", 1,
                    "both catalogs returned (the client retried on a fresh connection)",
                    "2 connections: #0 AfterExchanges(1) fired, PEER_RESET; #1 no fault; server: 2 GETs"),
            new Scenario("proxy to JDK HttpServer, HttpURLConnection two GETs, pooled connection reset at its 2nd request",
                    HttpProxyExamples.class, "staleConnectionGet", 2,
                    "both catalogs returned (the client retried on a fresh connection)",
                    "2 connections: #0 AfterExchanges(1) fired, PEER_RESET; #1 no fault; server: 2 GETs"),
            new Scenario("proxy to JDK HttpServer, OkHttp two GETs, pooled connection reset at its 2nd request",
                    HttpProxyExamples.class, "staleConnectionGet", 3,
                    "both catalogs returned (the client retried on a fresh connection)",
                    "2 connections: #0 AfterExchanges(1) fired, PEER_RESET; #1 no fault; server: 2 GETs"),
            new Scenario("proxy to JDK HttpServer, Apache HttpClient 5 two GETs, pooled connection reset at its 2nd request",
                    HttpProxyExamples.class, "staleConnectionGet", 4,
                    "both catalogs returned (the client retried on a fresh connection)",
                    "2 connections: #0 AfterExchanges(1) fired, PEER_RESET; #1 no fault; server: 2 GETs"),
            new Scenario("proxy to JDK HttpServer, JDK HttpClient two POSTs, pooled connection reset at its 2nd request",
                    HttpProxyExamples.class, "staleConnectionPost", 1,
                    "1st upload 201, 2nd throws, chain is a reset (not sent again)",
                    "1 connection, PEER_RESET; server: 1 upload whole"),
            new Scenario("proxy to JDK HttpServer, HttpURLConnection two POSTs, pooled connection reset at its 2nd request",
                    HttpProxyExamples.class, "staleConnectionPost", 2,
                    "1st upload 201, 2nd throws, chain is a reset (not sent again)",
                    "1 connection, PEER_RESET; server: 1 upload whole"),
            new Scenario("proxy to JDK HttpServer, OkHttp two POSTs, pooled connection reset at its 2nd request",
                    HttpProxyExamples.class, "staleConnectionPost", 3,
                    "both uploads 201: OkHttp sent the 2nd POST again on a fresh connection",
                    "2 connections, #0 PEER_RESET; server: 2 uploads whole"),
            new Scenario("proxy to JDK HttpServer, Apache HttpClient 5 two POSTs, pooled connection reset at its 2nd request",
                    HttpProxyExamples.class, "staleConnectionPost", 4,
                    "1st upload 201, 2nd throws, chain is a reset (not sent again)",
                    "1 connection, PEER_RESET; server: 1 upload whole"),
            new Scenario("Resilience4j via proxy to JDK HttpServer, PUT, first 2 connections reset after 100 B",
                    RetryBehindProxyExamples.Resilience4j.class, "idempotentPutSucceedsOnTheThirdAttempt",
                    "Outcome(attempts=3, status=200)",
                    "3 connections, 2 reset after forwarding 100 B; server handled PUT /stock/SKU-42 once"),
            new Scenario("Resilience4j via proxy to JDK HttpServer, POST, reset after the whole request (pattern)",
                    RetryBehindProxyExamples.Resilience4j.class, "postThatReachedTheServerIsNotRetried",
                    "CallFailedException after 1 attempt, chain is a reset",
                    "1 connection, every request byte forwarded; server handled POST /reservations once"),
            new Scenario("Resilience4j via proxy to JDK HttpServer, POST, connection refused",
                    RetryBehindProxyExamples.Resilience4j.class, "refusedPostIsRetried",
                    "CallFailedException after 3 attempts, chain is a refusal",
                    "no connections; server handled no POST /reservations"),
            new Scenario("Failsafe via proxy to JDK HttpServer, PUT, first 2 connections reset after 100 B",
                    RetryBehindProxyExamples.FailsafeRetry.class, "idempotentPutSucceedsOnTheThirdAttempt",
                    "Outcome(attempts=3, status=200)",
                    "3 connections, 2 reset after forwarding 100 B; server handled PUT /shipments/S-7/address once"),
            new Scenario("Failsafe via proxy to JDK HttpServer, POST, reset after the whole request (pattern)",
                    RetryBehindProxyExamples.FailsafeRetry.class, "postThatReachedTheServerIsNotRetried",
                    "CallFailedException after 1 attempt, chain is a reset",
                    "1 connection, every request byte forwarded; server handled POST /shipments once"),
            new Scenario("Failsafe via proxy to JDK HttpServer, POST, connection refused",
                    RetryBehindProxyExamples.FailsafeRetry.class, "refusedPostIsRetried",
                    "CallFailedException after 3 attempts, chain is a refusal",
                    "no connections; server handled no POST /shipments"),
            new Scenario("README quick start, reset after 16 B",
                    UploadExamples.class, "uploadSurfacesTheReset",
                    "the upload throws, and the chain is a reset",
                    "1 connection, 16 bytes received"),
            new Scenario("PostgreSQL read via proxy, reset after 100,000 B of the result set, first connection",
                    DatabaseExamples.class, "resetMidResultSetIsRetried",
                    "all 10,000 rows after 1 retry; HikariCP holds 1 connection (the broken one evicted)",
                    "2 connections: #0 sent exactly 100,000 B, PEER_RESET (server leg PEER_RESET); #1 served in full"),
            new Scenario("PostgreSQL read via proxy, reset after 100,000 B of the result set, every connection",
                    DatabaseExamples.class, "resetMidResultSet",
                    "InventoryUnavailableException after 2 attempts, SQLState 08006, chain is a reset; pool at 0"
                            + " connections; after behave() the read succeeds on 1 connection",
                    "3 connections: #0 and #1 sent exactly 100,000 B, PEER_RESET; #2 without fault"),
            new Scenario("PostgreSQL pool via proxy, idle timeout (600 ms) closes the pooled connection",
                    DatabaseExamples.class, "idleTimeout",
                    "both reads answered, no retry (HikariCP validated the idle connection and replaced it)",
                    "2 connections: #0 AfterIdle(600 ms), PEER_CLOSED; #1 without fault"),
            new Scenario("PostgreSQL UPDATE via proxy, reset after \"UPDATE 1\" (downstream pattern)",
                    DatabaseExamples.class, "writeIsNotRetried",
                    "ReservationOutcomeUnknownException, SQLState 08006, chain is a reset; the row was decremented once",
                    "1 connection (not retried), trigger fired, PEER_RESET"),
            new Scenario("PostgreSQL pool via proxy, the server terminates the backend (pg_terminate_backend)",
                    DatabaseExamples.class, "serverEndsTheConnection",
                    "both reads answered; HikariCP holds 1 connection",
                    "2 connections, no fault: #0's server leg SERVER_CLOSED (awaited before the next query); #1 served"),
            new Scenario("Redis GET via proxy, reset after 100,000 B of a 256 KiB value, every connection",
                    SessionExamples.class, "resetMidGet",
                    "SessionStoreUnavailableException after 2 attempts, JedisConnectionException, chain is a reset;"
                            + " pool created 3, destroyed 2",
                    "3 connections: #0 and #1 sent exactly 100,000 B, PEER_RESET; #2 the pool's idle replacement, 0 B"),
            new Scenario("Redis MGET via proxy, reset after 100,000 B of 4 x 64 KiB, first connection",
                    SessionExamples.class, "resetMidMgetIsRetried",
                    "all 4 sessions after 1 retry; pool created 2, destroyed 1",
                    "2 connections: #0 sent exactly 100,000 B, PEER_RESET; #1 received the same MGET, served"),
            new Scenario("Redis GET via proxy, stall after 100,000 B",
                    SessionExamples.class, "stallIsATimeout",
                    "SessionStoreUnavailableException, timed out, 1 attempt, SocketTimeoutException, in 200 ms to 2 s",
                    "2 connections: #0 sent exactly 100,000 B, trigger fired, OPEN; #1 the idle replacement, 0 B"),
            new Scenario("Redis GET via proxy, close after 100,000 B, every connection",
                    SessionExamples.class, "closeMidGet",
                    "SessionStoreUnavailableException after 2 attempts, \"Unexpected end of stream.\", a close",
                    "3 connections: #0 and #1 sent exactly 100,000 B, PEER_CLOSED; #2 the idle replacement, 0 B"),
            new Scenario("Redis GET via proxy, half-close after 100,000 B, first connection",
                    SessionExamples.class, "halfCloseMidGet",
                    "the 256 KiB session after 1 retry",
                    "2 connections: #0 sent exactly 100,000 B, CLIENT_RESET (Jedis closes with SO_LINGER 0); #1 served"));

    private static final Pattern LABELLED = Pattern.compile("^\\[(outcome|journal)[\\] ]");
    private static final Pattern PORT = Pattern.compile("127\\.0\\.0\\.1:\\d+");

    @Test
    @DisplayName("sees the documented outcome and journal in every trial of every example scenario")
    void everyScenarioBehavesTheSameEveryTime() throws IOException {
        int trials = Integer.getInteger("misbehave.determinism.trials", 5);
        Duration budget = Duration.ofMinutes(Long.getLong("misbehave.determinism.maxMinutes", 30));
        List<Scenario> scenarios = selected(System.getProperty("misbehave.determinism.only", ""));
        Tally tally = new Tally(scenarios);
        Launcher launcher = LauncherFactory.create();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(scenarios.stream().map(Scenario::selector).collect(Collectors.toList()))
                // each example prints one line; capture it as a report entry and tally it
                .configurationParameter(LauncherConstants.CAPTURE_STDOUT_PROPERTY_NAME, "true")
                .build();

        long started = System.nanoTime();
        int rounds = 0;
        while (rounds < trials && System.nanoTime() - started < budget.toNanos()) {
            launcher.execute(request, tally);
            rounds++;
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - started);

        String report = tally.report(trials, rounds, wall);
        System.out.println(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "determinism.md"), report);

        assertThat(tally.rows.values()).allSatisfy(row -> {
            assertThat(row.outcomeOk).as("%s: trials with the documented outcome", row.scenario.name)
                    .isEqualTo(trials);
            assertThat(row.journalOk).as("%s: trials with the documented journal", row.scenario.name)
                    .isEqualTo(trials);
        });
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

    @Nested
    @DisplayName("counts a trial")
    class Counting {

        private Row countOne(TestExecutionResult result) {
            Row row = new Row(SCENARIOS.get(0));
            row.count(result);
            return row;
        }

        @Test
        @DisplayName("that passed for both columns")
        void passed() {
            Row row = countOne(TestExecutionResult.successful());

            assertThat(new int[] {row.ran, row.outcomeOk, row.journalOk}).containsExactly(1, 1, 1);
        }

        @Test
        @DisplayName("that failed an \"outcome\" assertion against the outcome only")
        void outcomeFailure() {
            Row row = countOne(TestExecutionResult.failed(new AssertionError("[outcome] \nExpecting ...")));

            assertThat(new int[] {row.ran, row.outcomeOk, row.journalOk}).containsExactly(1, 0, 1);
        }

        @Test
        @DisplayName("that failed a \"journal\" assertion (also a navigated one) against the journal only")
        void journalFailure() {
            Row row = countOne(TestExecutionResult.failed(
                    new AssertionError("[journal check single element] \nThe following assertion failed")));

            assertThat(new int[] {row.ran, row.outcomeOk, row.journalOk}).containsExactly(1, 1, 0);
            assertThat(row.failures).containsOnlyKeys(
                    "AssertionError: [journal check single element] The following assertion failed");
        }

        @Test
        @DisplayName("that failed any other way against both")
        void otherFailure() {
            Row unlabelled = countOne(TestExecutionResult.failed(new AssertionError("Expecting ...")));
            Row crashed = countOne(TestExecutionResult.failed(new IllegalStateException()));
            Row aborted = countOne(TestExecutionResult.aborted(null));

            assertThat(List.of(unlabelled, crashed, aborted)).allSatisfy(row ->
                    assertThat(new int[] {row.ran, row.outcomeOk, row.journalOk}).containsExactly(1, 0, 0));
        }
    }

    /**
     * Counts, per scenario, the trials that ran, passed each column, and what the client saw. With
     * parallel execution on ({@code -Pparallel}) the Launcher calls it from several threads at once.
     */
    private static final class Tally implements TestExecutionListener {

        final Map<Scenario, Row> rows = new LinkedHashMap<>();

        Tally(List<Scenario> scenarios) {
            scenarios.forEach(s -> rows.put(s, new Row(s)));
        }

        @Override
        public synchronized void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
            String stdout = entry.getKeyValuePairs().get(LauncherConstants.STDOUT_REPORT_ENTRY_KEY);
            if (stdout == null) {
                return;
            }
            rowOf(test).ifPresent(row -> stdout.lines()
                    .filter(line -> line.contains(Observed.MARKER))
                    .map(line -> line.substring(line.indexOf(Observed.MARKER) + Observed.MARKER.length()))
                    .map(line -> PORT.matcher(line).replaceAll("127.0.0.1:PORT"))
                    .forEach(line -> row.observed.merge(line, 1, Integer::sum)));
        }

        @Override
        public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (!test.isTest()) {
                return;
            }
            rowOf(test).ifPresent(row -> row.count(result));
        }

        private Optional<Row> rowOf(TestIdentifier test) {
            Optional<TestSource> source = test.getSource();
            if (source.isEmpty() || !(source.get() instanceof MethodSource)) {
                return Optional.empty();
            }
            MethodSource method = (MethodSource) source.get();
            return rows.values().stream().filter(row -> row.scenario.is(test, method)).findFirst();
        }

        synchronized String report(int trials, int rounds, Duration wall) {
            StringBuilder out = new StringBuilder();
            out.append("# Determinism run\n\n")
                    .append(String.format("%d trials per scenario requested, %d run, wall time %d.%03d s%s; "
                                    + "JDK %s, %s %s, %d CPUs.%n%n",
                            trials, rounds, wall.toSeconds(), wall.toMillisPart(),
                            Boolean.getBoolean("junit.jupiter.execution.parallel.enabled")
                                    ? ", scenarios of a trial in parallel (-Pparallel)" : "",
                            System.getProperty("java.version"), System.getProperty("os.name"),
                            System.getProperty("os.version"), Runtime.getRuntime().availableProcessors()))
                    .append("| scenario | trials | documented outcome seen | documented journal seen |\n")
                    .append("|---|---:|---:|---:|\n");
            rows.values().forEach(row -> out.append(String.format("| %s | %d | %d (%s) | %d (%s) |%n",
                    row.scenario.name, row.ran, row.outcomeOk, percent(row.outcomeOk, trials),
                    row.journalOk, percent(row.journalOk, trials))));
            out.append("\n## Documented\n\n| scenario | outcome | journal |\n|---|---|---|\n");
            rows.values().forEach(row -> out.append(String.format("| %s | %s | %s |%n",
                    row.scenario.name, row.scenario.outcome, row.scenario.journal)));
            out.append("\n## What the client observed (count: line printed by the example)\n\n");
            rows.values().forEach(row -> {
                out.append("- ").append(row.scenario.name).append('\n');
                if (row.observed.isEmpty()) {
                    out.append("  - (this example prints nothing)\n");
                }
                row.observed.forEach((line, count) ->
                        out.append("  - ").append(count).append(": `").append(line).append("`\n"));
            });
            boolean anyFailure = rows.values().stream().anyMatch(row -> !row.failures.isEmpty());
            if (anyFailure) {
                out.append("\n## Failures (count: start of the failure message)\n\n");
                rows.values().stream().filter(row -> !row.failures.isEmpty()).forEach(row -> {
                    out.append("- ").append(row.scenario.name).append('\n');
                    row.failures.forEach((line, count) ->
                            out.append("  - ").append(count).append(": `").append(line).append("`\n"));
                });
            }
            return out.toString();
        }

        private static String percent(int count, int trials) {
            return trials == 0 ? "n/a" : String.format("%.1f%%", 100.0 * count / trials);
        }
    }

    /** One scenario's counts. */
    private static final class Row {
        final Scenario scenario;
        final Map<String, Integer> observed = new TreeMap<>();
        final Map<String, Integer> failures = new TreeMap<>();
        int ran;
        int outcomeOk;
        int journalOk;

        Row(Scenario scenario) {
            this.scenario = scenario;
        }

        void count(TestExecutionResult result) {
            ran++;
            if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                outcomeOk++;
                journalOk++;
                return;
            }
            Throwable failure = result.getThrowable().orElse(null);
            String message = failure == null ? null : failure.getMessage();
            String label = message == null ? "" : labelOf(message.strip());
            if (label.equals("journal")) {
                outcomeOk++;
            } else if (label.equals("outcome")) {
                journalOk++;
            }
            failures.merge(firstLine(failure), 1, Integer::sum);
        }

        private static String labelOf(String message) {
            var matcher = LABELLED.matcher(message);
            return matcher.find() ? matcher.group(1) : "";
        }

        private static String firstLine(Throwable failure) {
            if (failure == null) {
                return "(no throwable)";
            }
            // AssertJ puts the description on a line of its own; keep it with the line after it
            String first = String.valueOf(failure.getMessage()).lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .limit(2)
                    .collect(Collectors.joining(" "));
            String line = failure.getClass().getSimpleName() + ": " + PORT.matcher(first).replaceAll("127.0.0.1:PORT");
            return line.length() > 300 ? line.substring(0, 300) + "…" : line;
        }
    }
}
