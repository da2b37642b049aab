package dev.misbehave.junit;

import dev.misbehave.MisbehavingPeer;
import dev.misbehave.ProxyTo;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import dev.misbehave.Unreachable;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Turns a {@link ProxyTo} into a forwarding {@link Script}, or fails with a message that names the
 * attribute, the value, the element and the fix. A named member is checked now and read at each
 * connection the peer accepts.
 */
final class Upstreams {

    private static final Set<Class<?>> TYPES = Set.of(
            InetSocketAddress.class, URI.class, String.class, int.class, Integer.class, MisbehavingPeer.class);
    private static final String TYPE_NAMES =
            "InetSocketAddress, URI, String (\"host:port\"), int (a port on 127.0.0.1) or MisbehavingPeer";

    private Upstreams() {}

    /**
     * The forwarding script {@code declaration} describes.
     *
     * @param testClass where a named member is looked for (with its superclasses and, for a
     *     {@code @Nested} class, its enclosing classes)
     * @param instances the test instances at connection time, or null where only static members
     *     can be read (a peer in a static field)
     */
    static Script from(Declaration declaration, Class<?> testClass, Supplier<List<Object>> instances) {
        ProxyTo proxy = (ProxyTo) declaration.annotation();
        boolean named = !proxy.value().isEmpty();
        boolean fixed = proxy.port() != Faults.UNSET_INT;
        if (named && fixed) {
            throw declaration.invalid("`value` = " + AnnotationText.quote(proxy.value()) + " and `port` = "
                    + proxy.port() + " are both set. Keep one: value names a field or method that gives the"
                    + " server's address when the test runs; port (with host) is a fixed address.");
        }
        if (!named && !fixed) {
            throw declaration.invalid("neither `value` nor `port` is set, so the peer has no server to forward"
                    + " to. Name a field or method that gives the server's address, @ProxyTo(\"server\"), or"
                    + " set port (and host) for a fixed address.");
        }
        if (named && !proxy.host().equals("127.0.0.1")) {
            throw declaration.invalid("`host` = " + AnnotationText.quote(proxy.host()) + " is set with `value`,"
                    + " but host goes with port. Remove host, or let " + proxy.value() + " give the whole address.");
        }
        if (named && proxy.value().isBlank()) {
            throw declaration.invalid("`value` = " + AnnotationText.quote(proxy.value()) + " is blank. Name the"
                    + " field or method that gives the server's address, for example @ProxyTo(\"server\").");
        }
        if (fixed && (proxy.port() < 1 || proxy.port() > 65535)) {
            throw declaration.invalid("`port` = " + proxy.port() + (proxy.port() < 0 ? " is negative, not" : " is not")
                    + " a TCP port. Give the port the server listens on, 1 to 65535.");
        }
        if (!proxy.lengthField().isEmpty() && proxy.requestEndsWith().isEmpty()) {
            throw declaration.invalid("`lengthField` = " + AnnotationText.quote(proxy.lengthField()) + " needs"
                    + " `requestEndsWith`, the end of the head the field is in. Add requestEndsWith ="
                    + " \"\\r\\n\\r\\n\", or remove lengthField.");
        }
        if (!proxy.lengthField().isEmpty() && proxy.lengthField().isBlank()) {
            throw declaration.invalid("`lengthField` = " + AnnotationText.quote(proxy.lengthField()) + " is"
                    + " blank. Give the name of the field, for example lengthField = \"Content-Length\".");
        }
        Script.Forward script;
        if (fixed) {
            try {
                script = Script.forwardTo(proxy.host(), proxy.port());
            } catch (IllegalArgumentException rejected) {
                throw declaration.invalid("`host` = " + AnnotationText.quote(proxy.host()) + " does not resolve to"
                        + " an address. Give a host name or address that resolves, for example host ="
                        + " \"127.0.0.1\" (the default).");
            }
        } else {
            script = Script.forwardTo(new MemberAddress(member(declaration, proxy.value(), testClass, instances),
                    instances));
        }
        if (!proxy.requestEndsWith().isEmpty()) {
            try {
                script = script.withRequestEnd(proxy.lengthField().isEmpty()
                        ? RequestEnd.delimiter(proxy.requestEndsWith())
                        : RequestEnd.headersThenLength(proxy.requestEndsWith(), proxy.lengthField()));
            } catch (IllegalArgumentException rejected) {
                throw declaration.invalid("the script model rejects it: " + rejected.getMessage());
            }
        }
        if (proxy.tls()) {
            script = script.withTls(dev.misbehave.Tls.generated());
        }
        switch (proxy.upstreamTls()) {
            case TRUSTING_GENERATED -> script = script.withUpstreamTls(
                    dev.misbehave.UpstreamTls.trusting(dev.misbehave.Tls.generated().trustStore()));
            case TRUSTING_ALL -> script = script.withUpstreamTls(dev.misbehave.UpstreamTls.trustingAll());
            case NONE -> { }
        }
        return proxy.whenUnreachable() == Unreachable.RESET ? script : script.whenUnreachable(proxy.whenUnreachable());
    }

    /** The no-arg method (preferred) or field called {@code name}, checked for type and reachability. */
    private static Member member(
            Declaration declaration, String name, Class<?> testClass, Supplier<List<Object>> instances) {
        List<Member> found = new ArrayList<>();
        List<Class<?>> searched = new ArrayList<>();
        for (Class<?> type = testClass; type != null && found.isEmpty(); type = PeerPlan.enclosingOfInner(type)) {
            searched.add(type);
            found.addAll(ReflectionSupport.findMethods(type,
                    m -> m.getName().equals(name) && m.getParameterCount() == 0, HierarchyTraversalMode.BOTTOM_UP));
            if (found.isEmpty()) {
                found.addAll(ReflectionSupport.findFields(type, f -> f.getName().equals(name),
                        HierarchyTraversalMode.BOTTOM_UP));
            }
        }
        if (found.isEmpty()) {
            throw declaration.invalid("`value` = " + AnnotationText.quote(name) + " names no field and no no-arg"
                    + " method of " + names(searched) + " (or their superclasses). Add one that gives the server's"
                    + " address (" + TYPE_NAMES + "), or correct the name.");
        }
        Member member = found.get(0);
        Class<?> type = member instanceof Method method ? method.getReturnType() : ((Field) member).getType();
        if (!TYPES.contains(type)) {
            throw declaration.invalid("`value` = " + AnnotationText.quote(name) + " names " + describe(member)
                    + ", of type " + type.getName() + ", which gives no address. Make it give an " + TYPE_NAMES
                    + ".");
        }
        if (instances == null && !Modifier.isStatic(member.getModifiers())) {
            throw declaration.invalid("`value` = " + AnnotationText.quote(name) + " names " + describe(member)
                    + ", an instance member, but this peer is held in a static field and starts before any test"
                    + " instance exists. Make it static, or hold the peer in an instance field.");
        }
        if (member instanceof Method method) {
            method.setAccessible(true);
        } else {
            ((Field) member).setAccessible(true);
        }
        return member;
    }

    private static String names(List<Class<?>> types) {
        List<String> names = new ArrayList<>();
        types.forEach(type -> names.add(type.getName()));
        return String.join(", ", names);
    }

    static String describe(Member member) {
        String kind = member instanceof Method ? "method " + member.getName() + "()" : "field " + member.getName();
        return kind + " of " + member.getDeclaringClass().getName();
    }

    /** Reads the member at each connection and turns what it gives into an address. */
    private record MemberAddress(Member member, Supplier<List<Object>> instances)
            implements Supplier<InetSocketAddress> {

        @Override
        public InetSocketAddress get() {
            Object value;
            try {
                Object target = Modifier.isStatic(member.getModifiers()) ? null : instance();
                value = member instanceof Method method ? method.invoke(target) : ((Field) member).get(target);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException(describe(member) + " threw " + e.getCause(), e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read " + describe(member), e);
            }
            if (value == null) {
                throw new IllegalStateException(describe(member) + " gave null (is the server started?)");
            }
            return address(value);
        }

        private Object instance() {
            Class<?> owner = member.getDeclaringClass();
            for (Object instance : instances.get()) {
                if (owner.isInstance(instance)) {
                    return instance;
                }
            }
            throw new IllegalStateException("no instance of " + owner.getName() + " to read " + describe(member)
                    + " from: a connection came before the test instance existed");
        }

        private InetSocketAddress address(Object value) {
            if (value instanceof InetSocketAddress address) {
                return address;
            }
            if (value instanceof MisbehavingPeer peer) {
                return peer.address();
            }
            if (value instanceof Integer port) {
                return new InetSocketAddress("127.0.0.1", port);
            }
            if (value instanceof URI uri) {
                int port = uri.getPort() != -1 ? uri.getPort()
                        : "http".equals(uri.getScheme()) ? 80 : "https".equals(uri.getScheme()) ? 443 : -1;
                if (uri.getHost() == null || port == -1) {
                    throw new IllegalStateException(describe(member) + " gave " + uri + ", which has no host and"
                            + " port; give a URI like tcp://127.0.0.1:5432");
                }
                return new InetSocketAddress(uri.getHost(), port);
            }
            String text = (String) value;
            int colon = text.lastIndexOf(':');
            try {
                String host = text.substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                return new InetSocketAddress(host, Integer.parseInt(text.substring(colon + 1)));
            } catch (RuntimeException e) {
                throw new IllegalStateException(describe(member) + " gave \"" + text + "\", which is not"
                        + " host:port; give for example \"127.0.0.1:5432\"");
            }
        }

        @Override
        public String toString() {
            return describe(member);
        }
    }
}
