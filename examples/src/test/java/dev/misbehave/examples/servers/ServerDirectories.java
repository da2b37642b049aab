package dev.misbehave.examples.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where the real servers keep their files: a fresh directory under {@code target/servers/} per start. */
final class ServerDirectories {

    static final Path ROOT = Path.of("target", "servers").toAbsolutePath();

    private ServerDirectories() {}

    /** A new, empty directory {@code target/servers/<prefix>NNN}. */
    static Path fresh(String prefix) {
        try {
            return Files.createTempDirectory(Files.createDirectories(ROOT), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a server directory under " + ROOT
                    + ": check that target/ is writable", e);
        }
    }

    /** Deletes {@code dir} and everything in it; a file that cannot be deleted is left behind. */
    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover directory under target/ is harmless; the next `mvn clean` removes it
        }
    }
}
