package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.gc.GarbageCollector;
import dev.wan.gc.GcPolicy;
import dev.wan.gc.GcResult;
import dev.wan.internal.ensure.Preflight;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, findings 1–3 and 8: links planted inside MODELS_ROOT by someone who may write there
 * never make wan delete, truncate or write anything outside it, and damaged internals give
 * clear, per-model errors.
 */
class PlantedLinkTest {
    private static final String ID = "m@1.0.0";
    private static final List<String> OUTSIDE = List.of("m@1.0.0.staging", "m@1.0.0.staging/inside.txt", "precious.txt");

    @TempDir
    Path root;

    @TempDir
    Path work;

    @TempDir
    Path outside;

    private Path manifest;
    private StoreLayout layout;

    @BeforeEach
    void model() throws Exception {
        Fixtures.TestModel m = new Fixtures.TestModel(ID).file("config.json", "{}\n".getBytes())
                .file("sub/weights.bin", Fixtures.bytes(50_000, 3)).sources(work.resolve("src").toUri().toString());
        m.writeTo(work.resolve("src"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, m);
        layout = new StoreLayout(root);
        Files.writeString(outside.resolve("precious.txt"), "keep me");
        Files.createDirectories(outside.resolve("m@1.0.0.staging"));
        Files.writeString(outside.resolve("m@1.0.0.staging/inside.txt"), "and me");
    }

    private GarbageCollector gc(GcPolicy policy) {
        // an hour ahead: what the test just created is older than the (zero) grace, whatever the clock's tick
        return GarbageCollector.at(layout.root(), Clock.offset(Clock.systemUTC(), Duration.ofHours(1)),
                new GcPolicy(policy.maxTotalSize(), policy.maxModelAge(), policy.minFreeBytes(), Duration.ZERO));
    }

    @Test
    void gcNeverDeletesThroughATrashLink() throws Exception {
        Files.createSymbolicLink(root.resolve(".trash"), outside);

        WanException e = assertThrows(WanException.class, () -> gc(GcPolicy.LEFTOVERS_ONLY).collect(false));

        assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, e.code());
        assertTrue(e.getMessage().contains(".trash is a symlink"), e.getMessage());
        assertEquals(OUTSIDE, Fixtures.listTree(outside));
    }

    @Test
    void gcNeverDeletesThroughATmpLink() throws Exception {
        Files.createSymbolicLink(root.resolve(".tmp"), outside);

        assertThrows(WanException.class, () -> gc(GcPolicy.LEFTOVERS_ONLY).collect(false));

        assertEquals(OUTSIDE, Fixtures.listTree(outside));
    }

    @Test
    void aLinkedStagingLeftoverIsUnlinkedNotEntered() throws Exception {
        Files.createDirectories(root.resolve(".tmp"));
        Files.createSymbolicLink(layout.stagingDir(ModelId.parse(ID)), outside.resolve("m@1.0.0.staging"));

        GcResult r = gc(GcPolicy.LEFTOVERS_ONLY).collect(false);

        assertEquals(1, r.leftoversRemoved().size(), r.toString());
        assertFalse(Files.exists(layout.stagingDir(ModelId.parse(ID)), LinkOption.NOFOLLOW_LINKS));
        assertEquals(OUTSIDE, Fixtures.listTree(outside));
    }

    @Test
    void aLockFileLinkIsNeverOpenedNorItsTargetCreated() throws Exception {
        Files.createDirectories(layout.locksDir());
        Files.createSymbolicLink(layout.lockFile(ModelId.parse(ID)), outside.resolve("precious.txt"));
        Path dangling = layout.locksDir().resolve("other@1.0.0.lock");
        Files.createSymbolicLink(dangling, outside.resolve("created.txt"));

        WanException e = assertThrows(WanException.class, () -> ModelLock.acquire(layout.lockFile(ModelId.parse(ID)),
                "model " + ID, "test", Duration.ZERO, Clock.systemUTC(), h -> { }));
        assertThrows(WanException.class, () -> ModelLock.acquire(dangling, "other", "test", Duration.ZERO,
                Clock.systemUTC(), h -> { }));

        assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, e.code());
        assertEquals("keep me", Files.readString(outside.resolve("precious.txt")));
        assertFalse(Files.exists(outside.resolve("created.txt")));
    }

    @Test
    void aLockFileHardlinkIsNeverTruncated() throws Exception {
        Files.createDirectories(layout.locksDir());
        Files.createLink(layout.lockFile(ModelId.parse(ID)), outside.resolve("precious.txt"));

        assertThrows(WanException.class, () -> ModelLock.acquire(layout.lockFile(ModelId.parse(ID)), "model " + ID,
                "test", Duration.ZERO, Clock.systemUTC(), h -> { }));

        assertEquals("keep me", Files.readString(outside.resolve("precious.txt")));
    }

    @Test
    void aLinkedStagingDirectoryIsReplacedAndTheModelIsPublishedAsARealDirectory() throws Exception {
        Files.createDirectories(root.resolve(".tmp"));
        Path planted = Files.createDirectories(outside.resolve("landing"));
        Files.createSymbolicLink(layout.stagingDir(ModelId.parse(ID)), planted);

        Path dir = Fixtures.ensurer(root, manifest, root).ensure(ID);

        assertFalse(Files.isSymbolicLink(dir), "the published model must not be the planted link");
        assertTrue(Files.isRegularFile(dir.resolve("sub/weights.bin"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of(), Fixtures.listTree(planted), "nothing may be written through the link");
    }

    @Test
    void aLinkedSubdirectoryLeftInStagingIsRemovedNotWrittenThrough() throws Exception {
        Path staging = Files.createDirectories(layout.stagingDir(ModelId.parse(ID)));
        Path planted = Files.createDirectories(outside.resolve("landing"));
        Files.createSymbolicLink(staging.resolve("sub"), planted);

        Path dir = Fixtures.ensurer(root, manifest, root).ensure(ID);

        assertFalse(Files.isSymbolicLink(dir.resolve("sub")));
        assertEquals(List.of(), Fixtures.listTree(planted));
    }

    @Test
    void storeDirectoriesAsLinksAreRefusedWithTheirName() throws Exception {
        for (String area : List.of(".state", "wan22", ".locks", ".tmp")) {
            Path r = Files.createDirectories(work.resolve("r-" + area));
            Files.createSymbolicLink(r.resolve(area), outside);

            WanException e = assertThrows(WanException.class, () -> Fixtures.ensurer(r, manifest, r).ensure(ID), area);

            assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, e.code(), area);
            assertTrue(e.getMessage().contains(area + " is a symlink"), e.getMessage());
        }
        assertEquals(OUTSIDE, Fixtures.listTree(outside));
    }

    @Test
    void aBadFileIsNeverQuarantinedThroughALink() throws Exception {
        Files.createDirectories(root.resolve("wan22/" + ID + "/sub"));
        Files.write(root.resolve("wan22/" + ID + "/sub/weights.bin"), new byte[50_000]); // right size, wrong bytes
        Files.createSymbolicLink(root.resolve(".quarantine"), outside);

        WanException e = assertThrows(WanException.class, () -> Fixtures.ensurer(root, manifest, root).ensure(ID));

        assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, e.code());
        assertEquals(OUTSIDE, Fixtures.listTree(outside));
        assertTrue(Files.isRegularFile(root.resolve("wan22/" + ID + "/sub/weights.bin")), "the bad file stays for a human");
    }

    @Test
    void aFileWhereTheLocksDirectoryBelongsSaysSo() throws Exception {
        Files.writeString(root.resolve(".locks"), "oops");

        WanException e = assertThrows(WanException.class, () -> Fixtures.ensurer(root, manifest, root).ensure(ID));

        assertEquals(ErrorCode.FILESYSTEM_ERROR, e.code());
        assertTrue(e.getMessage().contains("exists and is not a directory"), e.getMessage());
    }

    @Test
    void oneBadLockFileCostsGcOneModelNotTheRun() throws Exception {
        Fixtures.TestModel a = new Fixtures.TestModel("a@1.0.0").file("a.bin", Fixtures.bytes(1000, 1))
                .sources(work.resolve("sa").toUri().toString());
        Fixtures.TestModel b = new Fixtures.TestModel("b@1.0.0").file("b.bin", Fixtures.bytes(1000, 2))
                .sources(work.resolve("sb").toUri().toString());
        a.writeTo(work.resolve("sa"));
        b.writeTo(work.resolve("sb"));
        Path two = work.resolve("two.toml");
        Fixtures.writeManifest(two, a, b);
        ModelEnsurer ensurer = Fixtures.ensurer(root, two, root);
        ensurer.ensure("a@1.0.0");
        ensurer.ensure("b@1.0.0");
        Path lock = layout.lockFile(ModelId.parse("a@1.0.0"));
        Files.delete(lock);
        Files.createSymbolicLink(lock, outside.resolve("precious.txt"));

        GcResult r = gc(GcPolicy.of(0L, null, null)).collect(false);

        assertEquals(List.of("b@1.0.0"), r.deleted().stream().map(d -> d.model()).toList());
        assertTrue(Files.isDirectory(root.resolve("wan22/a@1.0.0")), "a is kept, b still collected");
        assertTrue(r.preserved().stream().anyMatch(p -> p.model().equals("a@1.0.0")
                && p.detail().contains("is a symlink")), r.preserved().toString());
        assertEquals("keep me", Files.readString(outside.resolve("precious.txt")));
    }

    @Test
    void aStaleIndexTempFileIsCollected() throws Exception {
        Path stale = Files.createDirectories(root.resolve(".index")).resolve("sha256.json.tmp-99-1");
        Files.writeString(stale, "half");
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3600)));

        GcResult r = gc(GcPolicy.LEFTOVERS_ONLY).collect(false);

        assertFalse(Files.exists(stale));
        assertTrue(r.leftoversRemoved().stream().anyMatch(l -> l.path().equals(stale)), r.toString());
    }

    @Test
    void aSizeNearTwoToTheSixtyThreeDoesNotOverflowPastThePreflight() {
        long huge = Long.MAX_VALUE - 10;

        WanException e = assertThrows(WanException.class,
                () -> Preflight.check("model m", Path.of("/x/.tmp"), huge, 1L << 40));

        assertEquals(ErrorCode.NO_SPACE, e.code());
        assertEquals(Long.MAX_VALUE, Preflight.plus(huge, huge));
    }
}
