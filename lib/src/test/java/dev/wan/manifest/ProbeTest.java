package dev.wan.manifest;

import java.nio.file.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeTest {
    @TempDir Path dir;

    void show(String name, String toml) {
        try {
            var r = ManifestFixtures.validate(dir, toml);
            System.out.println("== " + name + " valid=" + r.valid());
            r.problems().forEach(p -> System.out.println("   " + p.line() + ":" + p.column() + " " + p.severity() + " " + p.code() + " " + p.message()));
        } catch (Exception e) { System.out.println("== " + name + " threw " + e); }
    }

    @Test
    void probe() throws Exception {
        String base = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;
        show("triple", base);
        show("implicit", """
                schema_version = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """);
        show("implicit2", """
                schema_version = 1

                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = -1
                """);
        show("bom", "\uFEFF" + base.replace("a.bin\"\nsize = 1\n[[", "b.bin\"\nsize = 1\n[[" ));
        show("crlf", base.replace("\n", "\r\n"));
        show("hf", base.replace("local://t2v@1.0.0", "hf:///repo"));
        show("hf2", base.replace("local://t2v@1.0.0", "hf://org/repo@"));
        show("fileunder-case", """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "VAE"
                size = 1
                [[models."t2v@1.0.0".files]]
                path = "vae/x"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """);
        show("models-not-table", """
                schema_version = 1
                models = 3
                """);
        show("model-not-table", """
                schema_version = 1
                [models]
                "t2v@1.0.0" = 3
                """);
        show("files-not-array", """
                schema_version = 1
                [models."t2v@1.0.0"]
                files = "x"
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """);
        show("dup-variants", base.replace("[models.\"t2v@1.0.0\"]\n", "[models.\"t2v@1.0.0\"]\nvariants=[\"a\",\"a\"]\ndefault_variant=\"a\"\n"));
        Files.write(dir.resolve("latin1.toml"), new byte[]{'#', (byte) 0xE9, '\n'});
        try { Manifests.validate(dir.resolve("latin1.toml")); } catch (dev.wan.WanException e) { System.out.println("latin1 " + e.code() + " " + e.getMessage()); }
        try { Manifests.validate(dir); } catch (dev.wan.WanException e) { System.out.println("dir " + e.code() + " " + e.getMessage()); }
    }
}
