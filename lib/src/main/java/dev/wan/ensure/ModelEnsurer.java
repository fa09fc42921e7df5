package dev.wan.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.event.EventListener;
import dev.wan.event.WanEvent;
import dev.wan.internal.ensure.EnsureJob;
import dev.wan.internal.ensure.Inspector;
import dev.wan.internal.ensure.Pools;
import dev.wan.internal.ensure.ProgressThrottle;
import dev.wan.internal.ensure.SourceProbe;
import dev.wan.internal.ensure.StagingProgress;
import dev.wan.internal.ensure.StoreScan;
import dev.wan.internal.ensure.Transfer;
import dev.wan.internal.io.ContainedPath;
import dev.wan.internal.io.Fs;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.log.LogContext;
import dev.wan.internal.source.SourceRegistry;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.FileSpec;
import dev.wan.manifest.Manifest;
import dev.wan.manifest.Manifests;
import dev.wan.manifest.ModelSpec;
import dev.wan.manifest.SourceRef;
import dev.wan.source.SourceContext;
import dev.wan.source.StorageBackend;
import dev.wan.store.Check;
import dev.wan.store.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.LoggerFactory;

/**
 * The entry point of the Java API: makes models appear complete and verified under MODELS_ROOT.
 *
 * <pre>{@code
 * var ensurer = ModelEnsurer.fromConfig();
 * Path dir = ensurer.ensure("t2v-A14B@2.2.0", "fp16");
 * ModelStatus s = ensurer.status("t2v-A14B@2.2.0");
 * }</pre>
 *
 * Thread-safe; several threads (and processes) may ensure models at once, one download per model.
 */
public final class ModelEnsurer {
    private final WanConfig config;
    private final Manifest manifest;
    private final StoreLayout layout;
    private final StateStore states;
    private final SourceRegistry sources;
    private final Clock clock;
    private final SourceContext context;
    private volatile EventListener events = EventListener.NONE;

    private ModelEnsurer(WanConfig config, Manifest manifest, SourceRegistry sources, Clock clock,
                         SourceContext context) {
        this.context = context;
        this.config = config;
        this.manifest = manifest;
        this.layout = new StoreLayout(config.modelsRoot());
        this.states = new StateStore(layout);
        this.sources = sources;
        this.clock = clock;
    }

    /** From MODELS_ROOT, WAN_MODELS_MANIFEST and friends (see {@link WanConfig}). */
    public static ModelEnsurer fromConfig() {
        return create(WanConfig.fromEnvironment());
    }

    public static ModelEnsurer create(WanConfig config) {
        return create(config, Clock.systemUTC());
    }

    public static ModelEnsurer create(WanConfig config, Clock clock) {
        return create(config, clock, List.of());
    }

    /**
     * With extra backends. A source whose scheme no backend handles yet is accepted when the
     * manifest is loaded, so {@link #addStorageBackend} may still add its backend (the guide's
     * {@code fromConfig()} then {@code add_storage_backend(...)}); until then {@link #unhandledSchemes}
     * names it, and ensuring from that source fails with SOURCE_UNAVAILABLE saying so.
     */
    public static ModelEnsurer create(WanConfig config, Clock clock, List<StorageBackend> extraBackends) {
        SourceRegistry registry = new SourceRegistry(extraBackends);
        Manifest manifest = Manifests.load(config.manifest(), null);
        return new ModelEnsurer(config, manifest, registry, clock,
                config.settings().sourceContext(config.localRoot()));
    }

    /**
     * With the settings (and what backends read: tokens, endpoints, HF_HUB_OFFLINE …) taken from
     * {@code env} instead of {@link WanConfig#settings()}; INVALID_CONFIG on a bad WAN_* value.
     */
    public static ModelEnsurer create(WanConfig config, Clock clock, List<StorageBackend> extraBackends,
                                      Map<String, String> env) {
        return create(config.withSettings(dev.wan.WanSettings.from(env)), clock, extraBackends);
    }

    /** The guide's {@code get_wan_paths(id)}: ensure with the default variant, return the directory. */
    public static Path getWanPaths(String modelId) {
        return fromConfig().ensure(modelId);
    }

    /**
     * Adds a listener. Each listener is isolated: one that throws never fails the ensure it
     * watches, nor keeps other listeners from hearing the event; its first failure is logged (as a
     * warning of the SLF4J logger {@code dev.wan.ensure.ModelEnsurer}: the CLI prints it on stderr).
     */
    public synchronized ModelEnsurer addListener(EventListener listener) {
        EventListener isolated = new IsolatedListener(listener);
        events = events == EventListener.NONE ? isolated : events.and(isolated);
        return this;
    }

    /** A listener whose exceptions stay with it: reported once, never passed to the work it observes. */
    private static final class IsolatedListener implements EventListener {
        private final EventListener listener;
        private final java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();

        IsolatedListener(EventListener listener) {
            this.listener = listener;
        }

        @Override
        public void on(WanEvent event) {
            try {
                listener.on(event);
            } catch (RuntimeException e) {
                if (reported.compareAndSet(false, true)) {
                    LoggerFactory.getLogger(ModelEnsurer.class).warn(
                            "an event listener ({}) threw on {}; ignored, and not reported again",
                            listener.getClass().getName(), event.getClass().getSimpleName(), e);
                }
            }
        }
    }

    /** Registers a backend; it wins over built-ins for its schemes (also ones the manifest already uses). */
    public void addStorageBackend(StorageBackend backend) {
        sources.add(backend);
    }

    /**
     * The schemes the manifest's sources use that no registered backend handles (sorted; empty when
     * every source can be read). The CLI refuses such a manifest at start; a script may register
     * the missing backends first.
     */
    public java.util.SortedSet<String> unhandledSchemes() {
        java.util.SortedSet<String> unhandled = new java.util.TreeSet<>();
        java.util.Set<String> handled = sources.schemes();
        manifest.models().values().forEach(m -> m.sources().stream().map(SourceRef::scheme)
                .filter(s -> !handled.contains(s)).forEach(unhandled::add));
        return unhandled;
    }

    /**
     * MANIFEST_VALIDATION_ERROR when {@link #unhandledSchemes} is not empty: for front ends that
     * cannot register a backend later (the CLI, the dashboard).
     */
    public void requireHandledSchemes() {
        java.util.SortedSet<String> unhandled = unhandledSchemes();
        if (!unhandled.isEmpty()) {
            Path file = config.manifest();
            throw new WanException(ErrorCode.MANIFEST_VALIDATION_ERROR, "manifest " + file
                    + " has sources with a scheme no backend handles: " + String.join(", ", unhandled),
                    "fix those sources ('wan models validate-manifest " + file + "' names each line), or put the"
                            + " backend's jar on the class path");
        }
    }

    /** Fails with FILESYSTEM_ERROR / PERMISSION_DENIED when MODELS_ROOT cannot be used at all. */
    public void checkStore() {
        layout.checkUsable();
    }

    public WanConfig config() {
        return config;
    }

    public Manifest manifest() {
        return manifest;
    }

    public Path ensure(String modelId) {
        return ensure(modelId, null);
    }

    /** Makes the variant (null: the default) complete and verified; returns the model directory. */
    public Path ensure(String modelId, String variant) {
        layout.checkUsable();
        ModelSpec spec = manifest.model(modelId);
        Path dir = job().run(spec, spec.resolveVariant(variant));
        repairPinMarker(spec.id());
        states.markUsed(spec.id(), clock.instant()); // LRU for gc; status does not count as a use
        return dir;
    }

    /**
     * Ensures {@code spec} as given through the usual path (model lock, staging, sha256 of every
     * byte, one rename, state): for tools that bring a model's bytes from somewhere the manifest
     * does not list, e.g. a migration whose one source is a legacy directory. {@code spec} must be
     * a model of this manifest; it may list fewer of the manifest's files (files it leaves out are not touched: the
     * model may stay PARTIAL) and other sources. {@code preflight} false skips the free-space
     * check (the caller checked what it will really write, e.g. nothing when it hardlinks).
     * Scripts use {@link #ensure(String, String)}.
     */
    public Path ensureSpec(ModelSpec spec, String variant, boolean preflight) {
        layout.checkUsable();
        ModelSpec declared = manifest.model(spec.id().toString());
        String v = declared.resolveVariant(variant);
        for (FileSpec f : spec.files()) {
            if (!declared.files().contains(f)) { // only fewer files: sizes and sha256s stay the manifest's
                throw new IllegalArgumentException("model " + spec.id() + ": " + f.path() + " is not the manifest's file");
            }
        }
        SourceContext c = preflight ? context : new SourceContext(context.env(), context.localRoot(),
                context.connectionsPerFile(), context.connectTimeout(), context.stallTimeout(), context.retry(),
                context.parallelFiles(), false);
        Path dir = new EnsureJob(layout, states, sources, c, events, clock, config.lockTimeout()).run(spec, v);
        repairPinMarker(spec.id());
        return dir;
    }

    /**
     * A damaged pin marker (a link, a directory) counts as pinned, and so does a state that says
     * pinned without its marker; ensure brings the marker back in step, under the model's lock so
     * it cannot resurrect a pin an unpin is removing. A complete model takes the lock only then.
     */
    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    private void repairPinMarker(dev.wan.manifest.ModelId id) {
        if (!pinMarkerOutOfStep(id)) {
            return;
        }
        try (ModelLock lock = ModelLock.acquire(layout.lockFile(id), "model " + id, "ensure", config.lockTimeout(),
                clock, h -> { })) {
            if (pinMarkerOutOfStep(id)) {
                states.pins().pin(id);
            }
        }
    }

    private boolean pinMarkerOutOfStep(dev.wan.manifest.ModelId id) {
        StateStore.View view = states.load(id);
        return view.pin().mark() == dev.wan.internal.store.Pins.Mark.DAMAGED
                || view.stateSaysPinned() && view.pin().mark() == dev.wan.internal.store.Pins.Mark.ABSENT;
    }

    /** Status without hashing: a stat per file plus the state file. */
    public ModelStatus status(String modelId) {
        return status(modelId, null);
    }

    public ModelStatus status(String modelId, String variant) {
        layout.checkUsable();
        ModelSpec spec = manifest.model(modelId);
        StateStore.View view = states.load(spec.id());
        ModelStatus s = new Inspector(layout).inspect(spec, spec.resolveVariant(variant), view, true);
        java.time.Instant used = states.lastUsed(spec.id(), view.record());
        return used == null ? s : new ModelStatus(s.model(), s.variant(), s.state(), s.bytesTotal(), s.bytesNeeded(),
                s.directory(), s.pinned(), used, s.lockedBy(), s.files(), s.stateProblem());
    }

    /**
     * Bytes of the model already fetched into its staging area by whichever process is ensuring
     * it (this one or another): with {@link ModelStatus#lockedBy()} it shows another operator's
     * download progressing. Cheap: a walk of the staging directory and its resume journals.
     */
    public long bytesStaged(String modelId) {
        return new StagingProgress(layout).bytesStaged(manifest.model(modelId).id());
    }

    public List<ModelStatus> statusAll() {
        return manifest.models().keySet().stream().map(id -> status(id.toString())).toList();
    }

    /**
     * Every model directory in the store, declared by this manifest or not (another manifest, an
     * older version), sorted by id: for reports over a store several manifests share. Reads only;
     * a store that does not exist yet has none. See {@link StoredModel}.
     */
    public List<StoredModel> storedModels() {
        layout.checkUsable();
        return StoreScan.scan(layout, states, manifest);
    }

    /**
     * The guide's {@code verify_batch}: re-hashes each model's default variant, one model after
     * another, and returns the results in the same order. Every id is looked up first, so an
     * unknown one fails ({@code MODEL_NOT_FOUND}) before any file is hashed.
     */
    public List<VerificationResult> verifyBatch(List<String> modelIds) {
        modelIds.forEach(manifest::model);
        return modelIds.stream().map(this::verifyIntegrity).toList();
    }

    /** Re-hashes every present file of the variant, records the outcome, and reports it. */
    public VerificationResult verifyIntegrity(String modelId) {
        return verifyIntegrity(modelId, null);
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    public VerificationResult verifyIntegrity(String modelId, String variant) {
        layout.checkUsable();
        ModelSpec spec = manifest.model(modelId);
        String v = spec.resolveVariant(variant);
        if (!Files.isDirectory(layout.modelDir(spec.id()))) {
            return new Verifier().missingModel(spec, v);
        }
        try (ModelLock lock = ModelLock.acquire(layout.lockFile(spec.id()), "model " + spec.id(), "verify",
                config.lockTimeout(), clock, h -> { })) {
            return new Verifier().verify(spec, v);
        }
    }

    /**
     * Checks every source of a model (reachability, credentials, listing, a stat and a small
     * ranged read), timing each step. Writes nothing; never throws for a failing source.
     */
    public List<SourceCheck> testSources(String modelId) {
        return testSources(modelId, null, true);
    }

    /** As {@link #testSources(String)}; {@code readBytes = false} skips the ranged read (test-auth). */
    public List<SourceCheck> testSources(String modelId, String variant, boolean readBytes) {
        ModelSpec spec = manifest.model(modelId);
        String v = spec.resolveVariant(variant);
        SourceProbe probe = new SourceProbe(sources, context);
        return spec.sources().stream().map(src -> {
            SourceCheck c = probe.check(spec, v, src, readBytes);
            events.on(new WanEvent.SourceTested(clock.instant(), spec.id(), c.source(), c.ok(), c.code()));
            return c;
        }).toList();
    }

    /** Result of one model in {@link #ensureBatch}: a path or the error. */
    public record BatchResult(String model, Path path, WanException error) {
        public boolean ok() {
            return error == null;
        }
    }

    /** Ensures several models, at most {@code maxConcurrent} at a time; never throws for one model. */
    public List<BatchResult> ensureBatch(List<String> modelIds, int maxConcurrent) {
        return ensureBatch(modelIds, maxConcurrent, null);
    }

    /** As {@link #ensureBatch(List, int)}, with one variant name for all (null: each model's default). */
    public List<BatchResult> ensureBatch(List<String> modelIds, int maxConcurrent, String variant) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(maxConcurrent, modelIds.size())));
        try {
            List<Future<Path>> futures = new ArrayList<>();
            for (String id : modelIds) {
                futures.add(pool.submit(LogContext.inherit(() -> ensure(id, variant))));
            }
            List<BatchResult> results = new ArrayList<>();
            for (int i = 0; i < modelIds.size(); i++) {
                results.add(await(modelIds.get(i), futures.get(i)));
            }
            return results;
        } finally {
            Pools.stopAndWait(pool);
        }
    }

    private static BatchResult await(String id, Future<Path> future) {
        try {
            return new BatchResult(id, future.get(), null);
        } catch (java.util.concurrent.ExecutionException e) {
            // Anything but a WanException is a bug: INTERNAL, as when the same model fails alone.
            Throwable cause = e.getCause();
            WanException we = cause instanceof WanException w ? w : WanException.internal("model " + id, cause);
            return new BatchResult(id, null, we);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new BatchResult(id, null, new WanException(ErrorCode.INTERRUPTED, "model " + id
                    + ": interrupted before it finished", "run the same command again: it resumes"));
        }
    }

    private EnsureJob job() {
        return new EnsureJob(layout, states, sources, context, events, clock, config.lockTimeout());
    }

    /** Re-hashes files in place; held under the model lock so it never races an ensure. */
    private final class Verifier {
        VerificationResult verify(ModelSpec spec, String variant) {
            ModelRecord record = states.readOrEmpty(spec.id());
            Map<String, FileRecord> records = new HashMap<>(record.files());
            List<VerificationResult.FileCheck> checks = new ArrayList<>();
            Path dir = layout.modelDir(spec.id());
            long started = System.nanoTime();
            List<FileSpec> present = spec.filesFor(variant).stream()
                    .filter(f -> Files.isRegularFile(ContainedPath.resolveInside(dir, f.path()))).toList();
            events.on(new WanEvent.VerifyStarted(clock.instant(), spec.id(), variant, present.size(),
                    present.stream().mapToLong(FileSpec::size).sum()));
            // Hashing is CPU-bound (the page cache feeds one SHA-256 stream faster than it hashes):
            // one file per core at a time, never more than WAN_PARALLEL_FILES; results stay in manifest order.
            int parallel = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), context.parallelFiles()));
            Map<String, Hashed> hashed = new HashMap<>();
            List<Hashed> done = dev.wan.internal.ensure.FileWorkers.map(present, parallel, f -> hash(spec, dir, f));
            for (int i = 0; i < present.size(); i++) {
                hashed.put(present.get(i).path(), done.get(i));
            }
            for (FileSpec f : spec.filesFor(variant)) {
                Path file = ContainedPath.resolveInside(dir, f.path());
                FileRecord old = records.get(f.path());
                String expected = f.hasSha256() ? f.sha256() : old != null && !old.corrupt() ? old.sha256() : null;
                boolean optional = spec.isOptional(f);
                Hashed h = hashed.get(f.path());
                if (h == null) {
                    checks.add(new VerificationResult.FileCheck(f.path(), FileState.MISSING, expected, null, optional));
                    continue;
                }
                Transfer.Digest d = h.digest();
                long mtime = h.mtime();
                java.time.Instant now = clock.instant();
                FileState state;
                if (d.size() != f.size()) {
                    state = FileState.SIZE_MISMATCH;
                } else if (expected != null && !expected.equals(d.sha256())) {
                    state = FileState.CORRUPT;
                } else {
                    state = FileState.OK;
                }
                String source = old != null ? old.source() : "(found in place)";
                Placement how = old != null ? old.how() : Placement.ADOPTED;
                Check check = state == FileState.OK
                        ? (expected != null ? Check.SHA256 : Check.SIZE_ONLY) : Check.CORRUPT;
                if (state != FileState.OK) {
                    events.on(new WanEvent.IntegrityFailed(now, spec.id(), f.path(), "verify",
                            state == FileState.CORRUPT ? ErrorCode.CHECKSUM_FAIL : ErrorCode.SIZE_MISMATCH));
                }
                records.put(f.path(), new FileRecord(d.size(), d.sha256(), check,
                        mtime, now, source, how));
                checks.add(new VerificationResult.FileCheck(f.path(), state, expected, d.sha256(), optional));
            }
            states.write(record.withFiles(records));
            boolean ok = checks.stream().allMatch(c -> c.optional() || c.state() == FileState.OK);
            events.on(new WanEvent.VerifyFinished(clock.instant(), spec.id(), ok,
                    (System.nanoTime() - started) / 1_000_000));
            return new VerificationResult(spec.id().toString(), variant, ok, checks);
        }

        /** One present file's digest and the mtime it had before it was read. */
        private record Hashed(Transfer.Digest digest, long mtime) {
        }

        private Hashed hash(ModelSpec spec, Path dir, FileSpec f) {
            Path file = ContainedPath.resolveInside(dir, f.path());
            try {
                long mtime = Files.getLastModifiedTime(file).toMillis();
                events.on(new WanEvent.FileStarted(clock.instant(), spec.id(), f.path(), f.size(), "verify"));
                ProgressThrottle progress = new ProgressThrottle(n -> events.on(
                        new WanEvent.BytesTransferred(clock.instant(), spec.id(), f.path(), n)));
                Transfer.Digest d = Transfer.hash(file, progress);
                progress.flush();
                return new Hashed(d, mtime);
            } catch (IOException e) {
                throw Fs.map(e, "model " + spec.id() + ": cannot read " + f.path());
            }
        }

        VerificationResult missingModel(ModelSpec spec, String variant) {
            List<VerificationResult.FileCheck> checks = spec.filesFor(variant).stream()
                    .map(f -> new VerificationResult.FileCheck(f.path(), FileState.MISSING, f.sha256(), null,
                            spec.isOptional(f)))
                    .toList();
            return new VerificationResult(spec.id().toString(), variant, false, checks);
        }
    }
}
