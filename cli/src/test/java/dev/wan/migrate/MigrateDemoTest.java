package dev.wan.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.cli.InProcessWan;
import dev.wan.ensure.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled demo copied flat, as an operator's old directory would hold it: demo-t2v and demo-i2v
 * both have a {@code model_index.json} of the same size with different bytes. Each matches its own
 * model by sha256, and neither is reported as a mismatch of the other.
 */
class MigrateDemoTest {
    private static final Path DEMO = Path.of("..", "examples", "demo").toAbsolutePath().normalize();

    @TempDir
    Path root;

    @TempDir
    Path legacy;

    @Test
    void aFileThatMatchesOneModelIsNoMismatchOfAnother() throws Exception {
        Fixtures.copyTree(DEMO.resolve("store"), legacy.resolve("old"));
        Files.writeString(legacy.resolve("old").resolve("unknown.bin"), "junk\n");

        InProcessWan.Run r = InProcessWan.run(root, DEMO.resolve("models.toml"),
                "models", "migrate", "analyze", legacy.toString(), "--json");

        assertEquals(0, r.code(), r.err());
        JsonNode doc = r.json();
        assertEquals(0, doc.get("mismatches").size(), doc.get("mismatches").toString());
        assertEquals(13, doc.get("matches").size());
        List<String> unmatched = new ArrayList<>();
        doc.get("unmatched").forEach(u -> unmatched.add(u.get("legacyPath").asText()));
        assertEquals(List.of("old/unknown.bin"), unmatched);
    }

    @Test
    void thePlanListsEveryFileWithin80Columns() throws Exception {
        Fixtures.copyTree(DEMO.resolve("store"), legacy.resolve("old"));
        Path comfy = Files.createDirectories(legacy.resolve("ComfyUI/models/vae"));
        Files.copy(DEMO.resolve("store/demo-t2v@1.0.0/vae/diffusion_pytorch_model.safetensors"),
                comfy.resolve("wan_2.1_vae.safetensors"));
        Files.delete(legacy.resolve("old/demo-i2v@1.0.0/vae/diffusion_pytorch_model.safetensors"));
        Files.delete(legacy.resolve("old/demo-t2v@1.0.0/vae/diffusion_pytorch_model.safetensors"));

        InProcessWan.Run r = InProcessWan.run(root, DEMO.resolve("models.toml"),
                "models", "migrate", "plan", legacy.toString());

        assertEquals(0, r.code(), r.err());
        List<String> rows = r.out().lines().filter(l -> l.startsWith("  ")).toList();
        assertEquals(List.of(), rows.stream().filter(l -> l.length() > 80).toList());
        // most files sit under their model's old directory: named once; the shared VAE, found in ComfyUI, has its own line
        assertTrue(r.out().contains("  from old/demo-i2v@1.0.0/\n"), r.out());
        assertTrue(r.out().contains("<- ComfyUI/models/vae/wan_2.1_vae.safetensors"), r.out());
        assertEquals(4 + 4 + 5 + 3, rows.stream().filter(l -> l.startsWith("  hardlink ")).count(), r.out());
    }
}
