package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.misbehave.Connections;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Schedule;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

@Timeout(60)
@DisplayName("Ordinals read as English (issue 13: \"on every 2th connection\")")
class OrdinalTests {

    @ParameterizedTest(name = "every({0}): \"{1}\"")
    @CsvSource({
        "1, on every connection",
        "2, on every 2nd connection",
        "3, on every 3rd connection",
        "4, on every 4th connection",
        "11, on every 11th connection",
        "12, on every 12th connection",
        "13, on every 13th connection",
        "21, on every 21st connection",
        "22, on every 22nd connection",
        "23, on every 23rd connection",
        "101, on every 101st connection",
        "111, on every 111th connection",
        "112, on every 112th connection",
        "1002, on every 1002nd connection",
    })
    void every(int n, String text) {
        assertThat(Schedule.every(n)).hasToString(text);
    }

    @Test
    @DisplayName("the journal published with a failing test says \"on every 2nd connection\"")
    void inTheFailureReport() {
        EngineExecutionResults results = EngineRunner.run(EverySecondTestCases.class);
        results.testEvents().assertThatEvents().haveExactly(1,
                event(test("fails"), finishedWithFailure(message("the test's own failure"))));

        assertThat(results.allEvents().reportingEntryPublished().stream()
                        .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
                        .map(entry -> entry.get("misbehave.journal")))
                .singleElement().asString()
                .contains("#0 from 127.0.0.1:")
                .contains("served normally")
                .contains("#1 from 127.0.0.1:")
                .contains(" on every 2nd connection'")
                .doesNotContain("2th");
    }

    // ---- fixtures: run only through EngineRunner ----

    static class EverySecondTestCases {
        @Test
        @ForceResetAfter(bytes = 0, connections = @Connections(every = 2))
        void fails(MisbehavingPeer peer) throws IOException {
            for (int i = 0; i < 2; i++) {
                new Socket(peer.host(), peer.port()).close();
            }
            peer.awaitConnections(2, Duration.ofSeconds(10));
            throw new AssertionError("the test's own failure");
        }
    }
}
