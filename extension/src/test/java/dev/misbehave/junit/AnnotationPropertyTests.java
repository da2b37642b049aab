package dev.misbehave.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.Connections;
import dev.misbehave.Delay;
import dev.misbehave.Direction;
import dev.misbehave.Fault;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.PeerScript;
import dev.misbehave.ProxyTo;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import dev.misbehave.SendGarbageAfter;
import dev.misbehave.Slice;
import dev.misbehave.Throttle;
import dev.misbehave.Unreachable;
import dev.misbehave.testing.Footprint;
import dev.misbehave.testing.Inputs;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Random attribute values and combinations thrown at the annotation parser, as annotation
 * instances built at run time: every one either gives a fault or script, or fails with an {@link
 * ExtensionConfigurationException} that names the annotation, where it is and an attribute. Nothing
 * else may escape (a NullPointerException, an IndexOutOfBoundsException, an OutOfMemoryError ...),
 * and the parser opens no socket and starts no thread.
 */
@DisplayName("The annotation parser, given random attribute values and combinations")
@Isolated("counts every socket and thread of the JVM: another test running beside it would open some")
class AnnotationPropertyTests {

    private static final Method ELEMENT = elementMethod();
    /** Every fault annotation the parser knows, terminal ones apart. */
    private static final List<Class<? extends Annotation>> TERMINAL = ofRoles(true);
    private static final List<Class<? extends Annotation>> OTHER = ofRoles(false);
    private static final List<Script> SCRIPTS = List.of(Script.silent(), Script.echo(), Script.echo().withGreeting("hi"),
            Script.respond(RequestEnd.delimiter("\n"), "ok\n"), Script.forwardTo("127.0.0.1", 9),
            Script.forwardTo("127.0.0.1", 9).withRequestEnd(RequestEnd.delimiter("\n")));

    private Footprint before;

    /**
     * Loads and initialises, once, what the parser and the engine's check use (the JDK's and Netty's
     * static state), so that what a property sees opened is what its inputs opened.
     */
    @BeforeAll
    static void initialiseOnce() {
        for (Script script : SCRIPTS) {
            Faults.from(declaration(annotation(ForceResetAfter.class, Map.of("bytes", 1L)))).requireRunnableBy(script);
        }
    }

    @BeforeEach
    void footprintBefore() {
        before = Footprint.now();
    }

    @AfterEach
    void nothingOpened() {
        Footprint after = Footprint.now();
        assertThat(after.newSockets(before)).as("sockets the parser opened").isEmpty();
        assertThat(after.newThreads(before)).as("threads the parser started").isEmpty();
    }

    @Test
    @DisplayName("terminal faults: any trigger, direction, schedule and garbage, with any script")
    void terminalFaults() {
        Inputs.check("terminal faults", 3_000, in -> {
            Declaration declaration = declaration(in.note(terminal(in)));
            Fault fault = faultOrConfigurationError(declaration);
            if (fault != null) {
                checkWithScript(in.note(in.oneOf(SCRIPTS)), fault);
            }
        });
    }

    @Test
    @DisplayName("listener and shaping faults: any values and schedule, with any script")
    void otherFaults() {
        Inputs.check("listener and shaping faults", 2_000, in -> {
            Fault fault = faultOrConfigurationError(declaration(in.note(other(in))));
            if (fault != null) {
                checkWithScript(in.note(in.oneOf(SCRIPTS)), fault);
            }
        });
    }

    @Test
    @DisplayName("@PeerScript: any combination of its attributes; resources that exist, are empty, are directories or are not there")
    void peerScripts() {
        Inputs.check("@PeerScript", 2_000, in -> {
            Declaration declaration = declaration(in.note(peerScript(in)));
            try {
                assertThat(Scripts.from(declaration, AnnotationPropertyTests.class, List::of)).isNotNull();
            } catch (ExtensionConfigurationException e) {
                assertNamesTheAnnotation(declaration, e);
            }
        });
    }

    @Test
    @DisplayName("@ProxyTo: any value, host, port and request end; members of every type, static or not")
    void proxies() {
        Inputs.check("@ProxyTo", 2_000, in -> {
            Declaration declaration = declaration(in.note(proxyTo(in)));
            Supplier<List<Object>> instances = in.note(in.bool()) ? () -> List.of(new Members()) : null;
            try {
                assertThat(Scripts.from(declaration, Members.class, instances).forwards()).isTrue();
            } catch (ExtensionConfigurationException e) {
                assertNamesTheAnnotation(declaration, e);
            }
        });
    }

    private static List<Class<? extends Annotation>> ofRoles(boolean terminal) {
        return Faults.KINDS.entrySet().stream()
                .filter(e -> (e.getValue().role() == Faults.Role.TERMINAL) == terminal)
                .<Class<? extends Annotation>>map(Map.Entry::getKey)
                .toList();
    }

    // ---- what every outcome must be ----

    private static Fault faultOrConfigurationError(Declaration declaration) {
        try {
            Fault fault = Faults.from(declaration);
            assertThat(fault).isNotNull();
            return fault;
        } catch (ExtensionConfigurationException e) {
            assertNamesTheAnnotation(declaration, e);
            return null;
        }
    }

    private static void assertNamesTheAnnotation(Declaration declaration, ExtensionConfigurationException e) {
        assertThat(e.getMessage())
                .startsWith(declaration.describe() + " on " + declaration.where() + ": ")
                .containsPattern("`[a-zA-Z.]+`");
    }

    /** The model's check of a valid fault against a script: it accepts, or says why not. */
    private static void checkWithScript(Script script, Fault fault) {
        try {
            fault.requireRunnableBy(script);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).contains(String.valueOf(script));
        }
    }

    // ---- generators ----

    private static Annotation terminal(Inputs in) {
        Class<? extends Annotation> type = in.oneOf(TERMINAL);
        Map<String, Object> values = new HashMap<>();
        triggers(in, values);
        connections(in, values);
        if (type == SendGarbageAfter.class) {
            values.put("text", in.text());
            values.put("randomBytes", in.intValue(Faults.UNSET_INT));
            values.put("seed", in.longValue(0));
            values.put("thenClose", in.bool());
        }
        return annotation(type, values);
    }

    private static Annotation other(Inputs in) {
        Class<? extends Annotation> type = in.oneOf(OTHER);
        Map<String, Object> values = new HashMap<>();
        if (type == Delay.class) {
            values.put("firstMillis", in.longValue(0));
            values.put("perChunkMillis", in.longValue(0));
        } else if (type == Throttle.class) {
            values.put("bytesPerSecond", in.longValue(1024));
        } else if (type == Slice.class) {
            values.put("pieceBytes", in.intValue(Faults.UNSET_INT));
            values.put("gapMillis", in.longValue(0));
        }
        if (Faults.KINDS.get(type).role() == Faults.Role.SHAPING) {
            // most often no trigger: the shaping starts on accept
            if (in.oneIn(2)) {
                triggers(in, values);
            } else {
                values.put("direction", in.oneOf(Direction.values()));
            }
        }
        connections(in, values);
        return annotation(type, values);
    }

    /** Any trigger attributes, each unset often. */
    private static void triggers(Inputs in, Map<String, Object> values) {
        values.put("bytes", in.longValue(Faults.UNSET));
        values.put("direction", in.oneOf(Direction.values()));
        values.put("pattern", in.text());
        values.put("occurrence", in.intValue(1));
        values.put("idleMillis", in.longValue(Faults.UNSET));
        values.put("millis", in.longValue(Faults.UNSET));
        values.put("exchanges", in.intValue(Faults.UNSET_INT));
    }

    /** Leaves {@code connections} at its default often, otherwise sets any of its four values. */
    private static void connections(Inputs in, Map<String, Object> values) {
        if (in.oneIn(3)) {
            int unset = Faults.UNSET_INT;
            values.put("connections", annotation(Connections.class, Map.of(
                    "first", in.oneIn(2) ? unset : in.intValue(unset),
                    "only", in.oneIn(2) ? unset : in.intValue(unset),
                    "every", in.oneIn(2) ? unset : in.intValue(unset),
                    "allButFirst", in.oneIn(2) ? unset : in.intValue(unset))));
        }
    }

    private static PeerScript peerScript(Inputs in) {
        String resource = in.oneIn(2) ? "" : in.oneIn(3) ? in.text() : in.oneOf("misbehave/ok.http",
                "/misbehave/ok.http", "misbehave/empty.txt", "misbehave/nope", "misbehave", "misbehave/", "/", "",
                "../", "a\u0000b", " ", "%", "dev/misbehave/junit");
        return annotation(PeerScript.class, Map.of("greeting", in.text(), "echo", in.oneIn(4),
                "requestEndsWith", in.text(), "requestLength", in.intValue(Faults.UNSET_INT), "lengthField", in.text(),
                "response", in.text(), "responseResource", resource));
    }

    private static ProxyTo proxyTo(Inputs in) {
        String value = in.oneIn(2) ? in.oneOf(Members.NAMES) : in.text();
        // host names that need no network to resolve or to fail: literals, localhost, .invalid
        String host = in.oneOf("127.0.0.1", "127.0.0.1", "localhost", "::1", "[::1]", "", " ", "no-such-host.invalid",
                "300.1.1.1", "1.2.3", "::1%nosuchif", "0.0.0.0");
        int port = in.oneIn(2) ? Faults.UNSET_INT : in.oneIn(2) ? in.between(-2, 70_000) : in.intValue(Faults.UNSET_INT);
        return annotation(ProxyTo.class, Map.of("value", value, "host", host, "port", port,
                "requestEndsWith", in.text(), "lengthField", in.text(),
                "whenUnreachable", in.oneOf(Unreachable.values())));
    }

    /** Members of every type a {@code @ProxyTo} value can name, and some it cannot. */
    static class Members {
        static final List<String> NAMES = List.of("port", "text", "badText", "uri", "noPort", "address", "peer",
                "wrong", "instanceText", "method", "throwing", "nothing");

        static int port = 9;
        static String text = "127.0.0.1:9";
        static String badText = "no colon";
        static URI uri = URI.create("tcp://127.0.0.1:9");
        static URI noPort = URI.create("mailto:someone");
        static InetSocketAddress address = new InetSocketAddress("127.0.0.1", 9);
        static MisbehavingPeer peer;
        static Object wrong = new Object();
        String instanceText = "127.0.0.1:9";

        static String method() {
            return "127.0.0.1:9";
        }

        static String throwing() {
            throw new IllegalStateException("read at connection time only");
        }
    }

    // ---- annotation instances at run time ----

    private static Declaration declaration(Annotation annotation) {
        return new Declaration(annotation, null, ELEMENT);
    }

    /** An annotation of {@code type} with {@code values}, every other attribute at its default. */
    static <A extends Annotation> A annotation(Class<A> type, Map<String, Object> values) {
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "annotationType" -> type;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> AnnotationText.format((Annotation) proxy);
            default -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static Method elementMethod() {
        try {
            return AnnotationPropertyTests.class.getDeclaredMethod("element");
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    /** The element the generated annotations are "on". */
    void element() {}
}
