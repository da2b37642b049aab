package dev.misbehave.junit;

import dev.misbehave.MisbehavingClient;
import dev.misbehave.MisbehavingClients;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerName;
import dev.misbehave.internal.Addresses;
import dev.misbehave.internal.NettyPeer;
import dev.misbehave.internal.PeerSettings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The Jupiter glue behind the Misbehave annotations: reads and validates them, starts a test's
 * peers in the test's {@link ExtensionContext.Store} (which closes them when the test ends, whatever
 * the outcome), starts the peers of static fields in the class's store, assigns peers to fields,
 * resolves {@link MisbehavingPeer} parameters by {@link PeerName}, and publishes the journals when a
 * test fails.
 *
 * <p>Users never name this class: the annotations register it. It is public only because an
 * annotation in another package must be able to name it.
 */
public final class MisbehaveExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver,
                TestExecutionExceptionHandler {

    private static final Namespace NAMESPACE = Namespace.create(MisbehaveExtension.class);
    private static final String TEST_PEERS = "test peers";
    private static final String JOURNAL_KEY = "misbehave.journal";
    private static final String CLIENTS = "misbehaving clients";

    /** Called by JUnit. */
    public MisbehaveExtension() {}

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        List<PeerPlan> plans = fieldPlans(testClass, field -> Modifier.isStatic(field.getModifiers()), null);
        if (plans.isEmpty() || store(context).get(staticKey(testClass)) != null) {
            return;
        }
        TestPeers peers = new TestPeers(true);
        store(context).put(staticKey(testClass), peers);
        PeerSettings settings = Settings.from(context);
        InetSocketAddress listen = Settings.listenAddress(context);
        for (PeerPlan plan : plans) {
            assign(plan.field(), null, peers.start(plan, settings, listen));
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        testPeers(context, true);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == MisbehavingPeer.class || type == MisbehavingClients.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == MisbehavingClients.class) {
            // the store closes it (it is AutoCloseable) when this context ends: the test's, or the class's
            return store(context).getOrComputeIfAbsent(CLIENTS, key -> new MisbehavingClients(), MisbehavingClients.class);
        }
        if (context.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException(
                    "The MisbehavingPeer parameter (index " + parameter.getIndex() + ") of ["
                            + parameter.getDeclaringExecutable() + "]: a peer lives for one test, so"
                            + " it can be injected only into test methods and @BeforeEach/@AfterEach"
                            + " methods, not into constructors or @BeforeAll/@AfterAll methods.");
        }
        Optional<PeerName> peerName = parameter.findAnnotation(PeerName.class);
        String name = peerName.map(PeerName::value).orElse("");
        // Normally beforeEach has started the peers; a parameter resolved earlier (a constructor
        // in a test-method-scoped context) starts them here.
        TestPeers peers = testPeers(context, false);
        Optional<NettyPeer> peer = peers.get(name).or(() -> sharedPeer(context, name));
        return peer.orElseThrow(() -> unknownPeer(parameter, context, peers, name, peerName.isPresent()));
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        for (TestPeers.Running running : runningPeers(context)) {
            thrown.addSuppressed(new JournalReport(running.label(), running.peer().describeJournal()));
        }
        MisbehavingClients clients = store(context).get(CLIENTS, MisbehavingClients.class);
        if (clients != null) {
            for (MisbehavingClient client : clients.opened()) {
                thrown.addSuppressed(new JournalReport("misbehaving client of " + Addresses.of(client.server()),
                        client.describeJournal()));
            }
        }
        throw thrown;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isEmpty()) {
            return;
        }
        Map<String, String> journals = new LinkedHashMap<>();
        for (TestPeers.Running running : runningPeers(context)) {
            String key = running.name().isEmpty() ? JOURNAL_KEY : JOURNAL_KEY + "." + running.name();
            journals.putIfAbsent(key, "\n" + running.peer().describeJournal());
        }
        if (!journals.isEmpty()) {
            context.publishReportEntry(journals);
        }
    }

    // ---- the peers of one test ----

    /**
     * The test's peers, started on first use: every plan is validated before the first peer starts.
     * With {@code withFields}, the peers of the test instances' fields too (they need the instances,
     * which a constructor parameter is resolved before).
     */
    private static TestPeers testPeers(ExtensionContext context, boolean withFields) {
        TestPeers existing = store(context).get(TEST_PEERS, TestPeers.class);
        if (existing != null && (existing.fieldsStarted() || !withFields)) {
            return existing;
        }
        List<PeerPlan> plans = existing == null ? PeerPlan.forTest(context) : List.of();
        List<FieldPeer> fields = withFields ? instanceFieldPlans(context) : List.of();
        checkNamesUnique(context, existing, plans, fields);
        TestPeers peers = existing;
        if (peers == null) {
            peers = new TestPeers(false);
            store(context).put(TEST_PEERS, peers);
        }
        PeerSettings settings = Settings.from(context);
        InetSocketAddress listen = Settings.listenAddress(context);
        for (PeerPlan plan : plans) {
            peers.start(plan, settings, listen);
        }
        for (FieldPeer field : fields) {
            assign(field.plan().field(), field.instance(), peers.start(field.plan(), settings, listen));
        }
        if (withFields) {
            peers.markFieldsStarted();
        }
        return peers;
    }

    /** A peer an instance field declares, and the test instance that holds the field. */
    private record FieldPeer(Object instance, PeerPlan plan) {}

    private static List<FieldPeer> instanceFieldPlans(ExtensionContext context) {
        List<FieldPeer> fields = new ArrayList<>();
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            for (PeerPlan plan : fieldPlans(instance.getClass(), field -> !Modifier.isStatic(field.getModifiers()),
                    PeerPlan.instancesOf(context))) {
                fields.add(new FieldPeer(instance, plan));
            }
        }
        return fields;
    }

    /** @param instances the test instances, read at connection time; null for static fields */
    private static List<PeerPlan> fieldPlans(Class<?> type, Predicate<Field> which, Supplier<List<Object>> instances) {
        List<PeerPlan> plans = new ArrayList<>();
        for (Field field : DECLARING_FIELDS.get(type)) {
            if (which.test(field)) {
                PeerPlan plan = PeerPlan.forField(field, type, instances);
                if (plan != null) {
                    plans.add(plan);
                }
            }
        }
        return plans;
    }

    /**
     * The fields of a class and its superclasses that carry a Misbehave annotation, top down: found
     * once per class, not once per test.
     */
    private static final ClassValue<List<Field>> DECLARING_FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            return List.copyOf(ReflectionSupport.findFields(
                    type, field -> !Declaration.on(field).isEmpty(), HierarchyTraversalMode.TOP_DOWN));
        }
    };

    /** A name means one peer: an annotation's {@code peer} and a field's name must not meet. */
    private static void checkNamesUnique(
            ExtensionContext context, TestPeers started, List<PeerPlan> plans, List<FieldPeer> fields) {
        // who declared each name, described only when two meet: most tests never need the text
        Map<String, Supplier<String>> declaredBy = new LinkedHashMap<>();
        if (started != null) {
            started.names().forEach(name -> declaredBy.put(name, () -> "an annotation of the test"));
        }
        for (TestPeers shared : sharedPeers(context)) {
            for (TestPeers.Running running : shared.running()) {
                declaredBy.put(running.name(), () -> "a static field");
            }
        }
        List<PeerPlan> all = new ArrayList<>(plans);
        fields.forEach(field -> all.add(field.plan()));
        for (PeerPlan plan : all) {
            Supplier<String> by = () -> plan.field() != null
                    ? "field " + plan.field()
                    : (plan.faultFrom() != null ? plan.faultFrom() : plan.scriptFrom()).describe();
            Supplier<String> earlier = declaredBy.putIfAbsent(plan.name(), by);
            if (earlier != null) {
                throw new ExtensionConfigurationException(
                        "Peer " + AnnotationText.quote(plan.name()) + " is declared twice for ["
                                + Declaration.describeElement(context.getRequiredTestMethod()) + "]: by "
                                + earlier.get() + " and by " + by.get() + ". A field's name is its peer's name;"
                                + " rename the field or change the annotation's `peer`.");
            }
        }
    }

    private static void assign(Field field, Object instance, NettyPeer peer) {
        try {
            field.setAccessible(true);
            field.set(instance, peer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExtensionConfigurationException(
                    "Cannot assign the peer to [field " + field + "]: " + e.getMessage(), e);
        }
    }

    // ---- the peers of static fields, shared by a class's tests ----

    private static Optional<NettyPeer> sharedPeer(ExtensionContext context, String name) {
        for (TestPeers shared : sharedPeers(context)) {
            Optional<NettyPeer> peer = shared.get(name);
            if (peer.isPresent()) {
                return peer;
            }
        }
        return Optional.empty();
    }

    /** The static-field peers of the test class and the classes it is nested in. */
    private static List<TestPeers> sharedPeers(ExtensionContext context) {
        List<TestPeers> shared = new ArrayList<>();
        for (Class<?> type = context.getRequiredTestClass(); type != null; type = PeerPlan.enclosingOfInner(type)) {
            TestPeers peers = store(context).get(staticKey(type), TestPeers.class);
            if (peers != null) {
                shared.add(peers);
            }
        }
        return shared;
    }

    private static List<TestPeers.Running> runningPeers(ExtensionContext context) {
        List<TestPeers.Running> running = new ArrayList<>();
        TestPeers own = store(context).get(TEST_PEERS, TestPeers.class);
        if (own != null) {
            running.addAll(own.running());
        }
        sharedPeers(context).forEach(shared -> running.addAll(shared.running()));
        return running;
    }

    private static List<Object> staticKey(Class<?> type) {
        return List.of("static field peers", type);
    }

    private static ExtensionContext.Store store(ExtensionContext context) {
        return context.getStore(NAMESPACE);
    }

    // ---- messages ----

    private static ParameterResolutionException unknownPeer(
            ParameterContext parameter, ExtensionContext context, TestPeers peers, String name, boolean named) {
        Set<String> declared = new TreeSet<>(peers.names());
        sharedPeers(context).forEach(shared -> declared.addAll(shared.names()));
        String which = "The MisbehavingPeer parameter (index " + parameter.getIndex() + ") of ["
                + parameter.getDeclaringExecutable() + "]";
        if (declared.isEmpty()) {
            return new ParameterResolutionException(which + ": no Misbehave annotation applies to this test."
                    + " Annotate the test method or its class with a fault such as @ForceResetAfter(bytes ="
                    + " ...), or with @PeerScript (or @ProxyTo) for a well-behaved peer, to start a peer.");
        }
        List<String> names = declared.stream().map(AnnotationText::quote).toList();
        String asks = named
                ? " asks for peer " + AnnotationText.quote(name) + " (@PeerName(" + AnnotationText.quote(name) + "))"
                : " has no @PeerName, so it asks for the peer named \"\"";
        return new ParameterResolutionException(which + asks + ", but this test declares only "
                + String.join(", ", names) + ". Use @PeerName with one of those names, or declare "
                + AnnotationText.quote(name) + " with an annotation whose `peer` = " + AnnotationText.quote(name)
                + ".");
    }

    /** Carries a peer's journal into the failure report as a suppressed exception. */
    static final class JournalReport extends Exception {
        private static final long serialVersionUID = 1L;

        JournalReport(String label, String journal) {
            super("Misbehave journal of " + label + ":\n" + journal, null, false, false);
        }
    }
}
