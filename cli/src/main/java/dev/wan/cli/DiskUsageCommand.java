package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.internal.io.Fs;
import dev.wan.internal.store.StoreLayout;
import dev.wan.store.DiskUsage;
import java.io.IOException;
import java.util.Locale;
import picocli.CommandLine.Command;

@Command(name = "disk-usage", mixinStandardHelpOptions = true,
        description = {"Show bytes on disk per model and per family, and free space.",
                "A family is the name before its first '-' (t2v, i2v, ti2v…). Bytes are unique or shared with"
                        + " other models (hardlinks counted once); the quota ($WAN_MAX_TOTAL_SIZE, e.g. 500GB)"
                        + " is shown when set."})
final class DiskUsageCommand extends Verb {
    @Override
    public Integer call() {
        Output o = output();
        var config = common.config(null);
        StoreLayout layout = new StoreLayout(config.modelsRoot());
        layout.checkUsable();
        long quota = config.settings().maxTotalSize().orElse(-1);
        DiskUsage.Report r;
        try {
            r = DiskUsage.measure(layout.root(), quota);
        } catch (IOException e) {
            throw Fs.map(e, "cannot measure " + layout.modelsDir());
        }
        if (o.json) {
            ObjectNode doc = o.document("disk-usage", true);
            doc.put("modelsRoot", layout.root().toString());
            ArrayNode models = doc.putArray("models");
            for (DiskUsage.Model m : r.models()) {
                ObjectNode n = models.addObject();
                n.put("model", m.model());
                n.put("family", m.family());
                n.put("files", m.files());
                n.put("bytes", m.bytes());
                n.put("uniqueBytes", m.uniqueBytes());
                n.put("sharedBytes", m.sharedBytes());
                n.put("apparentBytes", m.apparentBytes());
            }
            ArrayNode families = doc.putArray("families");
            for (DiskUsage.Family f : r.families()) {
                ObjectNode n = families.addObject();
                n.put("family", f.family());
                ArrayNode ms = n.putArray("models");
                f.models().forEach(ms::add);
                n.put("bytes", f.bytes());
                n.put("uniqueBytes", f.uniqueBytes());
            }
            ObjectNode total = doc.putObject("total");
            total.put("bytes", r.bytes());
            total.put("apparentBytes", r.apparentBytes());
            total.put("savedByDedup", r.savedByDedup());
            doc.put("freeBytes", r.freeBytes());
            if (r.quotaBytes() >= 0) {
                doc.put("quotaBytes", r.quotaBytes());
            } else {
                doc.putNull("quotaBytes");
            }
            o.print(doc);
            return WanCli.EXIT_OK;
        }
        String row = "%-32s %-8s %10s %10s %10s";
        o.line(String.format(Locale.ROOT, row, "MODEL", "FAMILY", "ON DISK", "UNIQUE", "SHARED"));
        for (DiskUsage.Model m : r.models()) {
            o.line(String.format(Locale.ROOT, row, m.model(), m.family(), Output.bytes(m.bytes()),
                    Output.bytes(m.uniqueBytes()), Output.bytes(m.sharedBytes())));
        }
        o.line("");
        for (DiskUsage.Family f : r.families()) {
            o.line(String.format(Locale.ROOT, "family %-10s %10s on disk, %10s unique  (%d model(s))", f.family(),
                    Output.bytes(f.bytes()), Output.bytes(f.uniqueBytes()), f.models().size()));
        }
        o.line(String.format(Locale.ROOT, "total %s on disk (%s without dedup, %s saved); free %s%s",
                Output.bytes(r.bytes()), Output.bytes(r.apparentBytes()), Output.bytes(r.savedByDedup()),
                r.freeBytes() < 0 ? "unknown" : Output.bytes(r.freeBytes()),
                r.quotaBytes() < 0 ? "" : "; quota " + Output.bytes(r.quotaBytes())
                        + (r.bytes() > r.quotaBytes() ? " (OVER)" : "")));
        return WanCli.EXIT_OK;
    }
}
