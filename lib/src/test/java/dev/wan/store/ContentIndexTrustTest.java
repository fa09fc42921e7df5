package dev.wan.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import dev.wan.internal.store.ContentIndex;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An index hit is believed only with its model's own state and the same inode; .index is never followed. */
class ContentIndexTrustTest {
    @TempDir
    Path root;

    @TempDir
    Path elsewhere;

    private StoreLayout layout;
    private StateStore states;
    private final byte[] vae = Fixtures.bytes(10_000, 1);
    private final String vaeSha = Fixtures.sha256(vae);
    private Path vaeFile;

    @BeforeEach
    void oneModelWithAVerifiedFile() throws Exception {
        layout = new StoreLayout(root);
        layout.createSkeleton();
        states = new StateStore(layout);
        vaeFile = layout.modelDir(ModelId.parse("a@1.0.0")).resolve("vae.pth");
        Fixtures.write(vaeFile, vae);
        var files = new HashMap<String, FileRecord>();
        files.put("vae.pth", new FileRecord(vae.length, vaeSha, Check.SHA256,
                Files.getLastModifiedTime(vaeFile).toMillis(), Instant.parse("2026-11-26T00:00:00Z"), "test",
                Placement.COPIED));
        states.write(ModelRecord.empty("a@1.0.0").withFiles(files));
    }

    @Test
    void aCopyWithTheRecordedInodeIsFound() {
        assertTrue(new ContentIndex(layout).find(vaeSha, vae.length, "b@1.0.0", "vae.pth").isPresent());
    }

    @Test
    void aFileSwappedForAnotherInodeWithTheSameSizeAndMtimeIsNotACopy() throws Exception {
        FileTime mtime = Files.getLastModifiedTime(vaeFile);
        Path other = root.resolve("other");
        Files.write(other, Fixtures.bytes(10_000, 2));
        Files.setLastModifiedTime(other, mtime);
        Files.delete(vaeFile);
        Files.createLink(vaeFile, other);

        boolean found = new ContentIndex(layout).find(vaeSha, vae.length, "b@1.0.0", "vae.pth").isPresent();

        assertFalse(found);
    }

    @Test
    void anEntryWhoseModelStateIsDamagedIsNotACopy() throws Exception {
        ContentIndex index = new ContentIndex(layout);
        index.refresh();
        Files.writeString(layout.stateFile(ModelId.parse("a@1.0.0")), "{");

        boolean found = index.find(vaeSha, vae.length, "b@1.0.0", "vae.pth").isPresent();

        assertFalse(found);
    }

    @Test
    void anIndexDirectoryThatIsASymlinkIsNeitherReadNorWritten() throws Exception {
        Files.createSymbolicLink(root.resolve(".index"), elsewhere);

        boolean found = new ContentIndex(layout).find(vaeSha, vae.length, "b@1.0.0", "vae.pth").isPresent();

        assertTrue(found, "the index is rebuilt in memory from the state files");
        try (var s = Files.list(elsewhere)) {
            assertEquals(0, s.count(), "nothing written through the link");
        }
    }

    @Test
    void staleTempFilesOfACrashedIndexWriterAreRemovedByTheNextWrite() throws Exception {
        Path stale = root.resolve(".index/sha256.json.tmp-99999-1");
        Files.createDirectories(stale.getParent());
        Files.writeString(stale, "half");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(0));
        Path fresh = root.resolve(".index/sha256.json.tmp-99999-2"); // a live writer's: left alone

        Files.writeString(fresh, "in flight");
        List<Path> listed = new ContentIndex(layout).staleTemps(java.time.Instant.now());
        new ContentIndex(layout).refresh();

        assertEquals(List.of(stale), listed);
        assertFalse(Files.exists(stale, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(fresh));
        assertTrue(Files.isRegularFile(root.resolve(".index/sha256.json"), LinkOption.NOFOLLOW_LINKS));
    }
}
