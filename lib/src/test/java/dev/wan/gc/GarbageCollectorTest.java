package dev.wan.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import dev.wan.gc.GcPlan.Keep;
import dev.wan.gc.GcPlan.Kind;
import dev.wan.gc.GcPlan.Reason;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.lock.LockHolderMain;
import dev.wan.manifest.ModelId;
import dev.wan.store.ModelPins;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector on a real store in a temp dir, with a clock the test controls. */
class GarbageCollectorTest {
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final int KB = 1000;

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(T0.plus(Duration.ofDays(100)));

    private ModelPins pins() {
        return ModelPins.at(layout().root(), clock);
    }

    private StoreLayout layout() {
        return new StoreLayout(root);
    }

    /** A model on disk with one file of {@code bytes} bytes, last used {@code daysAfterT0} after T0. */
    private Path model(String id, int bytes, int daysAfterT0) {
        return model(id, bytes, daysAfterT0, false);
    }

    private Path model(String id, int bytes, int daysAfterT0, boolean pinned) {
        Path dir = layout().modelDir(ModelId.parse(id));
        Fixtures.write(dir.resolve("w.safetensors"), new byte[bytes]);
        Instant used = T0.plus(Duration.ofDays(daysAfterT0));
        new StateStore(layout()).write(new ModelRecord(1, id, List.of(), Map.of(), used, used, pinned));
        return dir;
    }

    private GarbageCollector gc(GcPolicy policy) {
        return new GarbageCollector(layout(), clock, policy);
    }

    private static List<String> names(List<GcPlan.Deletion> ds) {
        return ds.stream().map(GcPlan.Deletion::model).toList();
    }

    private static Keep keptFor(GcResult r, String model) {
        return r.preserved().stream().filter(p -> p.model().equals(model)).map(GcPlan.Preserved::reason).findFirst()
                .orElse(null);
    }

    @Test
    void maxAgeDeletesEveryUnpinnedModelNotUsedForLonger() {
        model("old@1.0.0", KB, 10);
        model("older@1.0.0", KB, 5);
        model("recent@1.0.0", KB, 95);

        GcResult r = gc(GcPolicy.of(null, Duration.ofDays(30), null)).collect(false);

        assertEquals(List.of("older@1.0.0", "old@1.0.0"), names(r.deleted()));
        assertTrue(r.deleted().stream().allMatch(d -> d.reason() == Reason.TOO_OLD));
        assertFalse(Files.exists(layout().modelDir(ModelId.parse("old@1.0.0"))));
        assertFalse(Files.exists(layout().stateFile(ModelId.parse("old@1.0.0"))));
        assertTrue(Files.exists(layout().modelDir(ModelId.parse("recent@1.0.0"))));
        assertEquals(Keep.WITHIN_LIMITS, keptFor(r, "recent@1.0.0"));
        assertEquals(2L * KB, r.bytesReclaimed());
    }

    @Test
    void maxSizeDeletesLeastRecentlyUsedFirstUntilTheStoreFits() {
        model("a@1.0.0", 10 * KB, 50);
        model("b@1.0.0", 10 * KB, 20);
        model("c@1.0.0", 10 * KB, 80);
        model("d@1.0.0", 10 * KB, 30);

        GcPlan plan = gc(GcPolicy.of(25L * KB, null, null)).plan();

        assertEquals(40L * KB, plan.storeBytes());
        assertEquals(List.of("b@1.0.0", "d@1.0.0"), names(plan.deletions()));
        assertTrue(plan.deletions().stream().allMatch(d -> d.reason() == Reason.OVER_SIZE));
        assertEquals(20L * KB, plan.bytesToFree());
        assertTrue(plan.goalMet());
    }

    @Test
    void lastUseFallsBackToCompletedAtThenToTheDirectoryMtime() throws Exception {
        Instant completed = T0.plus(Duration.ofDays(40));
        Fixtures.write(layout().modelDir(ModelId.parse("done@1.0.0")).resolve("f"), new byte[KB]);
        new StateStore(layout()).write(new ModelRecord(1, "done@1.0.0", List.of(), Map.of(), completed, null, false));
        Path bare = layout().modelDir(ModelId.parse("bare@1.0.0"));
        Fixtures.write(bare.resolve("f"), new byte[KB]);
        Files.setLastModifiedTime(bare, FileTime.from(T0.plus(Duration.ofDays(20))));
        model("used@1.0.0", KB, 30);

        GcPlan plan = gc(GcPolicy.of(0L, null, null)).plan();

        assertEquals(List.of("bare@1.0.0", "used@1.0.0", "done@1.0.0"), names(plan.deletions()));
        assertEquals(T0.plus(Duration.ofDays(20)), plan.deletions().get(0).lastUsed());
    }

    @Test
    void pinnedModelsAreNeverDeletedEvenWhenLimitsCannotBeMet() {
        model("pinned@1.0.0", 10 * KB, 1, true);
        model("free@1.0.0", 10 * KB, 2);

        GcResult r = gc(GcPolicy.of(0L, Duration.ofDays(1), null)).collect(false);

        assertEquals(List.of("free@1.0.0"), names(r.deleted()));
        assertEquals(Keep.PINNED, keptFor(r, "pinned@1.0.0"));
        assertTrue(Files.exists(layout().modelDir(ModelId.parse("pinned@1.0.0")).resolve("w.safetensors")));
        assertFalse(r.plan().goalMet());
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void aModelLockedByAnotherThreadIsPreservedAsInUse() throws Exception {
        model("busy@1.0.0", KB, 1);
        model("idle@1.0.0", KB, 2);

        GcResult r;
        try (ModelLock held = ModelLock.acquire(layout().lockFile(ModelId.parse("busy@1.0.0")), "busy", "ensure",
                Duration.ofSeconds(5), Clock.systemUTC(), h -> { })) {
            r = gc(GcPolicy.of(0L, null, null)).collect(false);
        }

        assertEquals(List.of("idle@1.0.0"), names(r.deleted()));
        assertEquals(Keep.IN_USE, keptFor(r, "busy@1.0.0"));
        assertTrue(Files.exists(layout().modelDir(ModelId.parse("busy@1.0.0")).resolve("w.safetensors")));
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void aModelThatBecomesBusyBetweenPlanAndDeletionIsKept() throws Exception {
        model("busy@1.0.0", KB, 1);
        GarbageCollector gc = gc(GcPolicy.of(0L, null, null));
        List<GcResult> out = new ArrayList<>();

        // The lock is taken by another thread while the collector runs; the collector must not wait for it.
        try (ModelLock held = ModelLock.acquire(layout().lockFile(ModelId.parse("busy@1.0.0")), "busy", "ensure",
                Duration.ofSeconds(5), Clock.systemUTC(), h -> { })) {
            Thread t = new Thread(() -> out.add(gc.collect(false)));
            t.start();
            t.join(10_000);
        }

        assertEquals(1, out.size());
        assertTrue(out.get(0).deleted().isEmpty());
        assertEquals(Keep.IN_USE, keptFor(out.get(0), "busy@1.0.0"));
        assertTrue(Files.exists(layout().modelDir(ModelId.parse("busy@1.0.0")).resolve("w.safetensors")));
    }

    @Test
    void aModelLockedByAnotherProcessIsPreserved() throws Exception {
        model("busy@1.0.0", KB, 1);
        Path lockFile = layout().lockFile(ModelId.parse("busy@1.0.0"));
        Files.createDirectories(lockFile.getParent());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), LockHolderMain.class.getName(),
                "hold", lockFile.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("LOCKED", reader.readLine());

            GcResult r = gc(GcPolicy.of(0L, null, null)).collect(false);

            assertTrue(r.deleted().isEmpty());
            assertEquals(Keep.IN_USE, keptFor(r, "busy@1.0.0"));
            assertTrue(Files.exists(layout().modelDir(ModelId.parse("busy@1.0.0")).resolve("w.safetensors")));
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sharedHardlinkedBytesAreFreedOnlyWithTheirLastLink() throws Exception {
        int mb = 1 << 20;
        Path a = model("a@1.0.0", KB, 10);
        Path b = model("b@1.0.0", KB, 20);
        Fixtures.write(a.resolve("vae.safetensors"), Fixtures.bytes(mb, 7));
        Files.createLink(b.resolve("vae.safetensors"), a.resolve("vae.safetensors"));

        GcPlan onlyA = gc(GcPolicy.of((long) mb + 2 * KB - 1, null, null)).plan();
        GcPlan both = gc(GcPolicy.of(0L, null, null)).plan();

        assertEquals((long) mb + 2 * KB, onlyA.storeBytes());
        assertEquals(List.of("a@1.0.0"), names(onlyA.deletions()));
        assertEquals(KB, onlyA.deletions().get(0).bytesFreed());
        assertEquals(List.of(KB + 0L, (long) mb + KB), both.deletions().stream().map(GcPlan.Deletion::bytesFreed).toList());

        GcResult r = gc(GcPolicy.of((long) mb + 2 * KB - 1, null, null)).collect(false);

        assertEquals(KB, r.bytesReclaimed());
        assertEquals(mb, Files.size(b.resolve("vae.safetensors")));
        assertEquals(1, (int) Files.getAttribute(b.resolve("vae.safetensors"), "unix:nlink"));
    }

    @Test
    void lowDiskDeletesLeastRecentlyUsedUntilEnoughIsFree() {
        model("a@1.0.0", 10 * KB, 10);
        model("b@1.0.0", 10 * KB, 20);
        model("c@1.0.0", 10 * KB, 30);

        GcPlan plan = gc(GcPolicy.of(null, null, 25L * KB)).freeSpace(p -> 8L * KB).plan();

        assertEquals(List.of("a@1.0.0", "b@1.0.0"), names(plan.deletions()));
        assertTrue(plan.deletions().stream().allMatch(d -> d.reason() == Reason.LOW_DISK));
        assertEquals(8L * KB, plan.freeBytes());
        assertTrue(plan.goalMet());
    }

    @Test
    void dryRunReportsThePlanAndChangesNothing() throws Exception {
        model("a@1.0.0", 10 * KB, 10);
        model("b@1.0.0", 10 * KB, 90);
        Path trash = root.resolve(".trash/x@1.0.0.1234");
        Fixtures.write(trash.resolve("f"), new byte[KB]);
        List<String> before = Fixtures.listTree(root);

        GcResult r = gc(GcPolicy.of(null, Duration.ofDays(30), null)).collect(true);

        assertTrue(r.dryRun());
        assertEquals(List.of("a@1.0.0"), names(r.deleted()));
        assertEquals(11L * KB, r.bytesReclaimed());
        assertEquals(before, Fixtures.listTree(root));
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void trashLeftoversAndStaleTmpAreCleanedButFreshOrLockedTmpIsKept() throws Exception {
        Fixtures.write(root.resolve(".trash/x@1.0.0.1234/sub/f"), new byte[3 * KB]);
        Path stale = root.resolve(".tmp/stale@1.0.0.staging");
        Fixtures.write(stale.resolve("part"), new byte[2 * KB]);
        Path fresh = root.resolve(".tmp/fresh@1.0.0.staging");
        Fixtures.write(fresh.resolve("part"), new byte[KB]);
        Path locked = root.resolve(".tmp/locked@1.0.0.journal");
        Fixtures.write(locked.resolve("part.json"), new byte[KB]);
        Path unknown = root.resolve(".tmp/something-else");
        Fixtures.write(unknown, new byte[KB]);
        Instant now = clock.instant();
        for (Path p : List.of(stale, stale.resolve("part"), locked, locked.resolve("part.json"), unknown)) {
            Files.setLastModifiedTime(p, FileTime.from(now.minus(Duration.ofDays(2))));
        }
        Files.setLastModifiedTime(fresh, FileTime.from(now.minus(Duration.ofDays(2))));
        Files.setLastModifiedTime(fresh.resolve("part"), FileTime.from(now.minus(Duration.ofHours(1))));

        GcResult r;
        try (ModelLock held = ModelLock.acquire(layout().lockFile(ModelId.parse("locked@1.0.0")), "locked", "ensure",
                Duration.ofSeconds(5), Clock.systemUTC(), h -> { })) {
            r = gc(GcPolicy.LEFTOVERS_ONLY).collect(false);
        }

        assertFalse(Files.exists(root.resolve(".trash/x@1.0.0.1234")));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh.resolve("part")));
        assertTrue(Files.exists(locked.resolve("part.json")));
        assertTrue(Files.exists(unknown));
        assertEquals(List.of(Kind.TRASH, Kind.STALE_TMP), r.leftoversRemoved().stream().map(GcPlan.Leftover::kind)
                .sorted().toList());
        assertEquals(5L * KB, r.bytesReclaimed());
    }

    @Test
    void stateOfAModelWhoseDirectoryIsGoneIsRemovedUnlessPinned() throws Exception {
        StateStore states = new StateStore(layout());
        states.write(ModelRecord.empty("gone@1.0.0"));
        states.write(new ModelRecord(1, "kept@1.0.0", List.of(), Map.of(), null, null, true));

        GcResult r = gc(GcPolicy.LEFTOVERS_ONLY).collect(false);

        assertFalse(Files.exists(layout().stateFile(ModelId.parse("gone@1.0.0"))));
        assertTrue(states.read(ModelId.parse("kept@1.0.0")).orElseThrow().pinned());
        assertEquals(List.of(Kind.ORPHAN_STATE), r.leftoversRemoved().stream().map(GcPlan.Leftover::kind).toList());
    }

    @Test
    void pinAndUnpinAreStoredAndPreserveTheRestOfTheState() {
        model("m@1.0.0", KB, 10);
        GarbageCollector gc = gc(GcPolicy.of(0L, null, null));
        ModelId id = ModelId.parse("m@1.0.0");
        StateStore states = new StateStore(layout());
        ModelRecord before = states.read(id).orElseThrow();

        assertTrue(pins().pin(id, Duration.ofSeconds(5)));
        assertFalse(pins().pin(id, Duration.ofSeconds(5)));
        ModelRecord pinned = states.read(id).orElseThrow();
        GcPlan plan = gc.plan();

        assertTrue(pinned.pinned());
        assertEquals(before.lastUsed(), pinned.lastUsed());
        assertEquals(before.completedAt(), pinned.completedAt());
        assertTrue(plan.deletions().isEmpty());
        assertTrue(pins().unpin(id, Duration.ofSeconds(5)));
        assertFalse(states.read(id).orElseThrow().pinned());
        assertEquals(List.of("m@1.0.0"), names(gc.plan().deletions()));
    }
}
