package dev.wan.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 5 of issue 9: an {@code .index/sha256.json} entry re-pointed at another file of the same
 * size (the fingerprint left intact) must never put wrong bytes at a final path.
 */
class IndexRepointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @TempDir
    Path work;

    private final byte[] vae = Fixtures.bytes(40_000, 7);
    private final byte[] other = Fixtures.bytes(40_000, 8); // same size, other bytes

    @Test
    void aRePointedIndexEntryIsNotLinkedAndTheRightBytesAreFetched() throws Exception {
        var a = new Fixtures.TestModel("a@1.0.0").file("vae.pth", vae).sources(work.resolve("src/a").toUri().toString());
        var b = new Fixtures.TestModel("b@1.0.0").file("w.bin", other).sources(work.resolve("src/b").toUri().toString());
        var c = new Fixtures.TestModel("c@1.0.0").file("vae.pth", vae).sources(work.resolve("src/c").toUri().toString());
        a.writeTo(work.resolve("src/a"));
        b.writeTo(work.resolve("src/b"));
        c.writeTo(work.resolve("src/c"));
        Fixtures.writeManifest(work.resolve("models.toml"), a, b, c);
        ModelEnsurer ensurer = Fixtures.ensurer(root, work.resolve("models.toml"), work);
        ensurer.ensure("a@1.0.0");
        ensurer.ensure("b@1.0.0");
        Path index = root.resolve(".index/sha256.json");
        ObjectNode doc = (ObjectNode) JSON.readTree(index.toFile());
        ObjectNode entry = (ObjectNode) doc.get("entries").get(Fixtures.sha256(vae)).get(0);
        Path bFile = root.resolve("wan22/b@1.0.0/w.bin");
        entry.put("model", "b@1.0.0").put("path", "w.bin")
                .put("mtimeMillis", Files.getLastModifiedTime(bFile).toMillis());
        Files.write(index, JSON.writeValueAsBytes(doc));

        ensurer.ensure("c@1.0.0");

        Path cFile = root.resolve("wan22/c@1.0.0/vae.pth");
        assertEquals(Fixtures.sha256(vae), Fixtures.sha256(cFile), "c got the bytes of b/w.bin");
        assertEquals(ModelState.COMPLETE, ensurer.status("c@1.0.0").state());
        assertTrue(ensurer.verifyIntegrity("c@1.0.0").verified());
        assertFalse(Files.isSameFile(cFile, bFile));
        assertEquals(List.of(), Fixtures.listTree(root.resolve(".index")).stream()
                .filter(n -> n.contains(".tmp-")).toList(), "the index writer leaves no temp file");
    }
}
