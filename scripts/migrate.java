///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS dev.wan:wan-lib:0.1.0-SNAPSHOT
//DEPS info.picocli:picocli:4.7.7
//DEPS org.slf4j:slf4j-nop:2.0.17

// Bring models from a legacy directory into the wan store, verified: the script form of
// `wan models migrate analyze|plan|execute OLD_PATH`. Copy this file and adapt it.
// Exit codes (the README's): 0 done; 2 usage; 3 configuration or manifest; 4 unknown model or
// variant; 5 filesystem; 7 a legacy file changed and no longer matches; 8 lock timeout;
// 70 internal error; 130 interrupted.

import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.migrate.Analysis;
import dev.wan.migrate.MigrateOptions;
import dev.wan.migrate.MigrationPlan;
import dev.wan.migrate.MigrationResult;
import dev.wan.migrate.Migrator;
import dev.wan.store.ByteSize;
import dev.wan.text.TerminalText;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

@Command(name = "migrate", mixinStandardHelpOptions = true, description = {
        "Move models from a legacy directory (flat copy, Hugging Face cache, ComfyUI models/ tree) into the store.",
        "STEP: analyze (what is there), plan (what execute would do), execute (do it: hardlink or copy, hash every",
        "byte, journal each step in MODELS_ROOT/.tmp/migrate-<hash>.json; run it again after a kill to resume).",
        "Legacy files are never written, moved or deleted; hardlinked ones become read-only with the store (--copy avoids it)."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:done", "2:usage error", "3:configuration or manifest",
                "4:unknown model or variant", "5:filesystem (the legacy tree cannot be read, NO_SPACE)",
                "7:a legacy file changed while migrating", "8:lock timeout", "70:internal error (a bug)", "130:interrupted"})
class migrate implements Callable<Integer> {
    enum Step { analyze, plan, execute }

    @Parameters(index = "0", description = "analyze, plan or execute") Step step;
    @Parameters(index = "1", paramLabel = "OLD_PATH", description = "the legacy directory (only read)") Path oldPath;
    @Option(names = "--only", split = ",", paramLabel = "ID", description = "only these models") List<String> only = new ArrayList<>();
    @Option(names = "--variant", description = "one variant for all models") String variant;
    @Option(names = "--copy", description = "copy instead of hardlinking") boolean copy;
    @Option(names = "--root", description = "models root (default: $MODELS_ROOT)") Path root;
    @Option(names = "--manifest", description = "manifest (default: $WAN_MODELS_MANIFEST)") Path manifest;
    @Option(names = "--json", description = "one JSON document on stdout") boolean json;

    public static void main(String... args) {
        System.exit(new CommandLine(new migrate()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println("migrate: INTERNAL: " + e + " (a bug: please report it with this line)");
            return 70;
        }).execute(args));
    }

    @Override
    public Integer call() {
        try {
            ModelEnsurer ensurer = ModelEnsurer.create(WanConfig.resolve(System.getenv(), root, manifest), Clock.systemUTC());
            Migrator migrator = Migrator.create(ensurer);
            MigrateOptions options = new MigrateOptions(only, variant, copy);
            Map<String, Object> doc = new LinkedHashMap<>();
            int exit = 0;
            switch (step) {
                case analyze -> report(doc, migrator.analyze(oldPath, options));
                case plan -> report(doc, migrator.plan(oldPath, options));
                case execute -> {
                    MigrationResult r = migrator.execute(oldPath, options);
                    report(doc, r.plan());
                    List<Map<String, Object>> results = new ArrayList<>();
                    for (MigrationResult.ModelResult m : r.models()) {
                        results.add(map("model", m.model(), "variant", m.variant(), "state", m.state(),
                                "filesLinked", m.filesLinked(), "filesCopied", m.filesCopied(),
                                "error", m.ok() ? null : m.error().code() + ": " + m.error().getMessage()));
                        if (!m.ok() && exit == 0) {
                            exit = m.error().code().exitCode();
                        }
                    }
                    doc.put("results", results);
                    doc.put("bytesCopied", r.bytesCopied());
                    doc.put("bytesLinked", r.bytesLinked());
                    doc.put("resumed", r.resumed());
                }
            }
            print(doc);
            return exit;
        } catch (WanException e) {
            System.err.println("migrate: " + e.code() + ": " + TerminalText.escape(e.getMessage() + "; " + e.hint()));
            return e.code().exitCode();
        }
    }

    void report(Map<String, Object> doc, Analysis a) {
        doc.put("legacyRoot", a.resolvedRoot());
        doc.put("layouts", a.layouts().stream().map(l -> l.label()).sorted().toList());
        doc.put("matches", a.matches().stream().map(m -> map("model", m.model(), "path", m.path(),
                "matchedBy", m.matchedBy().label(), "legacyPath", m.legacy().path())).toList());
        doc.put("mismatches", a.mismatches().stream().map(m -> map("legacyPath", m.legacy().path(), "reason", m.reason())).toList());
        doc.put("unmatched", a.unmatched().stream().map(f -> f.path()).toList());
        doc.put("skipped", a.skipped().stream().map(s -> s.path() + ": " + s.reason()).toList());
    }

    void report(Map<String, Object> doc, MigrationPlan p) {
        report(doc, p.analysis());
        doc.put("models", p.models().stream().map(m -> map("model", m.model(), "variant", m.variant(),
                "before", m.before(), "after", m.after(), "bytesToCopy", m.bytesToCopy(), "bytesLinked", m.bytesLinked(),
                "missing", m.missing())).toList());
        doc.put("notes", p.notes());
    }

    void print(Map<String, Object> doc) {
        if (json) {
            System.out.println(toJson(doc));
            return;
        }
        doc.forEach((k, v) -> {
            if (v instanceof List<?> list) {
                System.out.println(k + " (" + list.size() + "):");
                list.forEach(item -> System.out.println("  " + item));
            } else {
                System.out.println(k + ": " + (k.startsWith("bytes") ? ByteSize.format((Long) v) : v));
            }
        });
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** A small JSON writer: maps, lists, numbers, booleans; everything else as an escaped string. */
    static String toJson(Object v) {
        if (v == null) return "null";
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            m.forEach((k, x) -> parts.add(toJson(k) + ": " + toJson(x)));
            return "{" + String.join(", ", parts) + "}";
        }
        if (v instanceof List<?> l) return "[" + String.join(", ", l.stream().map(migrate::toJson).toList()) + "]";
        StringBuilder sb = new StringBuilder("\"");
        for (char c : v.toString().toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }
}
