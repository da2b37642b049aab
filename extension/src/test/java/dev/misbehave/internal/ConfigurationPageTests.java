package dev.misbehave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The configuration keys page (docs/configuration.md)")
class ConfigurationPageTests {

    private static final Path PAGE = Path.of("..", "docs", "configuration.md");
    private static final Path SOURCES = Path.of("src", "main", "java");
    /** A string literal that names a misbehave.* key. */
    private static final Pattern KEY_LITERAL = Pattern.compile("\"(misbehave\\.[A-Za-z.]+)\"");
    /** Not configuration: keys of JUnit report entries (a failed test's journal, a warning). */
    private static final Set<String> NOT_CONFIGURATION = Set.of("misbehave.journal", "misbehave.warning");
    private static final Pattern ROW = Pattern.compile("^\\| `(misbehave\\.[A-Za-z.]+)` \\| `([^`]*)` \\|", Pattern.MULTILINE);

    @Test
    @DisplayName("has one row per misbehave.* key in the extension's code, with the default the code uses")
    void listsEveryKeyWithItsDefault() throws IOException {
        Map<String, String> rows = new java.util.TreeMap<>();
        Matcher row = ROW.matcher(Files.readString(PAGE));
        while (row.find()) {
            rows.put(row.group(1), row.group(2));
        }

        assertThat(rows.keySet())
                .as("the keys in the table of %s, against the misbehave.* string literals of the extension's code:"
                        + " give each key of the code a row (| `key` | `default` | what it does |), and remove rows"
                        + " of keys the code no longer reads (a literal that is not configuration goes in"
                        + " NOT_CONFIGURATION)", PAGE)
                .isEqualTo(keysInCode());
        assertThat(rows).containsEntry(PeerSettings.QUIET_PERIOD_KEY, millis(PeerSettings.DEFAULTS.quietPeriod()))
                .containsEntry(PeerSettings.CLOSE_TIMEOUT_KEY, millis(PeerSettings.DEFAULTS.closeTimeout()))
                .containsEntry(PeerSettings.AWAIT_TIMEOUT_KEY, millis(PeerSettings.DEFAULTS.awaitTimeout()));
    }

    private static String millis(java.time.Duration duration) {
        return String.valueOf(duration.toMillis());
    }

    private static Set<String> keysInCode() throws IOException {
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                Matcher literal = KEY_LITERAL.matcher(Files.readString(file));
                while (literal.find()) {
                    keys.add(literal.group(1));
                }
            }
        }
        keys.removeAll(NOT_CONFIGURATION);
        return keys;
    }
}
