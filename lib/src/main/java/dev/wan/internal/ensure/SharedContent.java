package dev.wan.internal.ensure;

import dev.wan.event.EventListener;
import dev.wan.event.WanEvent;
import dev.wan.internal.io.ContainedPath;
import dev.wan.internal.io.Fs;
import dev.wan.internal.store.ContentIndex;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.FileSpec;
import dev.wan.manifest.ModelId;
import dev.wan.store.Check;
import dev.wan.store.Placement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Content this job can link instead of fetching: a copy it staged itself, a copy another ensure of
 * this JVM is staging right now ({@link InFlight}), or a trusted copy elsewhere in the store
 * ({@link ContentIndex}). Also the job's claims in {@link InFlight}.
 */
final class SharedContent {
    private final StoreLayout layout;
    private final ContentIndex index;
    private final EventListener events;
    private final Clock clock;
    /** sha256 → a file staged (and verified) by this job: a second path with the same content links to it. */
    private final Map<String, StagedCopy> stagedBySha = new ConcurrentHashMap<>();
    /** Content this job claimed in {@link InFlight}: completed when staged, released after the commit. */
    private final Map<String, CompletableFuture<InFlight.Copy>> claimed = new ConcurrentHashMap<>();

    SharedContent(StoreLayout layout, ContentIndex index, EventListener events, Clock clock) {
        this.layout = layout;
        this.index = index;
        this.events = events;
        this.clock = clock;
    }

    /** Claims the file's content for this job; false when another job of this JVM is fetching it. */
    boolean claim(FileSpec file) {
        var mine = new CompletableFuture<InFlight.Copy>();
        if (!InFlight.claim(file.sha256(), mine)) {
            return false;
        }
        claimed.put(file.sha256(), mine);
        return true;
    }

    /** At the end of the job: every claim is settled, so nobody waits for this job any more. */
    void releaseAll() {
        claimed.forEach(InFlight::release);
        claimed.clear();
    }

    /** A file this job staged and verified against the manifest's sha256. */
    private record StagedCopy(String path, Path file) {
    }

    /** Where another job's staged copy lives once that job has committed. */
    private Path committed(InFlight.Copy other) {
        return ContainedPath.resolveInside(layout.modelDir(ModelId.parse(other.model())), other.path());
    }

    /** A verified copy is in staging: later files with this content (here or in other jobs) link it. */
    void staged(ModelId id, FileSpec file, Path stagedFile) {
        if (file.hasSha256()) {
            stagedBySha.putIfAbsent(file.sha256(), new StagedCopy(file.path(), stagedFile));
            var mine = claimed.get(file.sha256());
            if (mine != null) {
                mine.complete(new InFlight.Copy(id.toString(), file.path(), stagedFile));
            }
        }
    }

    /**
     * A claim whose content this job did not stage (the fetch failed, the optional file was
     * skipped, something threw) is released at once, not at the end of the job: other jobs waiting
     * for it fetch for themselves instead of waiting for a copy that will never come.
     */
    void giveUpClaimIfUnstaged(FileSpec file) {
        if (!file.hasSha256()) {
            return;
        }
        var mine = claimed.get(file.sha256());
        if (mine != null && !mine.isDone() && claimed.remove(file.sha256(), mine)) {
            InFlight.release(file.sha256(), mine);
        }
    }

    /**
     * Content dedup (by the manifest's sha256 only: never by path and size, which the real WAN2.2
     * T2V and I2V shards share with different bytes). If a trusted copy of the content is in the
     * store (or was staged by this job), it is hardlinked into staging ({@code how: deduplicated},
     * {@code source: dedup:<model>/<path>}); where links are impossible (the model directory is a
     * symlink to another disk) it is copied and hashed on the way ({@code how: deduplicated-copy}).
     *
     * <p>A link is not re-hashed: re-reading an 11 GB text encoder to prove a link points at bytes
     * that were verified, and have since kept their recorded size and mtime, would cost what dedup
     * saves. The record is trusted exactly as {@code status} trusts it; {@code verify} re-hashes.
     *
     * @return the new record, or null when there is no usable copy (then the file is fetched)
     */
    FileRecord deduplicate(ModelId id, FileSpec file, Path stagedFile, InFlight.Copy other) {
        if (!file.hasSha256()) {
            return null;
        }
        String from;
        Path source;
        Object checkedInode = null; // an index copy is linked only if the link is the inode that was checked
        StagedCopy mine = stagedBySha.get(file.sha256());
        if (mine != null) {
            from = "dedup:" + id + "/" + mine.path();
            source = mine.file();
        } else if (other != null && (Files.isRegularFile(other.file()) || Files.isRegularFile(committed(other)))) {
            // the other job may commit (rename its staging away) at any moment: then use the final path
            from = "dedup:" + other.model() + "/" + other.path();
            source = Files.isRegularFile(other.file()) ? other.file() : committed(other);
        } else {
            Optional<ContentIndex.Copy> copy = index.find(file.sha256(), file.size(), id.toString(), file.path());
            if (copy.isEmpty()) {
                // Another ensure may have committed this content since the index was loaded; a
                // fresh look costs a stat per state file (the index is read again only when one
                // changed). Not throttled: a job that committed a moment ago must still be seen.
                index.refresh();
                copy = index.find(file.sha256(), file.size(), id.toString(), file.path());
            }
            if (copy.isEmpty()) {
                return null;
            }
            from = copy.get().describe();
            source = copy.get().file();
            checkedInode = copy.get().fileKey();
        }
        try {
            Files.deleteIfExists(stagedFile);
            events.on(new WanEvent.FileStarted(clock.instant(), id, file.path(), file.size(), from));
            Placement how;
            if (Fs.tryLink(source, stagedFile) || (other != null && source.equals(other.file())
                    && Fs.tryLink(committed(other), stagedFile))) {
                Object linked = Files.readAttributes(stagedFile, java.nio.file.attribute.BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).fileKey();
                if (Files.size(stagedFile) != file.size() || checkedInode != null && !checkedInode.equals(linked)) {
                    Files.deleteIfExists(stagedFile); // swapped between the check and the link: fetch instead
                    return null;
                }
                how = Placement.DEDUPLICATED;
            } else {
                Transfer.Digest d;
                try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
                    d = Transfer.copy(in, layout.root(), stagedFile, file.size(),
                            ProgressThrottle.of(events, clock, id, file.path()));
                }
                if (d.size() != file.size() || !file.sha256().equals(d.sha256())) {
                    Files.deleteIfExists(stagedFile);
                    return null;
                }
                how = Placement.DEDUPLICATED_COPY;
            }
            FileRecord r = new FileRecord(file.size(), file.sha256(), Check.SHA256,
                    Files.getLastModifiedTime(stagedFile).toMillis(), clock.instant(), from, how);
            events.on(new WanEvent.FileCompleted(clock.instant(), id, file.path(), file.size(), from, how));
            if (how == Placement.DEDUPLICATED) {
                events.on(new WanEvent.Deduplicated(clock.instant(), id, file.path(), file.size()));
            }
            return r;
        } catch (IOException e) {
            if (Fs.isNoSpace(e)) {
                throw Fs.map(e, "model " + id + ": cannot stage " + file.path());
            }
            StagingArea.deleteQuietly(stagedFile);
            return null; // the copy vanished or is unreadable: fetch from the sources instead
        }
    }
}
