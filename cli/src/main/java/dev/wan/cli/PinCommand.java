package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.manifest.ModelId;
import dev.wan.store.ModelPins;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wan models pin ID}: garbage collection never deletes a pinned model. */
@Command(name = "pin", mixinStandardHelpOptions = true,
        description = "Pin a model: 'wan models gc' never deletes it. Shown as pinned in status and list.")
final class PinCommand extends Verb {
    @Parameters(paramLabel = "ID", description = "Model id (name@x.y.z).")
    String id;

    @Override
    public Integer call() {
        return PinCommand.setPinned(this, id, true);
    }

    /** Shared by pin and unpin: the id must be in the manifest (else MODEL_NOT_FOUND, exit 4). */
    static int setPinned(Verb verb, String modelId, boolean pinned) {
        Output o = verb.output();
        ModelEnsurer ensurer = verb.common.ensurer(null);
        ModelId id = ModelId.parse(Selection.canonical(ensurer.manifest(), modelId, o.quiet ? null : o.err));
        ModelPins pins = ModelPins.of(ensurer.config());
        boolean changed = pinned ? pins.pin(id, ensurer.config().lockTimeout())
                : pins.unpin(id, ensurer.config().lockTimeout());
        if (o.json) {
            ObjectNode doc = o.document(pinned ? "pin" : "unpin", true);
            doc.put("model", id.toString());
            doc.put("pinned", pinned);
            doc.put("changed", changed);
            o.print(doc);
        } else if (!o.quiet) {
            o.line(id + (pinned ? (changed ? " pinned" : " was already pinned")
                    : (changed ? " unpinned" : " was not pinned")));
        }
        return WanCli.EXIT_OK;
    }
}
