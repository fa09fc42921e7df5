package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.store.ByteSize;
import dev.wan.gc.GarbageCollector;
import dev.wan.gc.GcPlan;
import dev.wan.gc.GcPolicy;
import dev.wan.gc.GcResult;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Delete least recently used models to meet the limits, and what crashed runs left behind.",
                "Never deletes a pinned model or one whose lock is held. Without limits only leftovers go"
                        + " (.trash, stale .tmp, state of deleted models).",
                "Sizes: KB MB GB TB are powers of 1000, KiB MiB GiB TiB powers of 1024."})
final class GcCommand extends Verb {
    @Option(names = "--dry-run", description = "Print the plan (models, why, bytes freed); change nothing.")
    boolean dryRun;

    @Option(names = "--max-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Keep the model directories within SIZE together (e.g. 100GB, 500GiB; default: $WAN_MAX_TOTAL_SIZE).")
    Long maxSize;

    @Option(names = "--max-age", paramLabel = "AGE", converter = DurationConverter.class,
            description = "Delete models not used for longer than AGE (e.g. 30d).")
    Duration maxAge;

    @Option(names = "--min-free", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Delete models until the disk of MODELS_ROOT has SIZE free (e.g. 50GB).")
    Long minFree;

    @Option(names = "--tmp-grace", paramLabel = "AGE", converter = DurationConverter.class,
            description = ".tmp leftovers untouched for longer than AGE are removed (default: 24h).")
    Duration tmpGrace;

    @Override
    public Integer call() {
        Output o = output();
        var config = common.config(null);
        Long size = maxSize;
        if (size == null) {
            // the quota disk-usage reports is gc's default limit
            var quota = config.settings().maxTotalSize();
            size = quota.isPresent() ? quota.getAsLong() : null;
        }
        GcPolicy policy = new GcPolicy(size, maxAge, minFree, tmpGrace);
        GarbageCollector gc = GarbageCollector.create(config, Clock.systemUTC(), policy);
        GcResult r = gc.collect(dryRun);
        if (o.json) {
            o.print(json(o, r, config.modelsRoot().toString()));
            return WanCli.EXIT_OK;
        }
        GcPlan plan = r.plan();
        if (!o.quiet) {
            o.line("store: " + Output.bytes(plan.storeBytes()) + " in models, " + Output.bytes(plan.freeBytes())
                    + " free" + (plan.goalMet() ? "" : "   (limits cannot be met: see kept models)"));
        }
        String verb = dryRun ? "would delete" : "deleted";
        for (GcPlan.Deletion d : r.deleted()) {
            o.line(String.format(Locale.ROOT, "%-13s %-30s %-10s %10s  last used %s", verb, d.model(), d.reason(),
                    Output.bytes(d.bytesFreed()), Output.time(d.lastUsed())));
        }
        for (GcPlan.Leftover l : r.leftoversRemoved()) {
            o.line(String.format(Locale.ROOT, "%-13s %-30s %-10s %10s", dryRun ? "would remove" : "removed",
                    l.path().getFileName(), l.kind(), Output.bytes(l.bytes())));
        }
        if (!o.quiet) {
            for (GcPlan.Preserved p : r.preserved()) {
                o.line(String.format(Locale.ROOT, "%-13s %-30s %-13s %s", "kept", p.model(), p.reason(), p.detail()));
            }
        }
        o.line((dryRun ? "would reclaim " : "reclaimed ") + Output.bytes(r.bytesReclaimed()) + " (" + r.bytesReclaimed()
                + " bytes)");
        return WanCli.EXIT_OK;
    }

    static ObjectNode json(Output o, GcResult r, String modelsRoot) {
        GcPlan plan = r.plan();
        ObjectNode doc = o.document("gc", true);
        doc.put("dryRun", r.dryRun());
        doc.put("modelsRoot", modelsRoot);
        ObjectNode policy = doc.putObject("policy");
        GcPolicy p = plan.policy();
        policy.put("maxSize", p.maxTotalSize());
        policy.put("maxAgeSeconds", p.maxModelAge() == null ? null : p.maxModelAge().toSeconds());
        policy.put("minFree", p.minFreeBytes());
        policy.put("tmpGraceSeconds", p.tmpGrace().toSeconds());
        doc.put("storeBytes", plan.storeBytes());
        doc.put("freeBytes", plan.freeBytes());
        doc.put("goalMet", plan.goalMet());
        doc.put("bytesReclaimed", r.bytesReclaimed());
        ArrayNode deleted = doc.putArray("deleted");
        for (GcPlan.Deletion d : r.deleted()) {
            ObjectNode n = deleted.addObject();
            n.put("model", d.model());
            n.put("reason", d.reason().name());
            n.put("bytesFreed", d.bytesFreed());
            n.put("lastUsed", d.lastUsed().toString());
        }
        ArrayNode preserved = doc.putArray("preserved");
        for (GcPlan.Preserved k : r.preserved()) {
            ObjectNode n = preserved.addObject();
            n.put("model", k.model());
            n.put("reason", k.reason().name());
            n.put("detail", k.detail());
        }
        ArrayNode leftovers = doc.putArray("leftovers");
        for (GcPlan.Leftover l : r.leftoversRemoved()) {
            ObjectNode n = leftovers.addObject();
            n.put("path", l.path().toString());
            n.put("kind", l.kind().name());
            n.put("bytes", l.bytes());
        }
        return doc;
    }

    /** {@code 100GB}, {@code 1.5TiB} … (see {@link ByteSize}); bad input is a usage error. */
    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return ByteSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
