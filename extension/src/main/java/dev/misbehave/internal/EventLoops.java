package dev.misbehave.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The one event loop group every peer of this JVM shares. Its threads are daemon threads named
 * {@code misbehave-io-*}, so it never keeps a JVM alive; a group per peer would cost a thread start
 * and a shutdown per test.
 */
final class EventLoops {

    private static final int THREADS = 2;

    private EventLoops() {}

    static EventLoopGroup shared() {
        return Holder.GROUP;
    }

    private static final class Holder {
        static final EventLoopGroup GROUP =
                new MultiThreadIoEventLoopGroup(
                        THREADS, new DefaultThreadFactory("misbehave-io", true), NioIoHandler.newFactory());
    }
}
