package dev.wan.source;

import dev.wan.manifest.SourceRef;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reading from one source during one ensure (or one test-sources run). Thread-safe. */
public interface SourceSession extends Closeable {
    SourceRef source();

    /** The upstream revision read (a Hub commit sha), recorded in state; null when sources have none. */
    default String revision() {
        return null;
    }

    /**
     * How a file read through this session is recorded in state: the source without secrets, at
     * its resolved revision ({@code hf://org/repo@<commit>}, even when the manifest asked for
     * {@code @refs/pr/1}: the revision is everything after the first '@').
     */
    default String origin() {
        String base = source().redacted();
        String revision = revision();
        if (revision == null) {
            return base;
        }
        int scheme = base.indexOf("://");
        int at = base.indexOf('@', scheme < 0 ? 0 : scheme + 3);
        return (at < 0 ? base : base.substring(0, at)) + "@" + revision;
    }

    /** Something the operator should hear once about this source that does not fail it (a renamed repository); else null. */
    default String notice() {
        return null;
    }

    /** Size and, when the source states it, the sha256 of one file (paths are model-relative). */
    RemoteFile stat(String path) throws IOException;

    /**
     * Bytes {@code [offset, offset + length)} of a file; {@code length < 0} means to the end. A
     * source that cannot honour the range must throw, never return other bytes.
     */
    InputStream read(String path, long offset, long length) throws IOException;

    /** The file on this machine's filesystem, when it is one: lets wan hardlink or adopt in place. */
    default Optional<Path> localPath(String path) {
        return Optional.empty();
    }

    /**
     * How a file read through this session is recorded in state ({@code source}); by default
     * {@link #origin()}. A migration names the legacy file ({@code migrate:/old/models/…}).
     */
    default String origin(String path) {
        return origin();
    }

    /** When ensure may hardlink a {@link #localPath} instead of copying it. */
    enum LinkPolicy {
        /** Only a file nobody may write to (no w bit): the hardlink policy of local sources. */
        IF_READ_ONLY,
        /** Whenever the filesystem allows (a migration adopting its legacy files on purpose). */
        ALWAYS,
        /** Never: always copy (a migration with --copy). */
        NEVER
    }

    /** See {@link LinkPolicy}; local sources keep the default. */
    default LinkPolicy linkPolicy() {
        return LinkPolicy.IF_READ_ONLY;
    }

    /**
     * Every file the source has under it, for {@code test-sources} (files listed, manifest files
     * found); ensuring never lists. Optional: the default says this source cannot list, and
     * test-sources then checks it with a stat and a read only, so a backend needs no more than
     * {@link #source}, {@link #stat} and {@link #read}.
     *
     * @throws UnsupportedOperationException when the source cannot list its files
     */
    default List<RemoteFile> list() throws IOException {
        throw new UnsupportedOperationException(source().redacted() + " cannot list its files");
    }

    /** Which credentials this session uses, masked (e.g. "HF_TOKEN hf_****abcd"), for test-auth. */
    default String credentials() {
        return "none";
    }

    @Override
    default void close() throws IOException {
    }
}
