package dev.misbehave.junit;

import dev.misbehave.PeerScript;
import dev.misbehave.ProxyTo;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * One Misbehave annotation that applies to an element: the annotation, the composed annotation it
 * came through (or null), and the element it was found on. Knows how to describe itself for
 * messages: {@code @ForceResetAfter(bytes = -1) (via @FlakyServer) on [method ...]}.
 */
record Declaration(Annotation annotation, Annotation via, AnnotatedElement element) {

    /** The annotations that give a peer a fault. */
    static final List<Class<? extends Annotation>> FAULTS = List.copyOf(Faults.KINDS.keySet());

    /** Every Misbehave annotation found on {@code element}, directly or through composed annotations. */
    static List<Declaration> on(AnnotatedElement element) {
        List<Declaration> found = new ArrayList<>();
        Set<Class<?>> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Annotation annotation : element.getDeclaredAnnotations()) {
            collect(element, annotation, null, found, visited);
        }
        return found;
    }

    private static void collect(
            AnnotatedElement element, Annotation annotation, Annotation via, List<Declaration> found,
            Set<Class<?>> visited) {
        Class<? extends Annotation> type = annotation.annotationType();
        if (isOurs(type)) {
            found.add(new Declaration(annotation, via, element));
            return;
        }
        if (isContainer(type)) {
            for (Annotation repeated : (Annotation[]) attribute(annotation, "value")) {
                found.add(new Declaration(repeated, via, element));
            }
            return;
        }
        if (type.getName().startsWith("java.") || !visited.add(type)) {
            return;
        }
        for (Annotation meta : type.getDeclaredAnnotations()) {
            collect(element, meta, via == null ? annotation : via, found, visited);
        }
    }

    private static boolean isOurs(Class<? extends Annotation> type) {
        return type == PeerScript.class || type == ProxyTo.class || FAULTS.contains(type);
    }

    private static boolean isContainer(Class<? extends Annotation> type) {
        Class<?> enclosing = type.getEnclosingClass();
        return enclosing != null && enclosing.isAnnotation() && isOurs(enclosing.asSubclass(Annotation.class))
                && type.getSimpleName().equals("List");
    }

    /** A {@link PeerScript} or a {@link ProxyTo}: what the peer says when it behaves. */
    boolean isScript() {
        return annotation instanceof PeerScript || annotation instanceof ProxyTo;
    }

    boolean isFault() {
        return !isScript();
    }

    /** The {@code peer} attribute. */
    String peer() {
        return (String) attribute(annotation, "peer");
    }

    /** {@code @ForceResetAfter}. */
    String name() {
        return "@" + annotation.annotationType().getSimpleName();
    }

    /** {@code @ForceResetAfter(bytes = 1) (via @Flaky)}. */
    String describe() {
        String self = AnnotationText.format(annotation);
        return via == null ? self : self + " (via @" + via.annotationType().getSimpleName() + ")";
    }

    /** {@code [method void a.B.c()]}. */
    String where() {
        return "[" + describeElement(element) + "]";
    }

    /** A configuration error about this declaration: what, where, then the problem and its fix. */
    ExtensionConfigurationException invalid(String problem) {
        return new ExtensionConfigurationException(describe() + " on " + where() + ": " + problem);
    }

    static String describeElement(AnnotatedElement element) {
        if (element instanceof Method) {
            return "method " + element;
        }
        if (element instanceof Class) {
            return "class " + ((Class<?>) element).getName();
        }
        if (element instanceof Field) {
            return "field " + element;
        }
        return String.valueOf(element);
    }

    static Object attribute(Annotation annotation, String name) {
        try {
            Method method = annotation.annotationType().getMethod(name);
            method.setAccessible(true);
            return method.invoke(annotation);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + name + " of " + annotation, e);
        }
    }
}
