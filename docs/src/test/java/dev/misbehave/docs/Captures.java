package dev.misbehave.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the other modules of the build left for the docs, found under the repository root: the
 * outputs their producer tests captured, the regions their long generators staged, and their
 * sources (to name the producer of an ID).
 *
 * <ul>
 *   <li>{@code <module>/target/doc-outputs/<ID>.txt}: the real output of a run, written by a
 *       producer test in every build, already normalised (ports, times and temporary paths
 *       replaced by what the doc says next to the block);
 *   <li>{@code <module>/target/doc-outputs/<ID>.skipped}: the producer could not produce it here
 *       (the reason is the file's text, for example "python3 is not installed");
 *   <li>{@code <module>/target/generated-docs/<ID>.md}: the new content of a generated region,
 *       written by a long documented command (benchmarks, the determinism run, the observation
 *       matrix), to be published with {@code -Ddocs.update=true}.
 * </ul>
 *
 * <p>A module is a directory right under the root. The producer or generator of an ID is the
 * source file that names it as a string literal under {@code <module>/src}: {@code "ID"}, or the
 * file it writes, {@code "ID.md"}.
 */
final class Captures {

    static final String OUTPUTS = "doc-outputs";
    static final String GENERATED = "generated-docs";

    private final Path root;
    private Map<Path, String> sources;

    Captures(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** Every module's capture of output {@code id} (more than one is a problem). */
    List<Path> output(String id) {
        return inModules(OUTPUTS, id + ".txt");
    }

    /** Every module's note that it skipped output {@code id}. */
    List<Path> skipped(String id) {
        return inModules(OUTPUTS, id + ".skipped");
    }

    /** Every module's staged content of generated region {@code id}. */
    List<Path> staged(String id) {
        return inModules(GENERATED, id + ".md");
    }

    /** The IDs of every output captured or skipped in any module, with the files. */
    Map<String, List<Path>> capturedOutputs() {
        Map<String, List<Path>> ids = new TreeMap<>();
        for (Path module : modules()) {
            Path dir = module.resolve("target").resolve(OUTPUTS);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.forEach(file -> {
                    String name = file.getFileName().toString();
                    String id = name.endsWith(".txt") ? name.substring(0, name.length() - 4)
                            : name.endsWith(".skipped") ? name.substring(0, name.length() - 8) : null;
                    if (id != null) {
                        ids.computeIfAbsent(id, k -> new ArrayList<>()).add(file);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ids;
    }

    /**
     * The source files (under {@code <module>/src}) that hold the string literal {@code "id"}, or a
     * file name made of it ({@code "id.md"}).
     */
    List<Path> sourcesNaming(String id) {
        Pattern literal = Pattern.compile("\"" + Pattern.quote(id) + "(\\.[a-z]+)?\"");
        return sources().entrySet().stream()
                .filter(source -> literal.matcher(source.getValue()).find())
                .map(Map.Entry::getKey)
                .collect(Collectors.toList());
    }

    /** {@code file} relative to the root, for messages. */
    String relative(Path file) {
        return root.relativize(file).toString();
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Path> inModules(String kind, String fileName) {
        List<Path> found = new ArrayList<>();
        for (Path module : modules()) {
            Path file = module.resolve("target").resolve(kind).resolve(fileName);
            if (Files.isRegularFile(file)) {
                found.add(file);
            }
        }
        return found;
    }

    private List<Path> modules() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory)
                    .filter(dir -> !dir.getFileName().toString().startsWith("."))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<Path, String> sources() {
        if (sources == null) {
            Map<Path, String> found = new TreeMap<>();
            for (Path module : modules()) {
                Path src = module.resolve("src");
                if (!Files.isDirectory(src)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(src)) {
                    files.filter(file -> file.toString().endsWith(".java"))
                            .forEach(file -> found.put(file, read(file)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            sources = found;
        }
        return sources;
    }

    /** The module directories' names, for messages. */
    static String modulesOf(List<Path> files, Path root) {
        return files.stream()
                .map(file -> root.relativize(file).getName(0).toString())
                .collect(Collectors.toCollection(TreeSet::new))
                .toString();
    }
}
