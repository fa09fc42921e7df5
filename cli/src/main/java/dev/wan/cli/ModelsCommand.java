package dev.wan.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code wan models <verb>}: the guide's command group. Each verb also exists at the top level. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "Inspect, ensure and verify models.")
final class ModelsCommand implements Runnable {
    /** The verbs; picocli makes each parent its own instances (it needs distinct command objects). */
    static final List<Class<?>> VERBS = List.of(StatusCommand.class, EnsureCommand.class, VerifyCommand.class,
            ListCommand.class, ValidateManifestCommand.class, TestSourcesCommand.class, TestAuthCommand.class,
            GcCommand.class, PinCommand.class, UnpinCommand.class,
            DeduplicateCommand.class, DiskUsageCommand.class, MigrateCommand.class, ShellCommand.class,
            ServeCommand.class, DiagnoseCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Adds the verbs under {@code parent}. */
    static CommandLine addVerbs(CommandLine parent) {
        VERBS.forEach(parent::addSubcommand);
        return parent;
    }

    /** The verb named {@code name} (its {@code @Command} name, read without building its model), or null. */
    static Class<?> verb(String name) {
        for (Class<?> v : VERBS) {
            if (v.getAnnotation(Command.class).name().equals(name)) {
                return v;
            }
        }
        return null;
    }
}
