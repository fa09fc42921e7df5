package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import dev.wan.store.Placement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hardlink only what nobody may write to. The policy reads mode bits, so it holds even when the
 * tests run as root (who could write anyway).
 */
class LinkPolicyTest {
    private static final String ID = "links@1.0.0";

    @TempDir
    Path root;

    @TempDir
    Path local;

    private final Fixtures.TestModel model = new Fixtures.TestModel(ID)
            .file("frozen.bin", Fixtures.bytes(50_000, 3))
            .file("mutable.bin", Fixtures.bytes(50_000, 4))
            .sources("local://src");

    private static long inode(Path p) throws Exception {
        return (Long) Files.getAttribute(p, "unix:ino");
    }

    @Test
    void aReadOnlySourceFileIsHardlinkedAndAWritableOneIsCopied() throws Exception {
        Path src = model.writeTo(local.resolve("src"));
        Files.setPosixFilePermissions(src.resolve("frozen.bin"), PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(src.resolve("mutable.bin"), PosixFilePermissions.fromString("rw-r--r--"));
        Path manifest = local.resolve("models.toml");
        Fixtures.writeManifest(manifest, model);

        Path dir = Fixtures.ensurer(root, manifest, local).ensure(ID, null);

        assertEquals(inode(src.resolve("frozen.bin")), inode(dir.resolve("frozen.bin")));
        assertNotEquals(inode(src.resolve("mutable.bin")), inode(dir.resolve("mutable.bin")));
        assertArrayEquals(model.content("mutable.bin"), Files.readAllBytes(dir.resolve("mutable.bin")));
        Map<String, FileRecord> files = new StateStore(new StoreLayout(root)).read(ModelId.parse(ID)).orElseThrow()
                .files();
        assertEquals(Placement.LINKED, files.get("frozen.bin").how());
        assertEquals(Placement.COPIED, files.get("mutable.bin").how());
    }

    @Test
    void aSourceFileWritableOnlyByItsGroupIsCopied() throws Exception {
        Path src = model.writeTo(local.resolve("src"));
        Files.setPosixFilePermissions(src.resolve("frozen.bin"), PosixFilePermissions.fromString("r--rw-r--"));
        Path manifest = local.resolve("models.toml");
        Fixtures.writeManifest(manifest, model);

        Path dir = Fixtures.ensurer(root, manifest, local).ensure(ID, null);

        assertNotEquals(inode(src.resolve("frozen.bin")), inode(dir.resolve("frozen.bin")));
    }

    @Test
    void aLinkedFileThatFailsItsChecksumIsNotLinkedIntoTheModel() throws Exception {
        Path src = model.writeTo(local.resolve("src"));
        Fixtures.flipByte(src.resolve("frozen.bin"));
        Files.setPosixFilePermissions(src.resolve("frozen.bin"), PosixFilePermissions.fromString("r--r--r--"));
        model.writeTo(local.resolve("good"));
        model.sources("local://good");
        Path manifest = local.resolve("models.toml");
        Fixtures.writeManifest(manifest, model);

        Path dir = Fixtures.ensurer(root, manifest, local).ensure(ID, null);

        assertNotEquals(inode(src.resolve("frozen.bin")), inode(dir.resolve("frozen.bin")));
        assertArrayEquals(model.content("frozen.bin"), Files.readAllBytes(dir.resolve("frozen.bin")));
        assertEquals(1, ((Number) Files.getAttribute(src.resolve("frozen.bin"), "unix:nlink")).intValue(),
                "the staged link was removed");
    }
}
