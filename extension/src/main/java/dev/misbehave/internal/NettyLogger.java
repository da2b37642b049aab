package dev.misbehave.internal;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;

/**
 * The logger of Misbehave's relocated copy of Netty ({@link RelocatedNetty}): its info, warnings
 * and errors go to {@code java.util.logging}, under the Netty class's (relocated) name, as Netty's
 * own {@code java.util.logging} logger would send them; its debug and trace messages are dropped
 * without asking anyone. The {@code java.util.logging} logger is made at the first message that
 * goes to it, so a peer that logs nothing never initialises {@code java.util.logging}, whose first
 * use looks for a {@code System.LoggerFinder} service in every jar of the class path.
 */
final class NettyLogger extends AbstractInternalLogger {

    private static final long serialVersionUID = 1L;

    /** The factory to give Netty's {@code InternalLoggerFactory}. */
    static final InternalLoggerFactory FACTORY = new InternalLoggerFactory() {
        @Override
        protected InternalLogger newInstance(String name) {
            return named(name);
        }
    };

    /** Netty's {@code java.util.logging} logger of the same name; null until the first message. */
    private transient volatile InternalLogger jdk;

    private NettyLogger(String name) {
        super(name);
    }

    /** The logger of that name. */
    static InternalLogger named(String name) {
        return new NettyLogger(name);
    }

    private InternalLogger jdk() {
        InternalLogger logger = jdk;
        if (logger == null) {
            logger = ((JdkLoggerFactory) JdkLoggerFactory.INSTANCE).newInstance(name());
            jdk = logger;
        }
        return logger;
    }

    // ---- debug and trace: off ----------------------------------------------------------------

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public void trace(String msg) {}

    @Override
    public void trace(String format, Object arg) {}

    @Override
    public void trace(String format, Object argA, Object argB) {}

    @Override
    public void trace(String format, Object... arguments) {}

    @Override
    public void trace(String msg, Throwable t) {}

    @Override
    public boolean isDebugEnabled() {
        return false;
    }

    @Override
    public void debug(String msg) {}

    @Override
    public void debug(String format, Object arg) {}

    @Override
    public void debug(String format, Object argA, Object argB) {}

    @Override
    public void debug(String format, Object... arguments) {}

    @Override
    public void debug(String msg, Throwable t) {}

    // ---- info, warn and error: java.util.logging ------------------------------------------------

    @Override
    public boolean isInfoEnabled() {
        return jdk().isInfoEnabled();
    }

    @Override
    public void info(String msg) {
        jdk().info(msg);
    }

    @Override
    public void info(String format, Object arg) {
        jdk().info(format, arg);
    }

    @Override
    public void info(String format, Object argA, Object argB) {
        jdk().info(format, argA, argB);
    }

    @Override
    public void info(String format, Object... arguments) {
        jdk().info(format, arguments);
    }

    @Override
    public void info(String msg, Throwable t) {
        jdk().info(msg, t);
    }

    @Override
    public boolean isWarnEnabled() {
        return jdk().isWarnEnabled();
    }

    @Override
    public void warn(String msg) {
        jdk().warn(msg);
    }

    @Override
    public void warn(String format, Object arg) {
        jdk().warn(format, arg);
    }

    @Override
    public void warn(String format, Object... arguments) {
        jdk().warn(format, arguments);
    }

    @Override
    public void warn(String format, Object argA, Object argB) {
        jdk().warn(format, argA, argB);
    }

    @Override
    public void warn(String msg, Throwable t) {
        jdk().warn(msg, t);
    }

    @Override
    public boolean isErrorEnabled() {
        return jdk().isErrorEnabled();
    }

    @Override
    public void error(String msg) {
        jdk().error(msg);
    }

    @Override
    public void error(String format, Object arg) {
        jdk().error(format, arg);
    }

    @Override
    public void error(String format, Object argA, Object argB) {
        jdk().error(format, argA, argB);
    }

    @Override
    public void error(String format, Object... arguments) {
        jdk().error(format, arguments);
    }

    @Override
    public void error(String msg, Throwable t) {
        jdk().error(msg, t);
    }
}
