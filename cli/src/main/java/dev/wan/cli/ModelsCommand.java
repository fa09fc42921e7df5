package dev.wan.cli;

import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code wan models <verb>}: the guide's command group. Each verb also exists at the top level. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "Inspect, ensure and verify models.")
final class ModelsCommand implements Runnable {
    /** The verbs; each parent gets its own instances (picocli needs distinct command objects). */
    static final List<Supplier<Object>> VERBS = List.of(StatusCommand::new, EnsureCommand::new, VerifyCommand::new,
            ListCommand::new, ValidateManifestCommand::new, TestSourcesCommand::new, TestAuthCommand::new,
            GcCommand::new, PinCommand::new, UnpinCommand::new,
            DeduplicateCommand::new, DiskUsageCommand::new, MigrateCommand::new, ShellCommand::new);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Adds the verbs under {@code parent}. */
    static CommandLine addVerbs(CommandLine parent) {
        VERBS.forEach(v -> parent.addSubcommand(v.get()));
        return parent;
    }
}
