package dev.wan.source;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.manifest.SourceRef;
import dev.wan.store.StoreLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;

/**
 * {@code local://dir} (relative to WAN_LOCAL_ROOT, which defaults to MODELS_ROOT) and
 * {@code file:///abs/dir}: a directory whose layout mirrors the model's file paths.
 */
public final class LocalBackend implements StorageBackend {
    private final Path localRoot;

    public LocalBackend(Path localRoot) {
        this.localRoot = localRoot.toAbsolutePath().normalize();
    }

    @Override
    public Set<String> schemes() {
        return Set.of("local", "file");
    }

    /** The directory a local source names. */
    public Path directory(SourceRef source) {
        String body = source.uri().substring(source.scheme().length() + "://".length());
        return switch (source.scheme()) {
            case "local" -> StoreLayout.resolveInside(localRoot, body);
            case "file" -> Path.of(java.net.URI.create(source.uri().replace(" ", "%20")).getPath()).normalize();
            default -> throw new IllegalArgumentException("not a local source: " + source);
        };
    }

    @Override
    public Optional<Path> localPath(SourceRef source, String path) {
        return Optional.of(StoreLayout.resolveInside(directory(source), path));
    }

    @Override
    public long size(SourceRef source, String path) throws IOException {
        Path file = localPath(source, path).orElseThrow();
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw missing(file);
        }
    }

    @Override
    public ReadableByteChannel open(SourceRef source, String path, long offset) throws IOException {
        Path file = localPath(source, path).orElseThrow();
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            ch.position(offset);
            return ch;
        } catch (NoSuchFileException e) {
            throw missing(file);
        }
    }

    private static WanException missing(Path file) {
        return new WanException(ErrorCode.SOURCE_UNAVAILABLE, "no file " + file, "");
    }
}
