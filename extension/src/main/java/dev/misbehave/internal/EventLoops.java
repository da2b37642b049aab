package dev.misbehave.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The one event loop group every peer of this JVM shares. Its threads are daemon threads named
 * {@code misbehave-io-*}, so it never keeps a JVM alive; a group per peer would cost a thread start
 * and a shutdown per test.
 *
 * <p>The group is shut down when the JVM shuts down (a shutdown hook). An idle event loop waits in
 * the kernel's {@code epoll_wait}, a native call, and HotSpot's exit waits for every thread in a
 * native call to return, up to about 300 ms (measured: a JVM with one daemon thread in {@code
 * Selector.select()} took 300–370 ms longer to exit, through {@code System.exit} or the end of
 * {@code main}). Surefire and Gradle end every test JVM that way, so without the hook every test JVM
 * that used a peer would end 300 ms later. The hook first closes every peer still open, as its
 * {@code close()} would (a program that closes its peer from its own shutdown hook, as the
 * standalone CLI does, waits for that), then ends the loops.
 */
final class EventLoops {

    private static final int THREADS = 2;
    /** How long the shutdown hook waits for the loops to end: less than what it saves. */
    private static final long EXIT_WAIT_MILLIS = 200;

    private EventLoops() {}

    static EventLoopGroup shared() {
        return Holder.GROUP;
    }

    private static final class Holder {
        static final EventLoopGroup GROUP =
                new MultiThreadIoEventLoopGroup(
                        THREADS, new DefaultThreadFactory("misbehave-io", true), NioIoHandler.newFactory());

        static {
            try {
                Runtime.getRuntime().addShutdownHook(new ExitHook());
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting: nothing to shorten
            }
        }

    }

    /** Ends the loops at once (no quiet period), so none is in a native call when the JVM exits. */
    private static final class ExitHook extends Thread {
        ExitHook() {
            super("misbehave-io-exit");
        }

        @Override
        public void run() {
            NettyPeer.closeAllOpen(); // their connections end as planned, while the loops still run
            Holder.GROUP.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
