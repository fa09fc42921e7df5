package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.event.WanEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, finding 8: the state write fails after the model was published (a full disk at that
 * very moment). Decided: the ensure succeeds — the model is complete and verified at its path —
 * with a warning; the next status sees files without a record and the next ensure re-hashes them.
 */
class StateWriteFailureTest {
    private static final String ID = "m@1.0.0";

    @TempDir
    Path root;

    @TempDir
    Path work;

    @Test
    void aFailedStateWriteAfterPublishingWarnsAndTheNextEnsureAdoptsTheFiles() throws Exception {
        Fixtures.TestModel m = new Fixtures.TestModel(ID).file("w.bin", Fixtures.bytes(20_000, 4))
                .sources(work.resolve("src").toUri().toString());
        m.writeTo(work.resolve("src"));
        Path manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, m);
        // The state's temp file name is fixed per process and thread: a non-empty directory there
        // makes the write fail the way a full disk would, after the model directory was renamed in.
        Path blocker = root.resolve(".state/" + ID + ".json.tmp-" + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().getId());
        Files.createDirectories(blocker.resolve("x"));
        ModelEnsurer ensurer = Fixtures.ensurer(root, manifest, root);
        List<String> warnings = new CopyOnWriteArrayList<>();
        ensurer.addListener(e -> {
            if (e instanceof WanEvent.Warning w) {
                warnings.add(w.message());
            }
        });

        Path dir = ensurer.ensure(ID);

        assertEquals(m.content("w.bin").length, Files.size(dir.resolve("w.bin")));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("state could not be saved"), warnings.get(0));
        assertTrue(ensurer.status(ID).state() != ModelState.COMPLETE, "no record: files are unverified");
        Files.delete(blocker.resolve("x"));
        Files.delete(blocker);

        ensurer.ensure(ID);

        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
    }
}
