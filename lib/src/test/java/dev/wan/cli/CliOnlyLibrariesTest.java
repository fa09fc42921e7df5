package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The command line's own libraries (picocli for the verbs, jline for the terminal) stay in
 * {@code dev.wan.cli}: the core that the dashboard, the scripts and embedding applications use must not
 * need them, so they can be split out of the core jar.
 */
class CliOnlyLibrariesTest {
    private static final Pattern CLI_LIBRARY = Pattern.compile("\\b(picocli|org\\.jline)\\.");
    private static final Path MAIN = Path.of("src", "main", "java");

    @Test
    void onlyTheCliPackageNamesPicocliOrJline() throws IOException {
        List<String> offences;
        try (Stream<Path> files = Files.walk(MAIN)) {
            offences = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !MAIN.relativize(p).startsWith(Path.of("dev", "wan", "cli")))
                    .filter(p -> CLI_LIBRARY.matcher(read(p)).find())
                    .map(Path::toString).toList();
        }

        assertEquals(List.of(), offences);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
