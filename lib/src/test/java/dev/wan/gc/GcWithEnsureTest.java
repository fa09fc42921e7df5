package dev.wan.gc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import dev.wan.ensure.ModelStatus;
import dev.wan.gc.GcPlan.Kind;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import dev.wan.store.ModelPins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector against models made by the real ensure: crashes mid-GC and races with ensure. */
class GcWithEnsureTest {
    private static final String ID = "alpha@1.0.0";

    @TempDir
    Path root;

    @TempDir
    Path work;

    private Fixtures.TestModel alpha;
    private ModelEnsurer ensurer;

    @BeforeEach
    void manifest() {
        alpha = new Fixtures.TestModel(ID)
                .file("config.json", "{\"a\": 1}\n".getBytes())
                .file("w/model.safetensors", Fixtures.bytes(200_000, 11))
                .file("vae.safetensors", Fixtures.bytes(50_000, 12))
                .sources(work.resolve("src").toUri().toString());
        alpha.writeTo(work.resolve("src"));
        Path manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, alpha);
        ensurer = Fixtures.ensurer(root, manifest, work);
    }

    private GarbageCollector evictEverything() {
        return new GarbageCollector(new StoreLayout(root), Clock.systemUTC(), GcPolicy.of(0L, null, null));
    }

    private void assertCompleteWithEveryFileOrNotPresent() throws Exception {
        ModelStatus s = ensurer.status(ID);
        assertTrue(s.state() == ModelState.COMPLETE || s.state() == ModelState.NOT_PRESENT, s.state().toString());
        if (s.state() == ModelState.COMPLETE) {
            for (String p : alpha.paths()) {
                assertArrayEquals(alpha.content(p), Files.readAllBytes(s.directory().resolve(p)), p);
            }
        }
    }

    @Test
    void crashAfterTheRenameIntoTrashLeavesTheModelNotPresentAndTheNextGcCleansUp() throws Exception {
        Path dir = ensurer.ensure(ID);
        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
        GarbageCollector gc = evictEverything();
        // What a kill -9 right after step 3 leaves: the directory in .trash, the state file still there.
        Files.createDirectories(gc.trashDir());
        Files.move(dir, gc.trashDir().resolve(ID + ".deadbeef"));

        ModelStatus after = ensurer.status(ID);
        GcResult r = new GarbageCollector(new StoreLayout(root), Clock.systemUTC(), GcPolicy.LEFTOVERS_ONLY)
                .collect(false);

        assertEquals(ModelState.NOT_PRESENT, after.state());
        assertEquals(List.of(), Fixtures.listTree(gc.trashDir()));
        assertFalse(Files.exists(new StoreLayout(root).stateFile(ModelId.parse(ID))));
        assertEquals(List.of(Kind.TRASH, Kind.ORPHAN_STATE),
                r.leftoversRemoved().stream().map(GcPlan.Leftover::kind).sorted().toList());
        assertEquals(alpha.totalBytes(), r.leftoversRemoved().stream().filter(l -> l.kind() == Kind.TRASH)
                .mapToLong(GcPlan.Leftover::bytes).sum());
        assertEquals(dir, ensurer.ensure(ID));
        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
    }

    @Test
    void gcDeletesAWholeModelAndEnsureBringsItBack() throws Exception {
        ensurer.ensure(ID);

        GcResult r = evictEverything().collect(false);

        assertEquals(List.of(ID), r.deleted().stream().map(GcPlan.Deletion::model).toList());
        assertEquals(alpha.totalBytes(), r.bytesReclaimed());
        assertEquals(ModelState.NOT_PRESENT, ensurer.status(ID).state());
        ensurer.ensure(ID);
        assertCompleteWithEveryFileOrNotPresent();
        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
    }

    @Test
    void pinSurvivesEnsureAndShowsInStatus() {
        ModelPins.at(root, Clock.systemUTC()).pin(ModelId.parse(ID), java.time.Duration.ofSeconds(5));

        ensurer.ensure(ID);
        GcResult r = evictEverything().collect(false);

        assertTrue(ensurer.status(ID).pinned());
        assertTrue(r.deleted().isEmpty());
        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
    }

    @Test
    void concurrentEnsureAndGcNeverLeaveACompleteModelWithMissingFiles() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 8; round++) {
                if (round % 2 == 0) {
                    ensurer.ensure(ID); // half the rounds race against a complete model, half against an absent one
                }
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Path> ensure = pool.submit(() -> {
                    start.await();
                    return ensurer.ensure(ID);
                });
                Future<GcResult> gc = pool.submit(() -> {
                    start.await();
                    return evictEverything().collect(false);
                });

                ensure.get(60, TimeUnit.SECONDS);
                gc.get(60, TimeUnit.SECONDS);

                assertCompleteWithEveryFileOrNotPresent();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
