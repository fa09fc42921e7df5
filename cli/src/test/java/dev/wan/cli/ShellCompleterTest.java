package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import dev.wan.manifest.Manifest;
import dev.wan.manifest.Manifests;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.Test;

/**
 * What Tab offers in {@code wan shell}, over the bundled demo manifest (demo-t2v@1.0.0 with
 * variants fp16 and bf16, demo-i2v@1.0.0 and demo-tokenizer@1.0.0 without variants). Each test
 * keeps what jline shows: the candidates that start with the word under the cursor.
 */
class ShellCompleterTest {
    private static final Manifest DEMO = Manifests.load(Fixtures.repoRoot().resolve("examples/demo/models.toml"), null);
    private static final Set<String> DEMO_IDS = Set.of("demo-t2v@1.0.0", "demo-i2v@1.0.0", "demo-tokenizer@1.0.0");

    private static Set<String> tab(String line) {
        return tab(line, () -> DEMO);
    }

    private static Set<String> tab(String line, Supplier<Manifest> manifest) {
        ShellCompleter completer = new ShellCompleter(WanCli.commandLine(InProcessWan.ISOLATED).getCommandSpec(),
                manifest);
        ParsedLine parsed = new DefaultParser().parse(line, line.length(), Parser.ParseContext.COMPLETE);
        List<Candidate> candidates = new ArrayList<>();

        completer.complete(null, parsed, candidates);

        Set<String> shown = new TreeSet<>();
        candidates.stream().map(Candidate::value).filter(v -> v.startsWith(parsed.word())).forEach(shown::add);
        return shown;
    }

    @Test
    void aVerbCompletesFromItsFirstLetters() {
        assertEquals(Set.of("ensure"), tab("ens"));
        assertEquals(Set.of("disk-usage", "deduplicate", "diagnose"), tab("d"));
        assertEquals(Set.of("ensure"), tab("wan ens"));
    }

    @Test
    void theFirstWordOffersEveryVerbAndTheShellsOwnWordsButNotTheShellAgain() {
        Set<String> first = tab("");

        assertTrue(first.containsAll(Set.of("status", "ensure", "verify", "models", "help", "exit", "quit")), first.toString());
        assertTrue(!first.contains("shell"), first.toString());
    }

    @Test
    void aGroupCompletesItsOwnSubcommands() {
        assertTrue(tab("models ").containsAll(Set.of("status", "ensure", "gc", "migrate")), tab("models ").toString());
        assertEquals(Set.of("ensure"), tab("models ens"));
        assertEquals(Set.of("analyze", "plan", "execute"), tab("migrate "));
    }

    @Test
    void anIdPositionCompletesTheManifestsModelIds() {
        assertEquals(DEMO_IDS, tab("ensure demo-"));
        assertEquals(Set.of("demo-t2v@1.0.0", "demo-tokenizer@1.0.0"), tab("models status demo-t"));
        assertEquals(Set.of("demo-i2v@1.0.0"), tab("ensure demo-tokenizer@1.0.0 demo-i"));
    }

    @Test
    void onlyCompletesModelIds() {
        assertEquals(DEMO_IDS, tab("ensure --only demo-"));
    }

    @Test
    void variantCompletesTheVariantsOfTheModelOnTheLine() {
        assertEquals(Set.of("fp16", "bf16"), tab("ensure demo-t2v@1.0.0 --variant "));
        assertEquals(Set.of("bf16"), tab("ensure demo-t2v --variant b"));
        assertEquals(Set.of("fp16", "bf16"), tab("verify --only demo-t2v@1.0.0 --variant "));
    }

    @Test
    void variantWithoutAModelOnTheLineCompletesEveryVariantOfTheManifest() {
        assertEquals(Set.of("fp16", "bf16"), tab("status --variant "));
    }

    @Test
    void aDashCompletesTheOptionsOfTheCommandReached() {
        Set<String> ensure = tab("ensure demo-t2v@1.0.0 --");
        Set<String> gc = tab("gc --m");

        assertTrue(ensure.containsAll(Set.of("--variant", "--only", "--all", "--dry-run", "--root", "--manifest", "--json")),
                ensure.toString());
        assertEquals(Set.of("--max-size", "--max-age", "--min-free", "--manifest"), gc);
    }

    @Test
    void aCommandThatTakesOneIdOffersNoSecond() {
        assertEquals(Set.of(), tab("pin demo-t2v@1.0.0 demo-"));
        assertEquals(DEMO_IDS, tab("pin demo-"));
    }

    @Test
    void optionValuesThatAreNotIdsOrVariantsCompleteNothing() {
        assertEquals(Set.of(), tab("ensure --lock-timeout "));
    }

    @Test
    void anUnreadableManifestCompletesNoIdsAndStillTheVerbsAndOptions() {
        assertEquals(Set.of(), tab("ensure demo-", () -> null));
        assertEquals(Set.of(), tab("ensure demo-t2v --variant ", () -> null));
        assertEquals(Set.of("ensure"), tab("ens", () -> null));
    }
}
