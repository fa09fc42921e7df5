package dev.wan.internal.ensure;

import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.stream.Stream;

/**
 * How far the ensure of a model has got, read from its staging area alone: what any process can
 * see of another process's download. A staged file with a resume journal counts the chunks the
 * journal says are on disk (part files are preallocated, so their size says nothing); one without
 * (a local copy growing, or a finished file) counts its size.
 */
public final class StagingProgress {
    private final StoreLayout layout;

    public StagingProgress(StoreLayout layout) {
        this.layout = layout;
    }

    public long bytesStaged(ModelId id) {
        Path staging = layout.stagingDir(id);
        if (!Files.isDirectory(staging, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(staging)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(p -> bytesOf(id, staging.relativize(p).toString(), p))
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return 0; // the other process committed or removed its staging area while we looked
        }
    }

    private long bytesOf(ModelId id, String path, Path file) {
        try {
            long size = Files.size(file);
            PartJournal journal = PartJournal.readOrNull(layout.journalFile(id, path));
            if (journal == null || journal.chunkSize() <= 0) {
                return size;
            }
            BitSet done = journal.doneChunks();
            long bytes = (long) done.cardinality() * journal.chunkSize();
            long lastChunk = (journal.size() - 1) / journal.chunkSize();
            if (journal.size() > 0 && done.get((int) lastChunk)) {
                bytes -= journal.chunkSize() - (journal.size() - lastChunk * journal.chunkSize());
            }
            return Math.max(0, Math.min(bytes, journal.size()));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
