package dev.wan.internal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.manifest.FileSpec;
import dev.wan.manifest.Manifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlobTest {
    @TempDir
    Path dir;

    @Test
    void starCrossesDirectoriesLikeTheHubsFnmatch() {
        assertTrue(Glob.matches("*.safetensors", "high_noise_model/diffusion_pytorch_model-00001-of-00006.safetensors"));
        assertTrue(Glob.matches("*.model", "google/umt5-xxl/spiece.model"));
        assertFalse(Glob.matches("*.json", "README.md"));
    }

    @Test
    void questionMarkClassesAndLiteralDotsWork() {
        assertTrue(Glob.matches("model-0000?.bin", "model-00003.bin"));
        assertFalse(Glob.matches("model-0000?.bin", "model-000034.bin"));
        assertTrue(Glob.matches("[ab]*.json", "a.json"));
        assertFalse(Glob.matches("[!ab]*.json", "b.json"));
        assertFalse(Glob.matches("*.json", "xjson"), "the dot is literal");
    }

    @Test
    void allowPatternsLeaveOutFilesThatMatchNoneAndTheValidatorWarns() throws Exception {
        Path m = Files.writeString(dir.resolve("models.toml"), """
                schema_version = 1
                [models."a@1.0.0"]
                allow_patterns = ["*.safetensors", "*.json"]
                [[models."a@1.0.0".files]]
                path = "config.json"
                size = 1
                [[models."a@1.0.0".files]]
                path = "README.md"
                size = 1
                [models."a@1.0.0".sources]
                priority = ["local://a"]
                """);

        Manifests.Report report = Manifests.validate(m);

        assertTrue(report.valid());
        assertEquals(List.of("config.json"),
                report.manifest().model("a@1.0.0").filesFor(null).stream().map(FileSpec::path).toList());
        assertTrue(report.warnings().stream().anyMatch(w -> w.message().contains("'README.md' matches none of allow_patterns")),
                report.warnings().toString());
    }
}
