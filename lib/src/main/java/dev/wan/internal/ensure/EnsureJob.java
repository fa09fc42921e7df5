package dev.wan.internal.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.ensure.FileState;
import dev.wan.ensure.FileStatus;
import dev.wan.ensure.ModelState;
import dev.wan.ensure.ModelStatus;
import dev.wan.event.EventListener;
import dev.wan.event.WanEvent;
import dev.wan.internal.io.ContainedPath;
import dev.wan.internal.io.Fs;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.log.LogContext;
import dev.wan.internal.source.SourceRegistry;
import dev.wan.internal.store.ContentIndex;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.FileSpec;
import dev.wan.manifest.ModelId;
import dev.wan.manifest.ModelSpec;
import dev.wan.source.SourceContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
public final class EnsureJob {
    private static final Logger LOG = LoggerFactory.getLogger(EnsureJob.class);

    private final StoreLayout layout;
    private final StateStore states;
    private final SourceRegistry sources;
    private final SourceContext context;
    private final EventListener events;
    private final Clock clock;
    private final Duration lockTimeout;
    private final Inspector inspector;
    private final ContentIndex index;
    private final StagingArea stagingArea;
    private final InPlaceCheck inPlace;
    private final SharedContent shared;
    private final SourceFetcher fetcher;
    private final Publisher publisher;

    public EnsureJob(StoreLayout layout, StateStore states, SourceRegistry sources, SourceContext context,
              EventListener events, Clock clock, Duration lockTimeout) {
        this.layout = layout;
        this.states = states;
        this.sources = sources;
        this.context = context;
        this.events = events;
        this.clock = clock;
        this.lockTimeout = lockTimeout;
        this.inspector = new Inspector(layout);
        this.index = new ContentIndex(layout);
        this.stagingArea = new StagingArea(layout);
        this.inPlace = new InPlaceCheck(layout, events, clock);
        this.shared = new SharedContent(layout, index, events, clock);
        this.fetcher = new SourceFetcher(layout, new Downloader(context, context.retry(), layout.root()), events, clock);
        this.publisher = new Publisher(layout);
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    public Path run(ModelSpec spec, String variant) {
        ModelId id = spec.id();
        long started = clock.millis();
        if (inspector.inspect(spec, variant, states.readOrEmpty(id), false).state() == ModelState.COMPLETE) {
            return layout.modelDir(id);
        }
        // every line logged for this job (by its worker threads too) names it and its model; a job id
        // the caller set (wan serve's job for an HTTP client) is kept, so the client's id finds the lines
        String jobId = org.slf4j.MDC.get(LogContext.JOB);
        try (LogContext.Scope job = LogContext.put(LogContext.JOB, jobId != null ? jobId : LogContext.newId());
             LogContext.Scope model = LogContext.put(LogContext.MODEL, id.toString())) {
            LOG.info("ensure {} (variant {}): not complete, taking its lock", id, variant == null ? "default" : variant);
            try {
                Path dir = runLocked(spec, variant, started);
                LOG.info("ensure {} complete in {} ms", id, clock.millis() - started);
                return dir;
            } catch (WanException e) {
                LOG.info("ensure {} failed: {} {}", id, e.code(), e.getMessage());
                throw e;
            }
        }
    }

    @SuppressWarnings("try")
    private Path runLocked(ModelSpec spec, String variant, long started) {
        ModelId id = spec.id();
        layout.createSkeleton();
        try (ModelLock lock = ModelLock.acquire(layout.lockFile(id), "model " + id, "ensure", lockTimeout, clock,
                h -> {
                    LOG.info("waiting for the lock of {}, held by {}", id, h);
                    events.on(new WanEvent.LockWaiting(clock.instant(), id, h.toString()));
                })) {
            ModelRecord record = states.readOrEmpty(id);
            ModelStatus now = inspector.inspect(spec, variant, record, false);
            if (now.state() == ModelState.COMPLETE) {
                LOG.info("ensure {}: another process completed it while we waited for the lock", id);
                return layout.modelDir(id);
            }
            stagingArea.removeStale(id);
            boolean committed = false;
            boolean noSpace = false;
            try (Sessions open = new Sessions(sources, context,
                    notice -> events.on(new WanEvent.Warning(clock.instant(), id, notice)))) {
                long fetched = fill(open, spec, variant, now, record);
                committed = true;
                events.on(new WanEvent.EnsureFinished(clock.instant(), id, layout.modelDir(id), fetched,
                        clock.millis() - started));
                return layout.modelDir(id);
            } catch (WanException e) {
                noSpace = e.code() == ErrorCode.NO_SPACE;
                throw e;
            } finally {
                shared.releaseAll();
                if (committed || noSpace) {
                    stagingArea.clear(id);
                } else {
                    stagingArea.keepOnlyResumable(id);
                }
            }
        } catch (WanException e) {
            if (e.code() == ErrorCode.LOCK_TIMEOUT) {
                events.on(new WanEvent.LockTimedOut(clock.instant(), id, "ensure"));
            }
            events.on(new WanEvent.EnsureFailed(clock.instant(), id, e.code(), e.getMessage()));
            throw e;
        }
    }

    /**
     * The files to work on, in the order that lets every job make progress: this job's own content
     * first, then files whose content appeared earlier in the list (linked to that one: fetched once
     * per job), then content another ensure of this JVM is fetching right now (waited for and linked).
     */
    private record WorkOrder(List<FileStatus> own, List<FileStatus> followers, List<FileStatus> waiting) {
    }

    /** Fetches, links or adopts what is missing, then publishes; returns the bytes received from sources. */
    private long fill(Sessions sessions, ModelSpec spec, String variant, ModelStatus now, ModelRecord record) {
        ModelId id = spec.id();
        Map<String, FileSpec> byPath = new HashMap<>();
        spec.filesFor(variant).forEach(f -> byPath.put(f.path(), f));
        List<FileStatus> todo = now.files().stream().filter(f -> f.state() != FileState.OK).toList();
        events.on(new WanEvent.EnsureStarted(clock.instant(), id, variant, todo.size(),
                todo.stream().mapToLong(FileStatus::size).sum(), spec.totalBytes(variant)));
        boolean fresh = !Files.exists(layout.modelDir(id), LinkOption.NOFOLLOW_LINKS);
        WorkOrder order = order(id, todo, byPath);

        // Several files at once: per-file work has serial parts (stat, hash catching up, fsync,
        // rename) that would otherwise leave the network idle between files.
        Function<FileStatus, Outcome> work = status -> {
            FileSpec file = byPath.get(status.path());
            try {
                return stage(sessions, spec, record, file, status, order.waiting().contains(status));
            } finally {
                shared.giveUpClaimIfUnstaged(file);
            }
        };
        int parallel = context.parallelFiles();
        List<Outcome> outcomes = new ArrayList<>(FileWorkers.map(order.own(), parallel, work));
        outcomes.addAll(FileWorkers.map(order.followers(), parallel, work));
        outcomes.addAll(FileWorkers.map(order.waiting(), parallel, work));
        finish(spec, variant, record, outcomes, fresh);
        return fetcher.bytesReceived();
    }

    /** Sorts the work (see {@link WorkOrder}), checks the disk has room for what must be fetched, claims content. */
    private WorkOrder order(ModelId id, List<FileStatus> todo, Map<String, FileSpec> byPath) {
        List<FileStatus> leaders = new ArrayList<>();
        List<FileStatus> followers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
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
        List<FileStatus> own = new ArrayList<>();
        List<FileStatus> waiting = new ArrayList<>();
        for (FileStatus status : leaders) {
            FileSpec file = byPath.get(status.path());
            if (file.hasSha256() && status.state() == FileState.MISSING && !shared.claim(file)) {
                waiting.add(status);
            } else {
                own.add(status);
            }
        }
        return new WorkOrder(own, followers, waiting);
    }

    /** One file: adopted in place, linked to a copy of its content, or fetched; an optional file's failure skips it. */
    @SuppressWarnings("try") // the scope is held for the block, never referenced
    private Outcome stage(Sessions sessions, ModelSpec spec, ModelRecord record, FileSpec file, FileStatus status,
                          boolean waitForOtherJob) {
        try (LogContext.Scope f = LogContext.put(LogContext.FILE, file.path())) {
            return stageFile(sessions, spec, record, file, status, waitForOtherJob);
        }
    }

    private Outcome stageFile(Sessions sessions, ModelSpec spec, ModelRecord record, FileSpec file, FileStatus status,
                              boolean waitForOtherJob) {
        ModelId id = spec.id();
        InFlight.Copy other = waitForOtherJob ? InFlight.await(file.sha256()) : null;
        Path target = ContainedPath.resolveForWrite(layout.modelDir(id), file.path());
        try {
            if (status.state() != FileState.MISSING) {
                FileRecord adopted = inPlace.adopt(spec, file, target, status.state(), record.files().get(file.path()));
                if (adopted != null) {
                    LOG.debug("{}: adopted in place (its bytes match the manifest)", file.path());
                    return new Outcome(file.path(), adopted, false, null);
                }
            }
            Path stagedFile = ContainedPath.resolveInside(layout.stagingDir(id), file.path());
            layout.mkdirs(stagedFile.getParent()); // real directories only: a planted link would take the bytes
            FileRecord deduped = shared.deduplicate(id, file, stagedFile, other);
            FileRecord r = deduped != null ? deduped : fetcher.fetch(sessions, spec, file, stagedFile, target);
            shared.staged(id, file, stagedFile);
            return new Outcome(file.path(), r, true, null);
        } catch (WanException | IOException e) {
            WanException we = e instanceof WanException w ? w
                    : Fs.map((IOException) e, "model " + id + ": cannot stage " + file.path());
            if (spec.isOptional(file)) {
                // A skipped file leaves nothing in staging: a first commit publishes the whole directory.
                LOG.info("optional file {} skipped: {} {}", file.path(), we.code(), we.getMessage());
                stagingArea.discardPartial(id, file.path());
                events.on(new WanEvent.SourceFailed(clock.instant(), id, file.path(), "(all)", we.code(),
                        "optional file skipped: " + we.getMessage()));
                return new Outcome(file.path(), null, false, null);
            }
            return new Outcome(file.path(), null, false, we);
        }
    }

    /** Publishes the staged files and writes the state, or (when a file failed) records what was verified in place. */
    private void finish(ModelSpec spec, String variant, ModelRecord record, List<Outcome> outcomes, boolean fresh) {
        ModelId id = spec.id();
        Path modelDir = layout.modelDir(id);
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
        publisher.publish(id, layout.stagingDir(id), modelDir, staged, fresh);
        for (Outcome o : outcomes) {
            if (o.record() != null) {
                Publisher.makeReadOnly(ContainedPath.resolveInside(modelDir, o.path()));
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
    }

    /** What happened to one file: its new record (staged or adopted), nothing (optional, skipped), or an error. */
    private record Outcome(String path, FileRecord record, boolean staged, WanException error) {
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
}
