package dev.wan.migrate;

import dev.wan.ensure.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;

/**
 * A legacy tree as people have them, and a manifest for it: a flat copy of t2v (one file matched by
 * path+size, one by sha256, and a VAE whose bytes differ from the manifest), a Hugging Face cache of
 * i2v (snapshot links into blobs/), ComfyUI single files (the VAE and ti2v's text encoder), an
 * unknown file, and ti2v's config missing (it stays PARTIAL).
 */
final class LegacyTree {
    final byte[] index = "{\"_class_name\": \"WanPipeline\"}\n".getBytes(StandardCharsets.UTF_8);
    final byte[] t2vShard = Fixtures.bytes(300_000, 11);
    final byte[] t2vBf16 = Fixtures.bytes(300_000, 12);
    final byte[] vae = Fixtures.bytes(120_000, 13);
    final byte[] badVae = Fixtures.bytes(120_000, 14);
    final byte[] i2vShard = Fixtures.bytes(310_000, 15);
    final byte[] tokenizer = "{\"model\": \"umt5\"}\n".getBytes(StandardCharsets.UTF_8);
    final byte[] encoder = Fixtures.bytes(250_000, 16);
    final byte[] ti2vConfig = Fixtures.bytes(777, 17);

    /** Writes the manifest (sources that would never serve: migration must not need them). */
    Path manifest(Path dir) {
        String toml = "schema_version = 1\n"
                + model("t2v-A14B@2.2.0", "\"fp16\", \"bf16\"", "fp16", "hf://Wan-AI/Wan2.2-T2V-A14B",
                file("model_index.json", index, false, null)
                        + file("transformer/diffusion_pytorch_model.fp16.safetensors", t2vShard, true, "fp16")
                        + file("transformer/diffusion_pytorch_model.bf16.safetensors", t2vBf16, true, "bf16")
                        + file("vae/diffusion_pytorch_model.safetensors", vae, true, null))
                + model("i2v-A14B@2.2.0", "", null, "hf://Wan-AI/Wan2.2-I2V-A14B",
                file("transformer/diffusion_pytorch_model.safetensors", i2vShard, true, null)
                        + file("tokenizer/tokenizer.json", tokenizer, false, null)
                        + file("vae/diffusion_pytorch_model.safetensors", vae, true, null))
                + model("ti2v-5B@2.2.0", "", null, "hf://Wan-AI/Wan2.2-TI2V-5B",
                file("text_encoder/model.safetensors", encoder, true, null)
                        + file("config.json", ti2vConfig, true, null));
        Path m = dir.resolve("models.toml");
        Fixtures.write(m, toml.getBytes(StandardCharsets.UTF_8));
        return m;
    }

    private static String model(String id, String variants, String def, String source, String files) {
        String q = "\"" + id + "\"";
        return "\n[models." + q + "]\ndescription = \"test\"\nversion = \"2.2.0\"\nvariants = [" + variants + "]\n"
                + (def == null ? "" : "default_variant = \"" + def + "\"\n") + files.replace("%ID%", q)
                + "\n[models." + q + ".sources]\npriority = [\"" + source + "\"]\n";
    }

    private static String file(String path, byte[] c, boolean sha, String variant) {
        return "\n[[models.\"X\".files]]\n".replace("\"X\"", "%ID%") + "path = \"" + path + "\"\nsize = " + c.length + "\n"
                + (sha ? "sha256 = \"" + Fixtures.sha256(c) + "\"\n" : "")
                + (variant == null ? "" : "variant = \"" + variant + "\"\n");
    }

    /** Builds the tree under {@code legacy}. */
    void build(Path legacy) throws IOException {
        Path flat = legacy.resolve("flat/t2v-A14B");
        Fixtures.write(flat.resolve("model_index.json"), index);
        Fixtures.write(flat.resolve("transformer/diffusion_pytorch_model.fp16.safetensors"), t2vShard);
        Fixtures.write(flat.resolve("vae/diffusion_pytorch_model.safetensors"), badVae); // same size, other bytes
        Fixtures.write(legacy.resolve("flat/notes/README.txt"), "where the models came from\n".getBytes(StandardCharsets.UTF_8));

        Path repo = legacy.resolve("hub/models--Wan-AI--Wan2.2-I2V-A14B");
        Fixtures.write(repo.resolve("refs/main"), "0123abcd\n".getBytes(StandardCharsets.UTF_8));
        blob(repo, "transformer/diffusion_pytorch_model.safetensors", i2vShard, Fixtures.sha256(i2vShard));
        blob(repo, "tokenizer/tokenizer.json", tokenizer, "8a7f3c1e5b9d2f4a6c8e0b1d3f5a7c9e1b3d5f7a"); // a git sha1

        Fixtures.write(legacy.resolve("ComfyUI/models/vae/wan_2.1_vae.safetensors"), vae);
        Fixtures.write(legacy.resolve("ComfyUI/models/text_encoders/umt5_xxl_fp16.safetensors"), encoder);
    }

    private static void blob(Path repo, String path, byte[] content, String blobName) throws IOException {
        Fixtures.write(repo.resolve("blobs/" + blobName), content);
        Path link = repo.resolve("snapshots/0123abcd/" + path);
        Files.createDirectories(link.getParent());
        String up = "../".repeat(path.split("/").length + 1);
        Files.createSymbolicLink(link, Path.of(up + "blobs/" + blobName));
    }

    /** Every entry below {@code dir}: type, bytes' sha256 (files), link target (links), mode and mtime. */
    static Map<String, String> snapshot(Path dir, boolean withMode) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                String what;
                if (a.isSymbolicLink()) {
                    what = "link " + Files.readSymbolicLink(p);
                } else if (a.isDirectory()) {
                    what = "dir";
                } else if (!a.isRegularFile()) {
                    what = "other mtime " + a.lastModifiedTime().toMillis(); // a FIFO: opening it would block
                } else {
                    what = "file " + Fixtures.sha256(p) + " mtime " + a.lastModifiedTime().toMillis();
                    if (withMode) {
                        what += " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                    }
                }
                out.put(dir.relativize(p).toString(), what);
            }
        }
        return out;
    }
}
