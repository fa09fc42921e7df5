package dev.wan.internal.ensure;

import dev.wan.WanException;
import dev.wan.internal.io.ContainedPath;
import dev.wan.internal.io.Fs;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model's staging directory and partial-download journals under {@code .tmp}: what a failed
 * or crashed run leaves for the next one to resume, and what goes.
 */
final class StagingArea {
    private static final Logger LOG = LoggerFactory.getLogger(StagingArea.class);

    private final StoreLayout layout;

    StagingArea(StoreLayout layout) {
        this.layout = layout;
    }

    /**
     * Under the model's lock, a staging area of this model is a leftover of a crashed or failed
     * run. Partial downloads with a journal are kept for resuming; everything else goes.
     */
    void removeStale(ModelId id) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.tmpDir(), layout.stagingPrefix(id) + "*")) {
            for (Path p : entries) {
                if (!p.equals(layout.stagingDir(id)) && !p.equals(layout.journalDir(id))) {
                    Fs.deleteTree(layout.root(), p);
                }
            }
        } catch (NoSuchFileException e) {
            LOG.debug("no staging leftovers for {}: nothing staged yet", id, e);
        } catch (IOException e) {
            throw Fs.map(e, "cannot list " + layout.tmpDir());
        }
        keepOnlyResumable(id);
    }

    /**
     * Drops staged files no journal describes (local copies: cheaper to redo), empty directories,
     * and anything wan does not write there: a symlink, a FIFO, a file with other hard links (all
     * unlinked, never followed). A staging area or journal directory that is not a real directory
     * is removed whole.
     */
    void keepOnlyResumable(ModelId id) {
        Path staging = layout.stagingDir(id);
        Path journals = layout.journalDir(id);
        if (!Files.isDirectory(journals, LinkOption.NOFOLLOW_LINKS)) {
            Fs.deleteTree(layout.root(), journals);
        }
        if (!Files.isDirectory(staging, LinkOption.NOFOLLOW_LINKS)) {
            Fs.deleteTree(layout.root(), staging);
            Fs.deleteTree(layout.root(), journals);
            return;
        }
        try {
            Fs.prune(layout.root(), staging, rel -> Files.exists(layout.journalFile(id, rel), LinkOption.NOFOLLOW_LINKS));
            if (Files.isDirectory(journals, LinkOption.NOFOLLOW_LINKS)) {
                Fs.prune(layout.root(), journals, rel -> true);
            }
            if (isEmptyDirectory(staging)) {
                Fs.deleteTree(layout.root(), staging);
            }
        } catch (IOException e) {
            Fs.deleteTree(layout.root(), staging); // when in doubt, start over rather than trust odd leftovers
            Fs.deleteTree(layout.root(), journals);
            return;
        }
        if (!Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
            Fs.deleteTree(layout.root(), journals);
        }
    }

    /** After a commit, or NO_SPACE (partial files would hold on to the space): nothing is kept. */
    void clear(ModelId id) {
        Fs.deleteTree(layout.root(), layout.stagingDir(id));
        Fs.deleteTree(layout.root(), layout.journalDir(id));
    }

    /** A file's partial download and journal, when they can no longer be resumed or published. */
    void discardPartial(ModelId id, String path) {
        try {
            deleteQuietly(ContainedPath.resolveInside(layout.stagingDir(id), path));
            deleteQuietly(layout.journalFile(id, path));
        } catch (WanException e) {
            LOG.debug("{}: a path the store refuses, so nothing was staged there to discard", path, e);
        }
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (var children = Files.list(dir)) {
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && children.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException swallowed) {
            LOG.debug("could not delete {} now: the staging directory is removed as a whole afterwards", p, swallowed);
        }
    }
}
