package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.internal.io.Fs;
import dev.wan.internal.store.Deduplicator;
import dev.wan.internal.store.StoreLayout;
import dev.wan.text.TerminalText;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "deduplicate", mixinStandardHelpOptions = true,
        description = {"Hardlink identical files across (and within) model directories so their bytes are stored once.",
                "Finds candidates by size, then compares sha256 (recorded when trusted, else hashed); never by path.",
                "Linked files are made read-only. Reports the bytes truly freed."})
final class DeduplicateCommand extends Verb {
    @Option(names = "--dry-run", description = "Print what would be linked and the bytes it would free; change nothing.")
    boolean dryRun;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to wait for a model another process is working on before skipping it (default: 10s).")
    Duration lockTimeout = Duration.ofSeconds(10);

    @Override
    public Integer call() {
        Output o = output();
        StoreLayout layout = new StoreLayout(common.config(null).modelsRoot());
        layout.checkUsable();
        Deduplicator.Result r;
        try {
            r = new Deduplicator(layout, lockTimeout, Clock.systemUTC()).run(dryRun);
        } catch (IOException e) {
            throw Fs.map(e, "cannot deduplicate " + layout.modelsDir());
        }
        if (o.json) {
            ObjectNode doc = o.document("deduplicate", true);
            doc.put("modelsRoot", layout.root().toString());
            doc.put("dryRun", r.dryRun());
            doc.put("filesScanned", r.filesScanned());
            doc.put("filesHashed", r.filesHashed());
            doc.put("bytesHashed", r.bytesHashed());
            doc.put("groups", r.groups());
            doc.put("filesLinked", r.links().size());
            doc.put("bytesSaved", r.bytesSaved());
            ArrayNode links = doc.putArray("links");
            for (Deduplicator.Link l : r.links()) {
                ObjectNode n = links.addObject();
                n.put("file", l.file());
                n.put("linkedTo", l.linkedTo());
                n.put("size", l.size());
                n.put("sha256", l.sha256());
            }
            ArrayNode skipped = doc.putArray("skipped");
            r.skipped().forEach(skipped::add);
            o.print(doc);
            return WanCli.EXIT_OK;
        }
        if (!o.quiet) {
            for (Deduplicator.Link l : r.links()) {
                o.line((r.dryRun() ? "would link " : "linked ") + l.file() + " -> " + l.linkedTo()
                        + "  (" + Output.bytes(l.size()) + ")");
            }
        }
        for (String s : r.skipped()) {
            o.err.println("wan: skipped " + TerminalText.escape(s));
        }
        o.line(String.format(java.util.Locale.ROOT, "%s%d file(s) in %d group(s) of identical content; %s %s (%d bytes)"
                        + "; scanned %d file(s), hashed %d",
                r.dryRun() ? "dry run: " : "", r.links().size(), r.groups(), r.dryRun() ? "would free" : "freed",
                Output.bytes(r.bytesSaved()), r.bytesSaved(), r.filesScanned(), r.filesHashed()));
        return WanCli.EXIT_OK;
    }
}
