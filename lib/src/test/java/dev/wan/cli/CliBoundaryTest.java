package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The terminal libraries stay in the CLI: the core (everything in lib outside {@code dev.wan.cli})
 * imports neither picocli nor jline, so a library user gets the API without the command line.
 */
class CliBoundaryTest {
    private static final Path MAIN = Path.of("src", "main", "java");

    @Test
    void onlyTheCliImportsPicocliOrJline() throws IOException {
        List<String> offences = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(MAIN)) {
            for (Path source : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                if (source.startsWith(MAIN.resolve("dev/wan/cli"))) {
                    continue;
                }
                for (String line : Files.readAllLines(source, StandardCharsets.UTF_8)) {
                    if (line.matches("\\s*import\\s+(static\\s+)?(picocli|org\\.jline)\\..*")) {
                        offences.add(MAIN.relativize(source) + ": " + line.strip());
                    }
                }
            }
        }

        assertTrue(files > 50, "found only " + files + " sources under " + MAIN.toAbsolutePath());
        assertEquals(List.of(), offences, "only dev.wan.cli may use the terminal libraries");
    }
}
