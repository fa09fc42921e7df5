///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS dev.wan:wan-lib:0.1.0-SNAPSHOT
//DEPS info.picocli:picocli:4.7.7
//DEPS org.slf4j:slf4j-nop:2.0.17

// nightly: re-hash every model in the store, then collect garbage. Made for cron:
//   0 3 * * *  MODELS_ROOT=/data/models jbang nightly@org --max-age 30d || mail-the-team
// Silent and exit 0 when all is well; on a problem, one summary on stderr and a non-zero exit.
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.*;
import dev.wan.gc.*;
import dev.wan.store.ByteSize;
import dev.wan.text.TerminalText;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "nightly", mixinStandardHelpOptions = true, version = "wan nightly 0.1.0",
        description = {"Verifies every model in the store (re-hashes each variant that is on disk; skips models"
                + " another process holds), then runs gc with the given policy (without one, gc only clears"
                + " leftovers of crashed runs; --max-size defaults to $WAN_MAX_TOTAL_SIZE).",
                "Prints nothing and exits 0 when all is well (--verbose says what it did); on a problem it prints"
                + " a summary on stderr and exits non-zero. A corrupt file is left where it is: 'wan ensure ID'"
                + " repairs it. --json prints a report on stdout either way."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all models verified (or skipped as busy), gc done", "2:usage error",
                "3:configuration or manifest (INVALID_CONFIG, MANIFEST_VALIDATION_ERROR ...)",
                "5:gc could not delete a model (FAILED), or a filesystem error",
                "7:a model is corrupt or incomplete (CHECKSUM_FAIL, SIZE_MISMATCH, INCOMPLETE_DOWNLOAD)",
                "8:a model stayed locked past --lock-timeout (LOCK_TIMEOUT)", "70:internal error (a bug)"})
class nightly implements Callable<Integer> {
    @Option(names = "--root", paramLabel = "DIR", description = "the store (default $MODELS_ROOT)")
    Path root;
    @Option(names = "--manifest", paramLabel = "FILE", description = "manifest (default $WAN_MODELS_MANIFEST)")
    Path manifest;
    @Option(names = "--max-size", paramLabel = "SIZE", converter = Size.class,
            description = "gc: keep the models within SIZE (100GB, 500GiB)")
    Long maxSize;
    @Option(names = "--max-age", paramLabel = "AGE", converter = Age.class,
            description = "gc: delete unpinned models unused for AGE (30d, 12h, 90m)")
    Duration maxAge;
    @Option(names = "--min-free", paramLabel = "SIZE", converter = Size.class,
            description = "gc: delete until the disk has SIZE free")
    Long minFree;
    @Option(names = "--dry-run", description = "gc only plans (and prints what it would delete); verify still runs")
    boolean dryRun;
    @Option(names = "--lock-timeout", paramLabel = "AGE", defaultValue = "1m", converter = Age.class,
            description = "wait for a busy model (default 1m)")
    Duration lockTimeout;
    @Option(names = "--json", description = "a JSON report on stdout")
    boolean json;
    @Option(names = {"-v", "--verbose"}, description = "say what was verified and collected, also on success")
    boolean verbose;

    /** What --json says about gc (Jackson writes records as objects). */
    record GcReport(boolean dryRun, List<Deleted> deleted, long bytesReclaimed, boolean goalMet) { }
    record Deleted(String model, String reason, long bytesFreed) { }

    final List<String> problems = new ArrayList<>();
    final Map<String, Object> report = new LinkedHashMap<>();
    int exit = 0;

    public static void main(String[] args) {
        System.exit(new CommandLine(new nightly()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println("nightly: INTERNAL: " + e + " (a bug: please report it with this line)");
            return 70;
        }).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try {
            WanConfig config = WanConfig.resolve(System.getenv(), root, manifest).withLockTimeout(lockTimeout);
            var quota = config.settings().maxTotalSize(); // $WAN_MAX_TOTAL_SIZE, as 'wan gc' does
            Long size = maxSize != null || quota.isEmpty() ? maxSize : Long.valueOf(quota.getAsLong());
            GcPolicy policy = GcPolicy.of(size, maxAge, minFree);
            report.put("root", config.modelsRoot().toString());
            verify(ModelEnsurer.create(config));
            collect(GarbageCollector.create(config, Clock.systemUTC(), policy));
        } catch (WanException e) {
            problem(e);
        }
        report.put("ok", problems.isEmpty());
        report.put("problems", problems);
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        }
        if (!problems.isEmpty()) {
            System.err.println("nightly: " + problems.size() + " problem(s) in "
                    + report.getOrDefault("root", "the store") + ":");
            problems.forEach(p -> System.err.println("  " + p));
        }
        return exit;
    }

    /** Every variant on disk of every model in the manifest; a model someone else holds is skipped. */
    void verify(ModelEnsurer ensurer) {
        List<String> verified = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String id : ensurer.manifest().models().keySet().stream().map(Object::toString).toList()) {
            ModelStatus first = ensurer.status(id);
            if (first.state() == ModelState.NOT_PRESENT) {
                continue;
            }
            if (first.lockedBy() != null || first.state() == ModelState.VERIFYING) {
                skipped.add(id + " (busy: " + first.lockedBy() + ")");
                continue;
            }
            List<String> variants = ensurer.manifest().model(id).variants().stream()
                    .filter(v -> onDisk(ensurer.status(id, v))).toList();
            if (ensurer.manifest().model(id).variants().isEmpty() && onDisk(first)) {
                variants = Collections.singletonList(null); // a model without variants
            }
            if (variants.isEmpty()) {
                problem(7, id + ": incomplete (" + first.state() + ", missing " + first.missingFiles().size()
                        + " file(s)); 'wan ensure " + id + "' completes it");
            }
            for (String v : variants) {
                String name = id + (v == null ? "" : " " + v);
                try {
                    VerificationResult r = ensurer.verifyIntegrity(id, v);
                    verified.add(name);
                    if (!r.failures().isEmpty()) {
                        problem(7, name + ": " + r.failures().stream().map(f -> f.path() + " " + f.state())
                                .collect(java.util.stream.Collectors.joining(", ")) + "; 'wan ensure " + id
                                + (v == null ? "" : " --variant " + v) + "' repairs it");
                    }
                } catch (WanException e) { // e.g. LOCK_TIMEOUT: this model only, the others are still verified
                    problem(e);
                }
            }
        }
        report.put("verified", verified);
        report.put("skipped", skipped);
        if (verbose && !json) {
            System.err.println("nightly: verified " + verified.size() + " model variant(s)"
                    + (skipped.isEmpty() ? "" : ", skipped " + skipped));
        }
    }

    /** Every required file of the variant is there (whatever its bytes): the variant was ensured. */
    static boolean onDisk(ModelStatus s) {
        return s.files().stream().noneMatch(f -> !f.optional() && f.state() == FileState.MISSING);
    }

    void collect(GarbageCollector gc) {
        GcResult r = gc.collect(dryRun);
        List<Deleted> deleted = new ArrayList<>();
        for (GcPlan.Deletion d : dryRun ? r.plan().deletions() : r.deleted()) {
            deleted.add(new Deleted(d.model(), d.reason().name(), d.bytesFreed()));
            if (!json && (dryRun || verbose)) {
                System.out.println((dryRun ? "would delete " : "deleted ") + d.model() + " (" + d.reason() + ", "
                        + ByteSize.format(d.bytesFreed()) + ")");
            }
        }
        r.preserved().stream().filter(p -> p.reason() == GcPlan.Keep.FAILED)
                .forEach(p -> problem(5, "gc: " + p.model() + " could not be deleted: " + p.detail()));
        report.put("gc", new GcReport(dryRun, deleted, r.bytesReclaimed(), r.plan().goalMet()));
    }

    void problem(WanException e) {
        problem(e.code().exitCode(), e.code() + ": " + TerminalText.escape(e.getMessage())
                + (e.hint() == null ? "" : "; " + TerminalText.escape(e.hint())));
    }

    void problem(int code, String text) {
        problems.add(text);
        exit = exit == 0 ? code : exit; // the first problem decides the exit code
    }

    /** 30d, 12h, 90m, 45s, 0. */
    static class Age implements CommandLine.ITypeConverter<Duration> {
        public Duration convert(String text) {
            var m = java.util.regex.Pattern.compile("(\\d{1,9})([dhms]?)").matcher(text.strip());
            if (!m.matches() || m.group(2).isEmpty() && !m.group(1).equals("0")) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not a duration: use e.g. 30d, 12h, 90m, 45s");
            }
            long unit = Map.of("d", 86400, "h", 3600, "m", 60).getOrDefault(m.group(2), 1);
            return Duration.ofSeconds(Long.parseLong(m.group(1)) * unit);
        }
    }

    /** 100GB, 500GiB, 1.5TB. */
    static class Size implements CommandLine.ITypeConverter<Long> {
        public Long convert(String text) {
            try {
                return ByteSize.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
