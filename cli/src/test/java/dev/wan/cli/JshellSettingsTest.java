package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JshellSettingsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsOwnerOnly() throws Exception {
        Path file = dir.resolve("cache/wan/jshell.properties");
        JshellSettings.save(Map.of("HISTORY_LINE_0000", "ensure(\"demo-t2v@1.0.0\")"), file);

        assertEquals(Map.of("HISTORY_LINE_0000", "ensure(\"demo-t2v@1.0.0\")"), JshellSettings.load(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void aLinkIsNeitherReadNorReplaced() throws Exception {
        Path target = Files.writeString(dir.resolve("elsewhere"), "SECRET=1\n");
        Path file = Files.createSymbolicLink(dir.resolve("jshell.properties"), target);

        assertEquals(Map.of(), JshellSettings.load(file));
        JshellSettings.save(Map.of("A", "b"), file);
        assertTrue(Files.isSymbolicLink(file));
        assertEquals("SECRET=1\n", Files.readString(target));
    }

    @Test
    void anOversizedOrMalformedFileStartsEmpty() throws Exception {
        Path big = dir.resolve("big.properties");
        Files.write(big, new byte[(int) JshellSettings.MAX_BYTES + 1]);
        assertEquals(Map.of(), JshellSettings.load(big));

        Path bad = Files.writeString(dir.resolve("bad.properties"), "A=\\u12\n");
        assertEquals(Map.of(), JshellSettings.load(bad));
    }
}
