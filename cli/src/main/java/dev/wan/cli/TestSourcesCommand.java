package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.SourceCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "test-sources", mixinStandardHelpOptions = true,
        description = {"Check every source of the models (default: all).",
                "Per source: reachable, credentials accepted, files listed, a stat and a 1 MiB ranged read"
                        + " of the largest file, each timed. Writes nothing.",
                "Exit 6 when any source fails (a failing source is fine if another one serves the model)."})
final class TestSourcesCommand extends Verb {
    @Mixin
    Selection selection;

    @Override
    public Integer call() {
        return run(this, selection, "test-sources", true);
    }

    /** Shared with test-auth, which is this without the ranged read. */
    static int run(Verb verb, Selection selection, String command, boolean readBytes) {
        Output o = verb.output();
        ModelEnsurer ensurer = verb.common.ensurer(null);
        List<SourceCheck> checks = new ArrayList<>();
        for (String id : selection.resolve(ensurer.manifest(), true)) {
            checks.addAll(ensurer.testSources(id, selection.variant, readBytes));
        }
        boolean ok = checks.stream().allMatch(SourceCheck::ok);
        if (o.json) {
            ObjectNode doc = o.document(command, ok);
            json(doc.putArray("sources"), checks);
            o.print(doc);
        } else if (ensurer.manifest().models().isEmpty()) {
            o.noModels(ensurer.config().manifest());
        } else {
            for (SourceCheck c : checks) {
                o.line(line(c, readBytes));
            }
        }
        return ok ? WanCli.EXIT_OK : dev.wan.ErrorCode.SOURCE_UNAVAILABLE.exitCode();
    }

    /** The {@code sources[]} of test-sources, test-auth and diagnose. */
    static void json(ArrayNode arr, List<SourceCheck> checks) {
        for (SourceCheck c : checks) {
            ObjectNode n = arr.addObject();
            n.put("model", c.model());
            n.put("source", c.source());
            n.put("ok", c.ok());
            n.put("code", c.code() == null ? null : c.code().name());
            n.put("message", c.message());
            n.put("credentials", c.credentials());
            n.put("revision", c.revision());
            n.put("filesListed", c.filesListed());
            n.put("manifestFilesFound", c.manifestFilesFound());
            n.put("openMillis", c.openMillis());
            n.put("listMillis", c.listMillis());
            n.put("statMillis", c.statMillis());
            n.put("readBytes", c.readBytes());
            n.put("readMillis", c.readMillis());
        }
    }

    /** One source as test-sources prints it (unescaped: the caller escapes). */
    static String line(SourceCheck c, boolean readBytes) {
        String detail = c.ok()
                ? (c.filesListed() >= 0 ? c.filesListed() + " files listed (" + c.manifestFilesFound()
                        + " of the manifest's), " : "")
                        + (readBytes ? String.format(Locale.ROOT, "read %s in %d ms (%s/s)",
                        Output.bytes(c.readBytes()), c.readMillis(), Output.bytes((long) c.readRate())) : "accepted")
                        + ("ok".equals(c.message()) ? "" : "; note: " + c.message())
                : c.code() + ": " + c.message();
        return String.format(Locale.ROOT, "%-4s %-24s %s  [%s%s]  %s", c.ok() ? "ok" : "FAIL", c.model(),
                c.source(), c.credentials(), c.revision() == null ? "" : ", revision " + c.revision(), detail);
    }
}
