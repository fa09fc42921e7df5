package dev.wan.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import dev.wan.manifest.ModelId;
import dev.wan.store.Check;
import dev.wan.store.Placement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentIndexTest {
    @TempDir
    Path root;

    private StoreLayout layout;
    private StateStore states;
    private final byte[] vae = Fixtures.bytes(10_000, 1);
    private final String vaeSha = Fixtures.sha256(vae);

    @BeforeEach
    void twoModelsOneVerifiedByHashOneBySizeOnly() throws Exception {
        layout = new StoreLayout(root);
        layout.createSkeleton();
        states = new StateStore(layout);
        put("t2v-A@1.0.0", "vae.pth", vae, Check.SHA256);
        put("i2v-A@1.0.0", "vae.pth", vae, Check.SIZE_ONLY);
    }

    private Path put(String model, String path, byte[] content, Check check) throws Exception {
        Path file = layout.modelDir(ModelId.parse(model)).resolve(path);
        Fixtures.write(file, content);
        ModelRecord r = states.readOrEmpty(ModelId.parse(model));
        var files = new java.util.HashMap<>(r.files());
        files.put(path, new FileRecord(content.length, Fixtures.sha256(content), check,
                Files.getLastModifiedTime(file).toMillis(), Instant.parse("2026-11-26T00:00:00Z"), "test",
                Placement.COPIED));
        states.write(r.withFiles(files));
        return file;
    }

    @Test
    void indexesOnlyContentCheckedAgainstADigest() {
        Map<String, List<ContentIndex.Entry>> entries = new ContentIndex(layout).entries();

        assertEquals(List.of(new ContentIndex.Entry("t2v-A@1.0.0", "vae.pth", vae.length,
                entries.get(vaeSha).get(0).mtimeMillis())), entries.get(vaeSha));
        assertTrue(Files.isRegularFile(root.resolve(".index/sha256.json")));
    }

    @Test
    void findReturnsATrustedCopyElsewhereButNeverTheFileItself() {
        ContentIndex index = new ContentIndex(layout);

        Optional<ContentIndex.Copy> found = index.find(vaeSha, vae.length, "x@1.0.0", "vae.pth");
        Optional<ContentIndex.Copy> self = index.find(vaeSha, vae.length, "t2v-A@1.0.0", "vae.pth");

        assertEquals(root.resolve("wan22/t2v-A@1.0.0/vae.pth"), found.orElseThrow().file());
        assertEquals("dedup:t2v-A@1.0.0/vae.pth", found.get().describe());
        assertTrue(self.isEmpty());
    }

    @Test
    void aFileChangedSinceItsRecordIsNotHandedOut() throws Exception {
        ContentIndex index = new ContentIndex(layout);
        Path file = root.resolve("wan22/t2v-A@1.0.0/vae.pth");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(1_000));

        assertTrue(index.find(vaeSha, vae.length, "x@1.0.0", "p").isEmpty());
    }

    @Test
    void aDeletedIndexIsRebuilt() throws Exception {
        new ContentIndex(layout).entries();
        Files.delete(root.resolve(".index/sha256.json"));

        Optional<ContentIndex.Copy> found = new ContentIndex(layout).find(vaeSha, vae.length, "x@1.0.0", "p");

        assertTrue(found.isPresent());
        assertTrue(Files.isRegularFile(root.resolve(".index/sha256.json")));
    }

    @Test
    void aCorruptIndexIsRebuilt() throws Exception {
        new ContentIndex(layout).entries();
        Files.writeString(root.resolve(".index/sha256.json"), "{\"schema\":1,\"entries\":{\"zz\":[{\"mod");

        Optional<ContentIndex.Copy> found = new ContentIndex(layout).find(vaeSha, vae.length, "x@1.0.0", "p");

        assertTrue(found.isPresent());
        assertTrue(Files.readString(root.resolve(".index/sha256.json")).contains(vaeSha));
    }

    @Test
    void aStaleIndexIsRebuiltWhenAStateFileChanges() throws Exception {
        ContentIndex index = new ContentIndex(layout);
        String before = index.fingerprint();
        byte[] encoder = Fixtures.bytes(5_000, 2);

        put("ti2v-A@1.0.0", "umt5.pth", encoder, Check.SHA256);
        index.refresh();

        assertNotEquals(before, index.fingerprint());
        assertTrue(index.find(Fixtures.sha256(encoder), encoder.length, "x@1.0.0", "p").isPresent());
        assertTrue(Files.readString(root.resolve(".index/sha256.json")).contains(Fixtures.sha256(encoder)));
    }

    @Test
    void aCorruptRecordIsNotACandidate() throws Exception {
        ModelId id = ModelId.parse("t2v-A@1.0.0");
        ModelRecord r = states.readOrEmpty(id);
        FileRecord good = r.files().get("vae.pth");
        states.write(r.withFiles(Map.of("vae.pth", new FileRecord(good.size(), vaeSha, Check.CORRUPT,
                good.mtimeMillis(), Instant.now(), good.source(), good.how()))));

        assertTrue(new ContentIndex(layout).find(vaeSha, vae.length, "x@1.0.0", "p").isEmpty());
    }
}
