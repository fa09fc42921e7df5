package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.ensure.FileStatus;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelStatus;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show each model's state, size and pin without hashing anything.",
                "It reads one stat per file plus the state file.",
                "States: NOT_PRESENT, PARTIAL, UNVERIFIED, VERIFYING, COMPLETE, CORRUPT.",
                "UNVERIFIED: every file is there, but some changed since they were verified;"
                        + " 'wan verify' re-hashes them, 'wan ensure' re-hashes and repairs."})
final class StatusCommand extends Verb {
    @Mixin
    Selection selection;

    @Option(names = "--files", description = "Also list every file with its state.")
    boolean files;

    @Override
    public Integer call() {
        Output o = output();
        ModelEnsurer ensurer = common.ensurer(null);
        List<ModelStatus> statuses = selection.resolve(ensurer.manifest(), true).stream()
                .map(id -> ensurer.status(id, selection.variant)).toList();
        if (o.json) {
            ObjectNode doc = o.document("status", true);
            doc.put("modelsRoot", ensurer.config().modelsRoot().toString());
            doc.put("manifest", ensurer.config().manifest().toString());
            ArrayNode models = doc.putArray("models");
            statuses.forEach(s -> models.add(json(s)));
            o.print(doc);
            return WanCli.EXIT_OK;
        }
        if (!o.quiet) {
            o.line("root: " + ensurer.config().modelsRoot() + "   manifest: " + ensurer.config().manifest());
        }
        if (ensurer.manifest().models().isEmpty()) {
            o.noModels(ensurer.config().manifest());
            return WanCli.EXIT_OK;
        }
        o.line(String.format(Locale.ROOT, "%-30s %-8s %-12s %10s %10s %-3s  %s", "MODEL", "VARIANT", "STATE", "SIZE",
                "NEEDED", "PIN", "NOTE"));
        for (ModelStatus s : statuses) {
            String note = s.lockedBy() != null ? "in use: " + s.lockedBy()
                    : s.missingFiles().isEmpty() ? ""
                    : s.state() == dev.wan.ensure.ModelState.UNVERIFIED
                            ? s.missingFiles().size() + " file(s) changed since verified"
                            : s.missingFiles().size() + " file(s) not ready";
            o.line(String.format(Locale.ROOT, "%-30s %-8s %-12s %10s %10s %-3s  %s", s.model(),
                    s.variant() == null ? "-" : s.variant(), s.state(), Output.bytes(s.bytesTotal()),
                    Output.bytes(s.bytesNeeded()), s.pinned() ? "pin" : "-", note));
            if (s.stateProblem() != null) {
                o.line("    state problem: " + s.stateProblem());
            }
            if (files) {
                for (FileStatus f : s.files()) {
                    o.line(String.format(Locale.ROOT, "    %-10s %10s  %s%s", f.state(), Output.bytes(f.size()),
                            f.path(), f.optional() ? " (optional)" : ""));
                }
            }
        }
        return WanCli.EXIT_OK;
    }

    /** The model's fields without its files: also what {@code serve}'s health endpoints show. */
    static ObjectNode summary(ModelStatus s) {
        ObjectNode m = Output.object();
        m.put("model", s.model());
        m.put("variant", s.variant());
        m.put("state", s.state().name());
        m.put("bytesTotal", s.bytesTotal());
        m.put("bytesNeeded", s.bytesNeeded());
        m.put("directory", Output.path(s.directory()));
        m.put("pinned", s.pinned());
        m.put("lastUsed", java.util.Objects.toString(s.lastUsed(), null));
        m.put("lockedBy", s.lockedBy());
        m.put("stateProblem", s.stateProblem());
        return m;
    }

    static ObjectNode json(ModelStatus s) {
        ObjectNode m = summary(s);
        ArrayNode missing = m.putArray("missingFiles");
        s.missingFiles().forEach(missing::add);
        ArrayNode fs = m.putArray("files");
        for (FileStatus f : s.files()) {
            ObjectNode n = fs.addObject();
            n.put("path", f.path());
            n.put("size", f.size());
            n.put("state", f.state().name());
            n.put("optional", f.optional());
            n.put("component", f.component());
            n.put("verifiedAt", java.util.Objects.toString(f.verifiedAt(), null));
            n.put("check", f.check() == null ? null : f.check().wire());
            n.put("source", f.source());
        }
        return m;
    }
}
