package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.ErrorCode;
import dev.wan.ensure.FileState;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.VerificationResult;
import dev.wan.text.TerminalText;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Re-hash every file of the models and record the result.",
                "Default: every model that is on disk.",
                "A mismatch marks the file and the model CORRUPT in 'status' and leaves the file in place.",
                "'wan ensure' repairs it: it moves the bad file to .quarantine/ and fetches it again.",
                "Exit code 7 (integrity) when any required file is missing or does not match."})
final class VerifyCommand extends Verb {
    @Mixin
    Selection selection;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to wait for another process working on the same model (default: 30m).")
    Duration lockTimeout;

    @Override
    public Integer call() {
        Output o = output();
        ModelEnsurer ensurer = common.ensurer(lockTimeout);
        ensurer.checkStore();
        boolean named = !selection.ids.isEmpty() || !selection.only.isEmpty() || selection.all;
        List<String> ids = selection.resolve(ensurer.manifest(), true).stream()
                .filter(id -> named || ensurer.status(id, selection.variant).directory().toFile().isDirectory())
                .toList();
        List<VerificationResult> results;
        try (Progress progress = Progress.open(o.err, !o.quiet && !o.json)) {
            if (!o.quiet) {
                ensurer.addListener(progress); // re-hashing 100 GB takes a while: show it, as ensure does
            }
            results = ids.stream().map(id -> ensurer.verifyIntegrity(id, selection.variant)).toList();
        }
        boolean ok = results.stream().allMatch(VerificationResult::verified);
        if (o.json) {
            ObjectNode doc = o.document("verify", ok);
            ArrayNode models = doc.putArray("models");
            for (VerificationResult r : results) {
                ObjectNode m = models.addObject();
                m.put("model", r.model());
                m.put("variant", r.variant());
                m.put("verified", r.verified());
                ArrayNode files = m.putArray("files");
                for (VerificationResult.FileCheck c : r.files()) {
                    ObjectNode f = files.addObject();
                    f.put("path", c.path());
                    f.put("state", c.state().name());
                    f.put("optional", c.optional());
                    f.put("expectedSha256", c.expectedSha256());
                    f.put("actualSha256", c.actualSha256());
                }
            }
            o.print(doc);
        } else {
            if (results.isEmpty()) {
                o.line("nothing to verify: no model is on disk under " + ensurer.config().modelsRoot());
            }
            for (VerificationResult r : results) {
                o.line(r.model() + ": " + (r.verified() ? "verified, " + r.files().size() + " file(s) match"
                        : r.failures().size() + " problem(s)"));
                for (VerificationResult.FileCheck c : r.failures()) {
                    o.line("    " + c.state() + "  " + c.path() + (c.state() == FileState.CORRUPT
                            ? "  expected " + c.expectedSha256() + ", found " + c.actualSha256() : ""));
                }
            }
            if (!ok) {
                // the exact command that repairs them, with the variant that was verified
                List<String> bad = results.stream().filter(r -> !r.verified()).map(VerificationResult::model).toList();
                o.err.println(TerminalText.escape("wan: verify changes no file; repair with 'wan ensure "
                        + String.join(" ", bad) + (selection.variant == null ? "" : " --variant " + selection.variant)
                        + "' (it fetches missing files, and moves files that fail verification to .quarantine/ and fetches them again)"));
                o.err.flush();
            }
        }
        return ok ? WanCli.EXIT_OK : ErrorCode.CHECKSUM_FAIL.exitCode();
    }
}
