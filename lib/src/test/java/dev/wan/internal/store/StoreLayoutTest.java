package dev.wan.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.io.ContainedPath;
import dev.wan.manifest.ModelId;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoreLayoutTest {
    @TempDir
    Path root;

    @ParameterizedTest
    @ValueSource(strings = {"../escape.bin", "a/../../escape.bin", "vae/../../../etc/passwd", "/etc/passwd",
            "..", "a/..", "", "."})
    void resolveInsideRejectsPathsThatLeaveOrEqualTheDirectory(String relative) {
        Path dir = root.resolve("wan22/m@1.0.0");

        WanException e = assertThrows(WanException.class, () -> ContainedPath.resolveInside(dir, relative));

        assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, e.code());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"config.json", "vae/diffusion_pytorch_model.safetensors", "a/./b.bin", "a/../b.bin",
            "..hidden", "x..y/z"})
    void resolveInsideAcceptsPathsThatStayInside(String relative) {
        Path dir = root.resolve("wan22/m@1.0.0");

        Path resolved = ContainedPath.resolveInside(dir, relative);

        assertTrue(resolved.startsWith(dir), resolved.toString());
        assertEquals(resolved.normalize(), resolved);
    }

    @Test
    void aSiblingWithTheSamePrefixIsOutside() {
        Path dir = root.resolve("wan22/m@1.0.0");

        WanException e = assertThrows(WanException.class,
                () -> ContainedPath.resolveInside(dir, "../m@1.0.0-evil/x.bin"));

        assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, e.code());
    }

    @Test
    void theLayoutPutsEverythingUnderTheRootAsTheGuideDescribes() {
        StoreLayout layout = new StoreLayout(root);
        ModelId id = ModelId.parse("t2v-A14B@2.2.0");

        layout.createSkeleton();

        assertEquals(root.resolve("wan22/t2v-A14B@2.2.0"), layout.modelDir(id));
        assertEquals(root.resolve(".locks/t2v-A14B@2.2.0.lock"), layout.lockFile(id));
        assertEquals(root.resolve(".state/t2v-A14B@2.2.0.json"), layout.stateFile(id));
        for (String d : new String[] {".tmp", ".locks", ".state", "wan22"}) {
            assertTrue(Files.isDirectory(root.resolve(d)), d);
        }
    }

    @Test
    void stagingAndJournalDirectoriesAreFixedPerModelAndCarryTheModelPrefix() {
        StoreLayout layout = new StoreLayout(root);
        ModelId id = ModelId.parse("m@1.0.0");

        Path staging = layout.stagingDir(id);
        Path journal = layout.journalFile(id, "sub/w.bin");

        assertEquals(staging, layout.stagingDir(id), "the same model always stages in the same place (resume)");
        assertEquals(layout.tmpDir(), staging.getParent());
        assertTrue(staging.getFileName().toString().startsWith(layout.stagingPrefix(id)));
        assertEquals(layout.journalDir(id).resolve("sub/w.bin.json"), journal);
        assertTrue(layout.journalDir(id).getFileName().toString().startsWith(layout.stagingPrefix(id)));
    }

    @Test
    void aRootUnderARegularFileFailsWithAFilesystemErrorNamingThePath() throws Exception {
        Path file = Files.writeString(root.resolve("file"), "not a directory");
        StoreLayout layout = new StoreLayout(file.resolve("root"));

        WanException e = assertThrows(WanException.class, layout::createSkeleton);

        assertEquals(5, e.code().exitCode(), e.code().toString());
        assertTrue(e.getMessage().contains(file.resolve("root").toString()), e.getMessage());
    }
}
