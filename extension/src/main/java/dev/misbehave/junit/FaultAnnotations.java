package dev.misbehave.junit;

import dev.misbehave.Direction;
import dev.misbehave.Effect;
import dev.misbehave.Fault;
import dev.misbehave.ForceCloseAfter;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.StallAfter;
import dev.misbehave.Trigger;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Finds the Misbehave annotation that applies to a test and turns it into a {@link Fault}, or fails
 * with a message that names the annotation, the attribute, the value, the element and the fix.
 *
 * <p>Search order: the test method; then the test class and its superclasses; then, for a {@code
 * @Nested} class, its enclosing classes outwards. The first element that carries the annotation
 * (directly or through a composed annotation) wins; two on one element are an error.
 */
final class FaultAnnotations {

    private FaultAnnotations() {}

    static Optional<Fault> find(ExtensionContext context) {
        for (AnnotatedElement element : searchOrder(context)) {
            List<Found> found = foundOn(element);
            if (found.size() > 1) {
                throw duplicated(element, found);
            }
            if (found.size() == 1) {
                return Optional.of(toFault(element, found.get(0)));
            }
        }
        return Optional.empty();
    }

    private static List<AnnotatedElement> searchOrder(ExtensionContext context) {
        List<AnnotatedElement> order = new ArrayList<>();
        context.getTestMethod().ifPresent(order::add);
        Class<?> testClass = context.getTestClass().orElse(null);
        for (Class<?> nesting = testClass; nesting != null; nesting = enclosingOfInner(nesting)) {
            for (Class<?> type = nesting; type != null && type != Object.class; type = type.getSuperclass()) {
                order.add(type);
            }
        }
        return order;
    }

    private static Class<?> enclosingOfInner(Class<?> type) {
        boolean inner = type.isMemberClass() && !Modifier.isStatic(type.getModifiers());
        return inner ? type.getEnclosingClass() : null;
    }

    /** A Misbehave annotation on an element, and the composed annotation it came through. */
    private record Found(Annotation annotation, Annotation via) {
        String name() {
            return "@" + annotation.annotationType().getSimpleName();
        }

        String describe() {
            String self = format(annotation);
            return via == null ? self : self + " (via @" + via.annotationType().getSimpleName() + ")";
        }
    }

    private static List<Found> foundOn(AnnotatedElement element) {
        List<Found> found = new ArrayList<>();
        Set<Class<?>> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Annotation annotation : element.getDeclaredAnnotations()) {
            collect(annotation, null, found, visited);
        }
        return found;
    }

    private static void collect(Annotation annotation, Annotation via, List<Found> found, Set<Class<?>> visited) {
        Class<? extends Annotation> type = annotation.annotationType();
        if (type == ForceResetAfter.class || type == ForceCloseAfter.class || type == StallAfter.class) {
            found.add(new Found(annotation, via));
            return;
        }
        if (type.getName().startsWith("java.") || !visited.add(type)) {
            return;
        }
        for (Annotation meta : type.getDeclaredAnnotations()) {
            collect(meta, via == null ? annotation : via, found, visited);
        }
    }

    /** The attributes every "after N bytes" annotation shares, and what it does then. */
    private record AfterBytes(long bytes, Direction direction, String verb, Effect effect) {
        static AfterBytes of(Annotation annotation) {
            if (annotation instanceof ForceResetAfter) {
                ForceResetAfter reset = (ForceResetAfter) annotation;
                return new AfterBytes(reset.bytes(), reset.direction(), "reset", new Effect.Reset());
            }
            if (annotation instanceof ForceCloseAfter) {
                ForceCloseAfter close = (ForceCloseAfter) annotation;
                return new AfterBytes(close.bytes(), close.direction(), "close", new Effect.Close());
            }
            StallAfter stall = (StallAfter) annotation;
            return new AfterBytes(stall.bytes(), stall.direction(), "stall", new Effect.Stall());
        }
    }

    private static Fault toFault(AnnotatedElement element, Found found) {
        AfterBytes attributes = AfterBytes.of(found.annotation());
        String verb = attributes.verb();
        if (attributes.bytes() < 0) {
            throw invalid(element, found, "`bytes` must be 0 or more. Use 0 to " + verb + " right after"
                    + " the connection is accepted, or N to " + verb + " after the client has sent N bytes.");
        }
        if (attributes.direction() != Direction.UPSTREAM) {
            throw invalid(element, found, "`direction` = " + attributes.direction() + " is not"
                    + " supported yet (a " + verb + " after response bytes comes with the fault"
                    + " catalogue). Use direction = UPSTREAM (the default) to " + verb + " after the"
                    + " client has sent N bytes.");
        }
        return new Fault(attributes.effect(), new Trigger.AfterBytes(attributes.direction(), attributes.bytes()));
    }

    private static ExtensionConfigurationException invalid(AnnotatedElement element, Found found, String problem) {
        return new ExtensionConfigurationException(
                found.describe() + " on [" + describe(element) + "]: " + problem);
    }

    private static ExtensionConfigurationException duplicated(AnnotatedElement element, List<Found> found) {
        List<String> each = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (Found one : found) {
            each.add(one.describe());
            names.add(one.name());
        }
        String what = names.size() == 1
                ? names.iterator().next() + " is present " + found.size() + " times"
                : found.size() + " Misbehave annotations are present";
        return new ExtensionConfigurationException(
                what + " on [" + describe(element) + "]: " + String.join(", ", each)
                        + ". Keep one: a test's peer applies a single fault.");
    }

    static String format(Annotation annotation) {
        AfterBytes attributes = AfterBytes.of(annotation);
        return "@" + annotation.annotationType().getSimpleName() + "(bytes = " + attributes.bytes()
                + ", direction = " + attributes.direction() + ")";
    }

    private static String describe(AnnotatedElement element) {
        if (element instanceof Method) {
            return "method " + element;
        }
        if (element instanceof Class) {
            return "class " + ((Class<?>) element).getName();
        }
        return String.valueOf(element);
    }
}
