package dev.misbehave.internal;

/**
 * Names, for the benchmark pages, how this JVM's peers learn a connection's send queue before a
 * downstream reset ({@link SendQueues#source()}, package-private because it is no API).
 */
public final class DeliverySource {

    private DeliverySource() {}

    /** "netlink sock_diag", "/proc/net/tcp" or "none". */
    public static String name() {
        return SendQueues.source();
    }
}
