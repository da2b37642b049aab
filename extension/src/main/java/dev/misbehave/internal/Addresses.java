package dev.misbehave.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Addresses as a person writes them ({@code 127.0.0.1:8080}, {@code [::1]:8080}): the one
 * formatter of every journal line, {@code toString} and message, and of the standalone CLI's
 * output. The JDK's own forms are not that: {@link InetSocketAddress#toString()} gives {@code
 * localhost/127.0.0.1:8080} or {@code /127.0.0.1:8080}, and {@link Inet6Address#getHostAddress()}
 * writes every group ({@code 0:0:0:0:0:0:0:1}). IPv6 addresses are written in the canonical text
 * form of RFC 5952: lowercase, leading zeros dropped, the longest run of two or more zero groups
 * (the first of equal runs) written {@code ::}.
 */
public final class Addresses {

    private Addresses() {}

    /**
     * {@code 127.0.0.1:8080}, {@code [::1]:8080}; an unresolved address as its host name, {@code
     * db.example:5432}.
     *
     * @param address the address, not null
     * @return the text
     */
    public static String of(InetSocketAddress address) {
        String host = address.isUnresolved() ? address.getHostString() : host(address.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * {@code 127.0.0.1}, {@code ::1}, {@code fe80::1%eth0}: the address alone, without a host name.
     *
     * @param address the address, not null
     * @return the text
     */
    public static String host(InetAddress address) {
        if (!(address instanceof Inet6Address v6)) {
            return address.getHostAddress();
        }
        String full = v6.getHostAddress(); // every group, then %scope if the address has one
        int percent = full.indexOf('%');
        return compress(v6.getAddress()) + (percent < 0 ? "" : full.substring(percent));
    }

    /** The 16 bytes of an IPv6 address in the text form of RFC 5952. */
    private static String compress(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
