package dev.misbehave.junit;

import dev.misbehave.internal.NettyPeer;
import dev.misbehave.internal.PeerSettings;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The running peers of one test (or, for static fields, of one test class), by name. Lives in an
 * {@code ExtensionContext.Store}, which closes it, and with it every peer, when that context ends.
 */
final class TestPeers implements AutoCloseable {

    /** A running peer and how the journal report labels it. */
    record Running(String name, String label, NettyPeer peer) {}

    private final boolean shared;
    private final Map<String, Running> peers = Collections.synchronizedMap(new LinkedHashMap<>());
    private volatile boolean fieldsStarted;

    /** @param shared true for the peers of static fields, which all tests of a class share */
    TestPeers(boolean shared) {
        this.shared = shared;
    }

    /** Starts the peer {@code plan} describes on {@code listen} (an address and port 0). */
    NettyPeer start(PeerPlan plan, PeerSettings settings, InetSocketAddress listen) {
        NettyPeer peer = NettyPeer.start(plan.script(), plan.fault(), settings, listen);
        peers.put(plan.name(), new Running(plan.name(), label(plan), peer));
        return peer;
    }

    private String label(PeerPlan plan) {
        String label = plan.name().isEmpty() ? "this test's peer" : "peer " + AnnotationText.quote(plan.name());
        if (plan.field() != null) {
            label += shared ? " (static field, shared by the tests of its class)" : " (field)";
        }
        return label;
    }

    Optional<NettyPeer> get(String name) {
        return Optional.ofNullable(peers.get(name)).map(Running::peer);
    }

    Set<String> names() {
        synchronized (peers) {
            return Set.copyOf(peers.keySet());
        }
    }

    List<Running> running() {
        synchronized (peers) {
            return List.copyOf(peers.values());
        }
    }

    boolean fieldsStarted() {
        return fieldsStarted;
    }

    void markFieldsStarted() {
        fieldsStarted = true;
    }

    /** Closes every peer, the last started first; a failure to close one does not keep the others open. */
    @Override
    public void close() {
        List<Running> all = new ArrayList<>(running());
        Collections.reverse(all);
        RuntimeException failure = null;
        for (Running running : all) {
            try {
                running.peer().close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
