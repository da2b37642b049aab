package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.misbehave.Fault;
import dev.misbehave.MisbehavingPeer;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The settings Misbehave makes on its relocated copy of Netty. These unit tests run on the
 * unrelocated classes, where the settings must not be made; {@code RelocatedJarIT} checks that the
 * packaged jar makes them.
 */
@DisplayName("The settings of the relocated Netty")
class RelocatedNettyTests {

    @Test
    @DisplayName("are made only on classes under dev.misbehave.internal.netty")
    void onlyTheRelocatedPackage() {
        assertThat(RelocatedNetty.isRelocated("dev.misbehave.internal.netty.util.internal.logging.InternalLoggerFactory"))
                .isTrue();
        assertThat(RelocatedNetty.isRelocated(InternalLoggerFactory.class.getName()))
                .as("this class path's Netty, %s", InternalLoggerFactory.class.getName())
                .isFalse();
        assertThat(RelocatedNetty.RELOCATED).isFalse();
    }

    @Test
    @DisplayName("leave an unrelocated Netty, the application's, as it was")
    void unrelocatedNettyUntouched() {
        try (MisbehavingPeer peer = MisbehavingPeer.start(Fault.resetAfter(dev.misbehave.Direction.UPSTREAM, 0))) {
            assertThat(peer.port()).isPositive();
        }
        RelocatedNetty.configure();

        assertThat(InternalLoggerFactory.getDefaultFactory()).isNotSameAs(NettyLogger.FACTORY);
        assertThat(System.getProperty(RelocatedNetty.ALLOCATOR_TYPE)).isNull();
    }

    @Nested
    @DisplayName("The relocated Netty's logger")
    class Logging {

        @Test
        @DisplayName("drops debug and trace messages without initialising java.util.logging's logger of that name")
        void debugAndTraceOff() {
            String name = "dev.misbehave.test.quiet" + System.nanoTime();
            InternalLogger logger = NettyLogger.named(name);

            logger.debug("debug {}", 1);
            logger.trace("trace {}", 2);

            assertThat(logger.isDebugEnabled()).isFalse();
            assertThat(logger.isTraceEnabled()).isFalse();
            assertThat(LogManager.getLogManager().getLogger(name)).as("java.util.logging's logger %s", name).isNull();
        }

        @Test
        @DisplayName("sends info, warnings and errors to java.util.logging under the Netty class's name, formatted")
        void warningsToJdkLogging() {
            String name = "dev.misbehave.test.loud" + System.nanoTime();
            List<LogRecord> records = new ArrayList<>();
            Logger jdk = Logger.getLogger(name);
            jdk.setUseParentHandlers(false);
            jdk.addHandler(new Handler() {
                @Override
                public void publish(LogRecord record) {
                    records.add(record);
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            });
            InternalLogger logger = NettyLogger.named(name);

            logger.info("info {}", 1);
            logger.warn("warn {} {}", 2, 3);
            logger.error("error", new IllegalStateException("boom"));

            assertThat(logger.isWarnEnabled()).isTrue();
            assertThat(records).extracting(LogRecord::getLevel).containsExactly(Level.INFO, Level.WARNING, Level.SEVERE);
            assertThat(records).extracting(LogRecord::getMessage).containsExactly("info 1", "warn 2 3", "error");
            assertThat(records).extracting(LogRecord::getLoggerName).containsOnly(name);
            assertThat(records.get(2).getThrown()).hasMessage("boom");
        }
    }
}
