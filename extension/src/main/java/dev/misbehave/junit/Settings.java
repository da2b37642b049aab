package dev.misbehave.junit;

import dev.misbehave.internal.Addresses;
import dev.misbehave.internal.PeerSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * Reads peer tuning from JUnit configuration parameters ({@code junit-platform.properties} or
 * {@code -D} system properties).
 *
 * <ul>
 *   <li>{@value #AWAIT_TIMEOUT}: milliseconds the peer's waits without a timeout argument ({@code
 *       awaitConnections(count)}, {@code awaitTriggered(count)}, {@code awaitJournal(condition)}) wait
 *       at most (default 10000).
 *   <li>{@value #QUIET_PERIOD}: milliseconds the client must have sent nothing more, after an
 *       upstream trigger, before the peer resets (default 50).
 *   <li>{@value #CLOSE_TIMEOUT}: milliseconds a peer waits for its sockets to close at the end of a
 *       test (default 2000).
 *   <li>{@value #BIND_ADDRESS}: the address of this machine the peers listen on (default
 *       127.0.0.1, loopback only). Any other address lets other hosts connect, so it is an explicit
 *       opt-in, and a run that uses it says so once, on standard error and in JUnit's report.
 * </ul>
 */
final class Settings {

    static final String AWAIT_TIMEOUT = PeerSettings.AWAIT_TIMEOUT_KEY;
    static final String QUIET_PERIOD = PeerSettings.QUIET_PERIOD_KEY;
    static final String CLOSE_TIMEOUT = PeerSettings.CLOSE_TIMEOUT_KEY;
    static final String BIND_ADDRESS = "misbehave.bindAddress";

    private static final Namespace NAMESPACE = Namespace.create(Settings.class);
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    private Settings() {}

    /** The peer settings of {@code context}'s configuration parameters, read by {@link PeerSettings#read}. */
    static PeerSettings from(ExtensionContext context) {
        return PeerSettings.read(context::getConfigurationParameter, (key, value, example) ->
                new ExtensionConfigurationException("Configuration parameter " + key + " = '" + value + "' is not a"
                        + " positive whole number of milliseconds. Set it to, for example, " + key + "="
                        + example.toMillis() + ", or remove it to use the default."));
    }

    /**
     * Where the peers of {@code context} listen: an ephemeral port of 127.0.0.1, or of the address
     * {@value #BIND_ADDRESS} names. A non-loopback address is warned about once per run.
     */
    static InetSocketAddress listenAddress(ExtensionContext context) {
        Optional<String> configured = context.getConfigurationParameter(BIND_ADDRESS);
        if (configured.isEmpty()) {
            return LOOPBACK;
        }
        InetAddress address = localAddress(configured.get());
        if (!address.isLoopbackAddress()) {
            String warning = "Misbehave: peers listen on " + Addresses.host(address) + " (configuration parameter "
                    + BIND_ADDRESS + "), not on loopback only: other hosts can connect to them while the tests run."
                    + " Remove " + BIND_ADDRESS + " to listen on 127.0.0.1 only.";
            context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(List.of("warned", address), key -> {
                System.err.println(warning);
                context.publishReportEntry("misbehave.warning", warning);
                return Boolean.TRUE;
            });
        }
        return new InetSocketAddress(address, 0);
    }

    private static InetAddress localAddress(String value) {
        String fix = " Set it to an address of this machine, for example " + BIND_ADDRESS + "=0.0.0.0 to listen on"
                + " every interface, or remove it to listen on 127.0.0.1 only.";
        String text = value.trim();
        if (text.isEmpty()) {
            throw new ExtensionConfigurationException(
                    "Configuration parameter " + BIND_ADDRESS + " = '" + value + "' is blank." + fix);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(text);
        } catch (UnknownHostException | RuntimeException unknown) {
            throw new ExtensionConfigurationException("Configuration parameter " + BIND_ADDRESS + " = '" + value
                    + "' is not a known host or address." + fix);
        }
        if (!address.isAnyLocalAddress() && !address.isLoopbackAddress() && !onThisMachine(address)) {
            throw new ExtensionConfigurationException("Configuration parameter " + BIND_ADDRESS + " = '" + value
                    + "' is " + Addresses.host(address) + ", which no network interface of this machine has." + fix);
        }
        return address;
    }

    private static boolean onThisMachine(InetAddress address) {
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
