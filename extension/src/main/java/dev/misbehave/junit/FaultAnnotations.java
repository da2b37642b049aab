package dev.misbehave.junit;

import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.ForceResetAfter;
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

    static ExtensionConfigurationException noneFound(ExtensionContext context) {
        return new ExtensionConfigurationException(
                "No Misbehave annotation applies to [" + context.getElement().orElse(null)
                        + "]. Annotate the test method or its class with @ForceResetAfter(bytes = ...).");
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

    /** A {@code @ForceResetAfter} on an element, and the composed annotation it came through. */
    private record Found(ForceResetAfter annotation, Annotation via) {
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
        if (type == ForceResetAfter.class) {
            found.add(new Found((ForceResetAfter) annotation, via));
            return;
        }
        if (type.getName().startsWith("java.") || !visited.add(type)) {
            return;
        }
        for (Annotation meta : type.getDeclaredAnnotations()) {
            collect(meta, via == null ? annotation : via, found, visited);
        }
    }

    private static Fault toFault(AnnotatedElement element, Found found) {
        ForceResetAfter annotation = found.annotation();
        if (annotation.bytes() < 0) {
            throw invalid(element, found, "`bytes` must be 0 or more. Use 0 to reset right after the"
                    + " connection is accepted, or N to reset after the client has sent N bytes.");
        }
        if (annotation.direction() != Direction.UPSTREAM) {
            throw invalid(element, found, "`direction` = " + annotation.direction() + " is not"
                    + " supported yet (a reset after response bytes comes with the fault catalogue)."
                    + " Use direction = UPSTREAM (the default) to reset after the client has sent N"
                    + " bytes.");
        }
        return Fault.resetAfter(annotation.direction(), annotation.bytes());
    }

    private static ExtensionConfigurationException invalid(AnnotatedElement element, Found found, String problem) {
        return new ExtensionConfigurationException(
                found.describe() + " on [" + describe(element) + "]: " + problem);
    }

    private static ExtensionConfigurationException duplicated(AnnotatedElement element, List<Found> found) {
        List<String> each = new ArrayList<>();
        for (Found one : found) {
            each.add(one.describe());
        }
        return new ExtensionConfigurationException(
                "@ForceResetAfter is present " + found.size() + " times on [" + describe(element)
                        + "]: " + String.join(", ", each) + ". Keep one: a test's peer applies a single"
                        + " fault.");
    }

    static String format(ForceResetAfter annotation) {
        return "@ForceResetAfter(bytes = " + annotation.bytes() + ", direction = "
                + annotation.direction() + ")";
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
