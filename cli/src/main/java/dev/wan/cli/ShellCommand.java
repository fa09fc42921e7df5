package dev.wan.cli;

import dev.wan.WanConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code wan shell}: the verbs at a prompt, one JVM for many commands. Each line runs through the
 * same command tree as {@code wan ARGS} ({@link WanCli#run}), so it prints the same and ends with the
 * same exit code. {@code --root} and {@code --manifest} given to the shell hold for every command in
 * it (as MODELS_ROOT and WAN_MODELS_MANIFEST; a command's own flag still wins). On a terminal it is
 * a jline line editor ({@link ShellSession#interactive}); fed by a pipe it runs the lines it reads
 * and prints nothing else.
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = {"Run wan's commands at a prompt, with history and Tab completion; Ctrl-C cancels the running"
                + " command.",
                "Each line is a command without 'wan', split as a shell splits it ('...' and \"...\" quote)."
                        + " --root and --manifest given to the shell hold for every command in it.",
                "Tab completes commands, options, model ids and variants. exit, quit or Ctrl-D leave with the"
                        + " last command's exit code.",
                "History: $XDG_CACHE_HOME/wan/shell_history, else ~/.cache/wan/shell_history (mode 0600).",
                "Fed by a pipe, it runs each line it reads and prints only what the commands print:",
                "  printf 'status\\nensure --all -q\\n' | wan shell"})
final class ShellCommand extends Verb {
    @Override
    public Integer call() throws IOException {
        WanConfig config = common.config(null); // a bad setting or flag fails here, before any prompt
        Map<String, String> env = new HashMap<>(WanCli.env(spec));
        if (common.root != null) {
            env.put("MODELS_ROOT", config.modelsRoot().toString());
        }
        if (common.manifest != null) {
            env.put("WAN_MODELS_MANIFEST", config.manifest().toString());
        }
        ShellSession session = new ShellSession(env, spec.commandLine().getOut(), spec.commandLine().getErr(),
                ShellHistory.file(env));
        if (System.console() == null) {
            return session.piped(new BufferedReader(new InputStreamReader(System.in, ConsoleWriter.terminalCharset())));
        }
        return session.interactive();
    }
}
