package dev.misbehave.junit;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes an annotation as a user would, with the attributes that differ from their defaults in a
 * fixed order: {@code @ForceResetAfter(peer = "db", bytes = 16, connections = @Connections(first =
 * 2))}.
 */
final class AnnotationText {

    /** The order attributes are listed in; the annotations declare them in this order too. */
    static final List<String> ORDER = List.of(
            "peer", "value", "host", "port", "bytes", "direction", "pattern", "occurrence", "idleMillis", "millis",
            "exchanges", "handshake", "text", "randomBytes", "seed", "thenClose", "corruptRecord", "closeNotify",
            "alert", "firstMillis", "perChunkMillis", "bytesPerSecond", "pieceBytes", "gapMillis", "greeting", "echo",
            "requestEndsWith", "requestLength", "lengthField", "response", "responseResource", "tls", "certificate",
            "clientCertificateRequired", "upstreamTls", "connections", "first", "only", "every", "allButFirst",
            "whenUnreachable");

    private static final int MAX_TEXT = 60;

    private AnnotationText() {}

    static String format(Annotation annotation) {
        return format(annotation, Map.of());
    }

    /**
     * As {@link #format(Annotation)}, with the attributes {@code changed} names given those values
     * instead (an attribute's default leaves it out): how a message says what to write instead.
     */
    static String format(Annotation annotation, Map<String, Object> changed) {
        List<String> attributes = new ArrayList<>();
        for (Method method : attributesInOrder(annotation.annotationType())) {
            Object value = changed.containsKey(method.getName())
                    ? changed.get(method.getName())
                    : Declaration.attribute(annotation, method.getName());
            if (!Objects.equals(value, method.getDefaultValue())) {
                attributes.add(method.getName() + " = " + value(value));
            }
        }
        String name = "@" + annotation.annotationType().getSimpleName();
        if (attributes.size() == 1 && attributes.get(0).startsWith("value = ")) {
            return name + "(" + attributes.get(0).substring("value = ".length()) + ")"; // as Java writes it
        }
        return attributes.isEmpty() ? name : name + "(" + String.join(", ", attributes) + ")";
    }

    private static List<Method> attributesInOrder(Class<? extends Annotation> type) {
        List<Method> methods = new ArrayList<>(List.of(type.getDeclaredMethods()));
        methods.sort(Comparator.comparingInt((Method m) -> rank(m.getName())).thenComparing(Method::getName));
        return methods;
    }

    private static int rank(String name) {
        int index = ORDER.indexOf(name);
        return index < 0 ? ORDER.size() : index;
    }

    static String value(Object value) {
        if (value instanceof String) {
            return quote((String) value);
        }
        if (value instanceof Annotation) {
            return format((Annotation) value);
        }
        if (value instanceof Enum) {
            return ((Enum<?>) value).name();
        }
        return String.valueOf(value);
    }

    /** A string as a Java literal, shortened if long. */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        int shown = Math.min(text.length(), MAX_TEXT);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> quoted.append("\\r");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                default -> quoted.append(c);
            }
        }
        if (shown < text.length()) {
            quoted.append("...");
        }
        return quoted.append('"').toString();
    }
}
