package dev.wan.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Issue 10, finding 6: the dashboard reads its configuration through the same seam as 'wan', from the environment it is given. */
class WanTuiConfigTest {
    @TempDir
    Path tmp;

    private record Run(int code, String err) {
    }

    private Run tui(Map<String, String> env, String... args) {
        StringWriter err = new StringWriter();
        PrintWriter w = new PrintWriter(err);
        int code = new CommandLine(new WanTui(env, w)).setErr(w).execute(args);
        w.flush();
        return new Run(code, err.toString());
    }

    private Path manifest() {
        Path manifest = tmp.resolve("models.toml");
        Fixtures.writeManifest(manifest, new Fixtures.TestModel("m@1.0.0").file("w.bin", Fixtures.bytes(100, 1))
                .sources(tmp.resolve("src").toUri().toString()));
        return manifest;
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"WAN_MAX_TOTAL_SIZE,garbage", "WAN_RETRIES,abc", "WAN_CONNECTIONS,0", "WAN_PREFLIGHT,maybe"})
    void aBadSettingIsInvalidConfigAsForWanWithOrWithoutATerminal(String name, String value) {
        Run r = tui(Map.of(name, value), "--root", tmp.resolve("root").toString(), "--manifest", manifest().toString());

        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().startsWith("wan tui: INVALID_CONFIG: " + name + "='" + value + "'"), r.err());
    }

    @Test
    void anEmptyRootIsRefused() {
        Run r = tui(Map.of(), "--root", "", "--manifest", manifest().toString());

        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("the models root given (--root) is empty"), r.err());
    }

    @Test
    void aSourceSchemeNoBackendHandlesIsAManifestErrorAsForWan() {
        Path manifest = tmp.resolve("custom.toml");
        Fixtures.writeManifest(manifest, new Fixtures.TestModel("m@1.0.0").file("w.bin", Fixtures.bytes(100, 1))
                .sources("custom://bucket/m"));

        Run r = tui(Map.of(), "--root", tmp.resolve("root").toString(), "--manifest", manifest.toString());

        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().startsWith("wan tui: MANIFEST_VALIDATION_ERROR: ") && r.err().contains("custom"), r.err());
    }
}
