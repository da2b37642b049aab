package dev.misbehave.internal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Settings of Misbehave's own copy of Netty, made before the first peer of a JVM uses it, each of
 * which cuts what that first peer pays (measured with {@code ColdStartBenchmark} in {@code
 * benchmarks/}).
 *
 * <p>They are made only on the relocated copy, the classes under {@code
 * dev.misbehave.internal.netty} inside Misbehave's jar. On unrelocated classes (the extension's own
 * unit tests, or an IDE that puts the module's classes on a class path) Netty would be the
 * application's, which Misbehave never changes; there this class does nothing.
 *
 * <ul>
 *   <li><b>The logger factory</b> ({@link NettyLogger}): left alone, Netty's first logger looks for
 *       SLF4J, then Log4J 2, then Log4J, and settles on {@code java.util.logging} if none is usable.
 *       SLF4J 2 finds its provider with a {@code ServiceLoader}, which opens every jar of the class
 *       path, each missing Log4J class is looked up in every jar, and {@code java.util.logging}'s
 *       first use looks for a {@code System.LoggerFinder} service in every jar again. This copy's
 *       messages go to {@code java.util.logging} instead, and only once there is one to log.
 *   <li><b>The default allocator</b> ({@code ByteBufAllocator.DEFAULT}): every Netty channel's
 *       configuration starts with it, so the first channel would build Netty's adaptive pooling
 *       allocator (its size classes, magazines and chunk caches), which the peer then replaces with
 *       its own allocators on every channel it makes. This copy's default is Netty's unpooled
 *       allocator. Netty reads the choice once, from a system property, which this copy reads under
 *       its relocated name ({@value #ALLOCATOR_TYPE}); the property is set only while Netty reads it,
 *       and only if unset, so a value given on the command line still wins.
 * </ul>
 */
final class RelocatedNetty {

    /** The relocated name of Netty's {@code io.netty.allocator.type}, which only this copy reads. */
    static final String ALLOCATOR_TYPE = "dev.misbehave.internal.netty.allocator.type";

    /** Whether the Netty classes this code was compiled against are Misbehave's relocated copy. */
    static final boolean RELOCATED = isRelocated(InternalLoggerFactory.class.getName());

    private RelocatedNetty() {}

    /**
     * Makes the settings; a no-op on unrelocated Netty. {@link NettyPeer}'s static initialiser calls
     * it before its first use of a Netty class.
     */
    static void configure() {
        if (!RELOCATED) {
            return;
        }
        InternalLoggerFactory.setDefaultFactory(NettyLogger.FACTORY);
        try {
            if (System.getProperty(ALLOCATOR_TYPE) == null) {
                System.setProperty(ALLOCATOR_TYPE, "unpooled");
                try {
                    ByteBufAllocator.DEFAULT.hashCode(); // Netty reads the property as it initialises its default
                } finally {
                    System.clearProperty(ALLOCATOR_TYPE);
                }
            }
        } catch (SecurityException notAllowed) {
            // a security manager that keeps system properties: Netty's own default, as before
        }
    }

    /** Whether {@code className}, a Netty class's name as compiled, is in Misbehave's relocated package. */
    static boolean isRelocated(String className) {
        // not a test of "io.netty": the jar's relocation rewrites string constants that name Netty's package
        return className.startsWith("dev.misbehave.internal.netty.");
    }
}
