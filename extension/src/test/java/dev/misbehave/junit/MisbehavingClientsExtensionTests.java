package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.ClientEnding;
import dev.misbehave.ClientRecord;
import dev.misbehave.Effect;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.MisbehavingClient;
import dev.misbehave.MisbehavingClients;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.Script;
import dev.misbehave.Trigger;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

@Timeout(60)
@Execution(ExecutionMode.SAME_THREAD) // the fixture reports through static fields
@DisplayName("MisbehavingClients through the Jupiter engine: injected, closed when the test ends, journalled when it fails")
class MisbehavingClientsExtensionTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The server the fixture's clients connect to, and the clients each fixture test opened. */
    static volatile MisbehavingPeer server;
    static final Map<String, MisbehavingClient> OPENED = new ConcurrentHashMap<>();

    @ExtendWith(MisbehaveExtension.class)
    @Execution(ExecutionMode.SAME_THREAD)
    static class Fixture {
        @Test
        void passes(MisbehavingClients clients) {
            MisbehavingClient client = clients.to(server.address())
                    .sending("hello")
                    .with(new Fault(Effect.stall(), Trigger.afterBytes(dev.misbehave.Direction.UPSTREAM, 2)))
                    .open();
            OPENED.put("passes", client);
            client.awaitJournal(journal -> journal.get(0).firedTrigger().isPresent(), WAIT);
        }

        @Test
        void fails(MisbehavingClients clients) {
            MisbehavingClient client = clients.to(server.host(), server.port()).sending("abc").open();
            OPENED.put("fails", client);
            client.awaitJournal(journal -> journal.get(0).sentCount() == 3, WAIT);
            throw new AssertionError("failed on purpose");
        }
    }

    @Test
    @DisplayName("a test's clients are closed when it ends, passed or failed; a failure carries their journals")
    void closedAndJournalled() {
        try (MisbehavingPeer peer = MisbehavingPeer.start(Script.silent())) {
            server = peer;
            EngineExecutionResults results = EngineRunner.run(Fixture.class);

            results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
            ClientRecord passed = OPENED.get("passes").connections().get(0);
            ClientRecord failed = OPENED.get("fails").connections().get(0);
            assertThat(passed.ending()).isEqualTo(ClientEnding.CLOSED_BY_TEST);
            assertThat(passed.sentCount()).isEqualTo(2);
            assertThat(failed.ending()).isEqualTo(ClientEnding.CLOSED_BY_TEST);
            assertThat(peer.awaitConnections(2, WAIT)).extracting(record -> record.ending())
                    .containsOnly(Ending.CLIENT_CLOSED);

            Event failure = results.testEvents().failed().stream().findFirst().orElseThrow();
            Throwable thrown = failure.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
                    .orElseThrow();
            assertThat(thrown).hasMessage("failed on purpose");
            assertThat(thrown.getSuppressed()).singleElement().satisfies(report -> assertThat(report.getMessage())
                    .startsWith("Misbehave journal of misbehaving client of 127.0.0.1:" + peer.port() + ":")
                    .contains("#0 from 127.0.0.1:")
                    .contains("sent 3 B |abc|, received 0 B, well-behaved, trigger none, OPEN"));
        } finally {
            server = null;
            OPENED.clear();
        }
    }
}
