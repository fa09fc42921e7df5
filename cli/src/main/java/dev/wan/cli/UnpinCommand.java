package dev.wan.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wan models unpin ID}: garbage collection may delete the model again. */
@Command(name = "unpin", mixinStandardHelpOptions = true,
        description = "Unpin a model: 'wan models gc' may delete it again when limits require.")
final class UnpinCommand extends Verb {
    @Parameters(paramLabel = "ID", description = "Model id (name@x.y.z).")
    String id;

    @Override
    public Integer call() {
        return PinCommand.setPinned(this, id, false);
    }
}
