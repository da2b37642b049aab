package dev.misbehave.junit;

import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.Script;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstances;

/**
 * One peer a test needs, validated and ready to start: its name, its script and fault (null for a
 * well-behaved peer), the annotations they came from, and the field to assign it to (null for a
 * peer declared on a method or class).
 */
record PeerPlan(String name, Script script, Fault fault, Declaration faultFrom, Declaration scriptFrom, Field field) {

    /**
     * The peers the annotations on a test's method, class, superclasses and enclosing classes
     * declare, one per peer name. For each name, the first element in that order that declares a
     * fault gives the fault, and the first that declares a script gives the script.
     */
    static List<PeerPlan> forTest(ExtensionContext context) {
        Method method = context.getTestMethod().orElse(null);
        if (method == null) {
            return parse(context);
        }
        Map<Method, List<PeerPlan>> parsed = PARSED.get(context.getRequiredTestClass());
        List<PeerPlan> plans = parsed.get(method);
        if (plans == null) {
            plans = List.copyOf(parse(context));
            if (plans.stream().allMatch(PeerPlan::dependsOnAnnotationsOnly)) {
                parsed.put(method, plans);
            }
        }
        return plans;
    }

    /**
     * The plans of each test method of a test class, parsed once: a test run many times (repeated,
     * parameterised, or in a class with many tests of the same annotations) reads its annotations
     * only the first time. Only plans that depend on the annotations alone are kept; a {@code @ProxyTo}
     * may name a member of the test instance, so its plan is parsed for every test.
     */
    private static final ClassValue<Map<Method, List<PeerPlan>>> PARSED = new ClassValue<>() {
        @Override
        protected Map<Method, List<PeerPlan>> computeValue(Class<?> testClass) {
            return new ConcurrentHashMap<>();
        }
    };

    private boolean dependsOnAnnotationsOnly() {
        return field == null && (scriptFrom == null || scriptFrom.annotation() instanceof PeerScript);
    }

    private static List<PeerPlan> parse(ExtensionContext context) {
        Map<String, Declaration> faults = new LinkedHashMap<>();
        Map<String, Declaration> scripts = new LinkedHashMap<>();
        for (AnnotatedElement element : searchOrder(context)) {
            List<Declaration> found = Declaration.on(element);
            byName(found, true).forEach((name, same) -> faults.putIfAbsent(name, single(element, name, same, true)));
            byName(found, false).forEach((name, same) -> scripts.putIfAbsent(name, single(element, name, same, false)));
        }
        Set<String> names = new java.util.LinkedHashSet<>(faults.keySet());
        names.addAll(scripts.keySet());
        Class<?> testClass = context.getRequiredTestClass();
        List<PeerPlan> plans = new ArrayList<>();
        for (String name : names) {
            plans.add(plan(name, faults.get(name), scripts.get(name), testClass, null, instancesOf(context)));
        }
        return plans;
    }

    /**
     * The peer a field declares, or null if no Misbehave annotation is on it; {@code testClass} loads
     * resources.
     */
    static PeerPlan forField(Field field, Class<?> testClass, Supplier<List<Object>> instances) {
        List<Declaration> found = Declaration.on(field);
        if (found.isEmpty()) {
            return null;
        }
        Declaration first = found.get(0);
        if (field.getType() != MisbehavingPeer.class) {
            throw first.invalid("the field's type is " + field.getType().getName() + ", but only a field of"
                    + " type MisbehavingPeer can receive a peer. Declare it as MisbehavingPeer "
                    + field.getName() + ".");
        }
        if (Modifier.isFinal(field.getModifiers())) {
            throw first.invalid("the field is final, so the peer cannot be assigned to it. Remove final.");
        }
        for (Declaration declaration : found) {
            if (!declaration.peer().isEmpty()) {
                throw declaration.invalid("`peer` = " + AnnotationText.quote(declaration.peer()) + " must be"
                        + " empty on a field: the field's name, " + field.getName() + ", names its peer."
                        + " Remove peer, and use @PeerName(\"" + field.getName() + "\") on a parameter"
                        + " that wants this peer.");
            }
        }
        Map<String, List<Declaration>> faults = byName(found, true);
        Map<String, List<Declaration>> scripts = byName(found, false);
        Declaration fault = faults.isEmpty() ? null : single(field, "", faults.get(""), true);
        Declaration script = scripts.isEmpty() ? null : single(field, "", scripts.get(""), false);
        return plan(field.getName(), fault, script, testClass, field, instances);
    }

    /** The test instances of {@code context} when asked (none before they exist). */
    static Supplier<List<Object>> instancesOf(ExtensionContext context) {
        return () -> context.getTestInstances().map(TestInstances::getAllInstances).orElse(List.of());
    }

    private static PeerPlan plan(
            String name, Declaration faultFrom, Declaration scriptFrom, Class<?> testClass, Field field,
            Supplier<List<Object>> instances) {
        Script script = scriptFrom == null ? Script.silent() : Scripts.from(scriptFrom, testClass, instances);
        Fault fault = faultFrom == null ? null : Faults.from(faultFrom);
        if (fault != null) {
            if (fault.unrunnableBy(script).orElse(null) == Fault.Unrunnable.NEEDS_TLS) {
                throw faultFrom.invalid(fault.effect() instanceof dev.misbehave.Effect.Truncate
                        ? "`closeNotify` = false ends a TLS connection without close_notify, but the peer is plain"
                                + " TCP. Add @PeerScript(tls = true) for the peer, or remove closeNotify."
                        : fault.effect() instanceof dev.misbehave.Effect.CorruptRecord
                        ? "`corruptRecord` = true corrupts a TLS record, but the peer is plain TCP. Add"
                                + " @PeerScript(tls = true) for the peer, or remove corruptRecord."
                        : "it acts on the TLS handshake, but the peer is plain TCP. Add @PeerScript(tls = true) for"
                                + " the peer.");
            }
            try {
                fault.requireRunnableBy(script);
            } catch (IllegalArgumentException rejected) {
                String with = scriptFrom == null
                        ? "a silent peer (no @PeerScript)"
                        : scriptFrom.describe() + " on " + scriptFrom.where();
                String scriptName = scriptFrom == null ? "@PeerScript" : scriptFrom.name();
                throw faultFrom.invalid("the peer cannot run this fault with " + with + ": "
                        + sentence(rejected.getMessage()) + " Change the fault or the peer's " + scriptName + ".");
            }
        }
        return new PeerPlan(name, script, fault, faultFrom, scriptFrom, field);
    }

    private static String sentence(String text) {
        return text.endsWith(".") ? text : text + ".";
    }

    private static Map<String, List<Declaration>> byName(List<Declaration> found, boolean faults) {
        Map<String, List<Declaration>> byName = new LinkedHashMap<>();
        for (Declaration declaration : found) {
            if (declaration.isFault() == faults) {
                byName.computeIfAbsent(declaration.peer(), n -> new ArrayList<>()).add(declaration);
            }
        }
        return byName;
    }

    /** The one declaration for a name on an element; two are an error. */
    private static Declaration single(AnnotatedElement element, String name, List<Declaration> same, boolean fault) {
        if (same.size() == 1) {
            return same.get(0);
        }
        Set<String> types = new TreeSet<>();
        List<String> each = new ArrayList<>();
        for (Declaration declaration : same) {
            types.add(declaration.name());
            each.add(declaration.describe());
        }
        String what = types.size() == 1
                ? types.iterator().next() + " is present " + same.size() + " times"
                : same.size() + " Misbehave " + (fault ? "fault" : "script") + " annotations are present";
        String forPeer = name.isEmpty() ? "" : " for peer " + AnnotationText.quote(name);
        String fix = fault
                ? "Keep one: a peer applies a single fault."
                : "Keep one: a peer has a single script (@PeerScript, or @ProxyTo for a proxy).";
        if (name.isEmpty() && !(element instanceof Field)) {
            fix += " To give several peers their own, set a different `peer` on each.";
        }
        return failDuplicate(what + forPeer + " on [" + Declaration.describeElement(element) + "]: "
                + String.join(", ", each) + ". " + fix);
    }

    private static Declaration failDuplicate(String message) {
        throw new ExtensionConfigurationException(message);
    }

    private static List<AnnotatedElement> searchOrder(ExtensionContext context) {
        List<AnnotatedElement> order = new ArrayList<>();
        context.getTestMethod().ifPresent(order::add);
        for (Class<?> nesting = context.getRequiredTestClass(); nesting != null; nesting = enclosingOfInner(nesting)) {
            for (Class<?> type = nesting; type != null && type != Object.class; type = type.getSuperclass()) {
                order.add(type);
            }
        }
        return order;
    }

    /** The class a {@code @Nested} (inner) class is nested in, or null. */
    static Class<?> enclosingOfInner(Class<?> type) {
        boolean inner = type.isMemberClass() && !Modifier.isStatic(type.getModifiers());
        return inner ? type.getEnclosingClass() : null;
    }
}
