package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.ensure.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10, findings 6 and 9: every WAN_* setting is parsed in one place, so a bad value is exit 3
 * INVALID_CONFIG naming the variable and the value, for every command (before: gc exited 70 on a
 * bad WAN_MAX_TOTAL_SIZE, test-sources ignored a bad WAN_RETRIES); the models root is never
 * empty and never silently relative.
 */
class ConfigSeamTest {
    private static final String MODEL = "m@1.0.0";

    @TempDir
    Path root;

    @TempDir
    Path work;

    private Path manifest;

    @BeforeEach
    void oneLocalModel() {
        Fixtures.TestModel m = new Fixtures.TestModel(MODEL).file("w.bin", Fixtures.bytes(5000, 1))
                .sources(work.resolve("src").toUri().toString());
        m.writeTo(work.resolve("src"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, m);
    }

    /** Every command that resolves the configuration, as a user would type it. */
    private static final List<List<String>> COMMANDS = List.of(List.of("status"), List.of("ensure", MODEL),
            List.of("ensure", MODEL, "a-second-id-is-never-reached@1.0.0"), List.of("verify", "--all"),
            List.of("list"), List.of("test-sources"), List.of("test-auth"), List.of("gc", "--dry-run"),
            List.of("disk-usage"), List.of("deduplicate", "--dry-run"), List.of("pin", MODEL));

    /** Each setting with values it must refuse. */
    private static final Map<String, List<String>> BAD = Map.of(
            "WAN_RETRIES", List.of("abc", "-1", "1.5"),
            "WAN_RETRY_BASE_MILLIS", List.of("soon", "-5"),
            "WAN_CONNECTIONS", List.of("0", "many"),
            "WAN_STALL_TIMEOUT_SECONDS", List.of("0", "30s"),
            "WAN_PARALLEL_FILES", List.of("0", "99999999999"),
            "WAN_PREFLIGHT", List.of("maybe"),
            "WAN_MAX_TOTAL_SIZE", List.of("garbage", "-1GB", "10 parsecs"),
            "WAN_GC_AFTER_ENSURE", List.of("sometimes"));

    /** Every setting's first bad value with every command, and every bad value with status. */
    static Stream<Arguments> badSettingForEveryCommand() {
        List<Arguments> all = new ArrayList<>();
        BAD.forEach((name, values) -> {
            COMMANDS.forEach(command -> all.add(Arguments.of(name, values.get(0), command)));
            values.stream().skip(1).forEach(value -> all.add(Arguments.of(name, value, List.of("status"))));
        });
        return all.stream();
    }

    @ParameterizedTest(name = "{0}={1} wan {2}")
    @MethodSource("badSettingForEveryCommand")
    void aBadSettingIsInvalidConfigNamingTheVariableAndTheValue(String name, String value, List<String> command) {
        Run r = InProcessWan.run(Map.of(name, value), root, manifest, command.toArray(String[]::new));

        assertEquals(3, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("wan: INVALID_CONFIG: " + name + "='" + value + "'"), r.err());
        assertTrue(r.err().contains("unset " + name + " or set e.g. " + name + "="), r.err());
        assertFalse(Files.exists(root.resolve("wan22").resolve(MODEL)), "nothing fetched");
    }

    @Test
    void withJsonABadSettingIsAnErrorDocumentWithExitCode3() throws Exception {
        Run r = InProcessWan.run(Map.of("WAN_MAX_TOTAL_SIZE", "garbage"), root, manifest, "gc", "--json");

        assertEquals(3, r.code(), r.err());
        JsonNode error = r.json().get("error");
        assertEquals("INVALID_CONFIG", error.get("code").asText());
        assertEquals(3, error.get("exitCode").asInt());
        assertTrue(error.get("message").asText().contains("WAN_MAX_TOTAL_SIZE='garbage'"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "YES", "on", "0", "false", "no", "Off"})
    void onOffSettingsTakeTheUsualSpellings(String value) {
        Run r = InProcessWan.run(Map.of("WAN_PREFLIGHT", value, "WAN_GC_AFTER_ENSURE", value), root, manifest,
                "ensure", MODEL, "--quiet");

        assertEquals(0, r.code(), r.err());
    }

    @Test
    void goodSettingsAreUsedAndTheQuotaReachesGcAndDiskUsageAlike() throws Exception {
        Map<String, String> env = Map.of("WAN_MAX_TOTAL_SIZE", "1MiB", "WAN_RETRIES", "0", "WAN_CONNECTIONS", "2",
                "WAN_PARALLEL_FILES", "1", "WAN_STALL_TIMEOUT_SECONDS", "5", "WAN_RETRY_BASE_MILLIS", "0");

        Run ensure = InProcessWan.run(env, root, manifest, "ensure", MODEL, "--quiet");
        Run usage = InProcessWan.run(env, root, manifest, "disk-usage", "--json");
        Run gc = InProcessWan.run(env, root, manifest, "gc", "--dry-run", "--json");

        assertEquals(0, ensure.code(), ensure.err());
        assertEquals(1L << 20, usage.json().get("quotaBytes").asLong(), usage.out());
        assertEquals(1L << 20, gc.json().get("policy").get("maxSize").asLong(), gc.out());
    }

    @Test
    void verboseShowsTheRootsAndEverySettingInEffectMarkingTheDefaults() {
        Run r = InProcessWan.run(Map.of("WAN_CONNECTIONS", "3", "WAN_MAX_TOTAL_SIZE", "2GiB"), root, manifest,
                "status", "--verbose");
        Run json = InProcessWan.run(Map.of("WAN_CONNECTIONS", "3"), root, manifest, "status", "--verbose", "--json");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("wan: models root " + root), r.err());
        assertTrue(r.err().contains("wan: WAN_CONNECTIONS=3\n"), r.err());
        assertTrue(r.err().contains("wan: WAN_MAX_TOTAL_SIZE=2.0 GiB\n"), r.err());
        assertTrue(r.err().contains("wan: WAN_RETRIES=6 (default)"), r.err());
        assertTrue(r.err().contains("wan: WAN_PREFLIGHT=on (default)"), r.err());
        assertFalse(json.err().contains("WAN_CONNECTIONS"), "--json keeps stderr for problems: " + json.err());
    }

    @Test
    void theDevelopersEnvironmentDoesNotReachAnInProcessRun() {
        // Whatever this JVM's environment holds (a developer's WAN_MAX_TOTAL_SIZE, HF_TOKEN …),
        // a run sees only what the test gives it: here no quota.
        Run r = InProcessWan.run(root, manifest, "disk-usage", "--json");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"quotaBytes\" : null"), r.out());
    }

    @Test
    void anEmptyRootIsRefusedNotTheCurrentDirectory() {
        Run r = InProcessWan.bare("status", "--root", "", "--manifest", manifest.toString());

        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().startsWith("wan: INVALID_CONFIG: the models root given (--root) is empty"), r.err());
        assertTrue(r.err().contains("give a directory"), r.err());
        assertFalse(Files.exists(Path.of("wan22")), "no store in the current directory");
        assertFalse(Files.exists(Path.of(".tmp")), "no store in the current directory");
    }

    @Test
    void anEmptyModelsRootIsRefused() {
        Run r = InProcessWan.bare(Map.of("MODELS_ROOT", ""), "ensure", MODEL, "--manifest", manifest.toString());

        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().startsWith("wan: INVALID_CONFIG: MODELS_ROOT is set but empty"), r.err());
    }

    @Test
    void aRelativeModelsRootIsRefusedWithTheAbsoluteOneToUse() {
        Run r = InProcessWan.bare(Map.of("MODELS_ROOT", "models"), "status", "--manifest", manifest.toString());

        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().startsWith("wan: INVALID_CONFIG: MODELS_ROOT='models' is relative"), r.err());
        assertTrue(r.err().contains("MODELS_ROOT=" + Path.of("models").toAbsolutePath()), r.err());
    }

    @Test
    void aRelativeRootFlagIsResolvedAgainstTheCurrentDirectoryAndSaidSo() {
        Path relative = Path.of("").toAbsolutePath().relativize(root);

        Run r = InProcessWan.bare("status", "--root", relative.toString(), "--manifest", manifest.toString());
        Run quiet = InProcessWan.bare("status", "--quiet", "--root", relative.toString(), "--manifest",
                manifest.toString());

        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("wan: --root " + relative + " is relative: using " + root), r.err());
        assertTrue(r.out().contains("root: " + root), r.out());
        assertEquals("", quiet.err());
    }
}
