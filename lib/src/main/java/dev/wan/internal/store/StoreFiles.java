package dev.wan.internal.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** How disk usage and dedup walk the model directories and tell inodes apart. */
public final class StoreFiles {
    private StoreFiles() {
    }

    /** Model directories under {@code wan22/} (a symlinked model directory counts; its target is read). */
    public static List<Path> modelDirs(StoreLayout layout) throws IOException {
        List<Path> dirs = new ArrayList<>();
        if (!Files.isDirectory(layout.modelsDir())) {
            return dirs;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(layout.modelsDir())) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")) {
                    dirs.add(p);
                }
            }
        }
        dirs.sort(null);
        return dirs;
    }

    /** Regular files below a model directory, not following symlinks inside it. */
    public static List<Path> regularFiles(Path modelDir) throws IOException {
        try (Stream<Path> walk = Files.walk(modelDir.toRealPath())) {
            List<Path> real = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
            Path realDir = modelDir.toRealPath();
            return real.stream().map(p -> modelDir.resolve(realDir.relativize(p))).toList();
        }
    }

    /** Hard links to a file; 1 where the filesystem cannot tell (each path then counts alone). */
    public static int linkCount(Path f) {
        try {
            return ((Number) Files.getAttribute(f, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue();
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    /** What identifies a file's bytes: its inode (fileKey), or its path where there is none. */
    public static Object inodeKey(Path f, BasicFileAttributes a) {
        return a.fileKey() != null ? a.fileKey() : f.toAbsolutePath().toString();
    }
}
