package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bit rot in an ensured file: verify finds it, status shows it, ensure repairs it. */
class CorruptionRepairTest {
    private static final String ID = "demo-t2v@1.0.0";

    @TempDir
    Path root;

    @Test
    void flippedByteIsFoundByVerifyShownByStatusAndRepairedByEnsure() throws Exception {
        Cli cli = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_HOME", Cli.REPO.toString());
        assertEquals(0, cli.run("ensure", "--only", ID).exitCode());
        Path file = root.resolve("wan22").resolve(ID).resolve("text_encoder/model.safetensors");
        String good = Fixtures.sha256(file);
        FileTime mtime = Files.getLastModifiedTime(file);
        file.toFile().setWritable(true);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(1000);
            int b = raf.read();
            raf.seek(1000);
            raf.write(b ^ 0x01);
        }
        Files.setLastModifiedTime(file, mtime); // silent bit rot: size and mtime unchanged

        Cli.Result before = cli.run("status", ID, "--json");
        Cli.Result verify = cli.run("verify", ID);
        Cli.Result after = cli.run("status", ID, "--json");
        Cli.Result repair = cli.run("ensure", "--only", ID);
        Cli.Result reverify = cli.run("verify", ID);

        assertTrue(before.stdout().contains("\"state\" : \"COMPLETE\""), "status does not hash: " + before);
        assertEquals(7, verify.exitCode(), verify.toString());
        assertTrue(verify.stdout().contains("CORRUPT  text_encoder/model.safetensors"), verify.toString());
        assertTrue(after.stdout().contains("\"state\" : \"CORRUPT\""), after.toString());
        assertEquals(0, repair.exitCode(), repair.toString());
        assertEquals(good, Fixtures.sha256(file));
        assertEquals(0, reverify.exitCode(), reverify.toString());
        try (var q = Files.walk(root.resolve(".quarantine"))) {
            assertEquals(1, q.filter(p -> p.endsWith("model.safetensors")).count(),
                    "the corrupt copy is kept in .quarantine, not deleted");
        }
    }
}
