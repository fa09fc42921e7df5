package dev.wan.internal.migrate;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.migrate.Analysis.Skipped;
import dev.wan.migrate.LegacyFile;
import dev.wan.migrate.LegacyLayout;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Walks a legacy tree as untrusted input: never follows a directory link, follows a file link only
 * when its final target lies inside the tree (a Hub cache's snapshot → blobs), reads nothing (only
 * stats), and stops at {@link #MAX_DEPTH} levels and {@link #MAX_FILES} files.
 */
public final class LegacyScanner {
    public static final int MAX_DEPTH = 64;
    public static final int MAX_FILES = 1_000_000;
    /** ComfyUI's model folders (under {@code models/}, or at the root of the tree given). */
    static final Set<String> COMFY_DIRS = Set.of("diffusion_models", "unet", "vae", "text_encoders", "clip",
            "clip_vision", "checkpoints", "loras", "upscale_models", "vae_approx", "embeddings");

    /** What a walk found. {@code root} is the real path of the directory given. */
    public record Scan(Path given, Path root, List<LegacyFile> files, List<Skipped> skipped, Set<LegacyLayout> layouts) {
    }

    private LegacyScanner() {
    }

    /**
     * {@code storeRoot}: MODELS_ROOT, skipped when the legacy tree contains it. A legacy tree inside
     * the store is refused.
     */
    public static Scan scan(Path given, Path storeRoot) {
        Path root;
        try {
            root = given.toAbsolutePath().toRealPath(); // a symlinked root is the operator's own argument: followed once
        } catch (IOException e) {
            throw new WanException(ErrorCode.FILESYSTEM_ERROR, "legacy directory " + given + " cannot be read ("
                    + e.getClass().getSimpleName() + ")", "name an existing directory");
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new WanException(ErrorCode.FILESYSTEM_ERROR, "legacy path " + given + " is not a directory",
                    "name the directory that holds the old models");
        }
        Path store = real(storeRoot);
        if (store != null && root.startsWith(store)) {
            throw new WanException(ErrorCode.INVALID_CONFIG, "legacy directory " + given + " is inside MODELS_ROOT "
                    + storeRoot, "name a directory outside the store (wan models ensure adopts files already there)");
        }
        List<LegacyFile> files = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        Set<LegacyLayout> layouts = EnumSet.noneOf(LegacyLayout.class);
        try {
            Files.walkFileTree(root, Set.of(), MAX_DEPTH, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (dir.equals(store)) {
                        skipped.add(new Skipped(rel(root, dir), "the wan store (MODELS_ROOT): not scanned"));
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    Path parent = dir.getParent();
                    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                    if (parent != null && parent.getFileName() != null
                            && parent.getFileName().toString().startsWith("models--")
                            && Set.of("blobs", "refs", ".no_exist").contains(name)) {
                        return FileVisitResult.SKIP_SUBTREE; // blobs are reached through the snapshots' links
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (files.size() >= MAX_FILES) {
                        skipped.add(new Skipped(rel(root, file), "more than " + MAX_FILES + " files: the rest was not scanned"));
                        return FileVisitResult.TERMINATE;
                    }
                    String rel = rel(root, file);
                    if (attrs.isDirectory()) {
                        skipped.add(new Skipped(rel, "deeper than " + MAX_DEPTH + " levels: not scanned"));
                        return FileVisitResult.CONTINUE;
                    }
                    Path target = file;
                    long size = attrs.size();
                    if (attrs.isSymbolicLink()) {
                        Path real;
                        try {
                            real = file.toRealPath();
                        } catch (IOException e) {
                            skipped.add(new Skipped(rel, "dangling or looping link: skipped"));
                            return FileVisitResult.CONTINUE;
                        }
                        if (!real.startsWith(root)) {
                            skipped.add(new Skipped(rel, "link to " + real + ", outside the legacy tree: not read"));
                            return FileVisitResult.CONTINUE;
                        }
                        if (store != null && real.startsWith(store)) {
                            skipped.add(new Skipped(rel, "link into the wan store: not read"));
                            return FileVisitResult.CONTINUE;
                        }
                        BasicFileAttributes t;
                        try {
                            t = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        } catch (IOException e) {
                            skipped.add(new Skipped(rel, "link target cannot be read: skipped"));
                            return FileVisitResult.CONTINUE;
                        }
                        if (t.isDirectory()) {
                            skipped.add(new Skipped(rel, "link to a directory: not followed (its target is scanned where it lies)"));
                            return FileVisitResult.CONTINUE;
                        }
                        if (!t.isRegularFile()) {
                            skipped.add(new Skipped(rel, "link to something that is not a regular file: not read"));
                            return FileVisitResult.CONTINUE;
                        }
                        target = real;
                        size = t.size();
                    } else if (!attrs.isRegularFile()) {
                        skipped.add(new Skipped(rel, "not a regular file (FIFO, socket or device): not read"));
                        return FileVisitResult.CONTINUE;
                    }
                    LegacyFile f = classify(rel, size, target);
                    layouts.add(f.layout());
                    files.add(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    skipped.add(new Skipped(rel(root, file), "cannot be read (" + e.getClass().getSimpleName() + ")"));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new WanException(ErrorCode.FILESYSTEM_ERROR, "cannot scan legacy directory " + given + ": " + e,
                    "check its permissions");
        }
        files.sort(java.util.Comparator.comparing(LegacyFile::path));
        return new Scan(given, root, files, skipped, layouts);
    }

    /** Which layout a file (by its path relative to the legacy root) belongs to, and the path matched against manifests. */
    static LegacyFile classify(String rel, long size, Path file) {
        String[] parts = rel.split("/");
        for (int i = 0; i + 3 < parts.length; i++) {
            if (parts[i].startsWith("models--") && parts[i + 1].equals("snapshots")) {
                String logical = String.join("/", java.util.Arrays.copyOfRange(parts, i + 3, parts.length));
                return new LegacyFile(rel, logical, LegacyLayout.HF_CACHE, size, file);
            }
        }
        for (int i = 0; i + 1 < parts.length; i++) {
            if (COMFY_DIRS.contains(parts[i]) && (i == 0 || parts[i - 1].equals("models"))) {
                return new LegacyFile(rel, rel, LegacyLayout.COMFYUI, size, file);
            }
        }
        return new LegacyFile(rel, rel, LegacyLayout.FLAT, size, file);
    }

    /** The Hub repository ({@code org/repo}) a Hub cache file belongs to, else null. */
    public static String hfRepo(LegacyFile f) {
        if (f.layout() != LegacyLayout.HF_CACHE) {
            return null;
        }
        for (String part : f.path().split("/")) {
            if (part.startsWith("models--")) {
                return part.substring("models--".length()).replace("--", "/");
            }
        }
        return null;
    }

    private static String rel(Path root, Path p) {
        String r = root.relativize(p).toString().replace('\\', '/');
        return r.isEmpty() ? "." : r;
    }

    private static Path real(Path p) {
        try {
            return p.toAbsolutePath().toRealPath();
        } catch (IOException e) {
            return null;
        }
    }
}
