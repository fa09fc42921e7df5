package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import dev.wan.store.Placement;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invariant 5: files with the same sha256 are stored once and never fetched twice. */
class DedupEnsureTest {
    private static final int SHARED_SIZE = 6 * 1024 * 1024;

    @TempDir
    Path root;

    @TempDir
    Path work;

    private final byte[] encoder = Fixtures.bytes(SHARED_SIZE, 42);

    private Fixtures.TestModel model(String id, long seed) {
        return new Fixtures.TestModel(id)
                .file("config.json", ("{\"id\": \"" + id + "\"}\n").getBytes())
                .file("text_encoder/umt5-xxl.pth", encoder)
                .file("transformer/shard.safetensors", Fixtures.bytes(100_000, seed))
                .sources(work.resolve("src/" + id).toUri().toString());
    }

    private ModelEnsurer ensurer(BatchAndConcurrencyTest.CountingBackend counting, Fixtures.TestModel... models) {
        for (Fixtures.TestModel m : models) {
            m.writeTo(work.resolve("src/" + m.id()));
        }
        Fixtures.writeManifest(work.resolve("models.toml"), models);
        ModelEnsurer ensurer = Fixtures.ensurer(root, work.resolve("models.toml"), work);
        ensurer.addStorageBackend(counting);
        return ensurer;
    }

    private static Object inode(Path p) throws Exception {
        return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    @Test
    void theSecondModelFetchesZeroBytesOfAFileTheFirstAlreadyHas() throws Exception {
        var counting = new BatchAndConcurrencyTest.CountingBackend();
        Fixtures.TestModel t2v = model("t2v-A@1.0.0", 1);
        Fixtures.TestModel i2v = model("i2v-A@1.0.0", 2);
        ModelEnsurer ensurer = ensurer(counting, t2v, i2v);
        ensurer.ensure("t2v-A@1.0.0");
        long afterFirst = counting.bytes.get();

        Path second = ensurer.ensure("i2v-A@1.0.0");

        long fetchedBySecond = counting.bytes.get() - afterFirst;
        assertEquals(t2v.totalBytes(), afterFirst);
        assertEquals(i2v.totalBytes() - SHARED_SIZE, fetchedBySecond, "the shared encoder was not read again");
        Path mine = second.resolve("text_encoder/umt5-xxl.pth");
        Path theirs = root.resolve("wan22/t2v-A@1.0.0/text_encoder/umt5-xxl.pth");
        assertEquals(inode(theirs), inode(mine), "one inode, two paths");
        assertEquals(ModelState.COMPLETE, ensurer.status("i2v-A@1.0.0").state());
        FileRecord r = new StateStore(new StoreLayout(root)).readOrEmpty(ModelId.parse("i2v-A@1.0.0"))
                .files().get("text_encoder/umt5-xxl.pth");
        assertEquals(Placement.DEDUPLICATED, r.how());
        assertEquals("dedup:t2v-A@1.0.0/text_encoder/umt5-xxl.pth", r.source());
        assertEquals(Fixtures.sha256(encoder), r.sha256());
        assertTrue(ensurer.verifyIntegrity("i2v-A@1.0.0").verified());
    }

    @Test
    void twoModelsEnsuredAtOnceFetchTheirSharedFileOnce() throws Exception {
        var counting = new BatchAndConcurrencyTest.CountingBackend();
        Fixtures.TestModel t2v = model("t2v-C@1.0.0", 1);
        Fixtures.TestModel i2v = model("i2v-C@1.0.0", 2);
        ModelEnsurer ensurer = ensurer(counting, t2v, i2v);

        List<ModelEnsurer.BatchResult> results = ensurer.ensureBatch(List.of("t2v-C@1.0.0", "i2v-C@1.0.0"), 2);

        assertTrue(results.stream().allMatch(ModelEnsurer.BatchResult::ok), results.toString());
        StateStore states = new StateStore(new StoreLayout(root));
        String how = states.readOrEmpty(ModelId.parse("t2v-C@1.0.0")).files().get("text_encoder/umt5-xxl.pth") + " / "
                + states.readOrEmpty(ModelId.parse("i2v-C@1.0.0")).files().get("text_encoder/umt5-xxl.pth");
        assertEquals(t2v.totalBytes() + i2v.totalBytes() - SHARED_SIZE, counting.bytes.get(), how + ": "
                +
                "the shared encoder was read once although both models were ensured at the same time");
        assertEquals(inode(root.resolve("wan22/t2v-C@1.0.0/text_encoder/umt5-xxl.pth")),
                inode(root.resolve("wan22/i2v-C@1.0.0/text_encoder/umt5-xxl.pth")));
        assertEquals(ModelState.COMPLETE, ensurer.status("t2v-C@1.0.0").state());
        assertEquals(ModelState.COMPLETE, ensurer.status("i2v-C@1.0.0").state());
    }

    @Test
    void filesWithTheSamePathAndSizeButOtherContentAreNeverLinked() throws Exception {
        // The WAN2.2 trap: T2V and I2V shards 00002-00006 share paths and sizes, not bytes.
        var counting = new BatchAndConcurrencyTest.CountingBackend();
        Fixtures.TestModel t2v = model("t2v-B@1.0.0", 1);
        Fixtures.TestModel i2v = model("i2v-B@1.0.0", 2);
        ModelEnsurer ensurer = ensurer(counting, t2v, i2v);
        ensurer.ensure("t2v-B@1.0.0");

        Path second = ensurer.ensure("i2v-B@1.0.0");

        Path mine = second.resolve("transformer/shard.safetensors");
        Path theirs = root.resolve("wan22/t2v-B@1.0.0/transformer/shard.safetensors");
        assertEquals(Files.size(theirs), Files.size(mine));
        assertNotEquals(inode(theirs), inode(mine));
        assertEquals(Fixtures.sha256(i2v.content("transformer/shard.safetensors")), Fixtures.sha256(mine));
        assertEquals(Fixtures.sha256(t2v.content("transformer/shard.safetensors")), Fixtures.sha256(theirs));
    }

    @Test
    void identicalFilesWithinOneModelAreFetchedOnceAndLinked() throws Exception {
        var counting = new BatchAndConcurrencyTest.CountingBackend();
        byte[] config = Fixtures.bytes(200_000, 7);
        Fixtures.TestModel m = new Fixtures.TestModel("t2v-C@1.0.0")
                .file("high_noise_model/config.json", config)
                .file("low_noise_model/config.json", config)
                .sources(work.resolve("src/t2v-C@1.0.0").toUri().toString());
        ModelEnsurer ensurer = ensurer(counting, m);

        Path dir = ensurer.ensure("t2v-C@1.0.0");

        assertEquals(config.length, counting.bytes.get());
        assertEquals(inode(dir.resolve("high_noise_model/config.json")), inode(dir.resolve("low_noise_model/config.json")));
        assertEquals(ModelState.COMPLETE, ensurer.status("t2v-C@1.0.0").state());
    }

    @Test
    void variantsSharingAFileShareItsBytes() throws Exception {
        var counting = new BatchAndConcurrencyTest.CountingBackend();
        Fixtures.TestModel m = new Fixtures.TestModel("t2v-D@1.0.0").variants("fp16", "bf16")
                .file("vae.pth", encoder)
                .variantFile("fp16", "t/fp16.safetensors", Fixtures.bytes(50_000, 1))
                .variantFile("bf16", "t/bf16.safetensors", Fixtures.bytes(50_000, 2))
                .sources(work.resolve("src/t2v-D@1.0.0").toUri().toString());
        ModelEnsurer ensurer = ensurer(counting, m);
        ensurer.ensure("t2v-D@1.0.0", "fp16");
        long first = counting.bytes.get();

        ensurer.ensure("t2v-D@1.0.0", "bf16");

        assertEquals(50_000, counting.bytes.get() - first, "only the bf16 file was read");
    }

    @Test
    void modelFilesAreReadOnlyAfterEnsureAndRepairNeverWritesIntoASharedInode() throws Exception {
        var counting = new BatchAndConcurrencyTest.CountingBackend();
        Fixtures.TestModel t2v = model("t2v-E@1.0.0", 1);
        Fixtures.TestModel i2v = model("i2v-E@1.0.0", 2);
        ModelEnsurer ensurer = ensurer(counting, t2v, i2v);
        ensurer.ensure("t2v-E@1.0.0");
        Path dir = ensurer.ensure("i2v-E@1.0.0");
        Path mine = dir.resolve("text_encoder/umt5-xxl.pth");
        Path theirs = root.resolve("wan22/t2v-E@1.0.0/text_encoder/umt5-xxl.pth");
        for (Path p : List.of(mine, theirs, dir.resolve("config.json"))) {
            var perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            assertFalse(perms.contains(PosixFilePermission.OWNER_WRITE), p + " is read-only: " + perms);
        }
        // A damaged copy replaced at i2v's path (a new inode: how anything but root can change it)
        Path bad = dir.resolve("text_encoder/bad.tmp");
        Files.write(bad, Fixtures.bytes(SHARED_SIZE, 99));
        Files.move(bad, mine, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        ensurer.ensure("i2v-E@1.0.0");

        assertEquals(Fixtures.sha256(encoder), Fixtures.sha256(mine));
        assertEquals(Fixtures.sha256(encoder), Fixtures.sha256(theirs), "the other model's bytes are untouched");
        assertEquals(ModelState.COMPLETE, ensurer.status("t2v-E@1.0.0").state());
        assertEquals(ModelState.COMPLETE, ensurer.status("i2v-E@1.0.0").state());
    }
}
