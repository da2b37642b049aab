package dev.misbehave.internal;

import dev.misbehave.RequestEnd;
import dev.misbehave.Trigger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Tells whether a client has finished sending its request, once an upstream trigger fired: the one
 * place that knows where a request ends, so that a reset or close after N client bytes can act as
 * soon as the client is reading, instead of after a quiet period.
 *
 * <p>A request delimits itself when the script has a {@link RequestEnd}, or when the client's bytes
 * are HTTP/1.x requests ({@link Http1Framer}). It is fed every byte the peer consumed up to the
 * trigger, then the bytes it looks at past the trigger, which are neither journalled, served nor
 * forwarded. Without a delimiter, or past {@link #LOOKAHEAD} bytes, it cannot say.
 */
final class ClientDone {

    /**
     * The most bytes looked at past the trigger; a client with a longer rest to send will block in
     * {@code write()}, which the quiet wait tells.
     */
    static final int LOOKAHEAD = 64 * 1024;

    private final RequestFramer script;
    private final Http1Framer http;
    private long lookedAhead;

    private ClientDone(RequestEnd end) {
        this.script = end == null ? null : new RequestFramer(end);
        this.http = end == null ? new Http1Framer() : null;
    }

    /**
     * A watch for a connection whose fault has {@code trigger} and whose script ends requests with
     * {@code end} (null if it does not); null if the trigger never fires while the client may still
     * be sending (it does not count the client's bytes).
     */
    static ClientDone forTrigger(Trigger trigger, RequestEnd end) {
        boolean upstream = trigger instanceof Trigger.AfterBytes b && b.direction() == dev.misbehave.Direction.UPSTREAM
                || trigger instanceof Trigger.OnPattern p && p.direction() == dev.misbehave.Direction.UPSTREAM
                || trigger instanceof Trigger.AfterExchanges;
        return upstream ? new ClientDone(end) : null;
    }

    /** Whether the bytes so far delimit requests, so that {@link #atRequestEnd()} means something. */
    boolean delimits() {
        return script != null || http.follows();
    }

    /** Feeds bytes the client sent, consumed or looked at. */
    void feed(byte[] bytes, int offset, int length) {
        if (script != null) {
            for (int pos = offset, end = offset + length; pos < end; ) {
                int used = script.feed(bytes, pos, end - pos);
                if (used < 0) {
                    break;
                }
                pos += used;
            }
        } else if (http.follows()) {
            http.feed(bytes, offset, length);
        }
    }

    /** Feeds the readable bytes of {@code buf}, consumed before the trigger; copies them only for a script's request end. */
    void feed(ByteBuf buf) {
        if (script != null) {
            byte[] bytes = ByteBufUtil.getBytes(buf);
            feed(bytes, 0, bytes.length);
        } else if (http.follows()) {
            http.feed(buf);
        }
    }

    /** Feeds bytes looked at past the trigger. */
    void lookedAhead(byte[] bytes) {
        lookedAhead += bytes.length;
        feed(bytes, 0, bytes.length);
    }

    /** Whether every byte so far ends exactly at the end of a request. */
    boolean atRequestEnd() {
        return script != null ? !script.inRequest() : http.follows() && http.atRequestEnd();
    }

    /** How many more bytes may be looked at. */
    int room() {
        return (int) Math.max(0, LOOKAHEAD - lookedAhead);
    }

    long lookedAhead() {
        return lookedAhead;
    }
}
