package dev.wan.internal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.testkit.ScaleManifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * PlainToml must read exactly what tomlj reads, positions included (they are the line numbers of
 * every manifest message), and give up on anything it does not fully understand.
 */
class PlainTomlTest {
    private static final String MODEL = """
            schema_version = 1
            # a comment
            [models."t2v-A14B@2.2.0"]
              description = "WAN2.2 — ünïcode"   # trailing comment
            version = '2.2.0'
            variants = [ "fp16",'bf16', ]
            default_variant="fp16"
            allow_patterns = ["*.safetensors", "*.json"]
            lora_required = false

            [[models."t2v-A14B@2.2.0".files]]
            path = "a/b.safetensors"
              size = 123456789012
            sha256 = "38071ab59bd94681c686fa51d75a1968f64e470262043be31f7a094e442fd981"
            optional = true
            variant = "fp16"
            [[models."t2v-A14B@2.2.0".files]]
            path = "c.json"
            size = -0
            unknown_key = +7
            [models."t2v-A14B@2.2.0".sources]
            priority = ["local://wan22/t2v", "hf://Wan-AI/Wan2.2-T2V-A14B"]
            [models.other]
            files = []
            """;

    static Stream<String> plainTexts() {
        return Stream.of(MODEL, MODEL.replace("\n", "\r\n"), "", "\n\n# only a comment", "a = 1", "a = true\nb = false\n",
                "[x]\n[y]\n[[z]]\n[[z]]\nk = 'v'", "x = [ ]", "[models.\"a@1.0.0\".files.deep]\nk = 1",
                "[\"quoted key\"]\n'lit' = \"v\"\n\"q\" = 'x'",
                "allow_patterns = [\n  \"*.json\",  # configs\n\n\t'*.pth'\n  ,\"*.model\", # last\n]\nk = 1",
                "a = [ # why\r\n \"x\" ]\r\n", "a = [\n]\nb = [\"y\"\n]");
    }

    @ParameterizedTest
    @MethodSource("plainTexts")
    void readsWhatTomljReads(String text) {
        TomlParseResult plain = PlainToml.parse(text);
        assertNotNull(plain, "plain TOML must not need tomlj:\n" + text);
        assertSame(Toml.parse(text), plain, "");
    }

    @Test
    void theBundledManifestsAreReadWithoutTomlj() throws IOException {
        for (String name : List.of("examples/wan22.toml", "examples/demo/models.toml", "examples/demo/custom.toml")) {
            String text = Files.readString(checkout().resolve(name));
            TomlParseResult plain = PlainToml.parse(text);
            assertNotNull(plain, name + " should be plain TOML");
            assertSame(Toml.parse(text), plain, name + ": ");
        }
    }

    @Test
    void aGeneratedManifestIsReadAsTomljReadsIt(@TempDir Path dir) throws IOException {
        String text = Files.readString(ScaleManifests.write(dir, 2_000, 7, false));
        TomlParseResult plain = PlainToml.parse(text);
        assertNotNull(plain);
        assertSame(Toml.parse(text), plain, "generated: ");
    }

    /** Each is either not TOML, or TOML that PlainToml does not model: tomlj must see it. */
    static Stream<String> notPlain() {
        return Stream.of(
                "a = 1\na = 2",                         // key defined twice
                "[a]\n[a]",                             // table defined twice
                "[a.b]\n[a]\nk = 1",                    // implicit then explicit: legal, but tomlj's call
                "[[a]]\n[a]", "[a]\n[[a]]", "a = 1\n[a]", "a = [\"x\"]\n[[a]]",
                "[a]\nb = 1\n[a.b]",                    // through a value
                "[[a]]\n[a.b]",                         // into an array of tables
                "a = \"x\\ty\"", "a = \"\\u00e9\"",     // escapes
                "a = \"\"", "a = ''", "a = \"\"\"x\"\"\"", "a = '''x'''",
                "a = \"unterminated", "a = \"x\" b", "a = 1 2", "a = 007", "a = 1_000", "a = 0x1f", "a = 1.5",
                "a = 1e3", "a = 1979-05-27", "a = inf", "a = nan", "a = 12345678901234567890", "a = truex",
                "a = {b = 1}", "a.b = 1", "a = [1, 2]", "a = [[\"x\"]]", "a = [\"x\"", "a = [\"x\",\n", "a = [\"x\" # \u0001\n]", "a = [\"x\"\rb]",
                "a = \"tab\tok\u0001bad\"", "a = 1 # \u0007 bell", "a = \"\uD83D\uDE00\"", "a = 1\rb = 2",
                "  [indented]", "[ a ]", "[a . b]", "[a", "[[a]", "[]", "= 1", "a", "a =", "a = \"x\"\u0000",
                "\"k\\\"\" = 1", "schema_version = 1\n[models.\"a@1.0.0\"\ndescription = 1");
    }

    @ParameterizedTest
    @MethodSource("notPlain")
    void leavesTheRestToTomlj(String text) {
        assertNull(PlainToml.parse(text), "should fall back to tomlj:\n" + text);
    }

    @Test
    void plainStringsKeepAnyPrintableCharacter() {
        TomlParseResult plain = PlainToml.parse("a = \"x\ty ü € 'q' #nocomment\"");
        assertNotNull(plain);
        assertEquals("x\ty ü € 'q' #nocomment", plain.get(List.of("a")));
    }

    private static void assertSame(TomlTable expected, TomlTable actual, String where) {
        if (expected instanceof TomlParseResult r) {
            assertFalse(r.hasErrors(), where + "tomlj found errors: " + r.errors());
        }
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), where + "keys");
        for (String key : expected.keySet()) {
            List<String> path = List.of(key);
            assertEquals(expected.inputPositionOf(path), actual.inputPositionOf(path), where + key + " position");
            assertSameValue(expected.get(path), actual.get(path), where + key + ".");
        }
    }

    private static void assertSameValue(Object expected, Object actual, String where) {
        if (expected instanceof TomlTable t) {
            assertSame(t, assertInstanceOf(TomlTable.class, actual, where), where);
        } else if (expected instanceof TomlArray a) {
            TomlArray b = assertInstanceOf(TomlArray.class, actual, where);
            assertEquals(a.size(), b.size(), where + "size");
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.inputPositionOf(i), b.inputPositionOf(i), where + i + " position");
                assertSameValue(a.get(i), b.get(i), where + i + ".");
            }
            assertEquals(a.toList().size(), b.toList().size(), where + "toList");
            if (a.isEmpty() || !(a.get(0) instanceof TomlTable)) {
                assertEquals(a.toList(), b.toList(), where + "toList");
            }
        } else {
            assertEquals(expected, actual, where);
        }
    }

    private static Path checkout() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("examples/wan22.toml"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "the checkout's examples/ directory");
        return dir;
    }
}
