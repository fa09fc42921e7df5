package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invariant 6: a symlinked directory inside a model directory must not let ensure write elsewhere. */
class SymlinkEscapeTest {
    @TempDir
    Path root;

    @TempDir
    Path work;

    @Test
    void ensureRefusesToWriteThroughASymlinkedDirectoryInsideTheModel() throws Exception {
        Fixtures.TestModel model = new Fixtures.TestModel("linky@1.0.0")
                .file("config.json", "{}\n".getBytes())
                .file("sub/weights.bin", Fixtures.bytes(10_000, 5))
                .sources(work.resolve("src").toUri().toString());
        model.writeTo(work.resolve("src"));
        Path manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, model);
        Path outside = Files.createDirectories(work.resolve("outside"));
        Path modelDir = Files.createDirectories(root.resolve("wan22/linky@1.0.0"));
        Files.createSymbolicLink(modelDir.resolve("sub"), outside);
        ModelEnsurer ensurer = Fixtures.ensurer(root, manifest, root);

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure("linky@1.0.0"));

        assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, e.code());
        assertEquals(List.of(), Fixtures.listTree(outside), "nothing may be written through the link");
    }

    @Test
    void aSymlinkedModelDirectoryItselfIsAllowed() throws Exception {
        Fixtures.TestModel model = new Fixtures.TestModel("moved@1.0.0")
                .file("weights.bin", Fixtures.bytes(10_000, 6))
                .sources(work.resolve("src").toUri().toString());
        model.writeTo(work.resolve("src"));
        Path manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, model);
        Path otherDisk = Files.createDirectories(work.resolve("other-disk/moved"));
        Files.createDirectories(root.resolve("wan22"));
        Files.createSymbolicLink(root.resolve("wan22/moved@1.0.0"), otherDisk);

        Path dir = Fixtures.ensurer(root, manifest, root).ensure("moved@1.0.0");

        assertEquals(List.of("weights.bin"), Fixtures.listTree(otherDisk));
        assertEquals(root.resolve("wan22/moved@1.0.0"), dir);
    }
}
