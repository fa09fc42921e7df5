package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's --help as an 80-column terminal shows it: nothing too wide, nothing cut mid-sentence. */
class HelpTest {
    private static final int WIDTH = 80;
    /** A line that stops inside a path, e.g. {@code ~/.} of {@code ~/.cache} (picocli may break after a dot). */
    private static final Pattern ENDS_IN_A_PATH = Pattern.compile(".*(~/\\.?|/\\.)$");

    private static String help(String... args) {
        InProcessWan.Run run = InProcessWan.bare(args);
        assertEquals(0, run.code(), String.join(" ", args) + ": " + run.err());
        return run.out();
    }

    /** {@code wan}, {@code wan models} and every verb under both. */
    private static List<String[]> everyHelp() {
        List<String[]> all = new ArrayList<>();
        all.add(new String[] {"--help"});
        all.add(new String[] {"models", "--help"});
        for (String verb : verbs()) {
            all.add(new String[] {verb, "--help"});
            all.add(new String[] {"models", verb, "--help"});
        }
        return all;
    }

    private static List<String> verbs() {
        CommandLine models = ModelsCommand.addVerbs(new CommandLine(new ModelsCommand()));
        return List.copyOf(models.getSubcommands().keySet());
    }

    @Test
    void everyHelpFitsIn80ColumnsAndNeverBreaksInsideAPath() {
        for (String[] args : everyHelp()) {
            String text = help(args);
            for (String line : text.split("\n")) {
                assertTrue(line.length() <= WIDTH, String.join(" ", args) + ": " + line.length() + " columns: " + line);
                assertFalse(ENDS_IN_A_PATH.matcher(line.stripTrailing()).matches(),
                        String.join(" ", args) + ": a line breaks inside a path: " + line);
            }
            if (text.contains("--root")) {
                assertTrue(text.contains("~/.cache/wan/models"), String.join(" ", args) + ":\n" + text);
            }
        }
    }

    @Test
    void everyCommandsDescriptionIsMadeOfWholeSentences() {
        CommandLine wan = WanCli.commandLine(InProcessWan.ISOLATED);
        for (CommandLine c : wan.getSubcommands().get("models").getSubcommands().values()) {
            String[] description = c.getCommandSpec().usageMessage().description();
            assertTrue(description.length > 0, c.getCommandName());
            // the command list shows only the first element: it must say something whole
            assertTrue(description[0].endsWith("."), c.getCommandName() + ": '" + description[0] + "'");
            for (String d : description) {
                boolean example = d.startsWith("  ");
                assertTrue(example || d.endsWith(".") || d.endsWith(":"), c.getCommandName() + ": cut: '" + d + "'");
            }
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                for (String d : o.description()) {
                    assertTrue(d.endsWith("."), c.getCommandName() + " " + o.longestName() + ": cut: '" + d + "'");
                }
            }
        }
    }

    @Test
    void theCommandListShowsEachCommandsWholeFirstSentence() {
        String root = help("--help");
        String models = help("models", "--help");
        for (String text : List.of(root, models)) {
            String list = text.substring(text.indexOf("Commands:"));
            List<String> entries = new ArrayList<>();
            for (String line : list.split("\n")) {
                if (line.matches("  \\S.*")) {
                    entries.add(line.strip());
                } else if (line.startsWith("    ") && !entries.isEmpty()) {
                    entries.set(entries.size() - 1, entries.get(entries.size() - 1) + " " + line.strip());
                }
            }
            assertTrue(entries.size() >= verbs().size(), list);
            for (String e : entries) {
                assertTrue(e.endsWith("."), "cut in the command list: " + e);
            }
        }
    }

    @Test
    void theRootHelpNamesEveryShorthand() {
        String root = help("--help");
        String before = root.substring(0, root.indexOf("Commands:")).replaceAll("\\s+", " ");

        for (String verb : verbs()) {
            assertTrue(before.matches("(?s).*[ :,]" + Pattern.quote(verb) + "[,.].*"),
                    "'wan " + verb + "' works but the root help does not say so:\n" + before);
            help(verb, "--help"); // and it does work
        }
    }

    @Test
    void ensureHelpExamplesNameModelsOfTheBundledDemo() throws Exception {
        String demo = Files.readString(Fixtures.repoRoot().resolve("examples/demo/models.toml"));
        String text = help("ensure", "--help");
        Matcher ids = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*@\\d+\\.\\d+\\.\\d+").matcher(text);
        int found = 0;
        while (ids.find()) {
            found++;
            assertTrue(demo.contains("[models.\"" + ids.group() + "\"]"), ids.group() + " is not in the demo manifest");
        }
        assertTrue(found >= 2, text);
        Matcher variants = Pattern.compile("--variant (\\w+)").matcher(text);
        while (variants.find()) {
            assertTrue(demo.contains("\"" + variants.group(1) + "\""), variants.group());
        }
    }
}
