package dev.misbehave.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Runs fixture classes through the Jupiter engine, in parallel mode, as a user's build would. */
final class EngineRunner {

    private EngineRunner() {}

    static EngineExecutionResults run(Class<?> fixture) {
        return run(fixture, Map.of());
    }

    static EngineExecutionResults run(Class<?> fixture, Map<String, String> configuration) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameters(configuration)
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .selectors(selectClass(fixture))
                .execute();
    }

    /**
     * Asserts that {@code count} tests started and all succeeded; otherwise fails with the first failed
     * test's name and throwable, so a rare failure among many repetitions can be read, not only counted.
     */
    static void assertAllSucceeded(EngineExecutionResults results, int count) {
        var failed = results.testEvents().failed().stream().findFirst();
        if (failed.isPresent()) {
            Event event = failed.get();
            Throwable cause = event.getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable).orElse(null);
            throw new AssertionError(results.testEvents().failed().count() + " of " + count + " tests failed; the first: "
                    + event.getTestDescriptor().getDisplayName(), cause);
        }
        results.testEvents().assertStatistics(stats -> stats.started(count).succeeded(count));
    }
}
