package dev.wan.tui;

import dev.wan.WanException;
import dev.wan.ensure.FileState;
import dev.wan.ensure.FileStatus;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.SourceCheck;
import dev.wan.ensure.VerificationResult;
import dev.wan.gc.GarbageCollector;
import dev.wan.gc.GcPlan;
import dev.wan.gc.GcPolicy;
import dev.wan.gc.GcResult;
import dev.wan.manifest.ModelId;
import dev.wan.manifest.ModelSpec;
import dev.wan.store.ByteSize;
import dev.wan.store.ModelPins;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Runs what the operator asked for on worker threads, through lib's public API only, and hands
 * each outcome to the GUI thread ({@code ui}). Never touches the screen itself.
 */
final class Operator {
    /** Pin/unpin wait this long for a model another process holds, then say so. */
    private static final Duration PIN_LOCK_TIMEOUT = Duration.ofSeconds(5);

    private final ModelEnsurer ensurer;
    private final Clock clock;
    private final ExecutorService workers;
    private final Consumer<Consumer<DashboardModel>> ui;
    private final Runnable refresh;

    /**
     * @param ui      runs a change of the model on the GUI thread (invokeLater)
     * @param refresh asks for a fresh store snapshot now
     */
    Operator(ModelEnsurer ensurer, Clock clock, ExecutorService workers, Consumer<Consumer<DashboardModel>> ui,
             Runnable refresh) {
        this.ensurer = ensurer;
        this.clock = clock;
        this.workers = workers;
        this.ui = ui;
        this.refresh = refresh;
    }

    /** Called on the GUI thread with the model the command came from. */
    void submit(Command c, DashboardModel model) {
        switch (c.kind()) {
            case ENSURE:
                model.actionStarted(c.model(), "ensure");
                model.log(EventLog.Level.INFO, c.model() + ": ensure" + (c.variant() == null ? "" : " " + c.variant())
                        + " requested");
                work(c.model(), () -> {
                    Path dir = ensurer.ensure(c.model(), c.variant());
                    return m -> m.actionFinished(c.model(), EventLog.Level.OK, c.model() + ": ready at " + dir);
                });
                break;
            case VERIFY:
                model.actionStarted(c.model(), "verify");
                model.log(EventLog.Level.INFO, c.model() + ": verifying (re-hashing every present file of every"
                        + " variant)...");
                work(c.model(), () -> verified(c.model(), verifyEveryVariant(c.model())));
                break;
            case PIN:
            case UNPIN:
                boolean pin = c.kind() == Command.Kind.PIN;
                model.actionStarted(c.model(), pin ? "pin" : "unpin");
                work(c.model(), () -> {
                    ModelPins pins = ModelPins.of(ensurer.config());
                    boolean changed = pin ? pins.pin(ModelId.parse(c.model()), PIN_LOCK_TIMEOUT)
                            : pins.unpin(ModelId.parse(c.model()), PIN_LOCK_TIMEOUT);
                    String what = pin ? "pinned" : "unpinned";
                    return m -> m.actionFinished(c.model(), EventLog.Level.OK,
                            c.model() + (changed ? ": " + what : ": was already " + what));
                });
                break;
            case TEST_SOURCES:
                model.actionStarted(c.model(), "test");
                model.log(EventLog.Level.INFO, c.model() + ": testing its sources...");
                work(c.model(), () -> {
                    List<SourceCheck> checks = ensurer.testSources(c.model(), null, true);
                    long failed = checks.stream().filter(k -> !k.ok()).count();
                    return m -> {
                        m.sourcesTested(c.model(), checks);
                        m.actionFinished(c.model(), failed == 0 ? EventLog.Level.OK : EventLog.Level.WARN,
                                c.model() + ": " + (checks.size() - failed) + " of " + checks.size() + " sources ok"
                                        + (failed == 0 ? "" : "; failing: " + checks.stream().filter(k -> !k.ok())
                                        .map(k -> k.source() + " (" + k.code() + ")").collect(Collectors.joining(", "))));
                    };
                });
                break;
            case GC_PLAN:
                workers.execute(() -> {
                    try {
                        GcPlan plan = gc(policy(c.limit())).plan();
                        ui.accept(m -> m.gcPlanned(plan));
                    } catch (WanException | IllegalArgumentException e) {
                        ui.accept(m -> m.gcFailed(message(e)));
                    }
                });
                break;
            case GC_COLLECT:
                GcPlan shown = model.gcPlan();
                workers.execute(() -> collect(c.limit(), shown));
                break;
            case REFRESH:
                model.log(EventLog.Level.INFO, "refreshing");
                refresh.run();
                break;
            default:
                break;
        }
    }

    /**
     * Deletes only what the operator saw: the plan is made again under the current state, and if
     * it would now delete a model that was not on the confirmed plan, it is shown for a new
     * confirmation instead of being carried out.
     */
    private void collect(String limit, GcPlan shown) {
        try {
            GarbageCollector gc = gc(policy(limit));
            GcPlan now = gc.plan();
            Set<String> confirmed = new HashSet<>();
            shown.deletions().forEach(d -> confirmed.add(d.model()));
            boolean surprise = now.deletions().stream().anyMatch(d -> !confirmed.contains(d.model()));
            if (surprise) {
                ui.accept(m -> {
                    m.log(EventLog.Level.WARN, "gc: the store changed since the plan was made; review the new plan");
                    m.gcPlanned(now);
                });
                return;
            }
            GcResult result = gc.collect(false);
            ui.accept(m -> m.gcFinished(result));
        } catch (WanException | IllegalArgumentException e) {
            ui.accept(m -> m.gcFailed(message(e)));
        } finally {
            refresh.run();
        }
    }

    /**
     * Verifies each variant that has a file on disk no earlier variant covered, the default first
     * (a model with nothing on disk: its default, which reports what is missing). The core verifies
     * one variant at a time, so a file two present variants share is hashed once for each.
     */
    private List<VerificationResult> verifyEveryVariant(String model) {
        ModelSpec spec = ensurer.manifest().model(model);
        List<String> variants = new ArrayList<>();
        variants.add(spec.defaultVariant());
        spec.variants().stream().filter(v -> !v.equals(spec.defaultVariant())).forEach(variants::add);
        Set<String> covered = new HashSet<>();
        List<VerificationResult> results = new ArrayList<>();
        for (String v : variants) {
            Set<String> present = ensurer.status(model, v).files().stream()
                    .filter(f -> f.state() != FileState.MISSING).map(FileStatus::path)
                    .collect(Collectors.toCollection(HashSet::new));
            if (!covered.containsAll(present)) {
                results.add(ensurer.verifyIntegrity(model, v));
                covered.addAll(present);
            }
        }
        if (results.isEmpty()) {
            results.add(ensurer.verifyIntegrity(model, spec.defaultVariant()));
        }
        return results;
    }

    private static Consumer<DashboardModel> verified(String model, List<VerificationResult> results) {
        String which = results.size() > 1 ? " " + results.stream().map(VerificationResult::variant)
                .collect(Collectors.joining(", ")) : "";
        Map<String, VerificationResult.FileCheck> failures = new LinkedHashMap<>();
        Set<String> files = new HashSet<>();
        for (VerificationResult r : results) {
            r.failures().forEach(f -> failures.putIfAbsent(f.path(), f));
            r.files().forEach(f -> files.add(f.path()));
        }
        if (failures.isEmpty()) {
            return m -> m.actionFinished(model, EventLog.Level.OK, model + ": verified" + which + ", " + files.size()
                    + " files match their sha256");
        }
        String bad = failures.values().stream().map(f -> f.path() + " " + f.state()).collect(Collectors.joining(", "));
        return m -> m.actionFinished(model, EventLog.Level.ERROR, model + ": NOT verified" + which + ": " + bad
                + " (e ensures it again: bad files are repaired)");
    }

    /** Runs {@code job} for a model on a worker; its outcome, or its error, goes to the GUI thread. */
    private void work(String model, Job job) {
        workers.execute(() -> {
            Consumer<DashboardModel> outcome;
            try {
                outcome = job.run();
            } catch (WanException e) {
                outcome = m -> m.actionFinished(model, EventLog.Level.ERROR, model + ": " + message(e));
            } catch (RuntimeException e) {
                outcome = m -> m.actionFinished(model, EventLog.Level.ERROR, model + ": internal error: " + e);
            }
            ui.accept(outcome);
            refresh.run();
        });
    }

    @FunctionalInterface
    private interface Job {
        Consumer<DashboardModel> run();
    }

    private GarbageCollector gc(GcPolicy policy) {
        return GarbageCollector.create(ensurer.config(), clock, policy);
    }

    /** {@code ""} → leftovers only; {@code 10GB} → keep the models within 10 GB. */
    static GcPolicy policy(String limit) {
        if (limit == null || limit.isBlank()) {
            return GcPolicy.LEFTOVERS_ONLY;
        }
        try {
            return GcPolicy.of(ByteSize.parse(limit.trim()), null, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + limit + "' is not a size: type e.g. 10GB or 500GiB, or nothing"
                    + " for leftovers only");
        }
    }

    static String message(Exception e) {
        if (e instanceof WanException we) {
            return we.code() + ": " + we.getMessage() + (we.hint() == null || we.hint().isEmpty() ? "" : "; " + we.hint());
        }
        return e.getMessage();
    }
}
