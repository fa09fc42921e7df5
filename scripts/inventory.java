///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS dev.wan:wan-lib:0.1.0-SNAPSHOT
//DEPS info.picocli:picocli:4.7.7
//DEPS org.slf4j:slf4j-nop:2.0.17

// inventory: every model in one or more stores, as a table, CSV or JSON. For the weekly
// "what is on our GPU boxes" report: run it on each box (cron, ssh) and concatenate the CSVs.
// Reads only: a stat per file and the state files, no hashing, no lock, nothing written.
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.FileStatus;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelStatus;
import dev.wan.ensure.StoredModel;
import dev.wan.store.ByteSize;
import dev.wan.text.TerminalText;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "inventory", mixinStandardHelpOptions = true, version = "wan inventory 0.1.0",
        description = {"Lists every model in one or more wan stores: state, bytes on disk, last use, pin, source"
                + " (an hf:// source shows the commit it was fetched at).",
                "Models of the manifest that are absent are left out (--all shows them); model directories the"
                + " manifest does not declare (another manifest, an old version) show as NOT_IN_MANIFEST.",
                "Reads only: no hashing, no lock, nothing written. The state is what 'wan status' says."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed", "2:usage error (unknown option, bad value)",
                "3:configuration or manifest (INVALID_CONFIG, MANIFEST_VALIDATION_ERROR, PATH_TRAVERSAL_DETECTED ...)",
                "5:filesystem (a store cannot be read: PERMISSION_DENIED, FILESYSTEM_ERROR)",
                "70:internal error (a bug)"})
class inventory implements Callable<Integer> {
    @Option(names = "--root", paramLabel = "DIR", description = "a store (repeat for several; default $MODELS_ROOT)")
    List<Path> roots = new ArrayList<>();
    @Option(names = "--manifest", paramLabel = "FILE", description = "manifest (default $WAN_MODELS_MANIFEST)")
    Path manifest;
    @Option(names = "--all", description = "also list the manifest's models that are not in the store")
    boolean all;
    @Option(names = "--csv", description = "CSV with a header line (bytes and times in full)")
    boolean csv;
    @Option(names = "--json", description = "a JSON array of models on stdout")
    boolean json;

    /** One line of the report: everything is plain data, so table, CSV and JSON print the same thing. */
    record Row(String root, String model, String state, long bytes, Instant lastUsed, boolean pinned,
               String source, String revision) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new inventory()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println("inventory: INTERNAL: " + e + " (a bug: please report it with this line)");
            return 70;
        }).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, List<Row>> byRoot = new LinkedHashMap<>();
        try {
            for (Path root : roots.isEmpty() ? java.util.Collections.<Path>singletonList(null) : roots) {
                ModelEnsurer ensurer = ModelEnsurer.create(WanConfig.resolve(System.getenv(), root, manifest));
                byRoot.put(ensurer.config().modelsRoot().toString(), rowsOf(ensurer));
            }
        } catch (WanException e) {
            System.err.println("inventory: " + e.code() + ": " + TerminalText.escape(e.getMessage())
                    + (e.hint() == null ? "" : "; " + TerminalText.escape(e.hint())));
            return e.code().exitCode();
        }
        List<Row> rows = byRoot.values().stream().flatMap(List::stream).toList();
        if (json) {
            List<Map<String, Object>> models = rows.stream().map(inventory::asMap).toList();
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(models));
        } else if (csv) {
            System.out.println("root,model,state,bytes,last_used,pinned,source,revision");
            rows.forEach(r -> System.out.println(String.join(",", csv(r.root()), csv(r.model()), r.state(),
                    Long.toString(r.bytes()), r.lastUsed() == null ? "" : r.lastUsed().toString(),
                    Boolean.toString(r.pinned()), csv(r.source()), csv(r.revision()))));
        } else {
            byRoot.forEach((root, list) -> table(root, list, byRoot.size() > 1));
        }
        return 0;
    }

    /** The manifest's models (status: a stat per file), then directories the manifest does not declare. */
    List<Row> rowsOf(ModelEnsurer ensurer) {
        String root = ensurer.config().modelsRoot().toString();
        Map<String, StoredModel> stored = new LinkedHashMap<>();
        ensurer.storedModels().forEach(m -> stored.put(m.model(), m));
        List<Row> rows = new ArrayList<>();
        for (ModelStatus s : ensurer.statusAll()) {
            StoredModel disk = stored.remove(s.model());
            if (disk == null && s.state().name().equals("NOT_PRESENT") && !all) {
                continue;
            }
            List<String> sources = s.files().stream().map(FileStatus::source).filter(Objects::nonNull).distinct().toList();
            String source = sources.isEmpty() ? "" : sources.get(0) + (sources.size() > 1 ? " (+" + (sources.size() - 1) + ")" : "");
            String revision = sources.size() == 1 && source.startsWith("hf://") && source.contains("@")
                    ? source.substring(source.lastIndexOf('@') + 1) : "";
            Instant used = s.lastUsed() != null ? s.lastUsed() : disk == null ? null : disk.lastUsed();
            rows.add(new Row(root, s.model(), s.state().name(), disk == null ? 0 : disk.bytes(), used, s.pinned(),
                    source, revision));
        }
        for (StoredModel m : stored.values()) {
            rows.add(new Row(root, m.model(), "NOT_IN_MANIFEST", m.bytes(), m.lastUsed(), m.pinned(),
                    m.symlinked() ? "(directory is a link)" : "", ""));
        }
        return rows;
    }

    static Map<String, Object> asMap(Row r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("root", r.root());
        m.put("model", r.model());
        m.put("state", r.state());
        m.put("bytes", r.bytes());
        m.put("lastUsed", r.lastUsed() == null ? null : r.lastUsed().toString());
        m.put("pinned", r.pinned());
        m.put("source", r.source().isEmpty() ? null : r.source());
        m.put("revision", r.revision().isEmpty() ? null : r.revision());
        return m;
    }

    static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** A table that fits 80 columns; the source column gets what is left, cut with '~' (ASCII: any locale). */
    void table(String root, List<Row> rows, boolean several) {
        if (several) {
            System.out.println(root + ":");
        }
        if (rows.isEmpty()) {
            System.out.println("no models in " + root + (all ? "" : " (--all lists the manifest's models too)"));
            return;
        }
        int id = Math.max(5, Math.min(28, rows.stream().mapToInt(r -> r.model().length()).max().orElse(5)));
        int state = rows.stream().mapToInt(r -> r.state().length()).max().orElse(5);
        String fmt = "%-" + id + "s %-" + state + "s %10s %-10s %-3s %s%n";
        System.out.printf(fmt, "MODEL", "STATE", "SIZE", "LAST USE", "PIN", "SOURCE");
        for (Row r : rows) {
            // a commit is shown as git does (12 hex digits), the rest cut to fit: --csv and --json have it all
            String src = TerminalText.escape(r.source()).replaceAll("@([0-9a-f]{12})[0-9a-f]{28}\\b", "@$1");
            int room = Math.max(10, 80 - id - state - 28);
            src = src.length() > room ? src.substring(0, room - 1) + "~" : src;
            String model = r.model().length() > id ? r.model().substring(0, id - 1) + "~" : r.model();
            System.out.printf(fmt, model, r.state(), ByteSize.format(r.bytes()),
                    r.lastUsed() == null ? "-" : r.lastUsed().toString().substring(0, 10), r.pinned() ? "pin" : "", src);
        }
        if (several) {
            System.out.println();
        }
    }
}
