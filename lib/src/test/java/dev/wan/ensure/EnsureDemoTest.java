package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.event.WanEvent;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.FileSpec;
import dev.wan.manifest.ModelId;
import dev.wan.store.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnsureDemoTest {
    private static final String T2V = "demo-t2v@1.0.0";

    @TempDir
    Path root;

    private final Path repo = Fixtures.repoRoot();
    private final Path store = repo.resolve("examples/demo/store");

    @Test
    void ensuringTheDemoIntoAnEmptyRootYieldsACompleteByteEqualModel() throws Exception {
        ModelEnsurer ensurer = Fixtures.ensurer(root, repo.resolve("examples/demo/models.toml"), store);

        Path dir = ensurer.ensure(T2V, null);

        assertEquals(root.resolve("wan22").resolve(T2V), dir);
        assertEquals(ModelState.COMPLETE, ensurer.status(T2V).state());
        List<FileSpec> files = ensurer.manifest().model(T2V).filesFor("fp16");
        assertEquals(4, files.size());
        for (FileSpec f : files) {
            assertArrayEquals(Files.readAllBytes(store.resolve(T2V).resolve(f.path())),
                    Files.readAllBytes(dir.resolve(f.path())), f.path());
        }
        assertFalse(Files.exists(dir.resolve("transformer/diffusion_pytorch_model.bf16.safetensors")),
                "the bf16 file belongs to the other variant");
    }

    @Test
    void ensureWritesTheStateFileAndLeavesNothingInTmp() {
        ModelEnsurer ensurer = Fixtures.ensurer(root, repo.resolve("examples/demo/models.toml"), store);

        ensurer.ensure(T2V, null);

        StoreLayout layout = new StoreLayout(root);
        assertTrue(Files.isRegularFile(layout.stateFile(ModelId.parse(T2V))));
        ModelRecord record = new StateStore(layout).read(ModelId.parse(T2V)).orElseThrow();
        assertEquals(List.of("fp16"), record.variants());
        assertEquals(4, record.files().size());
        record.files().values().forEach(r -> assertEquals(Check.SHA256, r.check()));
        assertEquals(List.of(), Fixtures.listTree(layout.tmpDir()));
    }

    @Test
    void theModelDirectoryAppearsOnlyAfterEveryFileIsVerified() {
        ModelEnsurer ensurer = Fixtures.ensurer(root, repo.resolve("examples/demo/models.toml"), store);
        Path modelDir = root.resolve("wan22").resolve(T2V);
        List<String> seenBeforeFinish = new CopyOnWriteArrayList<>();
        ensurer.addListener(e -> {
            if (!(e instanceof WanEvent.EnsureFinished) && Files.exists(modelDir)) {
                seenBeforeFinish.add(e.getClass().getSimpleName());
            }
        });

        ensurer.ensure(T2V, null);

        assertTrue(Files.isDirectory(modelDir));
        assertEquals(List.of(), seenBeforeFinish, "model directory was visible during these events");
    }

    @Test
    void aSecondEnsureOfACompleteModelFetchesNothing() {
        ModelEnsurer ensurer = Fixtures.ensurer(root, repo.resolve("examples/demo/models.toml"), store);
        ensurer.ensure("demo-tokenizer@1.0.0", null);
        List<WanEvent> events = new CopyOnWriteArrayList<>();
        ensurer.addListener(events::add);

        Path again = ensurer.ensure("demo-tokenizer@1.0.0", null);

        assertEquals(root.resolve("wan22/demo-tokenizer@1.0.0"), again);
        assertEquals(List.of(), events, "a complete model needs no work, not even a lock");
    }
}
