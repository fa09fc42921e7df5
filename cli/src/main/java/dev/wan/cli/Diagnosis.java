package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.SourceCheck;
import dev.wan.manifest.Manifests;
import dev.wan.text.TerminalText;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One run of every diagnose check, in report order, and the report in both forms (text that
 * fits 80 columns, and the JSON document). Secrets are masked in both ({@link SecretMask}).
 */
record Diagnosis(Instant at, List<Finding> findings, List<SourceCheck> sources, Path manifest) {
    static final int WIDTH = 80;
    private static final int NAME = 14;
    private static final String INDENT = " ".repeat(5 + NAME + 1);

    /** Runs the checks; never takes a lock, never hashes, changes nothing but the hardlink probe it removes. */
    static Diagnosis run(Map<String, String> env, Path rootFlag, Path manifestFlag, Clock clock, Duration sourceTimeout) {
        Instant at = clock.instant();
        List<Finding> f = new ArrayList<>();
        f.add(EnvironmentChecks.wanVersion());
        f.add(EnvironmentChecks.javaVersion());
        f.add(EnvironmentChecks.jbang(env));
        EnvironmentChecks.Result<WanConfig> config;
        try {
            config = new EnvironmentChecks.Result<>(WanConfig.resolve(env, rootFlag, manifestFlag), null);
        } catch (WanException e) {
            config = new EnvironmentChecks.Result<>(null, e);
        }
        f.add(EnvironmentChecks.configuration(env, rootFlag, manifestFlag, config));
        List<SourceCheck> sources = new ArrayList<>();
        if (config.value() == null) {
            return new Diagnosis(at, f, sources, null); // nothing else can be located
        }
        WanConfig c = config.value();
        try {
            f.addAll(new StoreChecks(c.modelsRoot(), clock, LockTable.read()).all());
        } catch (WanException e) { // each check maps what it expects; this is what none did
            f.add(Finding.fail("models root", e.code(), e.getMessage(), e.hint(), List.of()));
        }
        Manifests.Report report;
        try {
            report = Manifests.validate(c.manifest());
        } catch (WanException e) { // no manifest there, or one that cannot be read at all
            f.add(Finding.fail("manifest", e.code(), e.getMessage(), e.hint(), List.of()));
            f.add(Finding.warn("sources", "not checked: no manifest", "fix the manifest first", List.of()));
            return new Diagnosis(at, f, sources, null);
        }
        f.add(SourceChecks.manifest(report, c.manifest()));
        if (!report.valid()) {
            f.add(Finding.warn("sources", "not checked: the manifest has errors", "fix the manifest first", List.of()));
            return new Diagnosis(at, f, sources, c.manifest());
        }
        try {
            ModelEnsurer ensurer = ModelEnsurer.create(c, clock, List.of());
            f.add(SourceChecks.sources(ensurer, sourceTimeout, sources));
            f.add(SourceChecks.clockSkew(SourceChecks.s3Endpoints(ensurer.manifest(), c), clock));
        } catch (WanException e) {
            if (e.code() == ErrorCode.INTERRUPTED) {
                throw e;
            }
            f.add(Finding.fail("sources", e.code(), e.getMessage(), e.hint(), List.of()));
        }
        return new Diagnosis(at, f, sources, c.manifest());
    }

    boolean ok() {
        return findings.stream().noneMatch(x -> x.status() == Finding.Status.FAIL);
    }

    /** 0 without a failure; else the exit code of the first failing check's error code (README "Exit codes"). */
    int exitCode() {
        return findings.stream().filter(x -> x.status() == Finding.Status.FAIL).findFirst()
                .map(x -> (x.code() == null ? ErrorCode.INTERNAL : x.code()).exitCode()).orElse(WanCli.EXIT_OK);
    }

    long count(Finding.Status s) {
        return findings.stream().filter(x -> x.status() == s).count();
    }

    /**
     * The report for people: one block per check, wrapped to {@link #WIDTH} columns, escaped;
     * details of passing checks only when {@code allDetails} (--verbose, and in the bundle).
     */
    String text(boolean allDetails, SecretMask mask) {
        StringBuilder out = new StringBuilder();
        out.append(clip("wan diagnose, " + Output.time(at) + ": " + count(Finding.Status.PASS) + " pass, "
                + count(Finding.Status.WARN) + " warn, " + count(Finding.Status.FAIL) + " fail", mask)).append('\n');
        for (Finding x : findings) {
            String head = String.format("%-4s %-" + NAME + "s ", x.status(), x.check());
            List<String> lines = wrap(TerminalText.escape(mask.apply(x.message())), WIDTH - INDENT.length());
            out.append(head).append(lines.get(0)).append('\n');
            lines.subList(1, lines.size()).forEach(l -> out.append(INDENT).append(l).append('\n'));
            if (!x.fix().isEmpty()) {
                for (String l : wrap("fix: " + TerminalText.escape(mask.apply(x.fix())), WIDTH - INDENT.length())) {
                    out.append(INDENT).append(l).append('\n');
                }
            }
            if (allDetails || x.status() != Finding.Status.PASS) {
                for (String detail : x.details()) {
                    List<String> dl = wrap(TerminalText.escape(mask.apply(detail)), WIDTH - INDENT.length() - 2);
                    out.append(INDENT).append("- ").append(dl.get(0)).append('\n');
                    dl.subList(1, dl.size()).forEach(l -> out.append(INDENT).append("  ").append(l).append('\n'));
                }
            }
        }
        return out.toString();
    }

    private static String clip(String s, SecretMask mask) {
        String e = TerminalText.escape(mask.apply(s));
        return e.length() <= WIDTH ? e : e.substring(0, WIDTH);
    }

    /** Words to lines of at most {@code width}; a longer word (a path) is cut. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            while (word.length() > width) {
                if (line.length() > 0) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                lines.add(word.substring(0, width));
                word = word.substring(width);
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0 || lines.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** The JSON document (README "JSON output", {@code diagnose}); strings masked, escaped by the writer. */
    ObjectNode json(Output o, SecretMask mask, String bundle) {
        ObjectNode doc = o.document("diagnose", ok());
        doc.put("exitCode", exitCode());
        doc.put("generatedAt", at.toString());
        ObjectNode summary = doc.putObject("summary");
        summary.put("pass", count(Finding.Status.PASS));
        summary.put("warn", count(Finding.Status.WARN));
        summary.put("fail", count(Finding.Status.FAIL));
        ArrayNode checks = doc.putArray("checks");
        for (Finding x : findings) {
            ObjectNode n = checks.addObject();
            n.put("check", x.check());
            n.put("status", x.status().name().toLowerCase(java.util.Locale.ROOT));
            n.put("message", mask.apply(x.message()));
            n.put("fix", mask.apply(x.fix()));
            n.put("code", x.code() == null ? null : x.code().name());
            ArrayNode d = n.putArray("details");
            x.details().forEach(s -> d.add(mask.apply(s)));
        }
        ArrayNode arr = doc.putArray("sources");
        TestSourcesCommand.json(arr, sources);
        arr.forEach(n -> ((ObjectNode) n).put("message", mask.apply(n.path("message").asText(null)))
                .put("credentials", mask.apply(n.path("credentials").asText(null))));
        doc.put("bundle", bundle);
        return doc;
    }
}
