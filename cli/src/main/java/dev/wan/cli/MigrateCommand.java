package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.migrate.Analysis;
import dev.wan.migrate.LegacyFile;
import dev.wan.migrate.LegacyLayout;
import dev.wan.migrate.MigrateOptions;
import dev.wan.migrate.MigrationPlan;
import dev.wan.migrate.MigrationResult;
import dev.wan.migrate.Migrator;
import dev.wan.text.TerminalText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code wan models migrate analyze|plan|execute OLD_PATH}: models from a legacy directory into the store. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        subcommands = {MigrateCommand.Analyze.class, MigrateCommand.Plan.class, MigrateCommand.Execute.class},
        description = {"Bring models from a legacy directory into the store, verified.",
                "Recognises a flat copy (/data/models/t2v-A14B/ mirroring the manifest's paths), a Hugging Face cache"
                        + " (models--org--repo/snapshots/<commit>/, links into blobs/) and ComfyUI's"
                        + " models/{diffusion_models,vae,text_encoders,...}/. Files are matched by sha256 where the"
                        + " manifest has one (only files of a matching size are hashed), else by path and size.",
                "The legacy tree is only read: analyze and plan write nothing; execute hardlinks (same filesystem) or"
                        + " copies into the store, hashes every byte, and never writes, moves or deletes a legacy file."
                        + " A hardlink shares the inode, so the store's read-only mode (a-w) reaches the legacy path"
                        + " too; --copy avoids that.",
                "Steps: 'analyze' (what is there), 'plan' (what execute would do), 'execute' (do it; killed, run it"
                        + " again: it resumes from MODELS_ROOT/.tmp/migrate-<hash>.json)."})
final class MigrateCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options of every step. */
    abstract static class Step extends Verb {
        @Parameters(index = "0", paramLabel = "OLD_PATH", description = "The legacy directory (read only; a symlink"
                + " given here is followed, links inside it only to targets inside it).")
        Path oldPath;

        @Option(names = "--only", paramLabel = "ID[,ID…]", description = "Only these models (repeatable, comma-separated;"
                + " default: every model of the manifest).")
        List<String> only = new ArrayList<>();

        @Option(names = "--variant", paramLabel = "NAME", description = "One variant for every model (default: each"
                + " model's default variant plus every variant the legacy tree has files of).")
        String variant;

        @Option(names = "--copy", description = "Copy instead of hardlinking: the legacy files keep their mode"
                + " (costs the disk space of the copies).")
        boolean copy;

        Migrator migrator(ModelEnsurer ensurer) {
            return Migrator.create(ensurer);
        }

        /** Scanning and hashing a big tree takes a while before anything is printed: say so (stderr). */
        void announce(Output o) {
            if (!o.quiet && !o.json) {
                o.err.println(TerminalText.escape("wan: scanning " + oldPath + "; hashing the files whose size is a"
                        + " manifest file's (every byte: this takes a while for big models)"));
                o.err.flush();
            }
        }

        MigrateOptions options(ModelEnsurer ensurer) {
            if (variant != null && variant.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--variant is empty: name a variant, or"
                        + " leave --variant out");
            }
            java.io.PrintWriter err = common.quiet ? null : spec.commandLine().getErr();
            List<String> ids = WanCli.splitIds(only).stream()
                    .map(id -> Selection.canonical(ensurer.manifest(), id, err)).distinct().toList();
            if (variant != null) {
                (ids.isEmpty() ? ensurer.manifest().models().keySet().stream().map(Object::toString).toList() : ids)
                        .forEach(id -> ensurer.manifest().model(id).resolveVariant(variant));
            }
            return new MigrateOptions(ids, variant, copy);
        }
    }

    @Command(name = "analyze", mixinStandardHelpOptions = true, description = {"Report the layouts found in OLD_PATH,"
            + " which manifest files it has (and how each was recognised: sha256 or path+size), files whose bytes"
            + " differ from the manifest (never used), unknown files, and what was not read (links leaving the tree)."
            + " Writes nothing."})
    static final class Analyze extends Step {
        @Override
        public Integer call() {
            Output o = output();
            ModelEnsurer ensurer = common.ensurer(null);
            MigrateOptions options = options(ensurer);
            announce(o);
            Analysis a = migrator(ensurer).analyze(oldPath, options);
            if (o.json) {
                ObjectNode doc = o.document("migrate analyze", true);
                analysis(doc, a);
                o.print(doc);
            } else {
                printAnalysis(o, a);
            }
            return WanCli.EXIT_OK;
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true, description = {"Print what execute would do, per model"
            + " and file: hardlink or copy, bytes to copy and to link, what stays unmatched, which models become"
            + " COMPLETE and which stay PARTIAL (a later 'wan ensure' downloads their missing files). Writes nothing."})
    static final class Plan extends Step {
        @Override
        public Integer call() {
            Output o = output();
            ModelEnsurer ensurer = common.ensurer(null);
            ensurer.checkStore();
            MigrateOptions options = options(ensurer);
            announce(o);
            MigrationPlan p = migrator(ensurer).plan(oldPath, options);
            if (o.json) {
                ObjectNode doc = o.document("migrate plan", true);
                plan(doc, p);
                o.print(doc);
            } else {
                printPlan(o, p);
            }
            return WanCli.EXIT_OK;
        }
    }

    @Command(name = "execute", mixinStandardHelpOptions = true, description = {"Place the planned files into the store"
            + " through ensure's path: the model's lock, staging, the sha256 of every byte, one rename, state with"
            + " source migrate:<legacy path>. Nothing partial or unverified appears at a final path; a model that"
            + " fails publishes nothing. Every step is journaled in MODELS_ROOT/.tmp/migrate-<hash>.json (removed"
            + " when the run succeeds): run the same command again after a kill and it resumes.",
            "Exit: 0 done (models COMPLETE, or PARTIAL as planned); the code of the first failure otherwise (see the"
                    + " README's exit codes, e.g. 7 when a legacy file changed and no longer matches, 8 lock timeout)."})
    static final class Execute extends Step {
        @Option(names = "--lock-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "How long to wait for a model another process is working on (default: 30m).")
        Duration lockTimeout;

        @Override
        public Integer call() {
            Output o = output();
            ModelEnsurer ensurer = common.ensurer(lockTimeout);
            ensurer.checkStore();
            MigrateOptions options = options(ensurer);
            Migrator migrator = migrator(ensurer);
            announce(o);
            MigrationResult r;
            try (Progress progress = Progress.open(o.err, !o.quiet && !o.json)) {
                if (!o.quiet && !o.json) {
                    ensurer.addListener(progress);
                }
                r = migrator.execute(oldPath, options);
            }
            dev.wan.WanException first = r.models().stream().filter(m -> !m.ok()).map(MigrationResult.ModelResult::error)
                    .findFirst().orElse(null);
            if (o.json) {
                ObjectNode doc = o.document("migrate execute", first == null);
                plan(doc, r.plan());
                doc.put("resumed", r.resumed());
                doc.put("bytesCopied", r.bytesCopied());
                doc.put("bytesLinked", r.bytesLinked());
                ArrayNode results = doc.putArray("results");
                for (MigrationResult.ModelResult m : r.models()) {
                    ObjectNode n = results.addObject();
                    n.put("model", m.model());
                    n.put("variant", m.variant());
                    n.put("ok", m.ok());
                    n.put("state", m.state() == null ? null : m.state().name());
                    n.put("path", Output.path(m.directory()));
                    n.put("filesLinked", m.filesLinked());
                    n.put("filesCopied", m.filesCopied());
                    n.put("bytesCopied", m.bytesCopied());
                    if (!m.ok()) {
                        n.put("code", m.error().code().name());
                        n.put("message", m.error().getMessage());
                        ArrayNode details = n.putArray("details");
                        m.error().details().forEach(details::add);
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
                if (!o.quiet) {
                    printPlan(o, r.plan());
                    if (r.resumed()) {
                        o.line("resumed an interrupted migration (journal " + migrator.journalFile(oldPath) + ")");
                    }
                }
                for (MigrationResult.ModelResult m : r.models()) {
                    if (m.ok()) {
                        o.line(m.model() + (m.variant() == null ? "" : " (" + m.variant() + ")") + ": " + m.state()
                                + (m.directory() == null ? "" : " at " + m.directory()) + "  (" + m.filesLinked()
                                + " linked, " + m.filesCopied() + " copied)");
                    } else {
                        WanCli.report(m.error(), common, "migrate execute", o.out, o.err);
                    }
                }
                o.line(String.format(Locale.ROOT, "migrated: %s copied (%d bytes), %s hardlinked",
                        Output.bytes(r.bytesCopied()), r.bytesCopied(), Output.bytes(r.bytesLinked())));
            }
            return first == null ? WanCli.EXIT_OK : first.code().exitCode();
        }
    }

    private static void analysis(ObjectNode doc, Analysis a) {
        doc.put("legacyRoot", a.legacyRoot().toString());
        doc.put("resolvedRoot", a.resolvedRoot().toString());
        ArrayNode layouts = doc.putArray("layouts");
        a.layouts().stream().sorted().forEach(l -> layouts.add(l.label()));
        doc.put("files", a.files().size());
        doc.put("filesHashed", a.filesHashed());
        doc.put("bytesHashed", a.bytesHashed());
        doc.put("hashesReused", a.hashesReused());
        ArrayNode matches = doc.putArray("matches");
        for (Analysis.Match m : a.matches()) {
            ObjectNode n = matches.addObject();
            n.put("model", m.model());
            n.put("path", m.path());
            n.put("size", m.size());
            n.put("matchedBy", m.matchedBy().label());
            n.put("legacyPath", m.legacy().path());
            n.put("layout", m.legacy().layout().label());
        }
        ArrayNode mismatches = doc.putArray("mismatches");
        for (Analysis.Mismatch m : a.mismatches()) {
            ObjectNode n = mismatches.addObject();
            n.put("model", m.model());
            n.put("path", m.path());
            n.put("legacyPath", m.legacy().path());
            n.put("expectedSha256", m.expectedSha256());
            n.put("actualSha256", m.actualSha256());
            n.put("reason", m.reason());
        }
        ArrayNode unmatched = doc.putArray("unmatched");
        for (LegacyFile f : a.unmatched()) {
            ObjectNode n = unmatched.addObject();
            n.put("legacyPath", f.path());
            n.put("size", f.size());
            n.put("layout", f.layout().label());
        }
        ArrayNode skipped = doc.putArray("skipped");
        for (Analysis.Skipped s : a.skipped()) {
            ObjectNode n = skipped.addObject();
            n.put("legacyPath", s.path());
            n.put("reason", s.reason());
        }
    }

    private static void plan(ObjectNode doc, MigrationPlan p) {
        analysis(doc.putObject("analysis"), p.analysis());
        doc.put("copy", p.copy());
        doc.put("sameFilesystem", p.sameFilesystem());
        doc.put("bytesToCopy", p.bytesToCopy());
        doc.put("bytesLinked", p.bytesLinked());
        ArrayNode models = doc.putArray("models");
        for (MigrationPlan.ModelPlan m : p.models()) {
            ObjectNode n = models.addObject();
            n.put("model", m.model());
            n.put("variant", m.variant());
            n.put("before", m.before().name());
            n.put("after", m.after().name());
            n.put("bytesToCopy", m.bytesToCopy());
            n.put("bytesLinked", m.bytesLinked());
            n.put("bytesMissing", m.bytesMissing());
            ArrayNode steps = n.putArray("steps");
            for (MigrationPlan.Step s : m.steps()) {
                ObjectNode st = steps.addObject();
                st.put("path", s.path());
                st.put("action", s.action().label());
                st.put("size", s.size());
                st.put("matchedBy", s.matchedBy().label());
                st.put("legacyPath", s.legacyPath());
            }
            ArrayNode missing = n.putArray("missing");
            m.missing().forEach(missing::add);
        }
        ArrayNode notes = doc.putArray("notes");
        p.notes().forEach(notes::add);
    }

    private static void printAnalysis(Output o, Analysis a) {
        String layouts = a.layouts().isEmpty() ? "none" : String.join(", ",
                a.layouts().stream().sorted().map(LegacyLayout::label).toList());
        o.line("legacy tree " + a.legacyRoot() + (a.resolvedRoot().equals(a.legacyRoot().toAbsolutePath())
                ? "" : " (-> " + a.resolvedRoot() + ")") + ": layouts " + layouts + "; " + a.files().size() + " file(s)");
        o.line("matched (" + a.matches().size() + "):");
        Map<String, List<Row>> byModel = new LinkedHashMap<>();
        for (Analysis.Match m : a.matches()) {
            byModel.computeIfAbsent(m.model(), k -> new ArrayList<>())
                    .add(new Row(m.matchedBy().label(), m.size(), m.path(), m.legacy().path()));
        }
        byModel.forEach((model, rows) -> printRows(o, "  " + model, rows));
        if (!a.mismatches().isEmpty()) {
            o.line("mismatched, never used (" + a.mismatches().size() + "):");
            for (Analysis.Mismatch m : a.mismatches()) {
                o.line("  " + m.legacy().path() + "  looks like " + m.model() + " " + m.path() + ": " + m.reason()
                        + (m.actualSha256() == null ? "" : " (sha256 " + m.actualSha256() + ", manifest "
                        + m.expectedSha256() + ")"));
            }
        }
        if (!a.unmatched().isEmpty()) {
            o.line("unmatched, left where they are (" + a.unmatched().size() + "):");
            a.unmatched().forEach(f -> o.line("  " + f.path() + "  " + Output.bytes(f.size())));
        }
        if (!a.skipped().isEmpty()) {
            o.line("not read (" + a.skipped().size() + "):");
            a.skipped().forEach(s -> o.line("  " + s.path() + ": " + s.reason()));
        }
        o.line("hashed " + a.filesHashed() + " file(s), " + Output.bytes(a.bytesHashed())
                + (a.hashesReused() > 0 ? "; " + a.hashesReused() + " hash(es) reused from an interrupted run" : ""));
    }

    /** One file of a model in the human output: how, size, manifest path, where it is in the legacy tree. */
    private record Row(String how, long size, String path, String legacyPath) {
        /** The legacy directory the file sits in under its manifest path, or null when it has another name. */
        String under() {
            if (legacyPath.equals(path)) {
                return "";
            }
            return legacyPath.endsWith("/" + path) ? legacyPath.substring(0, legacyPath.length() - path.length()) : null;
        }
    }

    /**
     * Lines that fit 80 columns: the legacy directory most files sit in under their manifest path
     * is named once ({@code from DIR}); a file found elsewhere or by another name gets its own
     * {@code <- legacy path} line.
     */
    private static void printRows(Output o, String header, List<Row> rows) {
        Map<String, Long> dirs = new HashMap<>();
        rows.stream().map(Row::under).filter(Objects::nonNull).forEach(d -> dirs.merge(d, 1L, Long::sum));
        String from = dirs.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        String fromText = from == null || from.isEmpty() ? "" : "from " + from;
        if (header != null) {
            o.line(header + (fromText.isEmpty() ? "" : "  (" + fromText + ")"));
        } else if (!fromText.isEmpty()) {
            o.line("  " + fromText);
        }
        String indent = header == null ? "  " : "    ";
        for (Row r : rows) {
            o.line(String.format(Locale.ROOT, "%s%-8s %9s  %s", indent, r.how(), Output.bytes(r.size()), r.path()));
            if (from == null || !from.equals(r.under())) {
                o.line(indent + "    <- " + r.legacyPath());
            }
        }
    }

    private static void printPlan(Output o, MigrationPlan p) {
        printAnalysis(o, p.analysis());
        for (MigrationPlan.ModelPlan m : p.models()) {
            o.line(m.model() + (m.variant() == null ? "" : " (" + m.variant() + ")") + ": " + m.before() + " -> "
                    + m.after() + "; copy " + Output.bytes(m.bytesToCopy()) + ", hardlink " + Output.bytes(m.bytesLinked())
                    + (m.missing().isEmpty() ? "" : ", " + m.missing().size() + " file(s) missing ("
                    + Output.bytes(m.bytesMissing()) + ": a later 'wan ensure " + m.model() + "' downloads them)"));
            printRows(o, null, m.steps().stream()
                    .map(s -> new Row(s.action().label(), s.size(), s.path(), s.legacyPath())).toList());
            m.missing().forEach(f -> o.line("  missing   " + f));
        }
        if (p.models().isEmpty()) {
            o.line("nothing to migrate: no manifest model has a file in this tree");
        }
        o.line(String.format(Locale.ROOT, "total: copy %s, hardlink %s; %d unmatched file(s) stay where they are",
                Output.bytes(p.bytesToCopy()), Output.bytes(p.bytesLinked()), p.analysis().unmatched().size()));
        p.notes().forEach(n -> o.line("note: " + n));
    }
}
