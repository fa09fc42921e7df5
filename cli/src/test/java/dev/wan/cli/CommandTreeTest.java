package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code wan VERB …} builds only that verb's command (start-up): it must answer exactly as the whole
 * tree does, for help and for a usage error, on both paths ({@code wan VERB}, {@code wan models VERB}).
 */
class CommandTreeTest {
    static Stream<List<String>> verbPaths() {
        List<List<String>> paths = new ArrayList<>();
        for (Class<?> verb : ModelsCommand.VERBS) {
            String name = verb.getAnnotation(CommandLine.Command.class).name();
            paths.add(List.of(name));
            paths.add(List.of("models", name));
        }
        paths.add(List.of("jshell"));
        return paths.stream();
    }

    @ParameterizedTest
    @MethodSource("verbPaths")
    void aVerbAloneAnswersAsTheWholeTree(List<String> path) {
        for (List<String> tail : List.of(List.of("--help"), List.of("--no-such-option"))) {
            List<String> args = new ArrayList<>(path);
            args.addAll(tail);
            String[] argv = args.toArray(String[]::new);

            CommandLine lazy = WanCli.commandLine(InProcessWan.ISOLATED, argv);
            assertEquals(Set.of("help", path.get(0)), lazy.getSubcommands().keySet(), "only the verb is built: " + args);
            if (path.size() == 2) {
                assertEquals(Set.of(path.get(1)), lazy.getSubcommands().get("models").getSubcommands().keySet());
            }
            assertEquals(execute(WanCli.commandLine(InProcessWan.ISOLATED), argv), execute(lazy, argv), String.join(" ", args));
        }
    }

    @ParameterizedTest
    @MethodSource("others")
    void anythingElseGetsTheWholeTree(List<String> args) {
        CommandLine cli = WanCli.commandLine(InProcessWan.ISOLATED, args.toArray(String[]::new));
        assertNotNull(cli.getSubcommands().get("help"), args.toString());
        assertEquals(WanCli.commandLine(InProcessWan.ISOLATED).getSubcommands().keySet(), cli.getSubcommands().keySet());
    }

    static Stream<List<String>> others() {
        return Stream.of(List.of(), List.of("--help"), List.of("--version"), List.of("help", "ensure"), List.of("models"),
                List.of("models", "--help"), List.of("ensrue"), List.of("models", "jshell"), List.of("tui"));
    }

    private static String execute(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return code + "\n" + out + "\n---\n" + err;
    }
}
