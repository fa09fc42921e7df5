package dev.wan.internal.ensure;

import dev.wan.ErrorCode;
import dev.wan.ensure.FileState;
import dev.wan.event.EventListener;
import dev.wan.event.WanEvent;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.FileSpec;
import dev.wan.manifest.ModelId;
import dev.wan.manifest.ModelSpec;
import dev.wan.store.Check;
import dev.wan.store.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;

/** Files already at their final path whose record is missing or stale: hashed where they are. */
final class InPlaceCheck {
    private final StoreLayout layout;
    private final EventListener events;
    private final Clock clock;

    InPlaceCheck(StoreLayout layout, EventListener events, Clock clock) {
        this.layout = layout;
        this.events = events;
        this.clock = clock;
    }

    /**
     * A file is already at its final path but not (or no longer) known good: hash it where it is.
     * Good → adopted; bad → moved aside to .quarantine (never deleted silently) and fetched again.
     */
    FileRecord adopt(ModelSpec spec, FileSpec file, Path target, FileState state, FileRecord old)
            throws IOException {
        ModelId id = spec.id();
        if (state == FileState.UNVERIFIED) {
            events.on(new WanEvent.FileStarted(clock.instant(), id, file.path(), file.size(), "(in place)"));
            Transfer.Digest d = Transfer.hash(target, ProgressThrottle.of(events, clock, id, file.path()));
            String expected = file.hasSha256() ? file.sha256() : old != null ? old.sha256() : null;
            if (d.size() == file.size() && (expected == null || expected.equals(d.sha256()))) {
                String source = old != null ? old.source() : "(found in place)";
                FileRecord r = record(target, d, file, source, Placement.ADOPTED);
                events.on(new WanEvent.FileCompleted(clock.instant(), id, file.path(), file.size(), source,
                        Placement.ADOPTED));
                return r;
            }
        }
        quarantine(id, target);
        return null;
    }

    private void quarantine(ModelId id, Path target) throws IOException {
        Path rel = layout.modelDir(id).relativize(target);
        Path aside = layout.quarantineDir().resolve(id.toString())
                .resolve(clock.instant().toString().replace(':', '-')).resolve(rel.toString());
        layout.mkdirs(aside.getParent());
        Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
        events.on(new WanEvent.SourceFailed(clock.instant(), id, rel.toString(), "(in place)",
                ErrorCode.CHECKSUM_FAIL, "did not match the manifest; moved aside to " + aside));
    }

    private FileRecord record(Path file, Transfer.Digest digest, FileSpec spec, String source, Placement how)
            throws IOException {
        long mtime = Files.getLastModifiedTime(file).toMillis();
        Check check = spec.hasSha256() ? Check.SHA256 : Check.SIZE_ONLY;
        return new FileRecord(digest.size(), digest.sha256(), check, mtime, clock.instant(), source, how);
    }
}
