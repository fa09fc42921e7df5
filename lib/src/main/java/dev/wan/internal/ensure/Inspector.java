package dev.wan.internal.ensure;

import dev.wan.ensure.FileState;
import dev.wan.ensure.FileStatus;
import dev.wan.ensure.ModelState;
import dev.wan.ensure.ModelStatus;
import dev.wan.internal.io.ContainedPath;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.FileSpec;
import dev.wan.manifest.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Computes {@link ModelStatus} from one stat per file and the state file. Never hashes. */
public final class Inspector {
    private final StoreLayout layout;

    public Inspector(StoreLayout layout) {
        this.layout = layout;
    }

    /** As {@link #inspect(ModelSpec, String, ModelRecord, boolean)}, naming a damaged state or pin marker. */
    public ModelStatus inspect(ModelSpec spec, String variant, StateStore.View view, boolean probeLock) {
        ModelStatus s = inspect(spec, variant, view.record(), probeLock);
        return new ModelStatus(s.model(), s.variant(), s.state(), s.bytesTotal(), s.bytesNeeded(), s.directory(),
                s.pinned(), s.lastUsed(), s.lockedBy(), s.files(), view.problem());
    }

    ModelStatus inspect(ModelSpec spec, String variant, ModelRecord record, boolean probeLock) {
        Path dir = layout.modelDir(spec.id());
        List<FileStatus> files = new ArrayList<>();
        long needed = 0;
        long total = 0;
        // Nothing is under a directory that does not exist: skip a failing stat per file (each one an
        // exception), which was most of a status of 50,000 files that are not fetched yet.
        boolean absent = Files.notExists(dir);
        for (FileSpec f : spec.filesFor(variant)) {
            FileRecord r = record.files().get(f.path());
            Path file = ContainedPath.resolveInside(dir, f.path());
            FileState state = absent ? FileState.MISSING : stateOf(f, file, r);
            boolean optional = spec.isOptional(f);
            // one size everywhere (status, list, disk-usage of a complete model): every file of the
            // variant, optional components included, as ensure fetches them
            total += f.size();
            if (!optional && state != FileState.OK) {
                needed += f.size();
            }
            boolean trusted = state == FileState.OK;
            files.add(new FileStatus(f.path(), f.size(), state, optional, f.component(),
                    trusted ? r.verifiedAt() : null, r == null ? null : r.source(), trusted ? r.check() : null));
        }
        String lockedBy = probeLock
                ? ModelLock.currentHolder(layout.lockFile(spec.id())).map(Object::toString).orElse(null) : null;
        ModelState state = lockedBy != null && lockedBy.contains("purpose=verify")
                ? ModelState.VERIFYING : modelState(files);
        return new ModelStatus(spec.id().toString(), variant, state, total, needed, dir, record.pinned(),
                record.lastUsed(), lockedBy, files);
    }

    static FileState stateOf(FileSpec f, Path file, FileRecord r) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileState.MISSING; // absent, or unreadable: either way not usable
        }
        if (!attrs.isRegularFile()) {
            return FileState.CORRUPT;
        }
        if (attrs.size() != f.size()) {
            return FileState.SIZE_MISMATCH;
        }
        if (r == null || !r.matches(attrs.size(), attrs.lastModifiedTime().toMillis(), attrs.fileKey())) {
            return FileState.UNVERIFIED;
        }
        if (r.corrupt()) {
            return FileState.CORRUPT;
        }
        if (f.hasSha256() && !f.sha256().equals(r.sha256())) {
            return FileState.UNVERIFIED;
        }
        return FileState.OK;
    }

    static ModelState modelState(List<FileStatus> files) {
        List<FileStatus> required = files.stream().filter(f -> !f.optional()).toList();
        if (required.stream().allMatch(f -> f.state() == FileState.OK)) {
            return ModelState.COMPLETE;
        }
        if (required.stream().anyMatch(f -> f.state() == FileState.CORRUPT || f.state() == FileState.SIZE_MISMATCH)) {
            return ModelState.CORRUPT;
        }
        if (required.stream().allMatch(f -> f.state() == FileState.MISSING)) {
            return ModelState.NOT_PRESENT;
        }
        if (required.stream().allMatch(f -> f.state() == FileState.OK || f.state() == FileState.UNVERIFIED)) {
            return ModelState.UNVERIFIED; // all there, some changed since verified: not a partial download
        }
        return ModelState.PARTIAL;
    }
}
