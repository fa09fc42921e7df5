package dev.wan.gc;

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.gc.GcPlan.Deletion;
import dev.wan.gc.GcPlan.Keep;
import dev.wan.gc.GcPlan.Kind;
import dev.wan.gc.GcPlan.Leftover;
import dev.wan.gc.GcPlan.Preserved;
import dev.wan.gc.GcPlan.Reason;
import dev.wan.internal.TestHooks;
import dev.wan.internal.io.Fs;
import dev.wan.internal.io.Inodes;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.Pins;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import dev.wan.store.ModelPins;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToLongFunction;

/**
 * Keeps MODELS_ROOT within limits without ever deleting something in use.
 *
 * <p>{@link #plan()} changes nothing: it scans {@code wan22/}, keeps pinned models, models whose
 * state or pin marker cannot be read (whether they are pinned is unknown), models whose lock is
 * held (being downloaded, verified or used) or damaged, and symlinked model directories, then takes
 * the rest by last use (the state's {@code lastUsed}, else {@code completedAt}, else the directory's
 * mtime), oldest first: every model older than {@code maxModelAge}, then more until the store fits
 * {@code maxTotalSize} and the disk has {@code minFreeBytes} free. Bytes are counted truly: a file
 * hardlinked from a kept model (or from outside the store) frees nothing.
 *
 * <p>{@link #collect(boolean)} deletes a model like this, so a crash at any point leaves either the
 * whole model or none of it visible:
 * <ol>
 *   <li>take the model's lock without waiting (busy: keep it, it is in use);</li>
 *   <li>re-read the state under the lock (pinned meanwhile, or used since the plan: keep it);</li>
 *   <li>rename {@code wan22/<id>} to {@code .trash/<id>.<random>} (one atomic rename: from now on
 *       every file is missing, so status says NOT_PRESENT, never COMPLETE);</li>
 *   <li>delete {@code .state/<id>.json}, release the lock, delete the trash directory.</li>
 * </ol>
 * It also removes what crashed runs left: everything in {@code .trash/}, {@code .tmp} entries of a
 * model untouched for longer than the grace period (only while that model's lock is free), and
 * state files of models whose directory is gone, unless they are pinned.
 */
public final class GarbageCollector {
    /** {@code MODELS_ROOT/.trash/}: model directories on their way out. */
    public static final String TRASH_DIR = ".trash";

    private final StoreLayout layout;
    private final StateStore states;
    private final ModelPins pins;
    private final Clock clock;
    private final GcPolicy policy;
    private volatile ToLongFunction<Path> freeSpace = GarbageCollector::usableSpace;

    private Duration lockTimeout = WanConfig.DEFAULT_LOCK_TIMEOUT;
    private volatile dev.wan.event.EventListener events = dev.wan.event.EventListener.NONE;

    GarbageCollector(StoreLayout layout, Clock clock, GcPolicy policy) {
        this.layout = layout;
        this.states = new StateStore(layout);
        this.pins = ModelPins.at(layout.root(), clock);
        this.clock = clock;
        this.policy = policy;
    }

    /** The collector of the store at {@code modelsRoot} (MODELS_ROOT), with the default lock timeout. */
    public static GarbageCollector at(Path modelsRoot, Clock clock, GcPolicy policy) {
        return new GarbageCollector(new StoreLayout(modelsRoot), clock, policy);
    }

    public static GarbageCollector create(WanConfig config, Clock clock, GcPolicy policy) {
        return new GarbageCollector(new StoreLayout(config.modelsRoot()), clock, policy).lockTimeout(config.lockTimeout());
    }

    /**
     * The guide's {@code GarbageCollector.from_config(max_total_size, max_model_age)}: the store of
     * MODELS_ROOT (see {@link WanConfig#fromEnvironment}), at most {@code maxTotalSize} bytes of
     * models and models used within {@code maxModelAge}; null leaves that limit out.
     */
    public static GarbageCollector fromConfig(Long maxTotalSize, Duration maxModelAge) {
        return create(WanConfig.fromEnvironment(), Clock.systemUTC(), GcPolicy.of(maxTotalSize, maxModelAge, null));
    }

    /** How long {@link #pinModel} and {@link #unpinModel} wait for a model another process holds. */
    public GarbageCollector lockTimeout(Duration timeout) {
        this.lockTimeout = timeout;
        return this;
    }

    /**
     * Adds a listener: hears {@link dev.wan.event.WanEvent.GcFinished} after each collection that
     * is not a dry run, and what {@link ModelPins#addListener} describes for {@link #pinModel} and
     * {@link #unpinModel}. A listener that throws is isolated from the work and from other listeners.
     */
    public synchronized GarbageCollector addListener(dev.wan.event.EventListener listener) {
        events = events.and(listener);
        pins.addListener(listener);
        return this;
    }

    /** Seam for tests: how usable space on the filesystem of MODELS_ROOT is measured. */
    GarbageCollector freeSpace(ToLongFunction<Path> measure) {
        this.freeSpace = measure;
        return this;
    }

    public Path trashDir() {
        return layout.root().resolve(TRASH_DIR);
    }

    public GcPolicy policy() {
        return policy;
    }

    // ---------------------------------------------------------------- plan

    /** A model directory found on disk, with what the plan needs to know about it. */
    private record Candidate(String name, ModelId id, Path dir, Instant lastUsed, List<Inodes.Link> links) {
    }

    /** What collecting would do now. Reads only; takes no locks. */
    public GcPlan plan() {
        Instant now = clock.instant();
        List<Preserved> preserved = new ArrayList<>();
        List<Candidate> candidates = new ArrayList<>();
        List<Inodes.Link> all = new ArrayList<>();
        requireOwnedAreas();
        for (Path dir : children(layout.modelsDir())) {
            String name = dir.getFileName().toString();
            if (Files.isSymbolicLink(dir)) {
                preserved.add(new Preserved(name, Keep.SYMLINKED,
                        "the model directory is a symlink; delete its target by hand"));
                continue;
            }
            List<Inodes.Link> links;
            try {
                links = linksOf(dir);
            } catch (WanException e) {
                preserved.add(new Preserved(name, Keep.FAILED, "cannot be scanned: " + e.getMessage()));
                continue;
            }
            all.addAll(links);
            if (!ModelId.isValid(name) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                preserved.add(new Preserved(name, Keep.NOT_A_MODEL, "not a model directory (name is not name@x.y.z)"));
                continue;
            }
            ModelId id = ModelId.parse(name);
            StateStore.View view = states.load(id);
            Optional<Preserved> keep = keptForState(view, "");
            if (keep.isPresent()) {
                preserved.add(keep.get());
                continue;
            }
            ModelRecord record = view.recorded() ? view.record() : null;
            Optional<ModelLock.Holder> holder = ModelLock.currentHolder(layout.lockFile(id));
            if (holder.isPresent()) {
                preserved.add(new Preserved(name, Keep.IN_USE, "locked by " + holder.get()));
                continue;
            }
            candidates.add(new Candidate(name, id, dir, lastUse(states, id, record, dir), links));
        }
        long storeBytes = Inodes.uniqueBytes(all);
        long free = freeSpace.applyAsLong(layout.root());
        candidates.sort(Comparator.comparing(Candidate::lastUsed).thenComparing(Candidate::name));

        Instant tooOld = policy.maxModelAge() == null ? null : now.minus(policy.maxModelAge());
        Inodes.Ledger ledger = new Inodes.Ledger();
        long store = storeBytes;
        long projectedFree = free;
        List<Deletion> deletions = new ArrayList<>();
        for (Candidate c : candidates) {
            Reason reason = tooOld != null && c.lastUsed().isBefore(tooOld) ? Reason.TOO_OLD
                    : policy.maxTotalSize() != null && store > policy.maxTotalSize() ? Reason.OVER_SIZE
                    : policy.minFreeBytes() != null && projectedFree < policy.minFreeBytes() ? Reason.LOW_DISK
                    : null;
            if (reason == null) {
                preserved.add(new Preserved(c.name(), Keep.WITHIN_LIMITS, "last used "
                        + c.lastUsed().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
                continue;
            }
            long freed = ledger.remove(c.links());
            store -= freed;
            projectedFree += freed;
            deletions.add(new Deletion(c.name(), reason, freed, c.lastUsed(), c.dir()));
        }
        boolean goalMet = (policy.maxTotalSize() == null || store <= policy.maxTotalSize())
                && (policy.minFreeBytes() == null || projectedFree >= policy.minFreeBytes());
        preserved.sort(Comparator.comparing(Preserved::model));
        return new GcPlan(now, policy, storeBytes, free, deletions, preserved, leftovers(now), goalMet);
    }

    private List<Leftover> leftovers(Instant now) {
        List<Leftover> out = new ArrayList<>();
        for (Path p : children(trashDir())) {
            out.add(new Leftover(p, Kind.TRASH, treeBytes(p)));
        }
        long graceCutoff = now.minus(policy.tmpGrace()).toEpochMilli();
        for (Path p : children(layout.tmpDir())) {
            Optional<ModelId> owner = tmpOwner(p);
            if (owner.isPresent() && isStale(p, graceCutoff)
                    && ModelLock.currentHolder(layout.lockFile(owner.get())).isEmpty()) {
                out.add(new Leftover(p, Kind.STALE_TMP, treeBytes(p)));
            } else if (owner.isEmpty() && p.getFileName().toString().matches("migrate-[0-9a-f]{16}\\.json")
                    && isStale(p, graceCutoff)) {
                out.add(new Leftover(p, Kind.STALE_TMP, treeBytes(p))); // an abandoned migration's journal
            }
        }
        for (Path p : children(layout.stateDir())) {
            String name = p.getFileName().toString();
            if (name.endsWith(".json")) {
                String model = name.substring(0, name.length() - ".json".length());
                if (ModelId.isValid(model) && isOrphan(ModelId.parse(model))
                        && ModelLock.currentHolder(layout.lockFile(ModelId.parse(model))).isEmpty()) {
                    out.add(new Leftover(p, Kind.ORPHAN_STATE, size(p)));
                }
            } else if (name.contains(".json.tmp-") && isStale(p, graceCutoff)) {
                out.add(new Leftover(p, Kind.STALE_TMP, size(p))); // an atomic state write that crashed
            }
        }
        for (Path p : children(indexDir())) {
            if (p.getFileName().toString().contains(".tmp-") && isStale(p, graceCutoff)) {
                out.add(new Leftover(p, Kind.STALE_TMP, size(p))); // an index write that crashed
            }
        }
        return out;
    }

    private Path indexDir() {
        return layout.root().resolve(".index");
    }

    /**
     * The store's own directories must be real directories: listing {@code .trash} through a link
     * would delete whatever it points at, and moving a model into it would hand the model to it.
     * A link there is refused as a whole (one clear error) rather than worked around.
     */
    private void requireOwnedAreas() {
        for (Path area : List.of(layout.modelsDir(), trashDir(), layout.tmpDir(), layout.stateDir(), layout.locksDir(),
                indexDir(), layout.root().resolve(dev.wan.internal.store.Pins.DIR))) {
            layout.requireOwned(area);
        }
    }

    /**
     * The state of a model whose directory is gone and which is not pinned. A state file that
     * cannot be read is never an orphan: it may be the only record of a pin (and it is evidence).
     */
    private boolean isOrphan(ModelId id) {
        if (Files.exists(layout.modelDir(id), LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        StateStore.View view = states.load(id);
        return view.readable() && !view.pinned();
    }

    /**
     * Why the state alone keeps a model: pinned (by the state or its marker), or a state file or
     * pin marker that cannot be read, since then whether it is pinned is unknown.
     */
    private static Optional<Preserved> keptForState(StateStore.View view, String when) {
        String name = view.id().toString();
        if (!view.readable()) {
            return Optional.of(new Preserved(name, Keep.UNREADABLE_STATE, "kept" + when + ": " + view.problem()
                    + " (gc never deletes a model whose state it cannot read)"));
        }
        if (view.pinned()) {
            return Optional.of(new Preserved(name, Keep.PINNED, "pinned" + when + " (wan models unpin " + name + ")"));
        }
        return Optional.empty();
    }

    /** {@code .tmp/<id>.staging}, {@code .tmp/<id>.journal}, …: the model before the last dot. */
    private static Optional<ModelId> tmpOwner(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String owner = dot < 0 ? "" : name.substring(0, dot);
        return ModelId.isValid(owner) ? Optional.of(ModelId.parse(owner)) : Optional.empty();
    }

    private static boolean isStale(Path p, long cutoffMillis) {
        try {
            return Inodes.newestMillis(p) < cutoffMillis;
        } catch (IOException e) {
            return false; // vanished or unreadable: not ours to judge now
        }
    }

    static Instant lastUse(StateStore states, ModelId id, ModelRecord record, Path dir) {
        Instant used = states.lastUsed(id, record);
        if (used != null) {
            return used;
        }
        if (record != null && record.completedAt() != null) {
            return record.completedAt();
        }
        try {
            return Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    // ---------------------------------------------------------------- collect

    /** Plans, then (unless {@code dryRun}) deletes as planned, re-checking each model under its lock. */
    public GcResult collect(boolean dryRun) {
        long started = System.nanoTime();
        GcPlan plan = plan();
        if (dryRun) {
            return new GcResult(true, plan, plan.bytesToFree(), plan.deletions(), plan.preserved(), plan.leftovers());
        }
        List<Deletion> deleted = new ArrayList<>();
        List<Preserved> preserved = new ArrayList<>(plan.preserved());
        List<Leftover> removed = new ArrayList<>();
        long reclaimed = 0;
        for (Deletion d : plan.deletions()) {
            Path trash = null;
            ModelId id = ModelId.parse(d.model());
            ModelLock taken;
            try {
                taken = tryLock(id);
            } catch (WanException e) {
                preserved.add(new Preserved(d.model(), Keep.FAILED, e.getMessage())); // one bad lock file costs one model
                continue;
            }
            try (ModelLock lock = taken) {
                if (lock == null) {
                    preserved.add(new Preserved(d.model(), Keep.IN_USE, "became busy while collecting"));
                    continue;
                }
                StateStore.View view = states.load(id);
                Optional<Preserved> keep = keptForState(view, " while collecting");
                if (keep.isPresent()) {
                    preserved.add(keep.get());
                    continue;
                }
                ModelRecord record = view.recorded() ? view.record() : null;
                Path dir = layout.modelDir(id);
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue; // gone already (another collector)
                }
                if (lastUse(states, id, record, dir).isAfter(d.lastUsed())) {
                    preserved.add(new Preserved(d.model(), Keep.IN_USE, "used since the plan was made"));
                    continue;
                }
                try {
                    trash = moveToTrash(id, dir);
                    TestHooks.reached(TestHooks.Point.GC_TRASHED);
                    deleteState(id);
                } catch (WanException e) {
                    if (trash == null) {
                        preserved.add(new Preserved(d.model(), Keep.FAILED, e.getMessage()));
                        continue;
                    } // else: the model is gone already; a stale state file is collected as an orphan next time
                }
            }
            long freed = Inodes.deleteCounting(layout.root(), trash);
            reclaimed += freed;
            deleted.add(new Deletion(d.model(), d.reason(), freed, d.lastUsed(), d.directory()));
        }
        for (Leftover l : plan.leftovers()) {
            Optional<Leftover> done;
            try {
                done = removeLeftover(l);
            } catch (WanException e) {
                continue; // e.g. the owner's lock file is damaged: left for a human, the rest goes on
            }
            if (done.isPresent()) {
                removed.add(done.get());
                reclaimed += done.get().bytes();
            }
        }
        preserved.sort(Comparator.comparing(Preserved::model));
        events.on(new dev.wan.event.WanEvent.GcFinished(clock.instant(), deleted.size(), reclaimed,
                (System.nanoTime() - started) / 1_000_000));
        return new GcResult(false, plan, reclaimed, deleted, preserved, removed);
    }

    private Optional<Leftover> removeLeftover(Leftover l) {
        switch (l.kind()) {
            case TRASH -> {
                return Optional.of(new Leftover(l.path(), l.kind(), Inodes.deleteCounting(layout.root(), l.path())));
            }
            case STALE_TMP -> {
                Optional<ModelId> owner = tmpOwner(l.path());
                if (l.path().getParent().equals(layout.stateDir()) || owner.isEmpty()) {
                    return Optional.of(new Leftover(l.path(), l.kind(), Inodes.deleteCounting(layout.root(), l.path())));
                }
                try (ModelLock lock = tryLock(owner.get())) {
                    if (lock == null || !isStale(l.path(), clock.instant().minus(policy.tmpGrace()).toEpochMilli())) {
                        return Optional.empty();
                    }
                    return Optional.of(new Leftover(l.path(), l.kind(), Inodes.deleteCounting(layout.root(), l.path())));
                }
            }
            case ORPHAN_STATE -> {
                String name = l.path().getFileName().toString();
                ModelId id = ModelId.parse(name.substring(0, name.length() - ".json".length()));
                try (ModelLock lock = tryLock(id)) {
                    if (lock == null || !isOrphan(id)) {
                        return Optional.empty();
                    }
                    long bytes = size(l.path());
                    deleteState(id);
                    return Optional.of(new Leftover(l.path(), l.kind(), bytes));
                }
            }
            default -> throw new IllegalStateException("unknown leftover kind " + l.kind());
        }
    }

    /** The one atomic step: after it the model is wholly absent from {@code wan22/}. */
    private Path moveToTrash(ModelId id, Path dir) {
        Path trash = trashDir().resolve(id + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            layout.mkdirs(trashDir());
            layout.requireOwned(dir);
            Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
            Fs.syncDirectory(dir.getParent());
            Fs.syncDirectory(trashDir());
            return trash;
        } catch (IOException e) {
            throw Fs.map(e, "cannot move " + dir + " to " + trashDir());
        }
    }

    private void deleteState(ModelId id) {
        try {
            Files.deleteIfExists(layout.stateFile(id));
            Files.deleteIfExists(layout.usedMarker(id));
            Fs.syncDirectory(layout.stateDir());
        } catch (IOException e) {
            throw Fs.map(e, "cannot delete the state of " + id);
        }
    }

    /** The model's lock if it is free right now, else null. */
    private ModelLock tryLock(ModelId id) {
        try {
            return ModelLock.acquire(layout.lockFile(id), "model " + id, "gc", Duration.ZERO, clock, h -> { });
        } catch (WanException e) {
            if (e.code() == ErrorCode.LOCK_TIMEOUT) {
                return null;
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- pins (the guide's spelling)

    /** The guide's {@code gc.pin_model("t2v-A14B@2.2.0")}: {@link ModelPins#pin} with this collector's lock timeout. */
    public boolean pinModel(String modelId) {
        return pins.pin(ModelId.parse(modelId), lockTimeout);
    }

    /** The guide's {@code gc.unpin_model(…)}: {@link ModelPins#unpin} with this collector's lock timeout. */
    public boolean unpinModel(String modelId) {
        return pins.unpin(ModelId.parse(modelId), lockTimeout);
    }

    // ---------------------------------------------------------------- helpers

    private static List<Path> children(Path dir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw Fs.map(e, "cannot list " + dir);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private static List<Inodes.Link> linksOf(Path dir) {
        try {
            return Inodes.links(dir);
        } catch (IOException e) {
            throw Fs.map(e, "cannot scan " + dir);
        }
    }

    /** What deleting a whole tree frees (links within it counted against each other). */
    private static long treeBytes(Path p) {
        try {
            return new Inodes.Ledger().remove(Inodes.links(p));
        } catch (IOException e) {
            return 0;
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static long usableSpace(Path root) {
        Path p = root;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        try {
            return p == null ? 0 : Files.getFileStore(p).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }
}
