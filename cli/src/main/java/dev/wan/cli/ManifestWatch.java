package dev.wan.cli;

import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.ModelEnsurer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The ensurer of a long-running {@code wan serve}: rebuilt when the manifest file changes (its
 * size, mtime or inode, seen through a link such as a Kubernetes ConfigMap's {@code ..data}), so an
 * operator's edit shows on the next request without a restart. A manifest that no longer loads
 * keeps the last good ensurer in service and is reported as {@link Snapshot#problem()} until it is
 * fixed; it is parsed once per change, not on every request (a big manifest takes about a second).
 */
final class ManifestWatch {
    /** What one request uses: an ensurer and, when the manifest on disk could not replace it, why. */
    record Snapshot(ModelEnsurer ensurer, String problem) {
    }

    /** What a manifest file looked like when it was last read; equal stamps mean unchanged. */
    private record Stamp(long size, FileTime modified, Object fileKey) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.size(), a.lastModifiedTime(), a.fileKey());
        }
    }

    private final Path manifest;
    private final Function<WanConfig, ModelEnsurer> build;
    private final WanConfig config;
    private ModelEnsurer current;
    private Stamp seen;
    private String problem;

    /**
     * Loads the manifest now (a bad one throws, as any command's start does: exit 3). The file is
     * stamped before it is read, so an edit made while it loads is seen by the first request.
     */
    ManifestWatch(WanConfig config) {
        this(config, ManifestWatch::build);
    }

    ManifestWatch(WanConfig config, Function<WanConfig, ModelEnsurer> build) {
        this.config = config;
        this.manifest = config.manifest();
        this.build = build;
        this.seen = stampOrNull(manifest);
        this.current = build.apply(config);
    }

    /** The ensurer for the next request, reloading the manifest first when it changed on disk. */
    synchronized Snapshot current() {
        Stamp now;
        try {
            now = Stamp.of(manifest);
        } catch (IOException e) {
            if (seen != null) {
                seen = null;
                problem = "manifest " + manifest + " cannot be read (" + e.getClass().getSimpleName()
                        + "); answering from the manifest loaded before: restore the file";
            }
            return new Snapshot(current, problem);
        }
        if (!now.equals(seen)) {
            seen = now;
            try {
                current = build.apply(config);
                problem = null;
            } catch (RuntimeException e) {
                String why = e instanceof WanException w ? w.code() + ": " + w.getMessage() : String.valueOf(e);
                problem = "manifest " + manifest + " changed and is not valid (" + why
                        + "); answering from the manifest loaded before: fix it ('wan validate-manifest "
                        + manifest + "' lists the problems)";
            }
        }
        return new Snapshot(current, problem);
    }

    private static ModelEnsurer build(WanConfig config) {
        ModelEnsurer e = ModelEnsurer.create(config, Clock.systemUTC(), List.of());
        e.requireHandledSchemes(); // as every command's ensurer does (Common.ensurer)
        return e;
    }

    private static Stamp stampOrNull(Path file) {
        try {
            return Stamp.of(Objects.requireNonNull(file));
        } catch (IOException e) {
            return null;
        }
    }
}
