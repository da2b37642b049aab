package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.Connections;
import dev.misbehave.Delay;
import dev.misbehave.Direction;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.PeerScript;
import dev.misbehave.ProxyTo;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.Slice;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The fault annotations are read by one reader ({@link Faults.Shared}), by attribute name, so they
 * must all declare the shared attributes alike. These tests read the annotations themselves; a new
 * annotation is checked as soon as it is registered in {@link Faults#KINDS}.
 */
@DisplayName("Every fault annotation declares the shared attributes alike")
class AnnotationConsistencyTests {

    /** The annotations with a trigger: the terminal and the shaping ones. */
    private static List<Class<? extends Annotation>> withTrigger() {
        return Faults.KINDS.entrySet().stream()
                .filter(e -> e.getValue().role() != Faults.Role.PORT)
                .<Class<? extends Annotation>>map(Map.Entry::getKey)
                .toList();
    }

    private static List<Class<? extends Annotation>> ofRole(Faults.Role role) {
        return Faults.KINDS.entrySet().stream()
                .filter(e -> e.getValue().role() == role)
                .<Class<? extends Annotation>>map(Map.Entry::getKey)
                .toList();
    }

    private static Method attribute(Class<? extends Annotation> type, String name) {
        try {
            return type.getDeclaredMethod(name);
        } catch (NoSuchMethodException e) {
            throw new AssertionError("@" + type.getSimpleName() + " has no attribute `" + name + "`", e);
        }
    }

    @Test
    @DisplayName("the terminal and shaping annotations declare the same trigger and schedule attributes,"
            + " with the same types and defaults; only a shaping annotation's direction defaults to DOWNSTREAM")
    void sameTriggerAttributes() {
        assertThat(ofRole(Faults.Role.TERMINAL)).hasSize(5);
        assertThat(ofRole(Faults.Role.SHAPING)).hasSize(3);
        Class<ForceResetAfter> reference = ForceResetAfter.class;
        for (Class<? extends Annotation> type : withTrigger()) {
            for (String name : Stream.concat(Stream.of("peer"), Faults.Shared.NAMES.stream()).toList()) {
                Method expected = attribute(reference, name);
                Method actual = attribute(type, name);
                assertThat(actual.getReturnType()).as("the type of @%s's `%s`", type.getSimpleName(), name)
                        .isEqualTo(expected.getReturnType());
                Object wanted = expected.getDefaultValue();
                if (name.equals("direction") && Faults.KINDS.get(type).role() == Faults.Role.SHAPING) {
                    // The one documented difference: on a shaping annotation `direction` is also the
                    // direction shaped, and the responses are what most tests slow down.
                    wanted = Direction.DOWNSTREAM;
                }
                assertThat(actual.getDefaultValue()).as("the default of @%s's `%s`", type.getSimpleName(), name)
                        .isEqualTo(wanted);
            }
        }
    }

    @Test
    @DisplayName("every trigger attribute is unset by default, with a value no one writes")
    void triggersUnsetByDefault() {
        for (Class<? extends Annotation> type : withTrigger()) {
            assertThat(attribute(type, "bytes").getDefaultValue()).isEqualTo(Long.MIN_VALUE).isEqualTo(Faults.UNSET);
            assertThat(attribute(type, "idleMillis").getDefaultValue()).isEqualTo(Long.MIN_VALUE);
            assertThat(attribute(type, "millis").getDefaultValue()).isEqualTo(Long.MIN_VALUE);
            assertThat(attribute(type, "exchanges").getDefaultValue()).isEqualTo(Integer.MIN_VALUE)
                    .isEqualTo(Faults.UNSET_INT);
            assertThat(attribute(type, "pattern").getDefaultValue()).isEqualTo("");
        }
    }

    @Test
    @DisplayName("every numeric attribute that can be unset defaults to a value no one writes:"
            + " @Connections, @PeerScript(requestLength), @ProxyTo(port), @SendGarbageAfter(randomBytes),"
            + " @Slice(pieceBytes)")
    void otherUnsetDefaults() {
        for (String name : List.of("first", "only", "every", "allButFirst")) {
            assertThat(attribute(Connections.class, name).getDefaultValue()).as(name).isEqualTo(Integer.MIN_VALUE);
        }
        assertThat(attribute(PeerScript.class, "requestLength").getDefaultValue()).isEqualTo(Integer.MIN_VALUE);
        assertThat(attribute(ProxyTo.class, "port").getDefaultValue()).isEqualTo(Integer.MIN_VALUE);
        assertThat(attribute(SendGarbageAfter.class, "randomBytes").getDefaultValue())
                .isEqualTo(Integer.MIN_VALUE);
        assertThat(attribute(Slice.class, "pieceBytes").getDefaultValue()).isEqualTo(Integer.MIN_VALUE);
    }

    @Test
    @DisplayName("no numeric default of any annotation is -1 or another number a person might write to mean"
            + " \"unset\", except the counts and times whose default is a real value (0 ms, the first occurrence)")
    void noSmallSentinels() {
        List<String> found = new ArrayList<>();
        List<Class<? extends Annotation>> all = new ArrayList<>(Faults.KINDS.keySet());
        all.add(PeerScript.class);
        all.add(ProxyTo.class);
        all.add(Connections.class);
        for (Class<? extends Annotation> type : all) {
            for (Method method : type.getDeclaredMethods()) {
                Object value = method.getDefaultValue();
                if (value instanceof Number number && number.longValue() < 0
                        && number.longValue() != Long.MIN_VALUE && number.longValue() != Integer.MIN_VALUE) {
                    found.add("@" + type.getSimpleName() + "(" + method.getName() + ") = " + value);
                }
            }
        }
        assertThat(found).isEmpty();
        // the defaults that are real values, which a person may write with the same meaning
        assertThat(attribute(ForceResetAfter.class, "occurrence").getDefaultValue()).isEqualTo(1);
        assertThat(attribute(Delay.class, "firstMillis").getDefaultValue()).isEqualTo(0L);
        assertThat(attribute(SendGarbageAfter.class, "seed").getDefaultValue()).isEqualTo(0L);
    }

    @Test
    @DisplayName("messages list every attribute of every annotation in a fixed order")
    void everyAttributeHasItsPlaceInMessages() {
        List<Class<? extends Annotation>> all = new ArrayList<>(Faults.KINDS.keySet());
        all.add(PeerScript.class);
        all.add(ProxyTo.class);
        all.add(Connections.class);
        List<String> missing = new ArrayList<>();
        for (Class<? extends Annotation> type : all) {
            for (Method method : type.getDeclaredMethods()) {
                if (!AnnotationText.ORDER.contains(method.getName())) {
                    missing.add("@" + type.getSimpleName() + "(" + method.getName() + ")");
                }
            }
        }
        assertThat(missing).isEmpty();
        assertThat(Declaration.FAULTS).containsExactlyElementsOf(Faults.KINDS.keySet());
    }
}
