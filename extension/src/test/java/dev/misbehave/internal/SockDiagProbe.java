package dev.misbehave.internal;

/** Prints which source a fresh JVM's peer learns send queues from; run by {@link SockDiagTests}. */
final class SockDiagProbe {

    private SockDiagProbe() {}

    public static void main(String[] args) {
        System.out.println(SendQueues.source());
    }
}
