package dev.wan.internal.store;

import dev.wan.WanException;
import dev.wan.internal.io.BoundedRead;
import dev.wan.internal.io.ContainedPath;
import dev.wan.internal.io.Fs;
import dev.wan.manifest.ModelId;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes {@code .state/<id>.json} (format: {@link ModelRecord}). Writes are atomic (temp
 * file, fsync, rename), so a reader sees the previous or the next state, never half of one.
 *
 * <p>A state file lives where others can write, so a read tells three cases apart
 * ({@link #load}): absent, readable (parsed and wholly well-formed, see {@link StateCodec}), or
 * damaged, with the reason ("truncated JSON at byte 812", "is a symlink", "model field 'x' does
 * not match file name"). A damaged state is never read as "no state": {@code status} names the
 * problem, {@code gc} keeps the model, and {@code ensure} re-hashes the files in place and
 * rewrites it. Reads never follow a link, never read a directory, and stop at
 * {@link #MAX_STATE_BYTES}.
 *
 * <p>The pin lives here ({@code pinned}) and in a marker ({@link Pins}); a model is pinned when
 * either says so, and every record this class hands out carries that merged value, so writing it
 * back keeps the pin.
 */
public final class StateStore {
    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);

    /** A state file is a few KiB per hundred files; anything bigger than this is not ours. */
    public static final long MAX_STATE_BYTES = 64L * 1024 * 1024;

    private final StoreLayout layout;
    private final Pins pins;

    public StateStore(StoreLayout layout) {
        this.layout = layout;
        this.pins = new Pins(layout);
    }

    public Pins pins() {
        return pins;
    }

    /**
     * What is known about one model's state.
     *
     * @param record       the parsed record, or an empty one when the file is absent or damaged;
     *                     {@code pinned} is true when the state or the pin marker says so (or the
     *                     marker is damaged)
     * @param recorded     true when a readable state file was found
     * @param stateProblem why the state file could not be read, or null
     * @param pin          what the pin marker says
     * @param stateSaysPinned what the state file's own {@code pinned} field says (false when absent or damaged)
     */
    public record View(ModelId id, ModelRecord record, boolean recorded, String stateProblem, Pins.Status pin,
                       boolean stateSaysPinned) {
        public boolean pinned() {
            return record.pinned();
        }

        /** Whether wan can trust what it knows about the model: the state and the pin marker are readable. */
        public boolean readable() {
            return stateProblem == null && pin.mark() != Pins.Mark.DAMAGED;
        }

        /** Every problem, with what to do about it; null when there is none. */
        public String problem() {
            if (readable()) {
                return null;
            }
            StringBuilder b = new StringBuilder();
            if (stateProblem != null) {
                b.append("state file .state/").append(id).append(".json is damaged (").append(stateProblem).append(")")
                        .append("; 'wan ensure ").append(id).append("' re-verifies the files and rewrites it");
            }
            if (pin.mark() == Pins.Mark.DAMAGED) {
                b.append(b.length() == 0 ? "" : "; ").append(pin.problem()).append(" (so counted as pinned)")
                        .append("; 'wan models pin ").append(id).append("' or 'wan models unpin ").append(id)
                        .append("' rewrites it");
            }
            return b.toString();
        }
    }

    /** The state and pin of a model: absent, readable or damaged. Never throws for what is on disk. */
    public View load(ModelId id) {
        Pins.Status pin = pins.status(id);
        String problem;
        ModelRecord record = null;
        try {
            layout.requireOwned(layout.stateDir());
            BoundedRead.Result read = BoundedRead.read(layout.stateFile(id), MAX_STATE_BYTES);
            if (read.absent()) {
                problem = null;
            } else if (read.refused() != null) {
                problem = read.refused();
            } else {
                StateCodec.Parsed parsed = StateCodec.parse(read.bytes(), id);
                record = parsed.record();
                problem = parsed.problem();
            }
        } catch (WanException e) {
            problem = "cannot be read: " + e.getMessage();
        }
        boolean recorded = record != null;
        ModelRecord base = recorded ? record : ModelRecord.empty(id.toString());
        return new View(id, base.withPinned(base.pinned() || pin.mayBePinned()), recorded, problem, pin,
                base.pinned());
    }

    /** The readable record (pin merged in); empty when the state is absent or damaged. */
    public Optional<ModelRecord> read(ModelId id) {
        View v = load(id);
        return v.recorded() ? Optional.of(v.record()) : Optional.empty();
    }

    /**
     * The readable record, else an empty one; either way pinned when the marker says so, so a
     * write of what this returns never loses a pin. A damaged state reads as no file records: every
     * file is then re-verified, which is slow but never wrong.
     */
    public ModelRecord readOrEmpty(ModelId id) {
        return load(id).record();
    }

    /**
     * Writes the state atomically. A pinned record creates the pin marker first (so the two agree;
     * unpinning is {@link Pins#unpin} after a write with {@code pinned = false}). File records
     * without an inode get the one now at their final path, if it still has the recorded size and
     * mtime. Whatever was at the state file's place (a link, a directory) is replaced, never followed.
     */
    public void write(ModelRecord record) {
        ModelId id = ModelId.parse(record.model());
        Path target = layout.stateFile(id);
        layout.requireOwned(layout.stateDir());
        layout.mkdirs(layout.stateDir());
        if (record.pinned()) {
            pins.pin(id);
        }
        try {
            BasicFileAttributes a = attributes(target);
            if (a != null && a.isDirectory()) {
                // .state/<id>.json is wan's name; a directory there is damage and holds no model byte
                Fs.deleteTree(layout.root(), target);
            }
            Fs.writeAtomically(layout.root(), target, StateCodec.write(stamped(id, record)));
        } catch (IOException e) {
            throw Fs.map(e, "cannot write state of " + id);
        }
    }

    private ModelRecord stamped(ModelId id, ModelRecord record) {
        Map<String, FileRecord> files = new HashMap<>(record.files());
        Path dir = layout.modelDir(id);
        files.replaceAll((path, r) -> {
            if (r == null || r.inode() != null) {
                return r;
            }
            try {
                Path file = ContainedPath.resolveInside(dir, path);
                if (!file.getParent().equals(dir)) {
                    StoreLayout.requireNoLinks(dir, file.getParent()); // dir itself may be a link to another disk
                }
                BasicFileAttributes a = attributes(file);
                if (a != null && a.isRegularFile() && a.fileKey() != null && a.size() == r.size()
                        && a.lastModifiedTime().toMillis() == r.mtimeMillis()) {
                    return r.withInode(a.fileKey().toString());
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("{} not stamped with its inode: the record is still checked by size and mtime", path, e);
            }
            return r;
        });
        return record.withFiles(files);
    }

    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Records a use of the model (ensure, get_wan_paths) by touching {@code .state/<id>.used}: one
     * utimes call, no JSON rewrite and no fsync, so even the already-complete fast path can afford
     * it. Never through a link: whatever is at the marker's place that is not a regular file is
     * removed and a fresh empty file created exclusively. Best effort: a read-only store simply
     * keeps its older last-use time.
     */
    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    public void markUsed(ModelId id, Instant at) {
        Path marker = layout.usedMarker(id);
        try {
            layout.requireOwned(layout.stateDir());
            layout.mkdirs(layout.stateDir());
            BasicFileAttributes a = attributes(marker);
            // a link, a directory, or a hardlink to someone else's file: touching it would change theirs
            if (a != null && (!a.isRegularFile() || Fs.linkCount(marker) != 1)) {
                if (a.isDirectory()) {
                    Fs.deleteTree(layout.root(), marker);
                } else {
                    Files.deleteIfExists(marker); // a symlink is unlinked, its target untouched
                }
                a = null;
            }
            if (a == null) {
                try (FileChannel ignored = Fs.openBelow(layout.root(), marker,
                        java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
                    // empty: only its mtime matters
                }
            }
            Files.getFileAttributeView(marker, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(at), null, null);
        } catch (IOException | WanException swallowed) {
            LOG.debug("could not note the use of {}; that never fails the use", id, swallowed);
        }
    }

    /** The last use of a model: the later of the state's lastUsed and the marker's mtime; null if neither. */
    public Instant lastUsed(ModelId id, ModelRecord record) {
        Instant fromRecord = record == null ? null : record.lastUsed();
        Instant fromMarker = null;
        try {
            BasicFileAttributes a = attributes(layout.usedMarker(id));
            if (a != null && a.isRegularFile()) {
                fromMarker = a.lastModifiedTime().toInstant();
            }
        } catch (IOException swallowed) {
            LOG.debug("no use marker for {}: never used since the marker was introduced", id, swallowed);
        }
        if (fromRecord == null) {
            return fromMarker;
        }
        return fromMarker != null && fromMarker.isAfter(fromRecord) ? fromMarker : fromRecord;
    }
}
