package dev.wan.internal.store;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.io.ContainedPath;
import dev.wan.internal.io.Fs;
import dev.wan.manifest.ModelId;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Owns all path arithmetic under MODELS_ROOT. The layout on disk:
 *
 * <pre>
 * MODELS_ROOT/
 *   .tmp/          in-flight work: .tmp/&lt;id&gt;.staging/&lt;file path&gt; (same filesystem as the models,
 *                  so the final step is a rename) and .tmp/&lt;id&gt;.journal/&lt;file path&gt;.json (which
 *                  ranges of a partial download are on disk); only the holder of the model's lock
 *                  writes there, and a later ensure resumes what a crashed one left
 *   .locks/        &lt;id&gt;.lock, see {@link dev.wan.internal.lock.ModelLock}
 *   .state/        &lt;id&gt;.json, see {@link StateStore}; &lt;id&gt;.used, the last use (its mtime)
 *   .pins/         &lt;id&gt;: the model is pinned (the state says so too), see {@link Pins}
 *   .index/        sha256.json, see {@link ContentIndex}
 *   .trash/        model directories gc is deleting
 *   .quarantine/   &lt;id&gt;/&lt;timestamp&gt;/&lt;file path&gt;: files found at a final path that failed
 *                  verification; moved aside for a human to inspect, never deleted silently
 *   wan22/&lt;id&gt;/    the model directory handed to pipelines
 * </pre>
 *
 * <p>Everything below MODELS_ROOT may have been written by someone else (a shared store): wan
 * creates, opens, renames and deletes only what it can prove is its own. {@link #requireOwned}
 * refuses a path with a symlink anywhere below the root, {@link #mkdirs} creates directories that
 * way; the one link wan accepts is {@code wan22/<id>} itself (a model moved to another disk by
 * its operator), which is why model files are checked from the model directory down
 * ({@link #resolveForWrite}).
 */
public final class StoreLayout {
    public static final String MODELS_DIR = "wan22";

    private final Path root;

    public StoreLayout(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path tmpDir() {
        return root.resolve(".tmp");
    }

    public Path locksDir() {
        return root.resolve(".locks");
    }

    public Path stateDir() {
        return root.resolve(".state");
    }

    public Path quarantineDir() {
        return root.resolve(".quarantine");
    }

    public Path modelsDir() {
        return root.resolve(MODELS_DIR);
    }

    public Path modelDir(ModelId id) {
        return modelsDir().resolve(id.toString());
    }

    public Path lockFile(ModelId id) {
        return locksDir().resolve(id + ".lock");
    }

    public Path stateFile(ModelId id) {
        return stateDir().resolve(id + ".json");
    }

    /** An empty file whose mtime is the model's last use: touched on every ensure, cheaply. */
    public Path usedMarker(ModelId id) {
        return stateDir().resolve(id + ".used");
    }

    /**
     * Where the files of one ensure of a model are written before they are committed. Fixed per
     * model (only the lock holder writes there), so an ensure after a crash finds the bytes the
     * previous one had and resumes them.
     */
    public Path stagingDir(ModelId id) {
        return tmpDir().resolve(id + ".staging");
    }

    /** Resume journals of partly downloaded files: {@code .tmp/<id>.journal/<file path>.json}. */
    public Path journalDir(ModelId id) {
        return tmpDir().resolve(id + ".journal");
    }

    public Path journalFile(ModelId id, String path) {
        return ContainedPath.resolveInside(journalDir(id), path + ".json");
    }

    /** The staging prefix of a model: every .tmp entry starting with it belongs to that model. */
    public String stagingPrefix(ModelId id) {
        return id + ".";
    }

    /**
     * Fails early, with a message naming the path, when MODELS_ROOT cannot be a directory (it or
     * an ancestor is a file) or cannot be read. A root that does not exist yet is fine.
     */
    public void checkUsable() {
        Path p = root;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return;
        }
        if (!Files.isDirectory(p)) {
            throw new WanException(ErrorCode.FILESYSTEM_ERROR, "MODELS_ROOT " + root + " cannot be used: " + p
                    + " is a file, not a directory", "set MODELS_ROOT or --root to a directory");
        }
        if (p.equals(root) && !Files.isReadable(p)) {
            throw new WanException(ErrorCode.PERMISSION_DENIED, "MODELS_ROOT " + root + " is not readable",
                    "fix its permissions, or set MODELS_ROOT / --root elsewhere");
        }
    }

    /**
     * Creates the store's directories, mapping failures to errors that say what to do. MODELS_ROOT
     * itself is the operator's and may be a symlink; nothing below it may.
     */
    public void createSkeleton() {
        createDirectories(root);
        mkdirs(tmpDir());
        mkdirs(locksDir());
        mkdirs(stateDir());
        mkdirs(modelsDir());
    }

    /**
     * Refuses {@code path} when it, or any directory between the root and it, is a symlink: wan never
     * follows a link inside MODELS_ROOT that it did not create. Components that do not exist yet are
     * fine (there is nothing to follow). {@code path} must lie below the root.
     */
    public void requireOwned(Path path) {
        requireNoLinks(root, path);
    }

    /** As {@link #requireOwned}, counting components from {@code base} (excluded) down to {@code path}. */
    public static void requireNoLinks(Path base, Path path) {
        Path p = base;
        for (Path name : relativeInside(base, path)) {
            p = p.resolve(name);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                throw Fs.map(e, "cannot inspect " + p);
            }
            if (a.isSymbolicLink()) {
                throw symlinkRefused(p);
            }
        }
    }

    /**
     * Creates {@code dir} and its missing parents below the root as real directories, refusing a
     * symlink on the way (a pre-planted link would otherwise take every later write elsewhere).
     */
    public Path mkdirs(Path dir) {
        return mkdirs(root, dir);
    }

    /** As {@link #mkdirs(Path)}, below {@code base}, which must exist (it is not checked). */
    public static Path mkdirs(Path base, Path dir) {
        Path p = base;
        for (Path name : relativeInside(base, dir)) {
            p = p.resolve(name);
            FileAlreadyExistsException exists = null;
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                exists = e; // checked below: only a real directory will do
            } catch (AccessDeniedException e) {
                throw cannotCreate(p);
            } catch (IOException e) {
                throw Fs.map(e, "cannot create " + p);
            }
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw Fs.map(e, "cannot create " + p);
            }
            if (a.isSymbolicLink()) {
                throw symlinkRefused(p);
            }
            if (!a.isDirectory()) {
                throw new WanException(ErrorCode.FILESYSTEM_ERROR, "cannot create " + p
                        + ": a file of that name exists and is not a directory",
                        "move that file away (wan keeps its own directories there), then run the command again",
                        List.of(), exists);
            }
        }
        return dir;
    }

    /** The names from {@code base} (excluded) down to {@code path}; none when they are the same. */
    private static List<Path> relativeInside(Path base, Path path) {
        Path b = base.toAbsolutePath().normalize();
        Path p = path.toAbsolutePath().normalize();
        if (!p.startsWith(b)) {
            throw new IllegalArgumentException(p + " is not below " + b);
        }
        List<Path> names = new ArrayList<>();
        b.relativize(p).forEach(n -> {
            if (!n.toString().isEmpty()) {
                names.add(n);
            }
        });
        return names;
    }

    public static WanException symlinkRefused(Path p) {
        String target;
        try {
            target = " (to " + Files.readSymbolicLink(p) + ")";
        } catch (IOException | UnsupportedOperationException e) {
            target = "";
        }
        return new WanException(ErrorCode.PATH_TRAVERSAL_DETECTED, p + " is a symlink" + target
                + "; wan never follows a link inside MODELS_ROOT that it did not create",
                "remove the link (rm " + p + ": its target is left untouched) and run the command again; "
                        + "only wan22/<id> itself may be a symlink to another disk");
    }

    private static WanException cannotCreate(Path dir) {
        return new WanException(ErrorCode.PERMISSION_DENIED, "cannot create " + dir + ": permission denied",
                "make MODELS_ROOT writable for this user (chmod/chown), or set MODELS_ROOT / --root elsewhere");
    }

    static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (AccessDeniedException e) {
            throw cannotCreate(dir);
        } catch (FileAlreadyExistsException e) {
            throw new WanException(ErrorCode.FILESYSTEM_ERROR, "cannot create " + dir + ": " + e.getFile()
                    + " exists and is not a directory", "move that file away, or set MODELS_ROOT / --root elsewhere");
        } catch (IOException e) {
            throw Fs.map(e, "cannot create " + dir);
        }
    }
}
