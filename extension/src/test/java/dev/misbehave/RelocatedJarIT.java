package dev.misbehave;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.misbehave.testing.Sockets;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published jar, as a downstream build gets it: Netty relocated under one prefix, its NIO
 * transport only, no native code, nothing that could meet the application's own Netty. Failsafe runs
 * this after {@code package}, with the packaged jar in place of the compiled classes and without the
 * unrelocated Netty jars on the class path.
 */
class RelocatedJarIT {

    private static final String PREFIX = "dev/misbehave/internal/netty/";

    private static Path jar;
    private static List<String> entries;

    @BeforeAll
    static void openJar() throws IOException {
        jar = Path.of(System.getProperty("misbehave.jar", "target/misbehave.jar"));
        assertThat(jar).as("the packaged jar (failsafe's system property misbehave.jar)").isRegularFile();
        entries = new ArrayList<>();
        try (var file = new JarFile(jar.toFile())) {
            file.stream().map(JarEntry::getName).forEach(entries::add);
        }
    }

    @Test
    void everyClassLivesUnderMisbehavesOwnPackages() {
        assertThat(entries).filteredOn(name -> name.endsWith(".class"))
                .allMatch(name -> name.startsWith("dev/misbehave/"), "under dev/misbehave/")
                .noneMatch(name -> name.startsWith("io/netty/"));
        assertThat(entries)
                .as("Netty's NIO transport, relocated")
                .contains(PREFIX + "channel/nio/NioIoHandler.class",
                        PREFIX + "channel/socket/nio/NioSocketChannel.class",
                        PREFIX + "buffer/PooledByteBufAllocator.class");
    }

    @Test
    void noClassRefersToUnrelocatedNetty() throws IOException {
        byte[] unrelocated = "io/netty/".getBytes(StandardCharsets.US_ASCII);
        var offenders = new ArrayList<String>();
        int scanned = 0;
        try (var file = new JarFile(jar.toFile())) {
            for (var entry : (Iterable<JarEntry>) file.stream()::iterator) {
                if (!entry.getName().endsWith(".class")) {
                    continue;
                }
                scanned++;
                try (InputStream in = file.getInputStream(entry)) {
                    if (indexOf(in.readAllBytes(), unrelocated) >= 0) {
                        offenders.add(entry.getName());
                    }
                }
            }
        }
        assertThat(scanned).as("class files scanned").isGreaterThan(1000);
        assertThat(offenders).as("classes naming a type in io/netty/").isEmpty();
    }

    @Test
    void nioOnlyAndNoNettyNativeCode() {
        assertThat(entries)
                .noneMatch(name -> name.startsWith("META-INF/native/"))
                .noneMatch(name -> name.matches(PREFIX + "channel/(epoll|kqueue|uring|unix)/.*")
                        // the one exception: an interface SslHandler tests its channel against
                        && !name.equals(PREFIX + "channel/unix/UnixChannel.class")
                        && !name.equals(PREFIX + "channel/unix/"));
        assertThat(entries.stream().filter(name -> name.matches("(?i).*\\.(so|dll|dylib|jnilib|a)$")))
                .as("native files: only Misbehave's own delivery-check library")
                .allMatch(name -> name.matches("dev/misbehave/internal/native/[A-Za-z0-9_]+/libmisbehave_sockdiag\\.so"));
    }

    @Test
    void carriesTheDeliveryCheckLibraryWhereTheBuildCouldCompileIt() {
        boolean linux = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");
        boolean gcc = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "gcc")));
        org.assertj.core.api.Assumptions.assumeThat(linux && gcc).as("built on Linux with gcc").isTrue();
        assertThat(entries).contains(
                "dev/misbehave/internal/native/" + System.getProperty("os.arch") + "/libmisbehave_sockdiag.so");
    }

    @Test
    void noNettyMetadataThatTheApplicationsNettyWouldRead() {
        assertThat(entries)
                .noneMatch(name -> name.startsWith("META-INF/services/"))
                .noneMatch(name -> name.startsWith("META-INF/native-image/"))
                .noneMatch(name -> name.startsWith("META-INF/maven/io.netty/"))
                .doesNotContain("META-INF/io.netty.versions.properties")
                .noneMatch(name -> name.startsWith("META-INF/versions/"));
    }

    @Test
    void thePublishedPomNamesNoNetty() throws IOException {
        var pom = Path.of(System.getProperty("misbehave.publishedPom", "target/dependency-reduced-pom.xml"));
        String text = Files.readString(pom);
        String dependencies = text.substring(text.indexOf("<dependencies>"), text.indexOf("</dependencies>"));
        assertThat(dependencies)
                .contains("<artifactId>junit-jupiter-api</artifactId>", "<artifactId>assertj-core</artifactId>")
                .doesNotContain("io.netty", "netty-");
    }

    @Test
    void aPeerRunsOnTheRelocatedCopyAlone() throws Exception {
        assertThatThrownBy(() -> Class.forName("io.netty.channel.Channel"))
                .as("no unrelocated Netty on this class path")
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(Path.of(MisbehavingPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI()))
                .as("the API comes from the packaged jar")
                .isEqualTo(jar.toAbsolutePath());

        try (var peer = MisbehavingPeer.start(Fault.resetAfter(Direction.DOWNSTREAM, 0));
                var client = new Socket(peer.host(), peer.port())) {
            var read = Sockets.readAll(client);
            assertThat(read.failure()).isInstanceOf(SocketException.class).hasMessageContaining("reset");
            assertThat(peer.awaitConnections(1, Duration.ofSeconds(5)))
                    .singleElement()
                    .extracting(ConnectionRecord::ending)
                    .isEqualTo(Ending.PEER_RESET);
        }
        var engine = Class.forName(PREFIX.replace('/', '.') + "channel.nio.NioIoHandler");
        assertThat(Path.of(engine.getProtectionDomain().getCodeSource().getLocation().toURI()))
                .as("the engine's Netty comes from the same jar")
                .isEqualTo(jar.toAbsolutePath());
    }

    @Test
    void theRelocatedCopyLogsThroughMisbehavesLoggerAndDefaultsToUnpooledBuffers() throws Exception {
        try (var peer = MisbehavingPeer.start(Fault.resetAfter(Direction.UPSTREAM, 0))) {
            assertThat(peer.port()).isPositive();
        }
        Object factory = Class.forName(PREFIX.replace('/', '.') + "util.internal.logging.InternalLoggerFactory")
                .getMethod("getDefaultFactory").invoke(null);
        Object allocator = Class.forName(PREFIX.replace('/', '.') + "buffer.ByteBufAllocator").getField("DEFAULT").get(null);

        assertThat(factory.getClass().getName()).as("the relocated copy's logger factory").startsWith("dev.misbehave.internal.NettyLogger");
        assertThat(allocator.getClass().getName()).as("the relocated copy's default allocator")
                .isEqualTo(PREFIX.replace('/', '.') + "buffer.UnpooledByteBufAllocator");
        assertThat(System.getProperty("dev.misbehave.internal.netty.allocator.type"))
                .as("the property the choice was made through, cleared again").isNull();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
