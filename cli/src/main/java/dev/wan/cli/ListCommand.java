package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelStatus;
import dev.wan.manifest.ModelSpec;
import java.util.Locale;
import picocli.CommandLine.Command;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List the models the manifest declares.",
                "Shows variants (* = default), files, size, state, pin and description."})
final class ListCommand extends Verb {
    @Override
    public Integer call() {
        Output o = output();
        ModelEnsurer ensurer = common.ensurer(null);
        if (o.json) {
            ObjectNode doc = o.document("list", true);
            doc.put("manifest", ensurer.config().manifest().toString());
            ArrayNode models = doc.putArray("models");
            for (ModelSpec m : ensurer.manifest().models().values()) {
                ModelStatus s = ensurer.status(m.id().toString());
                ObjectNode n = models.addObject();
                n.put("model", m.id().toString());
                n.put("description", m.description());
                ArrayNode variants = n.putArray("variants");
                m.variants().forEach(variants::add);
                n.put("defaultVariant", m.defaultVariant());
                n.put("files", m.filesFor(m.defaultVariant()).size());
                n.put("bytes", s.bytesTotal());
                ArrayNode sources = n.putArray("sources");
                m.sources().forEach(src -> sources.add(src.redacted()));
                n.put("state", s.state().name());
                n.put("pinned", s.pinned());
            }
            o.print(doc);
            return WanCli.EXIT_OK;
        }
        if (ensurer.manifest().models().isEmpty()) {
            o.noModels(ensurer.config().manifest());
            return WanCli.EXIT_OK;
        }
        o.line(String.format(Locale.ROOT, "%-30s %-14s %6s %10s  %-12s %-3s  %s", "MODEL", "VARIANTS", "FILES", "SIZE",
                "STATE", "PIN", "DESCRIPTION"));
        for (ModelSpec m : ensurer.manifest().models().values()) {
            String variants = m.variants().isEmpty() ? "-" : String.join(",", m.variants().stream()
                    .map(v -> v.equals(m.defaultVariant()) ? v + "*" : v).toList());
            ModelStatus s = ensurer.status(m.id().toString());
            o.line(String.format(Locale.ROOT, "%-30s %-14s %6d %10s  %-12s %-3s  %s", m.id(), variants,
                    s.files().size(), Output.bytes(s.bytesTotal()), s.state(), s.pinned() ? "pin" : "-",
                    m.description()));
        }
        return WanCli.EXIT_OK;
    }
}
