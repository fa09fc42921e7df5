package dev.wan.internal.ensure;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.BatchAndConcurrencyTest;
import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreflightTest {
    @TempDir
    Path root;

    @TempDir
    Path work;

    @Test
    void noSpaceNamesNeededFreeAndMarginAndSuggestsGc() {
        WanException e = assertThrows(WanException.class,
                () -> Preflight.check("model m@1.0.0", Path.of("/x/.tmp"), 1_000_000_000L, 500_000_000L));

        assertEquals(ErrorCode.NO_SPACE, e.code());
        assertTrue(e.getMessage().contains("needs 1000000000 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("margin of " + (10_000_000L + Preflight.MARGIN_FIXED)), e.getMessage());
        assertTrue(e.getMessage().contains("only 500000000 bytes"), e.getMessage());
        assertTrue(e.hint().contains("wan models gc --dry-run"), e.hint());
        assertEquals(5, e.code().exitCode());
    }

    @Test
    void enoughSpaceIncludingTheMarginPassesAndOneByteLessFails() {
        long needed = 1_000_000_000L;
        long exactly = needed + 10_000_000L + Preflight.MARGIN_FIXED; // 1% + 64 MiB, as the README says

        assertDoesNotThrow(() -> Preflight.check("m", Path.of("/x"), needed, exactly));
        WanException e = assertThrows(WanException.class, () -> Preflight.check("m", Path.of("/x"), needed, exactly - 1));
        assertEquals(ErrorCode.NO_SPACE, e.code());
    }

    @Test
    void aModelBiggerThanTheDiskFailsBeforeAnyByteIsFetchedAndLeavesNothing() throws Exception {
        // Declared 1 PiB: no test machine has that; the source is never asked for it.
        Path manifest = work.resolve("models.toml");
        Files.writeString(manifest, """
                schema_version = 1
                [models."huge@1.0.0"]
                description = "too big"
                version = "1.0.0"
                [[models."huge@1.0.0".files]]
                path = "weights.safetensors"
                size = 1125899906842624
                sha256 = "%s"
                [models."huge@1.0.0".sources]
                priority = ["%s"]
                """.formatted("a".repeat(64), work.resolve("src").toUri()));
        var counting = new BatchAndConcurrencyTest.CountingBackend();
        ModelEnsurer ensurer = Fixtures.ensurer(root, manifest, work);
        ensurer.addStorageBackend(counting);

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure("huge@1.0.0"));

        assertEquals(ErrorCode.NO_SPACE, e.code());
        assertEquals(0, counting.opens.get());
        assertEquals(List.of(), Fixtures.listTree(root.resolve(".tmp")));
        assertFalse(Files.exists(root.resolve("wan22/huge@1.0.0")));
    }

    @Test
    void bytesAlreadyInTheStoreAreNotCountedAgainstTheFreeSpace() throws Exception {
        // Two models share a file; the first is there. The second's preflight counts only its own bytes.
        byte[] shared = Fixtures.bytes(300_000, 5);
        Fixtures.TestModel a = new Fixtures.TestModel("a@1.0.0").file("enc.pth", shared)
                .sources(work.resolve("src/a").toUri().toString());
        Fixtures.TestModel b = new Fixtures.TestModel("b@1.0.0").file("enc.pth", shared)
                .file("own.bin", Fixtures.bytes(1000, 6)).sources(work.resolve("src/b").toUri().toString());
        a.writeTo(work.resolve("src/a"));
        b.writeTo(work.resolve("src/b"));
        Fixtures.writeManifest(work.resolve("models.toml"), a, b);
        List<dev.wan.event.WanEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        ModelEnsurer ensurer = Fixtures.ensurer(root, work.resolve("models.toml"), work).addListener(events::add);
        ensurer.ensure("a@1.0.0");

        ensurer.ensure("b@1.0.0");

        var finished = events.stream().filter(ev -> ev instanceof dev.wan.event.WanEvent.EnsureFinished)
                .map(ev -> (dev.wan.event.WanEvent.EnsureFinished) ev).toList();
        assertEquals(2, finished.size());
        assertEquals(1000, finished.get(1).bytesFetched(), "dedup'd bytes are not fetched bytes");
    }

    /**
     * A real ENOSPC: an 8 MiB tmpfs as MODELS_ROOT, a 12 MiB file from a local source. Preflight
     * would refuse it up front, so WAN_PREFLIGHT=0 lets the copy run into the full disk, which is
     * what happens when something else fills the disk after preflight passed.
     */
    @Test
    void aDiskFillingUpMidCopyEndsInNoSpaceWithStagingCleaned() throws Exception {
        Path mnt = Files.createTempDirectory("wan-tmpfs");
        if (!mountTmpfs(mnt)) {
            Files.deleteIfExists(mnt);
            org.junit.jupiter.api.Assumptions.abort("tmpfs ENOSPC test skipped: needs root and mount -t tmpfs");
        }
        try {
            Fixtures.TestModel m = new Fixtures.TestModel("big@1.0.0")
                    .file("config.json", "{}".getBytes())
                    .file("weights.safetensors", Fixtures.bytes(12 << 20, 3))
                    .sources(work.resolve("src").toUri().toString());
            m.writeTo(work.resolve("src"));
            Fixtures.writeManifest(work.resolve("models.toml"), m);
            ModelEnsurer ensurer = ModelEnsurer.create(new WanConfig(mnt, work.resolve("models.toml"), work,
                    Duration.ofSeconds(30)), Clock.systemUTC(), List.of(), Map.of("WAN_PREFLIGHT", "0"));

            WanException e = assertThrows(WanException.class, () -> ensurer.ensure("big@1.0.0"));

            assertEquals(ErrorCode.NO_SPACE, e.code(), e.toString());
            assertTrue(e.getMessage().contains("no space left on device"), "a real ENOSPC, not the preflight: " + e);
            assertEquals(List.of(), Fixtures.listTree(mnt.resolve(".tmp")));
            assertFalse(Files.exists(mnt.resolve("wan22/big@1.0.0")));
            assertEquals(ModelState.NOT_PRESENT, ensurer.status("big@1.0.0").state());
        } finally {
            new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor();
            Files.deleteIfExists(mnt);
        }
    }

    private static boolean mountTmpfs(Path dir) {
        if (!"root".equals(System.getProperty("user.name"))) {
            System.out.println("PreflightTest: not root, skipping the tmpfs ENOSPC test");
            return false;
        }
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                System.out.println("PreflightTest: mount -t tmpfs failed (" + out.trim() + "), skipping");
                return false;
            }
            return true;
        } catch (Exception e) {
            System.out.println("PreflightTest: cannot run mount (" + e + "), skipping");
            return false;
        }
    }
}
