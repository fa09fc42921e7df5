package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.ensure.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deduplicate, disk-usage and the preflight's NO_SPACE through the CLI. */
class DedupCliTest {

    @TempDir
    Path root;

    @TempDir
    Path work;

    private Path manifest;
    private final byte[] encoder = Fixtures.bytes(1_000_000, 1);
    private final byte[] vae = Fixtures.bytes(200_000, 2);


    private Run wan(String... args) {
        return InProcessWan.run(root, manifest, args);
    }

    /** A store filled by hand: three models, shared encoder and VAE, same-path same-size different shards. */
    @BeforeEach
    void storeFilledByHand() {
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, new Fixtures.TestModel("t2v-A14B@2.2.0").file("x", new byte[] {1})
                .sources(work.toUri().toString()));
        Path models = root.resolve("wan22");
        Fixtures.write(models.resolve("t2v-A14B@2.2.0/umt5-xxl.pth"), encoder);
        Fixtures.write(models.resolve("t2v-A14B@2.2.0/Wan2.1_VAE.pth"), vae);
        Fixtures.write(models.resolve("t2v-A14B@2.2.0/high_noise_model/shard-00002.safetensors"), Fixtures.bytes(300_000, 3));
        Fixtures.write(models.resolve("i2v-A14B@2.2.0/umt5-xxl.pth"), encoder);
        Fixtures.write(models.resolve("i2v-A14B@2.2.0/Wan2.1_VAE.pth"), vae);
        Fixtures.write(models.resolve("i2v-A14B@2.2.0/high_noise_model/shard-00002.safetensors"), Fixtures.bytes(300_000, 4));
        Fixtures.write(models.resolve("ti2v-5B@2.2.0/umt5-xxl.pth"), encoder);
    }

    private Object inode(String path) throws Exception {
        return Files.readAttributes(root.resolve("wan22").resolve(path), BasicFileAttributes.class).fileKey();
    }

    @Test
    void dryRunReportsTheSavingsAndChangesNothing() throws Exception {
        List<String> before = Fixtures.listTree(root);
        Object encoderInode = inode("i2v-A14B@2.2.0/umt5-xxl.pth");

        Run r = wan("models", "deduplicate", "--dry-run", "--json");

        assertEquals(0, r.code(), r.err());
        JsonNode doc = r.json();
        assertTrue(doc.get("dryRun").asBoolean());
        assertEquals(2L * encoder.length + vae.length, doc.get("bytesSaved").asLong());
        assertEquals(3, doc.get("filesLinked").asInt());
        assertEquals(2, doc.get("groups").asInt());
        assertEquals(before, Fixtures.listTree(root));
        assertEquals(encoderInode, inode("i2v-A14B@2.2.0/umt5-xxl.pth"));
    }

    @Test
    void deduplicateLinksIdenticalContentOnlyAndReportsTheBytesFreed() throws Exception {
        Run r = wan("models", "deduplicate", "--json");

        assertEquals(0, r.code(), r.err());
        assertEquals(2L * encoder.length + vae.length, r.json().get("bytesSaved").asLong());
        assertEquals(inode("t2v-A14B@2.2.0/umt5-xxl.pth"), inode("i2v-A14B@2.2.0/umt5-xxl.pth"));
        assertEquals(inode("t2v-A14B@2.2.0/umt5-xxl.pth"), inode("ti2v-5B@2.2.0/umt5-xxl.pth"));
        assertEquals(inode("t2v-A14B@2.2.0/Wan2.1_VAE.pth"), inode("i2v-A14B@2.2.0/Wan2.1_VAE.pth"));
        assertNotEquals(inode("t2v-A14B@2.2.0/high_noise_model/shard-00002.safetensors"),
                inode("i2v-A14B@2.2.0/high_noise_model/shard-00002.safetensors"), "same path and size, other bytes");
        assertEquals(Fixtures.sha256(encoder), Fixtures.sha256(root.resolve("wan22/ti2v-5B@2.2.0/umt5-xxl.pth")));
        assertFalse(Fixtures.listTree(root.resolve("wan22")).stream().anyMatch(p -> p.contains(".wan-dedup-")));

        Run again = wan("models", "deduplicate", "--json");

        assertEquals(0, again.json().get("bytesSaved").asLong(), "nothing left to link");
        assertEquals(0, again.json().get("filesLinked").asInt());
    }

    @Test
    void diskUsageCountsSharedBytesOnceAndGroupsFamilies() throws Exception {
        wan("models", "deduplicate");

        Run r = wan("models", "disk-usage", "--json");

        assertEquals(0, r.code(), r.err());
        JsonNode doc = r.json();
        assertEquals("disk-usage", doc.get("command").asText());
        assertTrue(doc.get("ok").asBoolean());
        JsonNode models = doc.get("models");
        assertEquals(3, models.size());
        JsonNode i2v = models.get(0);
        assertEquals("i2v-A14B@2.2.0", i2v.get("model").asText());
        assertEquals("i2v", i2v.get("family").asText());
        assertEquals(3, i2v.get("files").asInt());
        assertEquals(encoder.length + vae.length + 300_000L, i2v.get("bytes").asLong());
        assertEquals(300_000L, i2v.get("uniqueBytes").asLong());
        assertEquals(encoder.length + vae.length, i2v.get("sharedBytes").asLong());
        assertEquals(i2v.get("bytes").asLong(), i2v.get("apparentBytes").asLong());
        List<String> families = new ArrayList<>();
        doc.get("families").forEach(f -> families.add(f.get("family").asText()));
        assertEquals(List.of("i2v", "t2v", "ti2v"), families);
        long distinct = encoder.length + vae.length + 600_000L;
        assertEquals(distinct, doc.get("total").get("bytes").asLong());
        assertEquals(distinct + encoder.length * 2L + vae.length, doc.get("total").get("apparentBytes").asLong());
        assertEquals(encoder.length * 2L + vae.length, doc.get("total").get("savedByDedup").asLong());
        assertTrue(doc.get("freeBytes").asLong() > 0);
        assertTrue(doc.has("quotaBytes"));
    }

    @Test
    void ensureOfAModelBiggerThanTheDiskExitsFiveWithNoSpace() throws Exception {
        manifest = work.resolve("huge.toml");
        Files.writeString(manifest, """
                schema_version = 1
                [models."huge@1.0.0"]
                description = "1 PiB"
                version = "1.0.0"
                [[models."huge@1.0.0".files]]
                path = "w.safetensors"
                size = 1125899906842624
                sha256 = "%s"
                [models."huge@1.0.0".sources]
                priority = ["%s"]
                """.formatted("b".repeat(64), work.resolve("src").toUri()));

        Run r = wan("models", "ensure", "huge@1.0.0", "--json");
        Run text = wan("ensure", "huge@1.0.0");

        assertEquals(5, r.code(), r.out() + r.err());
        JsonNode error = r.json().get("models").get(0);
        assertEquals("NO_SPACE", error.get("code").asText(), r.out());
        assertTrue(error.get("message").asText().contains("needs 1125899906842624 bytes"), r.out());
        assertEquals(5, text.code());
        assertTrue(text.err().contains("NO_SPACE") && text.err().contains("wan models gc --dry-run"), text.err());
    }
}
