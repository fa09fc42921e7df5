package dev.wan.cli;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.WanSettings;
import dev.wan.text.TerminalText;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code wan}: the command line. {@code main} is a thin shell around {@link #run}, which tests call
 * in-process with captured writers and an explicit environment. Exit codes (README "Exit codes"):
 * 0 ok, 2 usage error, 3–8, 70 (internal error) and 130 (interrupted) by {@link ErrorCode.Category}.
 */
@Command(name = "wan", mixinStandardHelpOptions = true, versionProvider = WanCli.Version.class,
        description = {"Makes AI model weights appear, verified, at a known path."},
        footer = {"", "The terminal dashboard: 'jbang wan-tui@org' (or './wan tui' in a checkout); its --help lists its options.",
                "Java at a prompt: 'wan jshell' (the public API imported, ensure(\"id\") and friends defined)."},
        subcommands = CommandLine.HelpCommand.class)
public final class WanCli implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INTERNAL = ErrorCode.INTERNAL.exitCode();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What this run reads instead of the process environment (MODELS_ROOT, WAN_*, tokens …). */
    private final Map<String, String> env;

    static {
        // Before anything touches SLF4J: the CLI's binding (LogProvider: logback, started only when a
        // line is written), named so that SLF4J does not scan the class path for one; and its own
        // notes (e.g. which provider it loaded) only when something is wrong.
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", LogProvider.class.getName());
        }
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
    }

    private WanCli(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static void main(String[] args) {
        java.nio.charset.Charset charset = ConsoleWriter.terminalCharset();
        PrintWriter out = ConsoleWriter.of(System.out, charset);
        PrintWriter err = ConsoleWriter.of(System.err, charset);
        System.exit(run(System.getenv(), out, err, args));
    }

    /**
     * One command with {@code env} as its whole environment (main passes the process's; tests pass
     * their own, so a developer's HF_TOKEN or WAN_* never leaks in); returns the exit code.
     */
    public static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        if (args.length > 0 && args[0].equals("tui")) {
            // The dashboard ships as its own jar so that the CLI never downloads or loads lanterna.
            err.println("wan: the dashboard is its own program: run 'jbang wan-tui@org' (or './wan tui' in a checkout)");
            err.flush();
            return EXIT_USAGE;
        }
        CommandLine cli = commandLine(env, args);
        cli.setOut(out).setErr(err)
                .setExecutionExceptionHandler((e, cmd, parsed) -> handle(e, cmd, out, err))
                .setParameterExceptionHandler((e, a) -> {
                    if (List.of(a).contains("--json")) {
                        usageJson(e, out);
                    }
                    err.println("wan: " + TerminalText.escape(e.getMessage()));
                    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
                    err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
                    err.flush();
                    return EXIT_USAGE;
                });
        cli.setExecutionStrategy(parsed -> runLogged(env, err, parsed));
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Runs the parsed command with its logging set up (README "Logs"): --log-format/--log-level of
     * the command, else WAN_LOG_FORMAT/WAN_LOG_LEVEL; WAN_LOG_FILE. A bad value is INVALID_CONFIG,
     * reported like any error of the command (exit 3, a JSON document with --json).
     */
    private static int runLogged(Map<String, String> env, PrintWriter err, CommandLine.ParseResult parsed) {
        Integer help = CommandLine.executeHelpRequest(parsed);
        if (help != null) {
            return help;
        }
        CommandLine.ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        Common common = leaf.commandSpec().userObject() instanceof WithCommon w ? w.common() : null;
        Logging.Run logging;
        try {
            logging = Logging.start(WanSettings.logSettings(env, common == null ? null : common.logFormat,
                    common == null ? null : common.logLevel), env, err);
        } catch (WanException e) {
            throw new CommandLine.ExecutionException(leaf.commandSpec().commandLine(), e.getMessage(), e);
        }
        try (logging) {
            return new CommandLine.RunLast().execute(parsed);
        }
    }

    /**
     * The command tree {@code args} need: when they start with a verb ({@code wan ensure …},
     * {@code wan models ensure …}, {@code wan jshell …}), the root with only that verb, since picocli
     * builds every command's model by reflection and the whole tree is about a third of a second of
     * start-up; otherwise (no verb, an option first, help, a typo to suggest for) the whole tree.
     */
    static CommandLine commandLine(Map<String, String> env, String... args) {
        boolean models = args.length > 1 && args[0].equals("models");
        String verb = args.length == 0 ? "" : models ? args[1] : args[0];
        Class<?> only = verb.equals("jshell") && !models ? JshellCommand.class : ModelsCommand.verb(verb);
        if (only == null) {
            return commandLine(env);
        }
        CommandLine cli = new CommandLine(new WanCli(env));
        cli.addSubcommand(models ? new CommandLine(new ModelsCommand()).addSubcommand(only) : new CommandLine(only));
        return cli;
    }

    /** The whole command tree, reading {@code env} instead of the process environment. */
    static CommandLine commandLine(Map<String, String> env) {
        CommandLine cli = new CommandLine(new WanCli(env));
        cli.addSubcommand(ModelsCommand.addVerbs(new CommandLine(new ModelsCommand())));
        ModelsCommand.addVerbs(cli);
        cli.addSubcommand(new JshellCommand()); // top level only: it is not a verb on models
        // every verb is a shorthand: name them all, from the commands themselves, so the list cannot drift
        List<String> verbs = cli.getSubcommands().keySet().stream()
                .filter(n -> !n.equals("help") && !n.equals("models") && !n.equals("jshell"))
                .toList();
        cli.getCommandSpec().usageMessage().description("Makes AI model weights appear, verified, at a known path.", "",
                "Every command of 'wan models' also works without 'models' ('wan ensure' = 'wan models ensure'): "
                        + String.join(", ", verbs) + ".");
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int handle(Exception e, CommandLine cmd, PrintWriter out, PrintWriter err) {
        Common common = cmd.getCommand() instanceof WithCommon w ? w.common() : new Common();
        if (e instanceof WanException we) {
            report(we, common, cmd.getCommandName(), out, err);
            return we.code().exitCode();
        }
        if (e instanceof CommandLine.ParameterException pe) {
            if (common.json) {
                usageJson(pe, out);
            }
            err.println("wan: " + TerminalText.escape(e.getMessage()));
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return EXIT_USAGE;
        }
        // A bug: reported like any error (one line, a JSON document with --json), exit 70.
        WanException internal = WanException.internal("wan " + cmd.getCommandName(), e);
        report(internal, common, cmd.getCommandName(), out, err);
        return internal.code().exitCode();
    }

    /** The environment of the command being run. */
    static Map<String, String> env(CommandLine.Model.CommandSpec spec) {
        return ((WanCli) spec.root().userObject()).env;
    }

    /** With --json, a usage error is a JSON document too: code USAGE, exit code 2. */
    private static void usageJson(CommandLine.ParameterException e, PrintWriter out) {
        Output o = new Output(out, out, true, false, true);
        var doc = o.document(e.getCommandLine().getCommandName(), false);
        var error = doc.putObject("error");
        error.put("code", "USAGE");
        error.put("exitCode", EXIT_USAGE);
        error.put("message", e.getMessage());
        error.put("hint", "see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
        error.putArray("details");
        o.print(doc);
    }

    static void report(WanException e, Common common, String command, PrintWriter out, PrintWriter err) {
        if (common.json) {
            Output o = common.output(out, err);
            var doc = o.document(command, false);
            var error = doc.putObject("error");
            error.put("code", e.code().name());
            error.put("exitCode", e.code().exitCode());
            error.put("message", e.getMessage());
            error.put("hint", e.hint());
            var details = error.putArray("details");
            e.details().forEach(details::add);
            o.print(doc);
        }
        // Messages quote manifests, listings and servers: escaped, so each problem stays one visible line.
        err.println(TerminalText.escape("wan: " + e.code() + ": " + e.getMessage() + (e.hint().isEmpty() ? "" : "; " + e.hint())));
        for (String d : e.details()) {
            err.println("  " + TerminalText.escape(d));
        }
        if (common.verbose && e.getCause() != null) {
            e.getCause().printStackTrace(err);
        }
        err.flush();
    }

    /** Commands that carry the shared options, so errors can honour --json and --verbose. */
    interface WithCommon {
        Common common();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = WanCli.class.getPackage().getImplementationVersion();
            return new String[] {"wan " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }

    static List<String> splitIds(List<String> raw) {
        return raw.stream().flatMap(s -> java.util.Arrays.stream(s.split(","))).map(String::strip)
                .filter(s -> !s.isEmpty()).distinct().toList();
    }
}
