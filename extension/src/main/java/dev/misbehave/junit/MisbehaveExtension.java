package dev.misbehave.junit;

import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.internal.NettyPeer;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The Jupiter glue behind the Misbehave annotations: reads and validates them, starts one peer per
 * test in the test's {@link ExtensionContext.Store} (which closes it when the test ends, whatever
 * the outcome), resolves {@link MisbehavingPeer} parameters, and publishes the journal when a test
 * fails.
 *
 * <p>Users never name this class: the annotations register it. It is public only because an
 * annotation in another package must be able to name it.
 */
public final class MisbehaveExtension
        implements BeforeEachCallback, AfterEachCallback, ParameterResolver, TestExecutionExceptionHandler {

    private static final Namespace NAMESPACE = Namespace.create(MisbehaveExtension.class);
    private static final String PEER = "peer";

    /** Called by JUnit. */
    public MisbehaveExtension() {}

    @Override
    public void beforeEach(ExtensionContext context) {
        FaultAnnotations.find(context).ifPresent(fault -> peerFor(context, fault));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == MisbehavingPeer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException(
                    "The MisbehavingPeer parameter (index " + parameter.getIndex() + ") of ["
                            + parameter.getDeclaringExecutable() + "]: a peer lives for one test, so"
                            + " it can be injected only into test methods and @BeforeEach/@AfterEach"
                            + " methods, not into constructors or @BeforeAll/@AfterAll methods.");
        }
        // Normally beforeEach has started the peer; a parameter resolved earlier (a constructor
        // in a test-method-scoped context) starts it here.
        Optional<NettyPeer> started = existingPeer(context);
        if (started.isPresent()) {
            return started.get();
        }
        Fault fault = FaultAnnotations.find(context).orElseThrow(() -> new ParameterResolutionException(
                "The MisbehavingPeer parameter (index " + parameter.getIndex() + ") of ["
                        + parameter.getDeclaringExecutable() + "]: no Misbehave annotation applies"
                        + " to this test. Annotate the test method or its class with"
                        + " @ForceResetAfter(bytes = ...), @ForceCloseAfter(bytes = ...) or"
                        + " @StallAfter(bytes = ...) to start a peer."));
        return peerFor(context, fault);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown)
            throws Throwable {
        existingPeer(context)
                .ifPresent(peer -> thrown.addSuppressed(new JournalReport(peer.describeJournal())));
        throw thrown;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            existingPeer(context)
                    .ifPresent(peer ->
                            context.publishReportEntry("misbehave.journal", "\n" + peer.describeJournal()));
        }
    }

    /** The test's peer, started on first use; the store closes it when the test ends. */
    private static NettyPeer peerFor(ExtensionContext context, Fault fault) {
        return existingPeer(context).orElseGet(() -> {
            NettyPeer peer = NettyPeer.start(dev.misbehave.Script.silent(), fault, Settings.from(context));
            store(context).put(PEER, peer);
            return peer;
        });
    }

    private static Optional<NettyPeer> existingPeer(ExtensionContext context) {
        return Optional.ofNullable(store(context).get(PEER, NettyPeer.class));
    }

    private static ExtensionContext.Store store(ExtensionContext context) {
        return context.getStore(NAMESPACE);
    }

    /** Carries the journal into the failure report as a suppressed exception. */
    static final class JournalReport extends Exception {
        private static final long serialVersionUID = 1L;

        JournalReport(String journal) {
            super("Misbehave journal of this test's peer:\n" + journal, null, false, false);
        }
    }
}
