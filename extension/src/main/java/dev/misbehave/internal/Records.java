package dev.misbehave.internal;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.Delivery;
import dev.misbehave.Ending;
import dev.misbehave.Fault;
import dev.misbehave.HandshakeStage;
import dev.misbehave.TlsRecord;
import dev.misbehave.Trigger;
import dev.misbehave.UpstreamEnding;
import dev.misbehave.UpstreamRecord;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * Makes the journal's records, whose constructors are not API: each record class registers its
 * maker here when it initialises (the JDK's {@code SharedSecrets} pattern), and the journal calls
 * the makers. Set once per class loader, never changed.
 */
public final class Records {

    private static volatile ConnectionMaker connections;
    private static volatile UpstreamMaker upstreams;
    private static volatile TlsMaker tlses;

    private Records() {}

    /** Makes a {@link ConnectionRecord}; the arguments are its accessors'. */
    @FunctionalInterface
    public interface ConnectionMaker {
        /**
         * Makes a record.
         *
         * @param index 0-based accept order
         * @param acceptedAt when the peer accepted the connection
         * @param client the client's address
         * @param received the bytes the peer consumed, up to the cap
         * @param receivedCount how many bytes the peer consumed in all
         * @param sent the bytes the peer sent, up to the cap
         * @param sentCount how many bytes the peer sent in all
         * @param firedTrigger the trigger that fired, or null
         * @param ending how the connection ended
         * @param fault the fault planned for the connection, or null
         * @param delivery whether the client's kernel held every sent byte before a reset
         * @param upstream the leg to the server, or null
         * @param tls what the TLS handshake settled, or null for plain TCP
         * @return the record
         */
        ConnectionRecord make(int index, Instant acceptedAt, InetSocketAddress client, byte[] received,
                long receivedCount, byte[] sent, long sentCount, Trigger firedTrigger, Ending ending, Fault fault,
                Delivery delivery, UpstreamRecord upstream, TlsRecord tls);
    }

    /** Makes a {@link TlsRecord}; the arguments are its accessors'. */
    @FunctionalInterface
    public interface TlsMaker {
        /**
         * Makes a record.
         *
         * @param reached the last stage the handshake reached
         * @param protocol the protocol version, or null
         * @param cipherSuite the cipher suite, or null
         * @param serverName the SNI host name, or null
         * @param offered the ALPN protocols the client offered
         * @param chosen the ALPN protocol chosen, or null
         * @param failure why the handshake failed, or null
         * @return the record
         */
        TlsRecord make(HandshakeStage reached, String protocol, String cipherSuite, String serverName,
                java.util.List<String> offered, String chosen, String failure);
    }

    /** Makes an {@link UpstreamRecord}; the arguments are its accessors'. */
    @FunctionalInterface
    public interface UpstreamMaker {
        /**
         * Makes a record.
         *
         * @param address the server's address, or null
         * @param sentCount the bytes forwarded to the server
         * @param receivedCount the bytes read from the server
         * @param ending how the leg ended
         * @param failure why the server could not be reached, or null
         * @return the record
         */
        UpstreamRecord make(InetSocketAddress address, long sentCount, long receivedCount, UpstreamEnding ending,
                String failure);
    }

    /**
     * Called once, by {@link ConnectionRecord} as it initialises.
     *
     * @param maker its maker
     */
    public static void register(ConnectionMaker maker) {
        if (connections != null) {
            throw new IllegalStateException("ConnectionRecord's maker is registered already");
        }
        connections = maker;
    }

    /**
     * Called once, by {@link TlsRecord} as it initialises.
     *
     * @param maker its maker
     */
    public static void register(TlsMaker maker) {
        if (tlses != null) {
            throw new IllegalStateException("TlsRecord's maker is registered already");
        }
        tlses = maker;
    }

    /**
     * Called once, by {@link UpstreamRecord} as it initialises.
     *
     * @param maker its maker
     */
    public static void register(UpstreamMaker maker) {
        if (upstreams != null) {
            throw new IllegalStateException("UpstreamRecord's maker is registered already");
        }
        upstreams = maker;
    }

    static ConnectionRecord connection(int index, Instant acceptedAt, InetSocketAddress client, byte[] received,
            long receivedCount, byte[] sent, long sentCount, Trigger firedTrigger, Ending ending, Fault fault,
            Delivery delivery, UpstreamRecord upstream, TlsRecord tls) {
        if (connections == null) {
            initialise(ConnectionRecord.class);
        }
        return connections.make(index, acceptedAt, client, received, receivedCount, sent, sentCount, firedTrigger,
                ending, fault, delivery, upstream, tls);
    }

    static TlsRecord tls(HandshakeStage reached, String protocol, String cipherSuite, String serverName,
            java.util.List<String> offered, String chosen, String failure) {
        if (tlses == null) {
            initialise(TlsRecord.class);
        }
        return tlses.make(reached, protocol, cipherSuite, serverName, offered, chosen, failure);
    }

    static UpstreamRecord upstream(InetSocketAddress address, long sentCount, long receivedCount,
            UpstreamEnding ending, String failure) {
        if (upstreams == null) {
            initialise(UpstreamRecord.class);
        }
        return upstreams.make(address, sentCount, receivedCount, ending, failure);
    }

    /** Runs the static initialiser of {@code type}, which registers its maker. */
    private static void initialise(Class<?> type) {
        try {
            Class.forName(type.getName(), true, type.getClassLoader());
        } catch (ClassNotFoundException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
