package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.WanException;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelStatus;
import dev.wan.store.Placement;
import dev.wan.text.TerminalText;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

@Command(name = "ensure", mixinStandardHelpOptions = true,
        description = {"Make models complete and verified under MODELS_ROOT.",
                "Fetches what is missing from the first source that works and prints each model's directory.",
                "Safe to run concurrently and after a crash.",
                "Examples (the bundled demo manifest):", "  wan ensure --all",
                "  wan models ensure --only demo-t2v@1.0.0 --variant bf16",
                "  dir=$(wan ensure demo-i2v@1.0.0 --quiet)"})
final class EnsureCommand extends Verb {
    @Mixin
    Selection selection;

    @Option(names = "--dry-run", description = "Show what would be fetched, change nothing.")
    boolean dryRun;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to wait for another process working on the same model (default: 30m).")
    Duration lockTimeout;

    @Option(names = "--connections", paramLabel = "N|auto",
            description = "Parallel ranged connections per big remote file (default: $WAN_CONNECTIONS, else auto:"
                    + " one, doubled while the rate rises, at most 16).")
    String connections;

    @Option(names = "--gc", description = {"Afterwards, if the store is over $WAN_MAX_TOTAL_SIZE, collect the least"
            + " recently used unpinned models (never the ones just ensured).", "Default: on when WAN_GC_AFTER_ENSURE=1."})
    Boolean gcAfter;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "2",
            description = "Models ensured at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Override
    public Integer call() {
        Output o = output();
        if (connections != null && !connections.equalsIgnoreCase("auto") && !connections.matches("[1-9][0-9]{0,4}")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--connections must be 'auto' or a number"
                    + " from 1 (got '" + TerminalText.escape(connections) + "')");
        }
        if (concurrency < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--concurrency must be at least 1 (got "
                    + concurrency + ")");
        }
        ModelEnsurer ensurer = common.ensurer(lockTimeout,
                connections == null ? java.util.Map.of() : java.util.Map.of("WAN_CONNECTIONS", connections));
        List<String> ids = selection.resolve(ensurer.manifest(), false);
        ids.forEach(id -> ensurer.manifest().model(id).resolveVariant(selection.variant));
        ensurer.checkStore(); // once, rather than the same error for every model of a batch
        if (ids.isEmpty()) {
            return nothingToEnsure(o, ensurer);
        }
        if (dryRun) {
            return dryRun(o, ensurer, ids);
        }
        List<ModelEnsurer.BatchResult> results;
        FetchTally tally = new FetchTally();
        ensurer.addListener(tally);
        try (Progress progress = Progress.open(o.err, !o.quiet && !o.json)) {
            if (!o.quiet) {
                ensurer.addListener(progress);
            } else if (!o.json) {
                ensurer.addListener(e -> {
                    if (e instanceof dev.wan.event.WanEvent.Warning w) {
                        o.err.println("wan: " + w.model() + ": warning: " + w.message());
                        o.err.flush();
                    }
                });
            }
            results = ids.size() == 1 ? List.of(ensureOne(ensurer, ids.get(0)))
                    : ensurer.ensureBatch(ids, concurrency, selection.variant);
        }
        WanException first = decisive(results);
        dev.wan.gc.GcResult collected = collectAfter(o, ensurer, results);
        if (o.json) {
            ObjectNode doc = o.document("ensure", first == null);
            if (collected != null) {
                ObjectNode gc = doc.putObject("gc");
                gc.put("bytesReclaimed", collected.bytesReclaimed());
                ArrayNode deleted = gc.putArray("deleted");
                collected.deleted().forEach(d -> deleted.add(d.model()));
            }
            ArrayNode models = doc.putArray("models");
            for (ModelEnsurer.BatchResult r : results) {
                ObjectNode m = models.addObject();
                m.put("model", r.model());
                m.put("variant", ensurer.manifest().model(r.model()).resolveVariant(selection.variant));
                m.put("ok", r.ok());
                m.put("path", Output.path(r.path()));
                m.put("filesFetched", tally.files(r.model()));
                m.put("bytesFetched", tally.bytes(r.model()));
                m.put("filesDeduplicated", tally.linked(r.model()));
                tally.warnings(r.model()).forEach(m.putArray("warnings")::add);
                if (!r.ok()) {
                    m.put("code", r.error().code().name());
                    m.put("message", r.error().getMessage());
                    ArrayNode details = m.putArray("details");
                    r.error().details().forEach(details::add);
                }
            }
            if (first != null) {
                ObjectNode error = doc.putObject("error");
                error.put("code", first.code().name());
                error.put("exitCode", first.code().exitCode());
                error.put("message", first.getMessage());
                error.put("hint", first.hint());
            }
            o.print(doc);
        } else {
            for (ModelEnsurer.BatchResult r : results) {
                if (r.ok()) {
                    long linked = tally.linked(r.model());
                    String how = tally.files(r.model()) == 0 && linked == 0 ? "already complete"
                            : "fetched " + tally.files(r.model()) + " file(s), " + Output.bytes(tally.bytes(r.model()))
                                    + (linked > 0 ? "; " + linked + " shared with other models, not fetched again" : "");
                    o.line(o.quiet ? r.path().toString() : r.model() + " ready: " + r.path() + "  (" + how + ")");
                }
            }
        }
        // One cause, one report: a store-level failure (a bad MODELS_ROOT) fails every model with the
        // same error, which is said once with the models it stopped.
        java.util.Map<List<Object>, List<String>> byCause = new java.util.LinkedHashMap<>();
        java.util.Map<List<Object>, WanException> causes = new java.util.HashMap<>();
        for (ModelEnsurer.BatchResult r : results) {
            if (!r.ok()) {
                WanException e = r.error();
                List<Object> key = List.of(e.code(), String.valueOf(e.getMessage()), e.hint(), e.details());
                byCause.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(r.model());
                causes.putIfAbsent(key, e);
            }
        }
        byCause.forEach((key, models) -> {
            Common quietJson = new Common();
            quietJson.verbose = common.verbose;
            WanCli.report(causes.get(key), quietJson, "ensure", o.out, o.err);
            if (models.size() > 1) {
                o.err.println(TerminalText.escape("  (the same error for " + models.size() + " models: "
                        + String.join(", ", models) + ")"));
                o.err.flush();
            }
        });
        return first == null ? WanCli.EXIT_OK : first.code().exitCode();
    }

    /**
     * The failure that decides the exit code: a bug (INTERNAL) first, then an interruption, so
     * neither hides behind an ordinary failure of another model; else the first failure. Null: all ok.
     */
    static WanException decisive(List<ModelEnsurer.BatchResult> results) {
        List<WanException> failures = results.stream().filter(r -> !r.ok()).map(ModelEnsurer.BatchResult::error).toList();
        for (dev.wan.ErrorCode code : List.of(dev.wan.ErrorCode.INTERNAL, dev.wan.ErrorCode.INTERRUPTED)) {
            for (WanException f : failures) {
                if (f.code() == code) {
                    return f;
                }
            }
        }
        return failures.isEmpty() ? null : failures.get(0);
    }

    /**
     * The optional gc after ensure: only with a quota (WAN_MAX_TOTAL_SIZE), only when over it. The
     * models just ensured are protected by holding their locks while collecting: the collector
     * treats a locked model as in use.
     */
    private dev.wan.gc.GcResult collectAfter(Output o, ModelEnsurer ensurer, List<ModelEnsurer.BatchResult> results) {
        dev.wan.WanSettings settings = ensurer.config().settings();
        boolean wanted = gcAfter != null ? gcAfter : settings.gcAfterEnsure();
        if (!wanted) {
            return null;
        }
        long quota = settings.maxTotalSize().orElse(-1);
        if (quota < 0) {
            o.err.println("wan: --gc needs a quota: set WAN_MAX_TOTAL_SIZE (e.g. 500GB); nothing collected");
            return null;
        }
        dev.wan.internal.store.StoreLayout layout = new dev.wan.internal.store.StoreLayout(ensurer.config().modelsRoot());
        List<dev.wan.internal.lock.ModelLock> held = new java.util.ArrayList<>();
        try {
            for (ModelEnsurer.BatchResult r : results) {
                if (r.ok()) {
                    held.add(dev.wan.internal.lock.ModelLock.acquire(layout.lockFile(dev.wan.manifest.ModelId.parse(r.model())),
                            "model " + r.model(), "ensure", ensurer.config().lockTimeout(), java.time.Clock.systemUTC(),
                            h -> { }));
                }
            }
            dev.wan.gc.GcResult result = dev.wan.gc.GarbageCollector.create(ensurer.config(), java.time.Clock.systemUTC(),
                    dev.wan.gc.GcPolicy.of(quota, null, null)).collect(false);
            if (!result.deleted().isEmpty() && !o.quiet) {
                o.err.println("wan: over WAN_MAX_TOTAL_SIZE: collected " + result.deleted().size() + " model(s), "
                        + Output.bytes(result.bytesReclaimed()) + " freed");
            }
            return result;
        } finally {
            held.forEach(dev.wan.internal.lock.ModelLock::close);
        }
    }

    /** --all over a manifest without models: said, not a silent success. */
    private int nothingToEnsure(Output o, ModelEnsurer ensurer) {
        String message = "no models in " + ensurer.config().manifest() + ": nothing to ensure";
        if (o.json) {
            ObjectNode doc = o.document("ensure", true);
            if (dryRun) {
                doc.put("dryRun", true);
            }
            doc.putArray("models");
            doc.put("message", message);
            o.print(doc);
        } else if (o.quiet) {
            o.err.println(TerminalText.escape("wan: " + message)); // stdout stays the (empty) list of paths
            o.err.flush();
        } else {
            o.line(message);
        }
        return WanCli.EXIT_OK;
    }

    private ModelEnsurer.BatchResult ensureOne(ModelEnsurer ensurer, String id) {
        try {
            return new ModelEnsurer.BatchResult(id, ensurer.ensure(id, selection.variant), null);
        } catch (WanException e) {
            return new ModelEnsurer.BatchResult(id, null, e);
        } catch (RuntimeException e) {
            // as ensureBatch reports it: one model, one bug, the same INTERNAL result
            return new ModelEnsurer.BatchResult(id, null, WanException.internal("model " + id, e));
        }
    }

    private int dryRun(Output o, ModelEnsurer ensurer, List<String> ids) {
        List<ModelStatus> plan = ids.stream().map(id -> ensurer.status(id, selection.variant)).toList();
        if (o.json) {
            ObjectNode doc = o.document("ensure", true);
            doc.put("dryRun", true);
            ArrayNode models = doc.putArray("models");
            plan.forEach(s -> models.add(StatusCommand.json(s)));
            o.print(doc);
            return WanCli.EXIT_OK;
        }
        for (ModelStatus s : plan) {
            o.line(s.model() + " (" + (s.variant() == null ? "-" : s.variant()) + "): " + s.state() + ", would fetch "
                    + s.missingFiles().size() + " file(s), " + Output.bytes(s.bytesNeeded()) + " into " + s.directory());
            s.missingFiles().forEach(f -> o.line("    " + f));
        }
        return WanCli.EXIT_OK;
    }

    /** Counts what each model really fetched (copied or linked from a source; adopted files excluded). */
    private static final class FetchTally implements dev.wan.event.EventListener {
        /** What one model fetched; guarded by itself (files complete on several workers). */
        private static final class Fetched {
            long files;
            long bytes;
            /** Files linked or copied from content already in the store. */
            long linked;
        }

        private final java.util.Map<String, Fetched> perModel = new java.util.concurrent.ConcurrentHashMap<>();
        /** Per model: warnings (work done, something the operator should know); shown even with --quiet. */
        private final java.util.Map<String, List<String>> warnings = new java.util.concurrent.ConcurrentHashMap<>();

        /** Per finished model: the bytes it received from sources in this run (resumed bytes not counted). */
        private final java.util.Map<String, Long> received = new java.util.concurrent.ConcurrentHashMap<>();

        List<String> warnings(String model) {
            return warnings.getOrDefault(model, List.of());
        }

        @Override
        public void on(dev.wan.event.WanEvent event) {
            if (event instanceof dev.wan.event.WanEvent.EnsureFinished f) {
                received.put(f.model().toString(), f.bytesFetched());
            }
            if (event instanceof dev.wan.event.WanEvent.Warning w) {
                warnings.computeIfAbsent(w.model().toString(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                        .add(w.message());
            }
            if (event instanceof dev.wan.event.WanEvent.FileCompleted f && f.how() != Placement.ADOPTED) {
                Fetched t = perModel.computeIfAbsent(f.model().toString(), k -> new Fetched());
                synchronized (t) {
                    if (f.how().deduplicated()) {
                        t.linked++;
                    } else {
                        t.files++;
                        t.bytes += f.size();
                    }
                }
            }
        }

        long files(String model) {
            Fetched t = perModel.getOrDefault(model, new Fetched());
            synchronized (t) {
                return t.files;
            }
        }

        long bytes(String model) {
            Long fetched = received.get(model);
            if (fetched != null) {
                return fetched;
            }
            Fetched t = perModel.getOrDefault(model, new Fetched());
            synchronized (t) {
                return t.bytes;
            }
        }

        long linked(String model) {
            Fetched t = perModel.getOrDefault(model, new Fetched());
            synchronized (t) {
                return t.linked;
            }
        }
    }
}
