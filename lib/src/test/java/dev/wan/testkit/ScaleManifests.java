package dev.wan.testkit;

import dev.wan.WanConfig;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import dev.wan.ensure.ModelStatus;
import dev.wan.manifest.Manifests;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Writes large manifests in the style of {@code examples/wan22.toml} (models with variants, files
 * with path, size, sha256, component, some per variant) to measure wan at scale; optionally a
 * matching store that is fully ensured, for a warm {@code wan status}.
 *
 * <pre>
 * java -cp lib/target/classes:lib/target/test-classes:$(deps) dev.wan.testkit.ScaleManifests \
 *     DIR FILES [MODELS] [--store]
 * </pre>
 *
 * Writes {@code DIR/models.toml} declaring FILES files spread over MODELS models (default 10).
 * Without {@code --store} sizes and hashes are realistic but made up (GB-sized shards, no bytes).
 * With {@code --store} every file is a few real bytes under {@code DIR/source/<model>/}, the
 * manifest's sources point there ({@code local://source/<model>}), and every model is ensured into
 * {@code DIR/store}: run wan with {@code MODELS_ROOT=DIR/store WAN_LOCAL_ROOT=DIR
 * WAN_MODELS_MANIFEST=DIR/models.toml}.
 *
 * <pre>
 * java -Xmx512m -cp ... dev.wan.testkit.ScaleManifests measure MANIFEST [MODELS_ROOT [RUNS]]
 * </pre>
 *
 * times the in-process part of validate-manifest (and of status when MODELS_ROOT is given).
 */
public final class ScaleManifests {
    private static final String[] COMPONENTS = {"dit", "vae", "text_encoder", "tokenizer", "config"};

    private ScaleManifests() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("measure")) {
            measure(Path.of(args[1]), args.length > 2 ? Path.of(args[2]) : null,
                    args.length > 3 ? Integer.parseInt(args[3]) : 5);
            return;
        }
        if (args.length < 2) {
            System.err.println("usage: ScaleManifests DIR FILES [MODELS] [--store]\n"
                    + "       ScaleManifests measure MANIFEST [MODELS_ROOT [RUNS]]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        int files = Integer.parseInt(args[1]);
        int models = args.length > 2 && !args[2].startsWith("--") ? Integer.parseInt(args[2]) : 10;
        boolean store = args[args.length - 1].equals("--store");
        Path manifest = write(dir, files, models, store);
        System.out.println(manifest + ": " + files + " files in " + models + " models ("
                + Files.size(manifest) + " bytes)");
        if (store) {
            WanConfig config = WanConfig.resolve(Map.of("MODELS_ROOT", dir.resolve("store").toString(),
                    "WAN_LOCAL_ROOT", dir.toString()), null, manifest);
            ModelEnsurer ensurer = ModelEnsurer.create(config);
            for (int m = 0; m < models; m++) {
                ensurer.ensure(modelId(m));
            }
            System.out.println(dir.resolve("store") + ": " + models + " models ensured");
        }
    }

    /**
     * The in-process part of {@code wan validate-manifest} and {@code wan status}, without JVM and
     * picocli start-up: the first run (cold JIT, as a command sees it) and the best of {@code runs}
     * (what the code costs on a busy machine), then the peak heap in use after a full GC and
     * overall. Run with {@code -Xmx512m} (or 256m) to check a heap bound.
     */
    static void measure(Path manifest, Path root, int runs) {
        java.lang.management.ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < runs; i++) {
            long c0 = cpu.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            Manifests.Report report = Manifests.validate(manifest);
            long t1 = System.nanoTime();
            String status = "";
            if (root != null) {
                WanConfig config = WanConfig.resolve(Map.of("MODELS_ROOT", root.toString()), null, manifest);
                ModelEnsurer ensurer = ModelEnsurer.create(config);
                long t2 = System.nanoTime();
                List<ModelStatus> all = ensurer.statusAll();
                long t3 = System.nanoTime();
                long complete = all.stream().filter(m -> m.state() == ModelState.COMPLETE).count();
                status = String.format(" | status: load %d ms + status of %d models (%d complete) %d ms = %d ms",
                        (t2 - t1) / 1_000_000, all.size(), complete, (t3 - t2) / 1_000_000, (t3 - t1) / 1_000_000);
            }
            long c1 = cpu.getCurrentThreadCpuTime();
            System.out.printf("run %d: validate %d ms (%s, %d problems)%s | cpu of the run %d ms%n", i + 1,
                    (t1 - t0) / 1_000_000, report.valid() ? "valid" : "INVALID", report.problems().size(), status,
                    (c1 - c0) / 1_000_000);
        }
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("heap: peak %d MB (sum of pool peaks), max %d MB%n", peak >> 20,
                Runtime.getRuntime().maxMemory() >> 20);
    }

    /** The manifest (and with {@code store} the source files); returns the manifest's path. */
    public static Path write(Path dir, int files, int models, boolean store) throws IOException {
        Files.createDirectories(dir);
        Path manifest = dir.resolve("models.toml");
        MessageDigest sha = sha256();
        try (Writer w = Files.newBufferedWriter(manifest, StandardCharsets.UTF_8)) {
            w.write("# generated by dev.wan.testkit.ScaleManifests: " + files + " files, " + models + " models\n");
            w.write("schema_version = 1\n\n");
            int written = 0;
            for (int m = 0; m < models; m++) {
                String id = modelId(m);
                int count = files / models + (m < files % models ? 1 : 0);
                w.write("[models.\"" + id + "\"]\n");
                w.write("description = \"generated model " + m + " (" + count + " files)\"\n");
                w.write("version = \"1.0." + m + "\"\n");
                w.write("variants = [\"fp16\", \"bf16\"]\n");
                w.write("default_variant = \"fp16\"\n");
                w.write("allow_patterns = [\"*.safetensors\", \"*.json\", \"*.pth\", \"*.model\"]\n\n");
                for (int f = 0; f < count; f++, written++) {
                    String variant = f % 4 == 0 ? "fp16" : f % 4 == 1 ? "bf16" : null;
                    String path = path(f, count, variant);
                    byte[] content = ("model " + m + " file " + f + "\n").getBytes(StandardCharsets.UTF_8);
                    long size;
                    String hash;
                    if (store) {
                        Path file = dir.resolve("source").resolve(id).resolve(path);
                        Files.createDirectories(file.getParent());
                        Files.write(file, content);
                        size = content.length;
                        hash = HexFormat.of().formatHex(sha.digest(content));
                    } else {
                        size = f % 5 == 0 ? 250 + f : 4_800_000_000L + 1_000L * f;
                        hash = HexFormat.of().formatHex(sha.digest(content));
                    }
                    w.write("[[models.\"" + id + "\".files]]\n");
                    w.write("path = \"" + path + "\"\n");
                    w.write("size = " + size + "\n");
                    if (f % 7 != 3) { // as in wan22.toml, a few files have no published sha256
                        w.write("sha256 = \"" + hash + "\"\n");
                    }
                    w.write("component = \"" + COMPONENTS[f % COMPONENTS.length] + "\"\n");
                    if (variant != null) {
                        w.write("variant = \"" + variant + "\"\n");
                    }
                    w.write("\n");
                }
                w.write("[models.\"" + id + "\".sources]\n");
                w.write("priority = [\"" + (store ? "local://source/" + id : "hf://generated/model-" + m) + "\"]\n\n");
            }
        }
        return manifest;
    }

    static String modelId(int m) {
        return String.format("gen-%03d@1.0.%d", m, m);
    }

    /** Sharded safetensors in nested directories, configs and tokenizers beside them. */
    private static String path(int f, int count, String variant) {
        String dir = "part-" + (f / 500);
        String v = variant == null ? "" : "-" + variant;
        return switch (f % 5) {
            case 0 -> dir + "/config-" + f + ".json";
            case 1, 2 -> dir + "/diffusion_pytorch_model-" + String.format("%05d-of-%05d", f, count) + v + ".safetensors";
            case 3 -> dir + "/encoder-" + f + v + ".pth";
            default -> dir + "/tokenizer/spiece-" + f + ".model";
        };
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
