package dev.wan.source;

import dev.wan.manifest.SourceRef;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Where bytes come from. Implementations are registered in {@link SourceRegistry} (built-ins plus
 * {@link java.util.ServiceLoader}); the ensure machinery does the writing, hashing, verifying and
 * committing, so a backend only has to find and stream files.
 *
 * <p>Failures are reported as {@link dev.wan.WanException} with the code that fits
 * (SOURCE_UNAVAILABLE for a missing file, AUTH_FAIL, NETWORK_TIMEOUT …); the caller moves on to
 * the next source.
 */
public interface StorageBackend {
    /** URI schemes this backend serves, e.g. {@code local}, {@code file}. */
    Set<String> schemes();

    /** The size of a file at the source, as the source reports it. */
    long size(SourceRef source, String path) throws IOException;

    /** Opens a file for reading from {@code offset}. */
    ReadableByteChannel open(SourceRef source, String path, long offset) throws IOException;

    /**
     * The file's location when it is on this machine's filesystem: lets wan hardlink instead of
     * copying, and adopt files already sitting at a model's final path.
     */
    default Optional<Path> localPath(SourceRef source, String path) {
        return Optional.empty();
    }
}
