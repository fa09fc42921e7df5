package dev.wan.cli;

import dev.wan.manifest.Manifest;
import dev.wan.manifest.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.jline.builtins.Completers;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Tab completion for {@code wan shell}, read from picocli's model of the command tree, so a new
 * verb or option completes without touching this class. After the words before the cursor have
 * walked down to a (sub)command: a word starting with {@code -} completes that command's options;
 * the value of {@code --only} and a positional {@code ID} complete the manifest's model ids;
 * {@code --variant} completes the variants of the models named on the line (all the manifest's
 * variants when none is); {@code FILE}, {@code DIR} and {@code OLD_PATH} complete file names; any
 * other word completes the command's subcommands (plus {@code exit} and {@code quit} first).
 */
final class ShellCompleter implements Completer {
    /** Words the shell itself understands, offered with the verbs. */
    static final List<String> SHELL_WORDS = List.of("exit", "quit");

    private final CommandSpec root;
    private final Supplier<Manifest> manifest;
    private final Completer files = new Completers.FileNameCompleter();

    /** {@code manifest}: the shell's manifest, or null while it cannot be read (then no ids complete). */
    ShellCompleter(CommandSpec root, Supplier<Manifest> manifest) {
        this.root = root;
        this.manifest = manifest;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        String current = line.word().substring(0, line.wordCursor());
        CommandSpec spec = root;
        List<String> named = new ArrayList<>();
        OptionSpec pending = null;
        boolean optionsEnded = false;
        int positionals = 0;
        List<String> before = line.words().subList(0, line.wordIndex());
        if (!before.isEmpty() && before.get(0).equals("wan")) {
            before = before.subList(1, before.size()); // the shell drops a leading 'wan' too
        }
        for (String w : before) {
            if (pending != null) {
                if (pending.longestName().equals("--only")) {
                    named.addAll(WanCli.splitIds(List.of(w)));
                }
                pending = null;
            } else if (!optionsEnded && w.equals("--")) {
                optionsEnded = true;
            } else if (!optionsEnded && w.startsWith("-")) {
                OptionSpec o = spec.findOption(w.contains("=") ? w.substring(0, w.indexOf('=')) : w);
                if (o != null && o.arity().min() > 0 && !w.contains("=")) {
                    pending = o;
                }
            } else if (positionals == 0 && spec.subcommands().containsKey(w)) {
                spec = spec.subcommands().get(w).getCommandSpec();
            } else {
                named.addAll(WanCli.splitIds(List.of(w)));
                positionals++;
            }
        }
        if (pending != null) {
            value(reader, line, pending.paramLabel(), pending.longestName(), named, candidates);
        } else if (current.startsWith("-") && !optionsEnded) {
            for (OptionSpec o : spec.options()) {
                if (!o.hidden()) {
                    for (String name : o.names()) {
                        candidates.add(new Candidate(name, name, "options", first(o.description()), null, o.longestName(),
                                true));
                    }
                }
            }
        } else {
            if (spec == root) {
                SHELL_WORDS.forEach(w -> candidates.add(new Candidate(w, w, "shell", "leave the shell", null, null, true)));
            }
            if (positionals == 0) {
                spec.subcommands().forEach((name, sub) -> {
                    if (!sub.getCommandSpec().usageMessage().hidden() && !name.equals("shell")) {
                        candidates.add(new Candidate(name, name, "commands",
                                first(sub.getCommandSpec().usageMessage().description()), null, null, true));
                    }
                });
            }
            PositionalParamSpec p = positional(spec, positionals);
            if (p != null) {
                value(reader, line, p.paramLabel(), null, named, candidates);
            }
        }
    }

    /** Candidates for the value of the option {@code option} (null: a positional) labelled {@code label}. */
    private void value(LineReader reader, ParsedLine line, String label, String option, List<String> named,
            List<Candidate> candidates) {
        if ("--variant".equals(option)) {
            variants(named).forEach(v -> candidates.add(new Candidate(v, v, "variants", null, null, null, true)));
        } else if ("--only".equals(option) || label.startsWith("ID")) {
            Manifest m = manifest.get();
            if (m != null) {
                for (ModelSpec s : m.models().values()) {
                    String id = s.id().toString();
                    candidates.add(new Candidate(id, id, "models", s.description(), null, null, true));
                }
            }
        } else if (reader != null && (label.equals("FILE") || label.equals("DIR") || label.equals("OLD_PATH"))) {
            files.complete(reader, line, candidates);
        }
    }

    /** The variants of the models named on the line, or of every model when none is (or none is known). */
    private Set<String> variants(List<String> named) {
        Set<String> variants = new LinkedHashSet<>();
        Manifest m = manifest.get();
        if (m == null) {
            return variants;
        }
        for (String typed : named) {
            try {
                variants.addAll(m.models().get(m.canonicalId(typed)).variants());
            } catch (RuntimeException notAModel) {
                // an unknown or ambiguous id on the line: it names no variants
            }
        }
        if (variants.isEmpty()) {
            m.models().values().forEach(s -> variants.addAll(s.variants()));
        }
        return variants;
    }

    /** The positional parameter that takes the {@code index}-th positional word, or null. */
    private static PositionalParamSpec positional(CommandSpec spec, int index) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden() && p.index().contains(index)) {
                return p;
            }
        }
        return null;
    }

    private static String first(String[] lines) {
        return lines.length == 0 ? null : CommandLine.Help.Ansi.OFF.string(lines[0]);
    }
}
