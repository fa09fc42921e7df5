package dev.wan.source;

import dev.wan.internal.source.SourceRegistry;
import dev.wan.manifest.SourceRef;
import java.io.IOException;
import java.util.Set;

/**
 * Where bytes come from. Implementations are registered in {@link SourceRegistry} (built-ins plus
 * {@link java.util.ServiceLoader}); the ensure machinery does the writing, hashing, verifying,
 * retrying, resuming and committing, so a backend only has to describe and stream files.
 *
 * <p>Errors: a backend throws {@link dev.wan.WanException} with the code that fits for a
 * permanent failure of this source (SOURCE_UNAVAILABLE for a missing file or repo, AUTH_FAIL,
 * SIZE_MISMATCH …): the caller fails over to the next source. It throws
 * {@link TransientSourceException} (or any other IOException) for what may pass (5xx, 429,
 * connection reset, timeout): the caller retries with backoff, from the bytes it already has.
 * Messages must never contain secrets (tokens, keys, presigned query strings).
 */
public interface StorageBackend {
    /** URI schemes this backend serves, e.g. {@code local}, {@code file}. */
    Set<String> schemes();

    /**
     * Prepares reading from one source for one ensure: resolves revisions, picks credentials.
     * Cheap and lazy where possible (no request needed just to open).
     */
    SourceSession open(SourceRef source, SourceContext context) throws IOException;

    /**
     * The credentials {@link #open} would use, masked (as {@link SourceSession#credentials()}),
     * found without any request: test-auth names them even when the source cannot be reached.
     * Null when the backend cannot tell before opening.
     */
    default String credentials(SourceRef source, SourceContext context) {
        return null;
    }
}
