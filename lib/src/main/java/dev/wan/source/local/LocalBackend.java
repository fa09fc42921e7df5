package dev.wan.source.local;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.io.BoundedInputStream;
import dev.wan.internal.io.ContainedPath;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.StorageBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code local://dir} (relative to WAN_LOCAL_ROOT, which defaults to MODELS_ROOT) and
 * {@code file:///abs/dir}: a directory whose layout mirrors the model's file paths.
 */
public final class LocalBackend implements StorageBackend {
    @Override
    public Set<String> schemes() {
        return Set.of("local", "file");
    }

    @Override
    public SourceSession open(SourceRef source, SourceContext context) {
        return new Session(source, directory(source, context.localRoot().toAbsolutePath().normalize()));
    }

    /** The directory a local source names. */
    static Path directory(SourceRef source, Path localRoot) {
        String body = source.uri().substring(source.scheme().length() + "://".length());
        return switch (source.scheme()) {
            case "local" -> ContainedPath.resolveInside(localRoot, body);
            case "file" -> fileDirectory(source);
            default -> throw new IllegalArgumentException("not a local source: " + source);
        };
    }

    /** The parse the validator already made; a URI that never went through it gets a config error. */
    private static Path fileDirectory(SourceRef source) {
        try {
            return source.fileDirectory();
        } catch (IllegalArgumentException e) {
            throw new WanException(ErrorCode.INVALID_CONFIG, "source " + source.redacted() + " " + e.getMessage(),
                    "write file:///absolute/path");
        }
    }

    private record Session(SourceRef source, Path dir) implements SourceSession {
        @Override
        public RemoteFile stat(String path) throws IOException {
            Path file = ContainedPath.resolveInside(dir, path);
            try {
                return new RemoteFile(path, Files.size(file), null);
            } catch (NoSuchFileException e) {
                throw missing(file);
            }
        }

        @Override
        public InputStream read(String path, long offset, long length) throws IOException {
            Path file = ContainedPath.resolveInside(dir, path);
            try {
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                ch.position(offset);
                InputStream in = Channels.newInputStream(ch);
                return length < 0 ? in : new BoundedInputStream(in, length);
            } catch (NoSuchFileException e) {
                throw missing(file);
            }
        }

        @Override
        public Optional<Path> localPath(String path) {
            return Optional.of(ContainedPath.resolveInside(dir, path));
        }

        @Override
        public List<RemoteFile> list() throws IOException {
            if (!Files.isDirectory(dir)) {
                throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, "no directory " + dir, "");
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                return walk.filter(Files::isRegularFile).map(p -> new RemoteFile(
                        dir.relativize(p).toString().replace('\\', '/'), p.toFile().length(), null)).sorted(
                        java.util.Comparator.comparing(RemoteFile::path)).toList();
            }
        }

        private static WanException missing(Path file) {
            return new WanException(ErrorCode.SOURCE_UNAVAILABLE, "no file " + file, "");
        }
    }
}
