package dev.wan.internal.store;

import dev.wan.internal.io.BoundedRead;
import dev.wan.internal.io.Fs;
import dev.wan.manifest.ModelId;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pin markers, {@code MODELS_ROOT/.pins/<id>}: an empty regular file per pinned model. A pin is kept
 * in two places, this marker and the {@code pinned} field of the state file, and a model is pinned
 * when either says so, so no single damaged or lost file unpins it. Creating an empty file is
 * atomic (it exists or it does not); {@code pin} creates the marker before writing the state,
 * {@code unpin} writes the state before removing the marker, so a crash in between leaves the model
 * pinned, never the other way round.
 *
 * <p>Anything else at a marker's place (a symlink, a directory, a fifo) or a {@code .pins} that is
 * not a real directory is damage: it is reported, and counts as "maybe pinned", which {@code gc}
 * treats as a reason to keep the model.
 */
public final class Pins {
    private static final Logger LOG = LoggerFactory.getLogger(Pins.class);

    /** The directory of markers below MODELS_ROOT. */
    public static final String DIR = ".pins";

    /** What the marker of one model says. */
    public enum Mark { ABSENT, PINNED, DAMAGED }

    /** The marker's state, with the reason when it is damaged. */
    public record Status(Mark mark, String problem) {
        /** Pinned, or possibly pinned: a damaged marker is never read as "not pinned". */
        public boolean mayBePinned() {
            return mark != Mark.ABSENT;
        }
    }

    private final StoreLayout layout;

    public Pins(StoreLayout layout) {
        this.layout = layout;
    }

    public Path dir() {
        return layout.root().resolve(DIR);
    }

    public Path marker(ModelId id) {
        return dir().resolve(id.toString());
    }

    /** Reads nothing but an lstat of {@code .pins} and of the marker. */
    public Status status(ModelId id) {
        String dirProblem = dirProblem();
        if (dirProblem != null) {
            return new Status(Mark.DAMAGED, dirProblem);
        }
        try {
            BasicFileAttributes a = Files.readAttributes(marker(id), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            String odd = BoundedRead.notARegularFile(a);
            return odd == null ? new Status(Mark.PINNED, null)
                    : new Status(Mark.DAMAGED, "pin marker " + marker(id) + " " + odd);
        } catch (NoSuchFileException e) {
            return new Status(Mark.ABSENT, null);
        } catch (IOException e) {
            return new Status(Mark.DAMAGED, "pin marker " + marker(id) + " cannot be inspected: " + e.getMessage());
        }
    }

    private String dirProblem() {
        try {
            BasicFileAttributes a = Files.readAttributes(dir(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                return dir() + " is a symlink";
            }
            return a.isDirectory() ? null : dir() + " is not a directory";
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return dir() + " cannot be inspected: " + e.getMessage();
        }
    }

    /**
     * Creates the marker (replacing a damaged one). Refuses, with PATH_TRAVERSAL_DETECTED, a
     * {@code .pins} that is a symlink: the marker would land wherever it points.
     */
    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    public void pin(ModelId id) {
        layout.requireOwned(dir());
        layout.mkdirs(dir());
        Path marker = marker(id);
        try {
            if (Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
                return; // pinned already: every pinned state write passes here, keep it to one lstat
            }
            removeUnlessRegular(marker);
            try (FileChannel ignored = Fs.openBelow(layout.root(), marker,
                    java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
                // empty: its existence is the pin
            } catch (FileAlreadyExistsException e) {
                removeUnlessRegular(marker); // a racing pin made it (fine) or someone planted a link (replace)
                if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
            }
            Fs.syncDirectory(dir());
        } catch (IOException e) {
            throw Fs.map(e, "cannot pin " + id + ": cannot create " + marker);
        }
    }

    /** Removes the marker, whatever is there (a link is unlinked, never followed). */
    public void unpin(ModelId id) {
        layout.requireOwned(dir());
        Path marker = marker(id);
        try {
            BasicFileAttributes a = Files.readAttributes(marker, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isDirectory()) {
                Fs.deleteTree(layout.root(), marker);
            } else {
                Files.deleteIfExists(marker);
            }
            Fs.syncDirectory(dir());
        } catch (NoSuchFileException e) {
            LOG.debug("no pin marker to remove for {}: not pinned by marker", id, e);
        } catch (IOException e) {
            throw Fs.map(e, "cannot unpin " + id + ": cannot remove " + marker);
        }
        if (Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
            throw Fs.map(new IOException("still present after removal"), "cannot unpin " + id + ": " + marker);
        }
    }

    private void removeUnlessRegular(Path marker) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(marker, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (a.isDirectory()) {
            Fs.deleteTree(layout.root(), marker); // never descends through a link
        } else if (!a.isRegularFile()) {
            Files.deleteIfExists(marker); // unlinks a symlink or fifo itself
        }
    }
}
