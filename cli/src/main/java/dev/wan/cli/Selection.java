package dev.wan.cli;

import dev.wan.manifest.Manifest;
import dev.wan.manifest.ModelId;
import dev.wan.text.TerminalText;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** Which models a command acts on: IDs as arguments or --only, or --all. */
final class Selection {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ID", arity = "0..*", description = "Model ids (name@x.y.z; a bare name means its only version).")
    List<String> ids = new ArrayList<>();

    @Option(names = "--only", paramLabel = "ID[,ID…]", description = "Model ids to act on (repeatable, comma-separated).")
    List<String> only = new ArrayList<>();

    @Option(names = "--all", description = "Every model in the manifest.")
    boolean all;

    @Option(names = "--variant", paramLabel = "NAME", description = "Variant (default: each model's default_variant).")
    String variant;

    /** The chosen ids; every model when nothing is named and {@code emptyMeansAll}. */
    List<String> resolve(Manifest manifest, boolean emptyMeansAll) {
        List<String> named = new ArrayList<>(WanCli.splitIds(ids));
        named.addAll(WanCli.splitIds(only));
        if (all && !named.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--all and model ids exclude each other (got --all and "
                    + String.join(", ", named) + "): pass either");
        }
        if (variant != null && variant.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--variant is empty: name a variant, or leave"
                    + " --variant out for each model's default");
        }
        if (all || (named.isEmpty() && emptyMeansAll)) {
            return manifest.models().keySet().stream().map(ModelId::toString).toList();
        }
        if (named.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no model named: pass --only ID or --all"
                    + " (available models: "
                    + String.join(", ", manifest.models().keySet().stream().map(ModelId::toString).toList()) + ")");
        }
        // fails fast, listing the available ids, before any work starts
        boolean quiet = spec.userObject() instanceof WanCli.WithCommon w && w.common().quiet;
        java.io.PrintWriter err = quiet ? null : spec.commandLine().getErr();
        return named.stream().map(id -> canonical(manifest, id, err)).distinct().toList();
    }

    /** The full id for what the user typed; a bare name that stood for its only version is said on {@code err} (null: quiet). */
    static String canonical(Manifest manifest, String typed, java.io.PrintWriter err) {
        String id = manifest.canonicalId(typed).toString();
        if (!id.equals(typed) && err != null) {
            err.println(TerminalText.escape("wan: " + typed + " \u2192 " + id));
            err.flush();
        }
        return id;
    }
}
