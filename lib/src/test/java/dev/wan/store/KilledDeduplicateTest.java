package dev.wan.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import dev.wan.internal.store.Deduplicator;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deduplicate killed after renaming a link over a file but before writing that model's state
 * leaves a record with the old mtime: the model is no longer COMPLETE. Found by the crash-loop
 * suite; the next deduplicate must heal it (same inode as a trusted copy of the same sha256), and
 * remove the temporary link a kill between link and rename leaves.
 */
class KilledDeduplicateTest {
    @TempDir
    Path root;

    @TempDir
    Path work;

    @Test
    void theNextDeduplicateHealsRecordsAKilledOneLeftStaleAndRemovesItsTemporaryLink() throws Exception {
        byte[] shared = Fixtures.bytes(30_000, 5);
        Fixtures.TestModel a = new Fixtures.TestModel("a@1.0.0").file("enc.bin", shared)
                .sources(work.resolve("sa").toUri().toString());
        Fixtures.TestModel b = new Fixtures.TestModel("b@1.0.0").file("enc.bin", shared)
                .sources(work.resolve("sb").toUri().toString());
        a.writeTo(work.resolve("sa"));
        b.writeTo(work.resolve("sb"));
        Path manifest = work.resolve("m.toml");
        Fixtures.writeManifest(manifest, a, b);
        ModelEnsurer ensurer = Fixtures.ensurer(root, manifest, root);
        ensurer.ensure("a@1.0.0");
        ensurer.ensure("b@1.0.0"); // linked to a's copy: one inode, both records trusted
        StoreLayout layout = new StoreLayout(root);
        StateStore states = new StateStore(layout);
        ModelRecord rb = states.readOrEmpty(ModelId.parse("b@1.0.0"));
        FileRecord old = rb.files().get("enc.bin");
        Map<String, FileRecord> files = new HashMap<>(rb.files());
        files.put("enc.bin", new FileRecord(old.size(), old.sha256(), old.check(), old.mtimeMillis() - 60_000,
                old.verifiedAt(), old.source(), old.how())); // what the killed run's state still said
        states.write(rb.withFiles(files));
        Path stray = root.resolve("wan22/b@1.0.0/.enc.bin.wan-dedup-1-1");
        Files.createLink(stray, root.resolve("wan22/a@1.0.0/enc.bin"));
        assertNotEquals(ModelState.COMPLETE, ensurer.status("b@1.0.0").state());

        new Deduplicator(layout, Duration.ofSeconds(5), Clock.systemUTC()).run(false);

        assertEquals(ModelState.COMPLETE, ensurer.status("b@1.0.0").state());
        assertEquals(ModelState.COMPLETE, ensurer.status("a@1.0.0").state());
        assertFalse(Files.exists(stray), "the killed run's temporary link is gone");
    }
}
