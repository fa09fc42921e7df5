package dev.wan.ensure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Test helpers shared by the ensure, store, lock and cli tests: small models with real sha256s,
 * written as a {@code models.toml} plus source directories in a temp dir.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** Deterministic pseudo-random content. */
    public static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The wan checkout: the first directory up from the working directory that has the demo. */
    public static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("examples/demo/models.toml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no examples/demo/models.toml above " + Path.of("").toAbsolutePath());
    }

    /** Every entry below {@code dir} (relative, '/'-separated), or an empty list when it does not exist. */
    public static List<String> listTree(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flips one bit in the middle of a file, keeping its size. */
    public static void flipByte(Path file) throws IOException {
        file.toFile().setWritable(true); // ensured model files are read-only (the sharing policy)
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x01;
        Files.write(file, b);
    }

    public static void write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An ensurer over {@code root} with a 30 s lock timeout. */
    public static ModelEnsurer ensurer(Path root, Path manifest, Path localRoot) {
        return ModelEnsurer.create(new dev.wan.WanConfig(root, manifest, localRoot, java.time.Duration.ofSeconds(30)));
    }

    /** {@code dir/models.toml}: one model of one file with this size and sha256, served by {@code source}. */
    public static Path oneFileManifest(Path dir, String id, String path, long size, String sha256, String source) {
        Path manifest = dir.resolve("models.toml");
        write(manifest, ("schema_version = 1\n\n[models.\"" + id + "\"]\ndescription = \"x\"\n"
                + "[[models.\"" + id + "\".files]]\npath = \"" + path + "\"\nsize = " + size
                + "\nsha256 = \"" + sha256 + "\"\n\n[models.\"" + id + "\".sources]\npriority = [\"" + source + "\"]\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return manifest;
    }

    public static void writeManifest(Path file, TestModel... models) {
        StringBuilder sb = new StringBuilder("schema_version = 1\n");
        for (TestModel m : models) {
            sb.append(m.toml());
        }
        write(file, sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A model declared in a test manifest, with the content of each of its files. */
    public static final class TestModel {
        final String id;
        final List<String> variants = new ArrayList<>();
        final List<String> sources = new ArrayList<>();
        final List<String[]> files = new ArrayList<>(); // path, variant, optional
        final Map<String, byte[]> contents = new LinkedHashMap<>();

        public TestModel(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public TestModel variants(String... names) {
            variants.addAll(List.of(names));
            return this;
        }

        public TestModel file(String path, byte[] content) {
            return add(path, content, null, false);
        }

        public TestModel optionalFile(String path, byte[] content) {
            return add(path, content, null, true);
        }

        public TestModel variantFile(String variant, String path, byte[] content) {
            return add(path, content, variant, false);
        }

        private TestModel add(String path, byte[] content, String variant, boolean optional) {
            files.add(new String[] {path, variant, Boolean.toString(optional)});
            contents.put(path, content);
            return this;
        }

        public TestModel sources(String... uris) {
            sources.addAll(List.of(uris));
            return this;
        }

        public byte[] content(String path) {
            return contents.get(path);
        }

        public List<String> paths() {
            return List.copyOf(contents.keySet());
        }

        public long totalBytes() {
            return contents.values().stream().mapToLong(b -> b.length).sum();
        }

        /** Writes every file of the model under {@code dir}, as a source directory would hold it. */
        public Path writeTo(Path dir) {
            contents.forEach((p, c) -> write(dir.resolve(p), c));
            return dir;
        }

        String toml() {
            String q = "\"" + id + "\"";
            StringBuilder sb = new StringBuilder("\n[models." + q + "]\n");
            sb.append("description = \"test model\"\n");
            sb.append("version = \"").append(id.substring(id.indexOf('@') + 1)).append("\"\n");
            sb.append("variants = [").append(String.join(", ", variants.stream().map(v -> "\"" + v + "\"").toList()))
                    .append("]\n");
            if (!variants.isEmpty()) {
                sb.append("default_variant = \"").append(variants.get(0)).append("\"\n");
            }
            for (String[] f : files) {
                byte[] c = contents.get(f[0]);
                sb.append("\n[[models.").append(q).append(".files]]\n");
                sb.append("path = \"").append(f[0]).append("\"\n");
                sb.append("size = ").append(c.length).append("\n");
                sb.append("sha256 = \"").append(sha256(c)).append("\"\n");
                if (f[1] != null) {
                    sb.append("variant = \"").append(f[1]).append("\"\n");
                }
                if (Boolean.parseBoolean(f[2])) {
                    sb.append("optional = true\n");
                }
            }
            sb.append("\n[models.").append(q).append(".sources]\n");
            sb.append("priority = [").append(String.join(", ", sources.stream().map(s -> "\"" + s + "\"").toList()))
                    .append("]\n");
            return sb.toString();
        }
    }

    /** A copy of a directory tree, files with their mode and mtime (state records trust size and mtime); links copied as links. */
    public static void copyTree(Path from, Path to) throws java.io.IOException {
        java.nio.file.Files.walkFileTree(from, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
                    java.nio.file.attribute.BasicFileAttributes attrs) throws java.io.IOException {
                java.nio.file.Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs)
                    throws java.io.IOException {
                java.nio.file.Files.copy(file, to.resolve(from.relativize(file).toString()),
                        java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
    }
}
