///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS dev.wan:wan-lib:0.1.0-SNAPSHOT
//DEPS info.picocli:picocli:4.7.7
//DEPS org.slf4j:slf4j-nop:2.0.17

// Adopt models already in the local Hugging Face cache into the wan store, with zero bytes
// downloaded: for each manifest model with an hf://org/repo source whose repo is in the cache,
// its snapshot files are matched (by sha256, else path + size), hardlinked (or --copy'd) into the
// store and verified. Files the cache lacks stay missing (the model stays PARTIAL; `wan ensure`
// downloads them later). Copy this file and adapt it.
//
// Cache: --hub DIR, else $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
// Exit codes (the README's): 0 done; 2 usage; 3 configuration or manifest; 4 unknown model;
// 5 filesystem (e.g. no cache directory); 7 a cached file does not match; 8 lock timeout; 130 interrupted.

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.manifest.ModelSpec;
import dev.wan.manifest.SourceRef;
import dev.wan.migrate.MigrateOptions;
import dev.wan.migrate.MigrationPlan;
import dev.wan.migrate.MigrationResult;
import dev.wan.migrate.Migrator;
import dev.wan.store.ByteSize;
import dev.wan.text.TerminalText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

@Command(name = "import-hf-cache", mixinStandardHelpOptions = true, description = {
        "Adopt models already in the local Hugging Face cache into the wan store: zero bytes downloaded.",
        "Cache: --hub, else $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:done", "2:usage error", "3:configuration or manifest",
                "4:unknown model", "5:filesystem (no cache directory, NO_SPACE)", "7:a cached file does not match",
                "8:lock timeout", "70:internal error (a bug)", "130:interrupted"})
class import_hf_cache implements Callable<Integer> {
    @Option(names = "--hub", paramLabel = "DIR", description = "the hub cache directory") Path hub;
    @Option(names = "--only", split = ",", paramLabel = "ID", description = "only these models") List<String> only = new ArrayList<>();
    @Option(names = "--variant", description = "one variant for all models") String variant;
    @Option(names = "--copy", description = "copy instead of hardlinking (cache files keep their mode)") boolean copy;
    @Option(names = "--dry-run", description = "print the plan, change nothing") boolean dryRun;
    @Option(names = "--root", description = "models root (default: $MODELS_ROOT)") Path root;
    @Option(names = "--manifest", description = "manifest (default: $WAN_MODELS_MANIFEST)") Path manifest;
    @Option(names = "--json", description = "one JSON line per model on stdout") boolean json;

    public static void main(String... args) {
        System.exit(new CommandLine(new import_hf_cache()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println("import-hf-cache: INTERNAL: " + e + " (a bug: please report it with this line)");
            return 70;
        }).execute(args));
    }

    static Path hubDir(Map<String, String> env) {
        if (env.get("HF_HUB_CACHE") != null) return Path.of(env.get("HF_HUB_CACHE"));
        if (env.get("HF_HOME") != null) return Path.of(env.get("HF_HOME"), "hub");
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    @Override
    public Integer call() {
        try {
            Path cache = hub != null ? hub : hubDir(System.getenv());
            if (!Files.isDirectory(cache)) {
                throw new WanException(ErrorCode.FILESYSTEM_ERROR, "no Hugging Face cache at " + cache,
                        "pass --hub DIR or set HF_HUB_CACHE");
            }
            ModelEnsurer ensurer = ModelEnsurer.create(WanConfig.resolve(System.getenv(), root, manifest), Clock.systemUTC());
            Migrator migrator = Migrator.create(ensurer);
            int exit = 0;
            for (ModelSpec spec : ensurer.manifest().models().values()) {
                String id = spec.id().toString();
                if (!only.isEmpty() && !only.contains(id) && !only.contains(spec.id().name())) continue;
                for (SourceRef source : spec.sources()) {
                    if (!source.scheme().equals("hf")) continue;
                    String repo = source.uri().substring("hf://".length()).split("@")[0];
                    Path repoDir = cache.resolve("models--" + repo.replace("/", "--"));
                    if (!Files.isDirectory(repoDir.resolve("snapshots"))) continue;
                    MigrateOptions options = new MigrateOptions(List.of(id), variant, copy);
                    if (dryRun) {
                        MigrationPlan p = migrator.plan(repoDir, options);
                        p.models().forEach(m -> say(id, repo, m.after() + " (plan)", m.bytesLinked(), m.bytesToCopy(), null));
                    } else {
                        MigrationResult r = migrator.execute(repoDir, options);
                        for (MigrationResult.ModelResult m : r.models()) {
                            say(id, repo, String.valueOf(m.state()), r.bytesLinked(), m.bytesCopied(),
                                    m.ok() ? null : m.error().code() + ": " + m.error().getMessage());
                            if (!m.ok() && exit == 0) exit = m.error().code().exitCode();
                        }
                    }
                    break; // one cached repo per model is enough
                }
            }
            return exit;
        } catch (WanException e) {
            System.err.println("import-hf-cache: " + e.code() + ": " + TerminalText.escape(e.getMessage() + "; " + e.hint()));
            return e.code().exitCode();
        }
    }

    void say(String id, String repo, String state, long linked, long copied, String error) {
        if (json) {
            System.out.printf("{\"model\": \"%s\", \"repo\": \"%s\", \"state\": \"%s\", \"bytesLinked\": %d, \"bytesCopied\": %d,"
                    + " \"bytesDownloaded\": 0, \"error\": %s}%n", id, repo, state, linked, copied,
                    error == null ? "null" : "\"" + error.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        } else {
            System.out.printf("%-32s %-12s from hf cache %s: linked %s, copied %s%s%n", id, state, repo,
                    ByteSize.format(linked), ByteSize.format(copied), error == null ? "" : "  " + error);
        }
    }
}
