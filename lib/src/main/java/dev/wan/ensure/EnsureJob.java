package dev.wan.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.event.EventListener;
import dev.wan.event.WanEvent;
import dev.wan.lock.ModelLock;
import dev.wan.manifest.FileSpec;
import dev.wan.manifest.ModelId;
import dev.wan.manifest.ModelSpec;
import dev.wan.manifest.SourceRef;
import dev.wan.source.SourceRegistry;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.store.Check;
import dev.wan.store.ContentIndex;
import dev.wan.store.FileRecord;
import dev.wan.store.Fs;
import dev.wan.store.ModelRecord;
import dev.wan.store.Placement;
import dev.wan.store.StateStore;
import dev.wan.store.StoreLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Makes one model variant complete under MODELS_ROOT.
 *
 * <p>Order of work: a lock-free status check (the common case: already complete); then, holding
 * the model's lock, check again (another process may have just finished), remove staging
 * leftovers of crashed runs, re-hash files already at their final path whose record is missing or
 * stale (adopting them, or moving them aside to .quarantine when they do not match), fetch the
 * rest into a fresh staging directory with failover between sources, and commit: a first-time
 * model directory appears by one directory rename, otherwise each verified file is renamed over
 * its final path. The state file is written last.
 *
 * <p>Before fetching, a file whose manifest sha256 has a trusted copy elsewhere in the store (see
 * {@link ContentIndex}) is hardlinked instead, and {@link Preflight} checks the disk has room for
 * what is left to fetch. After the commit the model's files are made read-only (the sharing policy,
 * see {@code makeReadOnly}) and the index is refreshed.
 */
final class EnsureJob {
    private final StoreLayout layout;
    private final StateStore states;
    private final SourceRegistry sources;
    private final SourceContext context;
    private final EventListener events;
    private final Clock clock;
    private final Duration lockTimeout;
    private final Inspector inspector;
    private final Downloader downloader;
    private final int parallelFiles;
    private final ContentIndex index;
    /** sha256 → a file staged (and verified) by this job: a second path with the same content links to it. */
    private final Map<String, StagedCopy> stagedBySha = new java.util.concurrent.ConcurrentHashMap<>();
    /** Content this job claimed in {@link InFlight}: completed when staged, released after the commit. */
    private final Map<String, java.util.concurrent.CompletableFuture<InFlight.Copy>> claimed =
            new java.util.concurrent.ConcurrentHashMap<>();
    private Sessions sessions;
    /** Bytes this run received from sources (resumed chunks and links to other copies not counted). */
    private final java.util.concurrent.atomic.LongAdder transferred = new java.util.concurrent.atomic.LongAdder();

    EnsureJob(StoreLayout layout, StateStore states, SourceRegistry sources, SourceContext context,
              EventListener events, Clock clock, Duration lockTimeout) {
        this.layout = layout;
        this.states = states;
        this.sources = sources;
        this.context = context;
        this.events = events;
        this.clock = clock;
        this.lockTimeout = lockTimeout;
        this.inspector = new Inspector(layout);
        this.downloader = new Downloader(context, context.retry(), layout.root());
        this.parallelFiles = context.parallelFiles();
        this.index = new ContentIndex(layout);
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    Path run(ModelSpec spec, String variant) {
        ModelId id = spec.id();
        long started = clock.millis();
        if (inspector.inspect(spec, variant, states.readOrEmpty(id), false).state() == ModelState.COMPLETE) {
            return layout.modelDir(id);
        }
        layout.createSkeleton();
        try (ModelLock lock = ModelLock.acquire(layout.lockFile(id), "model " + id, "ensure", lockTimeout, clock,
                h -> events.on(new WanEvent.LockWaiting(clock.instant(), id, h.toString())))) {
            ModelRecord record = states.readOrEmpty(id);
            ModelStatus now = inspector.inspect(spec, variant, record, false);
            if (now.state() == ModelState.COMPLETE) {
                return layout.modelDir(id);
            }
            removeStaleStaging(id);
            Path staging = layout.stagingDir(id);
            boolean committed = false;
            boolean noSpace = false;
            try (Sessions open = new Sessions(sources, context,
                    notice -> events.on(new WanEvent.Warning(clock.instant(), id, notice)))) {
                sessions = open;
                long fetched = fill(spec, variant, now, record, staging);
                committed = true;
                events.on(new WanEvent.EnsureFinished(clock.instant(), id, layout.modelDir(id), fetched,
                        clock.millis() - started));
                return layout.modelDir(id);
            } catch (WanException e) {
                noSpace = e.code() == ErrorCode.NO_SPACE;
                throw e;
            } finally {
                sessions = null;
                claimed.forEach(InFlight::release);
                claimed.clear();
                if (committed || noSpace) {
                    // After NO_SPACE nothing is kept for resuming: partial files would hold on to the space.
                    Fs.deleteTree(layout.root(), staging);
                    Fs.deleteTree(layout.root(), layout.journalDir(id));
                } else {
                    keepOnlyResumable(id);
                }
            }
        } catch (WanException e) {
            events.on(new WanEvent.EnsureFailed(clock.instant(), id, e.code(), e.getMessage()));
            throw e;
        }
    }

    private long fill(ModelSpec spec, String variant, ModelStatus now, ModelRecord record, Path staging) {
        ModelId id = spec.id();
        Path modelDir = layout.modelDir(id);
        Map<String, FileSpec> byPath = new HashMap<>();
        spec.filesFor(variant).forEach(f -> byPath.put(f.path(), f));
        List<FileStatus> todo = now.files().stream().filter(f -> f.state() != FileState.OK).toList();
        events.on(new WanEvent.EnsureStarted(clock.instant(), id, variant, todo.size(),
                todo.stream().mapToLong(FileStatus::size).sum(), spec.totalBytes(variant)));
        boolean fresh = !Files.exists(modelDir, LinkOption.NOFOLLOW_LINKS);

        // A file whose content already appeared earlier in this list (same manifest sha256, other
        // path) waits for that one and is then linked to it: fetched once per job.
        List<FileStatus> leaders = new ArrayList<>();
        List<FileStatus> followers = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        long needed = 0;
        for (FileStatus status : todo) {
            FileSpec file = byPath.get(status.path());
            boolean follower = file.hasSha256() && !seen.add(file.sha256());
            (follower ? followers : leaders).add(status);
            boolean mayBeAdopted = status.state() == FileState.UNVERIFIED; // hashed in place, fetched only if bad
            if (!follower && !mayBeAdopted && !(file.hasSha256()
                    && index.find(file.sha256(), file.size(), id.toString(), file.path()).isPresent())) {
                needed = Preflight.plus(needed, file.size());
            }
        }
        if (context.preflight()) {
            Preflight.check("model " + id, layout.tmpDir(), needed);
        }

        // Content another ensure of this JVM is fetching right now is waited for and linked,
        // after this job's own work (so jobs waiting on each other always make progress).
        List<FileStatus> own = new ArrayList<>();
        List<FileStatus> waiting = new ArrayList<>();
        for (FileStatus status : leaders) {
            FileSpec file = byPath.get(status.path());
            if (file.hasSha256() && status.state() == FileState.MISSING) {
                var mine = new java.util.concurrent.CompletableFuture<InFlight.Copy>();
                if (!InFlight.claim(file.sha256(), mine)) {
                    waiting.add(status);
                    continue;
                }
                claimed.put(file.sha256(), mine);
            }
            own.add(status);
        }

        // Several files at once: per-file work has serial parts (stat, hash catching up, fsync,
        // rename) that would otherwise leave the network idle between files.
        java.util.function.Function<FileStatus, Outcome> attempt = status -> {
            FileSpec file = byPath.get(status.path());
            InFlight.Copy other = waiting.contains(status) ? InFlight.await(file.sha256()) : null;
            Path target = StoreLayout.resolveForWrite(modelDir, file.path());
            try {
                if (status.state() != FileState.MISSING) {
                    FileRecord adopted = adoptInPlace(spec, file, target, status.state(),
                            record.files().get(file.path()));
                    if (adopted != null) {
                        return new Outcome(file.path(), adopted, false, null);
                    }
                }
                Path stagedFile = StoreLayout.resolveInside(staging, file.path());
                layout.mkdirs(stagedFile.getParent()); // real directories only: a planted link would take the bytes
                FileRecord deduped = deduplicate(id, file, stagedFile, other);
                if (deduped != null) {
                    staged(id, file, stagedFile);
                    return new Outcome(file.path(), deduped, true, null);
                }
                FileRecord fetchedRecord = fetchWithFailover(spec, file, stagedFile, target);
                staged(id, file, stagedFile);
                return new Outcome(file.path(), fetchedRecord, true, null);
            } catch (WanException | IOException e) {
                WanException we = e instanceof WanException w ? w
                        : Fs.map((IOException) e, "model " + id + ": cannot stage " + file.path());
                if (spec.isOptional(file)) {
                    // A skipped file leaves nothing in staging: a first commit publishes the whole directory.
                    discardPartial(id, file.path());
                    events.on(new WanEvent.SourceFailed(clock.instant(), id, file.path(), "(all)", we.code(),
                            "optional file skipped: " + we.getMessage()));
                    return new Outcome(file.path(), null, false, null);
                }
                return new Outcome(file.path(), null, false, we);
            }
        };
        java.util.function.Function<FileStatus, Outcome> work = status -> {
            try {
                return attempt.apply(status);
            } finally {
                giveUpClaimIfUnstaged(byPath.get(status.path()));
            }
        };
        List<Outcome> outcomes = new ArrayList<>(forEachFile(own, work));
        outcomes.addAll(forEachFile(followers, work));
        outcomes.addAll(forEachFile(waiting, work));

        Map<String, FileRecord> records = new HashMap<>(record.files());
        List<String> staged = new ArrayList<>();
        List<FailureSummary.Failed> failed = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o.error() != null) {
                failed.add(new FailureSummary.Failed(o.path(), o.error()));
            } else if (o.record() != null) {
                records.put(o.path(), o.record());
                if (o.staged()) {
                    staged.add(o.path());
                }
            }
        }
        if (!failed.isEmpty()) {
            // The model directory never shows a model half-made: staged files stay unpublished.
            // Files verified where they already were are recorded, so they are not hashed again.
            states.write(record.withFiles(adopted(record, records, staged)));
            throw FailureSummary.of(id, failed);
        }
        commit(id, staging, modelDir, staged, fresh);
        for (Outcome o : outcomes) {
            if (o.record() != null) {
                makeReadOnly(StoreLayout.resolveInside(modelDir, o.path()));
            }
        }
        try {
            states.write(record.withFiles(records).completed(variant, clock.instant()));
        } catch (WanException e) {
            // Published and verified in this run: the ensure did its job. The state is a cache of
            // verification results; without it the next run re-hashes the files in place.
            events.on(new WanEvent.Warning(clock.instant(), id, "model is complete and verified, but its state "
                    + "could not be saved (" + e.code() + ": " + e.getMessage() + "); the next run re-hashes its files"));
        }
        index.refresh();
        return transferred.sum();
    }

    /** A file this job staged and verified against the manifest's sha256. */
    private record StagedCopy(String path, Path file) {
    }

    /** Where another job's staged copy lives once that job has committed. */
    private Path committed(InFlight.Copy other) {
        return StoreLayout.resolveInside(layout.modelDir(ModelId.parse(other.model())), other.path());
    }

    /** A verified copy is in staging: later files with this content (here or in other jobs) link it. */
    private void staged(ModelId id, FileSpec file, Path stagedFile) {
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
    private void giveUpClaimIfUnstaged(FileSpec file) {
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
    private FileRecord deduplicate(ModelId id, FileSpec file, Path stagedFile, InFlight.Copy other) {
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
                // fresh look costs a stat per state file, nothing next to a download.
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
            if (link(source, stagedFile) || (other != null && source.equals(other.file())
                    && link(committed(other), stagedFile))) {
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
                    d = Transfer.copy(in, layout.root(), stagedFile, file.size(), progress(id, file.path()));
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
            return r;
        } catch (IOException e) {
            if (noSpace(e)) {
                throw Fs.map(e, "model " + id + ": cannot stage " + file.path());
            }
            deleteQuietly(stagedFile);
            return null; // the copy vanished or is unreadable: fetch from the sources instead
        }
    }

    /**
     * Sharing policy: files at a model's final path are read-only (a-w), so a pipeline writing
     * into one model cannot change bytes another model shares through a hardlink. (root ignores
     * modes: processes running as root are trusted not to write into model directories.) Repairs
     * never write in place either: a bad file is renamed to .quarantine and the new bytes are
     * renamed over the path, so another link to the old inode keeps its (good) content.
     */
    private static void makeReadOnly(Path file) {
        dev.wan.store.Deduplicator.makeReadOnly(file);
    }

    static boolean noSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    /** What happened to one file: its new record (staged or adopted), nothing (optional, skipped), or an error. */
    private record Outcome(String path, FileRecord record, boolean staged, WanException error) {
    }

    /** Runs {@code work} for every file, {@code parallelFiles} at a time, keeping the input order. */
    private List<Outcome> forEachFile(List<FileStatus> todo, java.util.function.Function<FileStatus, Outcome> work) {
        if (parallelFiles <= 1 || todo.size() <= 1) {
            return todo.stream().map(work).toList();
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.min(parallelFiles, todo.size()), r -> {
                    Thread t = new Thread(r, "wan-file");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<java.util.concurrent.Future<Outcome>> futures = todo.stream()
                    .map(f -> pool.submit(() -> work.apply(f))).toList();
            List<Outcome> outcomes = new ArrayList<>();
            for (java.util.concurrent.Future<Outcome> f : futures) {
                try {
                    outcomes.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new WanException(ErrorCode.FILESYSTEM_ERROR, "interrupted", "");
                }
            }
            return outcomes;
        } finally {
            Pools.stopAndWait(pool); // before the job cleans staging and releases the lock
        }
    }

    /** The records of files at their final path: everything but what was staged. */
    private static Map<String, FileRecord> adopted(ModelRecord before, Map<String, FileRecord> now, List<String> staged) {
        Map<String, FileRecord> kept = new HashMap<>(now);
        for (String path : staged) {
            FileRecord old = before.files().get(path);
            if (old == null) {
                kept.remove(path);
            } else {
                kept.put(path, old);
            }
        }
        return kept;
    }

    private void commit(ModelId id, Path staging, Path modelDir, List<String> staged, boolean fresh) {
        try {
            requireStagedAsWritten(staging, staged);
            if (fresh) {
                layout.mkdirs(layout.modelsDir());
                layout.requireOwned(staging);
                dropUnstaged(staging, staged);
                Files.move(staging, modelDir, StandardCopyOption.ATOMIC_MOVE);
                Fs.syncDirectory(modelDir.getParent());
                return;
            }
            for (String path : staged) {
                Path target = StoreLayout.resolveForWrite(modelDir, path);
                StoreLayout.mkdirs(modelDir, target.getParent());
                Fs.atomicMove(StoreLayout.resolveInside(staging, path), target);
            }
        } catch (FileAlreadyExistsException e) {
            // Only possible if something outside wan created the directory meanwhile: go file by file.
            commit(id, staging, modelDir, staged, false);
        } catch (IOException e) {
            throw Fs.map(e, "model " + id + ": cannot move verified files into " + modelDir);
        }
    }

    /**
     * Partial downloads kept for resuming (of files of another variant, say) must not be published
     * with the directory: only the files verified in this run are moved.
     */
    private static void dropUnstaged(Path staging, List<String> staged) throws IOException {
        Set<String> keep = new java.util.HashSet<>(staged);
        List<Path> drop;
        try (var walk = Files.walk(staging)) {
            drop = walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !keep.contains(staging.relativize(p).toString().replace('\\', '/'))).toList();
        }
        for (Path p : drop) {
            Files.deleteIfExists(p);
        }
    }

    /** A file's partial download and journal, when they can no longer be resumed or published. */
    private void discardPartial(ModelId id, String path) {
        try {
            deleteQuietly(StoreLayout.resolveInside(layout.stagingDir(id), path));
            deleteQuietly(layout.journalFile(id, path));
        } catch (WanException e) {
            // a path the store refuses: nothing was staged there
        }
    }

    /**
     * Just before publishing: every staged file is still a regular file reached through real
     * directories, so what becomes visible at the final path is what was verified, not a link
     * someone swapped in since.
     */
    private void requireStagedAsWritten(Path staging, List<String> staged) throws IOException {
        layout.requireOwned(staging);
        for (String path : staged) {
            Path file = StoreLayout.resolveInside(staging, path);
            StoreLayout.requireNoLinks(staging, file);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new WanException(ErrorCode.FILESYSTEM_ERROR, "model " + staging.getFileName() + ": staged "
                        + path + " vanished before it was published", "run the ensure again");
            }
        }
    }

    /**
     * A file is already at its final path but not (or no longer) known good: hash it where it is.
     * Good → adopted; bad → moved aside to .quarantine (never deleted silently) and fetched again.
     */
    private FileRecord adoptInPlace(ModelSpec spec, FileSpec file, Path target, FileState state, FileRecord old)
            throws IOException {
        ModelId id = spec.id();
        if (state == FileState.UNVERIFIED) {
            events.on(new WanEvent.FileStarted(clock.instant(), id, file.path(), file.size(), "(in place)"));
            Transfer.Digest d = Transfer.hash(target, progress(id, file.path()));
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

    private FileRecord fetchWithFailover(ModelSpec spec, FileSpec file, Path stagedFile, Path target) {
        List<String> failures = new ArrayList<>();
        List<ErrorCode> codes = new ArrayList<>();
        for (SourceRef source : spec.sources()) {
            try {
                return fetchFrom(spec.id(), source, file, stagedFile, target);
            } catch (WanException e) {
                if (e.code() == ErrorCode.NO_SPACE || noSpace(e)) {
                    // The local disk is full: another source would fill it just the same.
                    throw e.code() == ErrorCode.NO_SPACE ? e : noSpaceError(spec.id(), file, e);
                }
                failures.add(source.redacted() + ": " + e.code() + " " + e.getMessage());
                codes.add(e.code());
                events.on(new WanEvent.SourceFailed(clock.instant(), spec.id(), file.path(), source.redacted(),
                        e.code(), e.getMessage()));
            } catch (IOException e) {
                if (noSpace(e)) {
                    deleteQuietly(stagedFile);
                    throw noSpaceError(spec.id(), file, e);
                }
                failures.add(source.redacted() + ": SOURCE_UNAVAILABLE " + e);
                codes.add(ErrorCode.SOURCE_UNAVAILABLE);
                events.on(new WanEvent.SourceFailed(clock.instant(), spec.id(), file.path(), source.redacted(),
                        ErrorCode.SOURCE_UNAVAILABLE, e.toString()));
            }
            // A partial download stays with its journal: the next source, or the next run, resumes it.
        }
        ErrorCode code = codes.size() == 1 ? codes.get(0) : ErrorCode.ALL_SOURCES_FAILED;
        throw new WanException(code, "model " + spec.id() + ": no source could provide " + file.path()
                + " (" + failures.size() + " tried)",
                "check the sources with 'wan test-sources " + spec.id() + "' and the manifest's sources.priority",
                failures, null);
    }

    private WanException noSpaceError(ModelId id, FileSpec file, Exception e) {
        return new WanException(ErrorCode.NO_SPACE, "model " + id + ": no space left on device while writing "
                + file.path() + " under " + layout.tmpDir(),
                "free disk space: see what 'wan models gc --dry-run' would reclaim, or set MODELS_ROOT to a bigger disk",
                List.of(), e);
    }

    private FileRecord fetchFrom(ModelId id, SourceRef source, FileSpec file, Path stagedFile, Path target)
            throws IOException {
        SourceSession session = sessions.open(source);
        Optional<Path> local = session.localPath(file.path());
        if (local.isPresent() && local.get().equals(target)) {
            throw new WanException(ErrorCode.SOURCE_UNAVAILABLE,
                    "is this model's own directory, and the file there is missing or failed verification", "");
        }
        RemoteFile remote = session.stat(file.path());
        if (remote.size() != file.size()) {
            throw new WanException(ErrorCode.SIZE_MISMATCH, file.path() + " is " + remote.size()
                    + " bytes at the source, the manifest says " + file.size(), "");
        }
        String expected = file.hasSha256() ? file.sha256() : remote.sha256();
        String served = session.origin(file.path());
        events.on(new WanEvent.FileStarted(clock.instant(), id, file.path(), file.size(), served));
        Placement how = Placement.COPIED;
        Transfer.Digest digest;
        if (local.isPresent()) {
            // a local copy starts over (and the bytes staged are no longer what a journal describes)
            Files.deleteIfExists(stagedFile);
            Files.deleteIfExists(layout.journalFile(id, file.path()));
        }
        if (local.isPresent() && mayLink(session, local.get()) && link(local.get(), stagedFile)) {
            how = Placement.LINKED; // nothing transferred
            digest = Transfer.hash(stagedFile, progress(id, file.path()));
        } else if (local.isPresent()) {
            java.util.function.LongConsumer progress = progress(id, file.path());
            try (InputStream in = session.read(file.path(), 0, -1)) {
                digest = Transfer.copy(in, layout.root(), stagedFile, file.size(), n -> {
                    transferred.add(n);
                    progress.accept(n);
                });
            }
        } else {
            how = Placement.DOWNLOADED;
            layout.mkdirs(layout.journalFile(id, file.path()).getParent());
            digest = downloader.download(session, file.path(), file.size(), expected, stagedFile,
                    layout.journalFile(id, file.path()), progress(id, file.path()), transferred::add);
        }
        if (digest.size() != file.size()) {
            throw new WanException(digest.size() < file.size() ? ErrorCode.INCOMPLETE_DOWNLOAD : ErrorCode.SIZE_MISMATCH,
                    file.path() + ": got " + digest.size() + " bytes, expected " + file.size(), "");
        }
        if (expected != null && !expected.equals(digest.sha256())) {
            Files.deleteIfExists(stagedFile);
            Files.deleteIfExists(layout.journalFile(id, file.path()));
            throw new WanException(ErrorCode.CHECKSUM_FAIL, file.path() + ": sha256 " + digest.sha256()
                    + " does not match the " + (file.hasSha256() ? "manifest's " : "source's stated ") + expected, "");
        }
        Check check = file.hasSha256() ? Check.SHA256 : expected != null ? Check.UPSTREAM_SHA256 : Check.SIZE_ONLY;
        FileRecord r = new FileRecord(digest.size(), digest.sha256(), check,
                Files.getLastModifiedTime(stagedFile).toMillis(), clock.instant(), served, how);
        events.on(new WanEvent.FileCompleted(clock.instant(), id, file.path(), file.size(), served, how));
        return r;
    }

    /**
     * Hardlink policy: only a source file nobody may write to (no w bit in its mode) is linked; the
     * operator marks a store immutable with {@code chmod -R a-w}. Anything else is copied, so a
     * later write to the source can never change a verified model behind wan's back.
     */
    private static boolean immutable(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return !perms.contains(PosixFilePermission.OWNER_WRITE) && !perms.contains(PosixFilePermission.GROUP_WRITE)
                    && !perms.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean mayLink(SourceSession session, Path file) {
        return switch (session.linkPolicy()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case IF_READ_ONLY -> immutable(file);
        };
    }

    private static boolean link(Path existing, Path link) {
        try {
            Files.createLink(link, existing);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // other filesystem, or links not supported: copy instead
        }
    }

    private FileRecord record(Path file, Transfer.Digest digest, FileSpec spec, String source, Placement how)
            throws IOException {
        long mtime = Files.getLastModifiedTime(file).toMillis();
        Check check = spec.hasSha256() ? Check.SHA256 : Check.SIZE_ONLY;
        return new FileRecord(digest.size(), digest.sha256(), check, mtime, clock.instant(), source, how);
    }

    private java.util.function.LongConsumer progress(ModelId id, String path) {
        return new ProgressThrottle(n -> events.on(new WanEvent.BytesTransferred(clock.instant(), id, path, n)));
    }

    /**
     * Under the model's lock, a staging area of this model is a leftover of a crashed or failed
     * run. Partial downloads with a journal are kept for resuming; everything else goes.
     */
    private void removeStaleStaging(ModelId id) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.tmpDir(), layout.stagingPrefix(id) + "*")) {
            for (Path p : entries) {
                if (!p.equals(layout.stagingDir(id)) && !p.equals(layout.journalDir(id))) {
                    Fs.deleteTree(layout.root(), p);
                }
            }
        } catch (NoSuchFileException e) {
            // nothing staged yet
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
    private void keepOnlyResumable(ModelId id) {
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

    private static boolean isEmptyDirectory(Path dir) {
        try (var children = Files.list(dir)) {
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && children.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the staging directory is removed as a whole afterwards
        }
    }
}
