package dev.wan.internal.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagingProgressTest {
    private static final int CHUNK = 16 << 20;

    @TempDir
    Path root;

    @Test
    void countsJournaledChunksOfPartFilesAndTheSizeOfPlainStagedFiles() throws Exception {
        StoreLayout layout = new StoreLayout(root);
        ModelId id = ModelId.parse("m@1.0.0");
        Path staging = layout.stagingDir(id);
        Files.createDirectories(staging.resolve("sub"));
        long size = 40L << 20; // chunks of 16, 16 and 8 MiB
        try (RandomAccessFile part = new RandomAccessFile(staging.resolve("sub/big.bin").toFile(), "rw")) {
            part.setLength(size); // preallocated: its size says nothing about progress
        }
        BitSet done = new BitSet();
        done.set(0);
        done.set(2);
        Files.createDirectories(layout.journalFile(id, "sub/big.bin").getParent()); // the ensure makes it
        new PartJournal("hf://org/repo@abc", size, null, CHUNK, done.toLongArray())
                .write(layout.journalFile(id, "sub/big.bin"));
        Files.write(staging.resolve("copy.json"), new byte[1000]);

        long staged = new StagingProgress(layout).bytesStaged(id);

        assertEquals((16L << 20) + (8L << 20) + 1000, staged);
    }

    @Test
    void isZeroWithoutAStagingArea() {
        assertEquals(0, new StagingProgress(new StoreLayout(root)).bytesStaged(ModelId.parse("m@1.0.0")));
    }
}
