package dev.wan.migrate;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.ensure.FileState;
import dev.wan.ensure.FileStatus;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import dev.wan.ensure.ModelStatus;
import dev.wan.event.WanEvent;
import dev.wan.internal.TestHooks;
import dev.wan.internal.migrate.Hashing;
import dev.wan.internal.migrate.LegacyBackend;
import dev.wan.internal.migrate.LegacyScanner;
import dev.wan.internal.migrate.Matcher;
import dev.wan.internal.migrate.MigrationJournal;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.FileSpec;
import dev.wan.manifest.ModelSpec;
import dev.wan.migrate.Analysis.Match;
import dev.wan.migrate.MigrationPlan.Action;
import dev.wan.migrate.MigrationPlan.ModelPlan;
import dev.wan.migrate.MigrationPlan.Step;
import dev.wan.store.ByteSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The guide's {@code wan models migrate analyze|plan|execute <old-path>}: brings models from a
 * legacy directory (a flat copy, a Hugging Face cache, a ComfyUI tree) into the store, verified.
 *
 * <pre>{@code
 * var migrator = Migrator.create(ModelEnsurer.fromConfig());
 * MigrationPlan plan = migrator.plan(Path.of("/data/models"), MigrateOptions.defaults());
 * MigrationResult r = migrator.execute(Path.of("/data/models"), MigrateOptions.defaults());
 * }</pre>
 *
 * The legacy tree is read, never written: no byte, name, mode or time of it changes, except that
 * a hardlinked file shares its inode with the store, whose files are read-only (use
 * {@link MigrateOptions#copy()} to avoid that). {@code analyze} and {@code plan} write nothing
 * anywhere. {@code execute} places each model through the ensure path (model lock, staging, the
 * sha256 of every byte, one rename, state with {@code source: migrate:<legacy path>}), journaling
 * its steps in {@code MODELS_ROOT/.tmp/migrate-<hash>.json} so a killed run resumes when run again.
 */
public final class Migrator {
    private final ModelEnsurer ensurer;
    private final StoreLayout layout;
    private final Clock clock;
    private final LegacyBackend backend = new LegacyBackend();
    /** Bytes placed per model during execute, by how: filled from the ensure events. */
    private final Map<String, long[]> tally = new ConcurrentHashMap<>();

    private Migrator(ModelEnsurer ensurer, Clock clock) {
        this.ensurer = ensurer;
        this.layout = new StoreLayout(ensurer.config().modelsRoot());
        this.clock = clock;
        ensurer.addStorageBackend(backend);
        ensurer.addListener(e -> {
            if (e instanceof WanEvent.FileCompleted c) {
                long[] t = tally.computeIfAbsent(c.model().toString(), k -> new long[4]);
                synchronized (t) {
                    boolean linked = switch (c.how()) {
                        case LINKED, DEDUPLICATED, ADOPTED -> true;
                        default -> false;
                    };
                    t[linked ? 0 : 1]++;
                    t[linked ? 2 : 3] += c.size();
                }
            }
        });
    }

    /** A migrator into the ensurer's store and manifest; its listeners hear the placing (ensure events). */
    public static Migrator create(ModelEnsurer ensurer) {
        return new Migrator(ensurer, Clock.systemUTC());
    }

    /** From MODELS_ROOT, WAN_MODELS_MANIFEST and friends. */
    public static Migrator fromConfig() {
        return create(ModelEnsurer.fromConfig());
    }

    /** Where {@code execute} journals a migration from {@code legacyRoot} (by its real path). */
    public Path journalFile(Path legacyRoot) {
        try {
            return MigrationJournal.path(layout, legacyRoot.toAbsolutePath().toRealPath());
        } catch (IOException e) {
            return MigrationJournal.path(layout, legacyRoot.toAbsolutePath().normalize());
        }
    }

    /** Scans and matches; writes nothing (hashes an interrupted execute journaled are reused). */
    public Analysis analyze(Path legacyRoot, MigrateOptions options) {
        return analyze(legacyRoot, options, null);
    }

    private Analysis analyze(Path legacyRoot, MigrateOptions options, MigrationJournal writable) {
        List<ModelSpec> specs = selected(options);
        LegacyScanner.Scan scan = LegacyScanner.scan(legacyRoot, layout.root());
        MigrationJournal journal = writable != null ? writable : MigrationJournal.load(layout, scan.root(), clock.instant());
        AtomicInteger hashed = new AtomicInteger();
        AtomicInteger reused = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        List<Analysis.Skipped> unreadable = java.util.Collections.synchronizedList(new ArrayList<>());
        Matcher.Result r = Matcher.match(specs, scan.files(), files -> {
            Map<Path, String> out = new ConcurrentHashMap<>();
            int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
            var pool = java.util.concurrent.Executors.newFixedThreadPool(threads, run -> {
                Thread t = new Thread(run, "wan-migrate-hash");
                t.setDaemon(true);
                return t;
            });
            try {
                List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
                for (LegacyFile f : files) {
                    futures.add(pool.submit(() -> {
                        try {
                            BasicFileAttributes a = Files.readAttributes(f.file(), BasicFileAttributes.class,
                                    LinkOption.NOFOLLOW_LINKS);
                            String sha = journal.knownSha256(f.file(), a);
                            if (sha != null) {
                                reused.incrementAndGet();
                            } else {
                                sha = Hashing.sha256(f.file(), a.size());
                                hashed.incrementAndGet();
                                bytes.addAndGet(a.size());
                                if (writable != null) {
                                    journal.recordHash(f.file(), a, sha);
                                    journal.saveEvery(5);
                                }
                            }
                            out.put(f.file(), sha);
                        } catch (IOException e) {
                            unreadable.add(new Analysis.Skipped(f.path(), "cannot be hashed (" + e.getMessage() + ")"));
                        }
                    }));
                }
                for (var fu : futures) {
                    fu.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WanException(ErrorCode.INTERRUPTED, "interrupted while hashing legacy files",
                        "run the same command again");
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
            return out;
        });
        List<Analysis.Skipped> skipped = new ArrayList<>(scan.skipped());
        skipped.addAll(unreadable);
        return new Analysis(scan.given(), scan.root(), scan.layouts(), scan.files(), r.matches(), r.mismatches(),
                r.unmatched(), skipped, hashed.get(), bytes.get(), reused.get());
    }

    /** Analyzes, then plans. Writes nothing. */
    public MigrationPlan plan(Path legacyRoot, MigrateOptions options) {
        return plan(analyze(legacyRoot, options), options);
    }

    /** What execute would do with what {@code analysis} found. Writes nothing. */
    public MigrationPlan plan(Analysis analysis, MigrateOptions options) {
        Map<String, Map<String, Match>> byModel = new HashMap<>();
        analysis.matches().forEach(m -> byModel.computeIfAbsent(m.model(), k -> new HashMap<>()).put(m.path(), m));
        Object storeDevice = device(existing(layout.root()));
        Map<Path, Boolean> sameFs = new HashMap<>();
        List<ModelPlan> models = new ArrayList<>();
        boolean anyLink = false;
        int linkedLegacyFiles = 0;
        Set<Path> linkedFiles = new java.util.HashSet<>();
        for (ModelSpec spec : selected(options)) {
            Map<String, Match> mine = byModel.getOrDefault(spec.id().toString(), Map.of());
            if (mine.isEmpty()) {
                continue;
            }
            for (String variant : variants(spec, mine, options)) {
                ModelStatus status = ensurer.status(spec.id().toString(), variant);
                Map<String, FileStatus> states = new HashMap<>();
                status.files().forEach(f -> states.put(f.path(), f));
                List<Step> steps = new ArrayList<>();
                List<String> missing = new ArrayList<>();
                long copy = 0;
                long link = 0;
                long missingBytes = 0;
                for (FileSpec f : spec.filesFor(variant)) {
                    FileStatus st = states.get(f.path());
                    Match m = mine.get(f.path());
                    if (st != null && st.state() == FileState.OK) {
                        if (m != null) {
                            steps.add(new Step(f.path(), Action.PRESENT, f.size(), m.matchedBy(), m.legacy().path()));
                        }
                    } else if (m != null) {
                        boolean linkable = !options.copy() && storeDevice != null && sameFs.computeIfAbsent(
                                m.legacy().file(), p -> storeDevice.equals(device(p)));
                        steps.add(new Step(f.path(), linkable ? Action.LINK : Action.COPY, f.size(), m.matchedBy(),
                                m.legacy().path()));
                        if (linkable) {
                            link += f.size();
                            anyLink = true;
                            if (linkedFiles.add(m.legacy().file())) {
                                linkedLegacyFiles++;
                            }
                        } else {
                            copy += f.size();
                        }
                    } else if (!spec.isOptional(f)) {
                        missing.add(f.path());
                        missingBytes += f.size();
                    }
                }
                ModelState after = missing.isEmpty() ? ModelState.COMPLETE : ModelState.PARTIAL;
                models.add(new ModelPlan(spec.id().toString(), variant, status.state(), after, steps, missing, copy, link,
                        missingBytes));
            }
        }
        List<String> notes = new ArrayList<>();
        if (anyLink) {
            notes.add(linkedLegacyFiles + " legacy file(s) will be hardlinked: a hardlink shares the inode, and the store"
                    + " makes its files read-only (chmod a-w), so these legacy paths become read-only too (bytes, names"
                    + " and mtimes do not change). --copy leaves them untouched and costs "
                    + ByteSize.format(models.stream().mapToLong(ModelPlan::bytesLinked).sum()) + " of disk.");
        }
        long partial = models.stream().filter(m -> m.after() == ModelState.PARTIAL).count();
        if (partial > 0) {
            notes.add(partial + " model variant(s) stay PARTIAL: the legacy tree lacks some files; what it has is placed,"
                    + " and 'wan ensure ID' downloads the rest.");
        }
        if (!analysis.mismatches().isEmpty()) {
            notes.add(analysis.mismatches().size() + " legacy file(s) look like manifest files but are not"
                    + " (other bytes, or ambiguous): never used.");
        }
        boolean same = storeDevice != null && models.stream().flatMap(m -> m.steps().stream())
                .noneMatch(s -> s.action() == Action.COPY) && !options.copy();
        return new MigrationPlan(analysis, options.copy(), same, models, notes);
    }

    /**
     * Plans again (reusing the hashes of an interrupted run) and places every planned model
     * variant through the ensure path. A model that fails publishes nothing; the others go on.
     */
    public MigrationResult execute(Path legacyRoot, MigrateOptions options) {
        ensurer.checkStore();
        layout.createSkeleton();
        Path real;
        try {
            real = legacyRoot.toAbsolutePath().toRealPath();
        } catch (IOException e) {
            throw new WanException(ErrorCode.FILESYSTEM_ERROR, "legacy directory " + legacyRoot + " cannot be read",
                    "name an existing directory");
        }
        MigrationJournal journal = MigrationJournal.load(layout, real, clock.instant());
        boolean resumed = journal.resumed();
        journal.save();
        Analysis analysis = analyze(legacyRoot, options, journal);
        MigrationPlan plan = plan(analysis, options);
        if (journal.problem() != null) {
            List<String> notes = new ArrayList<>(plan.notes());
            notes.add("the journal " + journal.problem());
            plan = new MigrationPlan(analysis, plan.copy(), plan.sameFilesystem(), plan.models(), notes);
        }
        journal.save();
        if (plan.bytesToCopy() > 0 && ensurer.config().settings().preflight()) {
            long free = layout.tmpDir().toFile().getUsableSpace();
            long need = plan.bytesToCopy() + plan.bytesToCopy() / 100 + (64L << 20);
            if (free < need) {
                throw new WanException(ErrorCode.NO_SPACE, "migration needs " + ByteSize.format(need) + " in "
                        + layout.tmpDir() + " to copy (1% + 64 MiB margin included), " + ByteSize.format(free) + " free",
                        "hardlink instead (same filesystem, without --copy), or free space: 'wan models gc --dry-run'");
            }
        }
        Map<String, Map<String, LegacyFile>> filesByModel = new HashMap<>();
        analysis.matches().forEach(m -> filesByModel.computeIfAbsent(m.model(), k -> new LinkedHashMap<>())
                .put(m.path(), m.legacy()));
        List<MigrationResult.ModelResult> results = new ArrayList<>();
        long copied = 0;
        long linked = 0;
        for (ModelPlan mp : plan.models()) {
            String key = mp.model() + "|" + mp.variant();
            List<Step> work = mp.steps().stream().filter(s -> s.action() != Action.PRESENT).toList();
            ModelSpec spec = ensurer.manifest().model(mp.model());
            if (work.isEmpty()) {
                results.add(new MigrationResult.ModelResult(mp.model(), mp.variant(), mp.before(),
                        mp.before() == ModelState.NOT_PRESENT ? null : layout.modelDir(spec.id()), 0, 0, 0, null));
                continue;
            }
            Set<String> paths = new LinkedHashSet<>();
            work.forEach(s -> paths.add(s.path()));
            Map<String, LegacyFile> files = new HashMap<>(filesByModel.getOrDefault(mp.model(), Map.of()));
            files.keySet().retainAll(paths);
            var source = backend.add(new LegacyBackend.Mapping(analysis.resolvedRoot(), analysis.legacyRoot().toString(),
                    files, options.copy()));
            ModelSpec only = new ModelSpec(spec.id(), spec.description(), spec.version(), spec.variants(),
                    spec.defaultVariant(), spec.resolutionCaps(), spec.optionalComponents(), spec.requiredComponents(),
                    spec.loraRequired(), spec.allowPatterns(),
                    spec.files().stream().filter(f -> paths.contains(f.path())).toList(), List.of(source));
            tally.remove(mp.model());
            journal.step(key, "placing");
            try {
                Path dir = ensurer.ensureSpec(only, mp.variant(), false);
                long[] t = tally.getOrDefault(mp.model(), new long[4]);
                copied += t[3];
                linked += t[2];
                ModelState state = ensurer.status(mp.model(), mp.variant()).state();
                results.add(new MigrationResult.ModelResult(mp.model(), mp.variant(), state, dir, (int) t[0], (int) t[1],
                        t[3], null));
                journal.step(key, "placed");
                TestHooks.reached(TestHooks.Point.MIGRATE_MODEL_PLACED);
            } catch (WanException e) {
                journal.step(key, "failed");
                long[] t = tally.getOrDefault(mp.model(), new long[4]);
                copied += t[3];
                results.add(new MigrationResult.ModelResult(mp.model(), mp.variant(),
                        ensurer.status(mp.model(), mp.variant()).state(), null, 0, 0, t[3], e));
            } finally {
                backend.remove(source);
            }
        }
        MigrationResult result = new MigrationResult(plan, results, resumed, copied, linked);
        if (result.ok()) {
            journal.delete();
        }
        return result;
    }

    private List<ModelSpec> selected(MigrateOptions options) {
        if (options.only().isEmpty()) {
            return List.copyOf(ensurer.manifest().models().values());
        }
        return options.only().stream().map(id -> ensurer.manifest().model(id)).distinct().toList();
    }

    /** The variant asked for; else the default plus each variant the legacy tree has a variant-specific file of. */
    private static List<String> variants(ModelSpec spec, Map<String, Match> matched, MigrateOptions options) {
        if (options.variant() != null) {
            return List.of(spec.resolveVariant(options.variant()));
        }
        Set<String> out = new LinkedHashSet<>();
        out.add(spec.defaultVariant());
        for (FileSpec f : spec.files()) {
            if (f.variant() != null && matched.containsKey(f.path())) {
                out.add(f.variant());
            }
        }
        return new ArrayList<>(out);
    }

    private static Path existing(Path p) {
        Path q = p.toAbsolutePath();
        while (q != null && !Files.exists(q)) {
            q = q.getParent();
        }
        return q;
    }

    /** The device a path is on (st_dev), or null when it cannot be told. */
    private static Object device(Path p) {
        if (p == null) {
            return null;
        }
        try {
            return Files.getAttribute(p, "unix:dev");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            try {
                return Files.getFileStore(p);
            } catch (IOException ex) {
                return null;
            }
        }
    }
}
