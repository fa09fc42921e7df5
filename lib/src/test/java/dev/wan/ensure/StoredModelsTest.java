package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.gc.GarbageCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredModelsTest {
    private static final String T2V = "demo-t2v@1.0.0";

    @TempDir
    Path root;

    private final Path repo = Fixtures.repoRoot();

    private ModelEnsurer demo() {
        return Fixtures.ensurer(root, repo.resolve("examples/demo/models.toml"), repo.resolve("examples/demo/store"));
    }

    @Test
    void aStoreThatDoesNotExistYetHasNoStoredModels() {
        ModelEnsurer ensurer = Fixtures.ensurer(root.resolve("not-yet"), repo.resolve("examples/demo/models.toml"),
                repo.resolve("examples/demo/store"));

        assertEquals(List.of(), ensurer.storedModels());
    }

    @Test
    void anEnsuredModelIsListedWithItsBytesLastUseAndPin() {
        ModelEnsurer ensurer = demo();
        ensurer.ensure(T2V);
        GarbageCollector.at(root, java.time.Clock.systemUTC(), dev.wan.gc.GcPolicy.LEFTOVERS_ONLY).pinModel(T2V);

        List<StoredModel> stored = ensurer.storedModels();

        assertEquals(1, stored.size());
        StoredModel m = stored.get(0);
        assertEquals(T2V, m.model());
        assertTrue(m.inManifest());
        assertFalse(m.symlinked());
        assertEquals(ensurer.status(T2V).bytesTotal(), m.bytes());
        assertNotNull(m.lastUsed());
        assertTrue(m.pinned());
    }

    @Test
    void aModelAnotherManifestPutThereIsListedAsNotInTheManifest() throws Exception {
        ModelEnsurer ensurer = demo();
        Path other = Files.createDirectories(root.resolve("wan22/other-model@3.0.0/sub"));
        Files.write(other.resolve("weights.bin"), new byte[1234]);
        Files.createDirectories(root.resolve("wan22/not a model"));

        List<StoredModel> stored = ensurer.storedModels();

        assertEquals(1, stored.size(), "only directories named name@x.y.z count: " + stored);
        assertEquals("other-model@3.0.0", stored.get(0).model());
        assertFalse(stored.get(0).inManifest());
        assertEquals(1234, stored.get(0).bytes());
        assertFalse(stored.get(0).pinned());
        assertEquals(Files.getLastModifiedTime(other.getParent()).toInstant(), stored.get(0).lastUsed(),
                "without a state file, the directory's mtime (as gc orders)");
    }
}
