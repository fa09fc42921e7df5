package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.text.TerminalText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 9, finding 7: text from a manifest reaches the terminal escaped, one line per problem. */
class TerminalSafetyTest {
    @TempDir
    Path dir;

    private Run wan(String... args) {
        return InProcessWan.bare(args);
    }

    /** A manifest whose file path and description carry raw ESC, newline, C1 CSI and RLO characters. */
    private Path hostileManifest() throws Exception {
        String nasty = "\u001b[2J\u001b]0;owned\u0007\nwan: OK fake line\u009b31m\u202egnp.exe";
        return Files.writeString(dir.resolve("models.toml"), """
                schema_version = 1
                [models."m@1.0.0"]
                description = "%1$s"
                [[models."m@1.0.0".files]]
                path = "%1$s"
                size = 1
                [models."m@1.0.0".sources]
                priority = ["local://m"]
                """.formatted(nasty.replace("\u001b", "\\u001b").replace("\u0007", "\\u0007").replace("\n", "\\n")
                .replace("\u009b", "\\u009b").replace("\u202e", "\\u202e")));
    }

    private static boolean hasRawControl(String s) {
        return s.chars().anyMatch(c -> (c < 0x20 && c != '\n') || (c >= 0x7F && c <= 0x9F) || c == 0x202E
                || c == 0x2028);
    }

    @Test
    void errorLinesEscapeControlCharactersAndKeepOneLinePerProblem() throws Exception {
        Path manifest = hostileManifest();

        Run r = wan("models", "list", "--root", dir.resolve("root").toString(), "--manifest", manifest.toString());

        assertEquals(3, r.code());
        assertFalse(hasRawControl(r.err()), r.err());
        List<String> lines = Arrays.asList(r.err().split("\n"));
        assertTrue(lines.get(0).startsWith("wan: MANIFEST_VALIDATION_ERROR: "), r.err());
        assertTrue(lines.stream().skip(1).allMatch(l -> l.startsWith("  ")), r.err());
        assertTrue(r.err().contains("\\x1b[2J") && r.err().contains("\\nwan: OK fake line")
                && r.err().contains("\\x9b31m") && r.err().contains("\\u202egnp.exe"), r.err());
    }

    @Test
    void validateManifestPrintsEscapedProblemLines() throws Exception {
        Path manifest = hostileManifest();

        Run r = wan("models", "validate-manifest", manifest.toString());

        assertEquals(3, r.code());
        assertFalse(hasRawControl(r.out()), r.out());
        assertTrue(Arrays.stream(r.out().split("\n")).allMatch(l -> l.startsWith(manifest.toString())), r.out());
    }

    @Test
    void jsonEscapesC1AndBidiCharactersToo() throws Exception {
        Path manifest = hostileManifest();

        Run r = wan("models", "validate-manifest", manifest.toString(), "--json");

        assertEquals(3, r.code());
        assertFalse(hasRawControl(r.out().replace("\n", "")), r.out());
        String message = new ObjectMapper().readTree(r.out()).path("errors").path(0).path("message").asText();
        assertTrue(message.contains("\u001b[2J") && message.contains("\u009b31m"), "the JSON value is unchanged: " + message);
    }

    @Test
    void escapeLeavesOrdinaryTextAndEmojiAlone() {
        assertEquals("café/模型/😀.bin", TerminalText.escape("café/模型/😀.bin"));
        assertEquals("a\\x1b[2Jb\\nc\\u202ed\\ud800", TerminalText.escape("a\u001b[2Jb\nc\u202ed\ud800"));
    }
}
