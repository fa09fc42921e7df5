package dev.wan.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.cli.InProcessWan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A legacy tree is untrusted: links leaving it (to a file with the very bytes the manifest wants,
 * to a directory, to a FIFO that would hang any reader), a FIFO inside it and a link loop. None is
 * read or used, the canaries keep bytes, modes, mtimes and listing, and the rest still migrates.
 */
class MigrateHostileTest {
    @TempDir
    Path work;

    @Test
    void linksLeavingTheLegacyTreeAreReportedAndNeverRead() throws Exception {
        LegacyTree tree = new LegacyTree();
        Path manifest = tree.manifest(work);
        Path legacy = work.resolve("old");
        tree.build(legacy);
        Path root = work.resolve("store");
        Path canary = Files.createDirectories(work.resolve("canary"));
        Files.write(canary.resolve("bf16.bin"), tree.t2vBf16);       // exactly what the manifest wants
        Files.write(canary.resolve("config.json"), tree.ti2vConfig);  // ti2v's missing file, by path and bytes
        mkfifo(canary.resolve("pipe"));
        Files.createSymbolicLink(legacy.resolve("flat/t2v-A14B/transformer/diffusion_pytorch_model.bf16.safetensors"),
                canary.resolve("bf16.bin"));
        Files.createSymbolicLink(legacy.resolve("flat/ti2v-5B"), canary);
        Files.createSymbolicLink(legacy.resolve("flat/t2v-A14B/pipe.safetensors"), canary.resolve("pipe"));
        Files.createSymbolicLink(legacy.resolve("flat/loop"), legacy.resolve("flat/loop"));
        Files.createSymbolicLink(legacy.resolve("flat/relative-escape.bin"), Path.of("../../canary/bf16.bin"));
        mkfifo(legacy.resolve("flat/t2v-A14B/fifo.safetensors"));
        // a link that stays inside is followed
        Files.createSymbolicLink(legacy.resolve("ComfyUI/models/vae/same-vae.safetensors"), Path.of("wan_2.1_vae.safetensors"));
        Map<String, String> canaryBefore = LegacyTree.snapshot(canary, true);

        Run analyze = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> InProcessWan.run(root, manifest, "models", "migrate", "analyze", legacy.toString(), "--json"));
        assertEquals(0, analyze.code(), analyze.err());
        JsonNode doc = analyze.json();
        List<String> skipped = new ArrayList<>();
        doc.get("skipped").forEach(s -> skipped.add(s.get("legacyPath").asText()));
        assertTrue(skipped.containsAll(List.of("flat/t2v-A14B/transformer/diffusion_pytorch_model.bf16.safetensors",
                "flat/ti2v-5B", "flat/t2v-A14B/pipe.safetensors", "flat/loop", "flat/relative-escape.bin",
                "flat/t2v-A14B/fifo.safetensors")), skipped.toString());
        doc.get("matches").forEach(m -> assertFalse(m.get("path").asText().contains("bf16")
                || m.get("path").asText().equals("config.json"), m.toString()));

        for (String variant : List.of("fp16", "bf16")) {
            Run r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> InProcessWan.run(root, manifest, "models",
                    "migrate", "execute", legacy.toString(), "--only", "t2v-A14B@2.2.0", "--variant", variant));
            assertEquals(0, r.code(), r.out() + r.err());
        }
        Run ti2v = InProcessWan.run(root, manifest, "models", "migrate", "execute", legacy.toString(), "--only", "ti2v-5B");
        assertEquals(0, ti2v.code(), ti2v.err());
        assertEquals(canaryBefore, LegacyTree.snapshot(canary, true), "canary bytes, modes, mtimes and listing");
        assertFalse(Files.exists(root.resolve("wan22/t2v-A14B@2.2.0/transformer/diffusion_pytorch_model.bf16.safetensors")));
        assertFalse(Files.exists(root.resolve("wan22/ti2v-5B@2.2.0/config.json")));
        assertTrue(Files.exists(root.resolve("wan22/t2v-A14B@2.2.0/transformer/diffusion_pytorch_model.fp16.safetensors")));
    }

    private static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
    }
}
