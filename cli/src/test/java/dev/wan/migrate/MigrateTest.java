package dev.wan.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.cli.InProcessWan;
import dev.wan.ensure.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wan models migrate analyze|plan|execute} over a legacy tree of every layout, through the CLI in process. */
class MigrateTest {
    @TempDir
    Path root;

    @TempDir
    Path work;

    private final LegacyTree tree = new LegacyTree();
    private Path manifest;
    private Path legacy;

    @BeforeEach
    void legacyTree() throws Exception {
        manifest = tree.manifest(work);
        legacy = work.resolve("old-models");
        tree.build(legacy);
    }

    private Run wan(String... args) {
        return InProcessWan.run(root, manifest, args);
    }

    private static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.get(field).asText()).sorted().toList();
    }

    @Test
    void analyzeFindsEveryLayoutSaysHowEachFileMatchedAndUsesNoBadBytes() throws Exception {
        Run r = wan("models", "migrate", "analyze", legacy.toString(), "--json");

        assertEquals(0, r.code(), r.err());
        JsonNode doc = r.json();
        assertEquals(List.of("comfyui", "flat", "hf-cache"), sortedValues(doc.get("layouts")));
        List<String> matches = new ArrayList<>();
        doc.get("matches").forEach(m -> matches.add(m.get("model").asText() + " " + m.get("path").asText() + " "
                + m.get("matchedBy").asText() + " <- " + m.get("legacyPath").asText()));
        assertEquals(List.of(
                "i2v-A14B@2.2.0 tokenizer/tokenizer.json path+size <- hub/models--Wan-AI--Wan2.2-I2V-A14B/snapshots/0123abcd/tokenizer/tokenizer.json",
                "i2v-A14B@2.2.0 transformer/diffusion_pytorch_model.safetensors sha256 <- hub/models--Wan-AI--Wan2.2-I2V-A14B/snapshots/0123abcd/transformer/diffusion_pytorch_model.safetensors",
                "i2v-A14B@2.2.0 vae/diffusion_pytorch_model.safetensors sha256 <- ComfyUI/models/vae/wan_2.1_vae.safetensors",
                "t2v-A14B@2.2.0 model_index.json path+size <- flat/t2v-A14B/model_index.json",
                "t2v-A14B@2.2.0 transformer/diffusion_pytorch_model.fp16.safetensors sha256 <- flat/t2v-A14B/transformer/diffusion_pytorch_model.fp16.safetensors",
                "t2v-A14B@2.2.0 vae/diffusion_pytorch_model.safetensors sha256 <- ComfyUI/models/vae/wan_2.1_vae.safetensors",
                "ti2v-5B@2.2.0 text_encoder/model.safetensors sha256 <- ComfyUI/models/text_encoders/umt5_xxl_fp16.safetensors"),
                matches.stream().sorted().toList());
        // the flat VAE has the manifest's path and size but other bytes: reported, never used
        JsonNode mismatch = doc.get("mismatches").get(0);
        assertEquals("flat/t2v-A14B/vae/diffusion_pytorch_model.safetensors", mismatch.get("legacyPath").asText());
        assertEquals(Fixtures.sha256(tree.badVae), mismatch.get("actualSha256").asText());
        assertEquals(List.of("flat/notes/README.txt"), texts(doc.get("unmatched"), "legacyPath"));
        // each distinct candidate of a size the manifest has with a sha256 is hashed once (the VAE twice: good and bad)
        assertEquals(5, doc.get("filesHashed").asInt());
        assertTrue(Files.notExists(root.resolve(".tmp")), "analyze writes nothing into the store");
    }

    private static List<String> sortedValues(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).sorted().toList();
    }

    @Test
    void planSaysLinkOrCopyBytesAndWhichModelsBecomeComplete() throws Exception {
        Run r = wan("models", "migrate", "plan", legacy.toString(), "--json");

        assertEquals(0, r.code(), r.err());
        JsonNode doc = r.json();
        assertEquals(0, doc.get("bytesToCopy").asLong());
        assertTrue(doc.get("sameFilesystem").asBoolean());
        Map<String, String> after = new java.util.TreeMap<>();
        doc.get("models").forEach(m -> after.put(m.get("model").asText() + " " + m.get("variant").asText(),
                m.get("before").asText() + "->" + m.get("after").asText()));
        assertEquals(Map.of("i2v-A14B@2.2.0 null", "NOT_PRESENT->COMPLETE", "t2v-A14B@2.2.0 fp16", "NOT_PRESENT->COMPLETE",
                "ti2v-5B@2.2.0 null", "NOT_PRESENT->PARTIAL"), after);
        assertTrue(doc.get("notes").get(0).asText().contains("read-only"), doc.get("notes").toString());

        Run human = wan("models", "migrate", "plan", legacy.toString());
        assertTrue(human.out().contains("hardlink"), human.out());
        assertTrue(human.out().contains("config.json"), "the missing file is named: " + human.out());
        assertTrue(Files.notExists(root.resolve(".tmp")), "plan writes nothing into the store");
    }

    @Test
    void executeHardlinksZeroBytesVerifiesAndLeavesLegacyBytesAndTimesAlone() throws Exception {
        Map<String, String> before = LegacyTree.snapshot(legacy, false);

        Run r = wan("models", "migrate", "execute", legacy.toString(), "--json");

        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode doc = r.json();
        assertEquals(0, doc.get("bytesCopied").asLong(), "all hardlinked");
        assertEquals(before, LegacyTree.snapshot(legacy, false), "legacy bytes, names, links and mtimes unchanged");
        assertStatus("t2v-A14B@2.2.0", "COMPLETE");
        assertStatus("i2v-A14B@2.2.0", "COMPLETE");
        assertStatus("ti2v-5B@2.2.0", "PARTIAL");
        Run verify = wan("models", "verify", "t2v-A14B@2.2.0", "i2v-A14B@2.2.0");
        assertEquals(0, verify.code(), verify.out() + verify.err());
        // the store file is the legacy inode (a hardlink), and the state says where it came from
        Path storeShard = root.resolve("wan22/t2v-A14B@2.2.0/transformer/diffusion_pytorch_model.fp16.safetensors");
        assertEquals(inode(legacy.resolve("flat/t2v-A14B/transformer/diffusion_pytorch_model.fp16.safetensors")),
                inode(storeShard));
        JsonNode state = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                root.resolve(".state/t2v-A14B@2.2.0.json").toFile()).get("files");
        assertEquals("migrate:" + legacy + "/flat/t2v-A14B/transformer/diffusion_pytorch_model.fp16.safetensors",
                state.get("transformer/diffusion_pytorch_model.fp16.safetensors").get("source").asText());
        assertEquals("linked", state.get("transformer/diffusion_pytorch_model.fp16.safetensors").get("how").asText());
        assertEquals(Fixtures.sha256(tree.vae),
                Fixtures.sha256(root.resolve("wan22/t2v-A14B@2.2.0/vae/diffusion_pytorch_model.safetensors")),
                "the mismatched flat VAE was not used");
        assertFalse(Files.exists(root.resolve("wan22/ti2v-5B@2.2.0/config.json")));
        try (var tmp = Files.list(root.resolve(".tmp"))) {
            assertEquals(List.of(), tmp.toList(), "journal and staging gone after a successful run");
        }

        Run again = wan("models", "migrate", "execute", legacy.toString(), "--json");
        assertEquals(0, again.code(), again.err());
        assertEquals(0, again.json().get("bytesCopied").asLong());
        assertEquals(0, again.json().get("bytesLinked").asLong(), "nothing left to place");
    }

    @Test
    void copyLeavesTheLegacyInodesAndModesAlone() throws Exception {
        Map<String, String> before = LegacyTree.snapshot(legacy, true);

        Run r = wan("models", "migrate", "execute", legacy.toString(), "--copy", "--only", "t2v-A14B@2.2.0", "--json");

        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(tree.index.length + tree.t2vShard.length + tree.vae.length, r.json().get("bytesCopied").asLong());
        assertEquals(before, LegacyTree.snapshot(legacy, true), "modes unchanged too");
        assertNotEquals(inode(legacy.resolve("flat/t2v-A14B/model_index.json")),
                inode(root.resolve("wan22/t2v-A14B@2.2.0/model_index.json")));
        assertStatus("t2v-A14B@2.2.0", "COMPLETE");
        assertFalse(Files.exists(root.resolve("wan22/i2v-A14B@2.2.0")), "--only");
    }

    @Test
    void aSymlinkedLegacyRootIsFollowedOnceAndSaidSo() throws Exception {
        Path link = work.resolve("legacy-link");
        Files.createSymbolicLink(link, legacy);

        Run r = wan("models", "migrate", "analyze", link.toString(), "--json");

        assertEquals(0, r.code(), r.err());
        assertEquals(link.toString(), r.json().get("legacyRoot").asText());
        assertEquals(legacy.toRealPath().toString(), r.json().get("resolvedRoot").asText());
        assertEquals(7, r.json().get("matches").size());
    }

    @Test
    void helpExplains() {
        Run r = InProcessWan.bare("models", "migrate", "execute", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--copy") && r.out().contains("migrate-<hash>.json"), r.out());
    }

    @Test
    void twoCandidatesWithThePathAndSizeOfAFileWithoutSha256AreAmbiguousAndNeitherIsUsed() throws Exception {
        // i2v's tokenizer.json has no sha256: a second copy with other bytes, same size, same path, makes it ambiguous
        byte[] other = new String(tree.tokenizer, java.nio.charset.StandardCharsets.UTF_8).replace('5', '6')
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // with the Hub cache's copy (in the model's own repo) there, that one is preferred...
        Fixtures.write(legacy.resolve("flat/backup/tokenizer/tokenizer.json"), other);
        Run preferred = wan("models", "migrate", "analyze", legacy.toString(), "--json");
        List<String> from = new ArrayList<>();
        preferred.json().get("matches").forEach(m -> from.add(m.get("legacyPath").asText()));
        assertTrue(from.contains("hub/models--Wan-AI--Wan2.2-I2V-A14B/snapshots/0123abcd/tokenizer/tokenizer.json"),
                from.toString());
        // ...without it, two equally good candidates with different bytes: neither is used
        Files.delete(legacy.resolve("hub/models--Wan-AI--Wan2.2-I2V-A14B/snapshots/0123abcd/tokenizer/tokenizer.json"));
        Fixtures.write(legacy.resolve("flat/old/tokenizer/tokenizer.json"), tree.tokenizer);

        Run r = wan("models", "migrate", "analyze", legacy.toString(), "--json");

        assertEquals(0, r.code(), r.err());
        List<String> matched = new ArrayList<>();
        r.json().get("matches").forEach(m -> matched.add(m.get("path").asText()));
        assertFalse(matched.contains("tokenizer/tokenizer.json"), matched.toString());
        List<String> ambiguous = new ArrayList<>();
        r.json().get("mismatches").forEach(m -> ambiguous.add(m.get("legacyPath").asText()));
        assertTrue(ambiguous.contains("flat/backup/tokenizer/tokenizer.json"), ambiguous.toString());
    }

    @Test
    void aDamagedJournalIsIgnoredAndTheRunStillSucceeds() throws Exception {
        Path journal = Migrator.create(Fixtures.ensurer(root, manifest, root)).journalFile(legacy);
        Fixtures.write(journal, "{\"legacyRoot\": 42, \"hashes\": [".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        Run r = wan("models", "migrate", "execute", legacy.toString(), "--json");

        assertEquals(0, r.code(), r.out() + r.err());
        assertFalse(r.json().get("resumed").asBoolean());
        assertTrue(r.json().get("notes").toString().contains("ignored"), r.json().get("notes").toString());
        assertStatus("t2v-A14B@2.2.0", "COMPLETE");
        assertFalse(Files.exists(journal), "replaced, then removed when the run succeeded");
    }

    @Test
    void gcRemovesTheJournalOfAMigrationAbandonedLongerThanTheTmpGrace() throws Exception {
        Path journal = Migrator.create(Fixtures.ensurer(root, manifest, root)).journalFile(legacy);
        Fixtures.write(journal, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path fresh = journal.resolveSibling("migrate-0123456789abcdef.json");
        Fixtures.write(fresh, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.setLastModifiedTime(journal, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofDays(2))));

        Run gc = wan("models", "gc");

        assertEquals(0, gc.code(), gc.err());
        assertFalse(Files.exists(journal), "abandoned for 2 days: removed");
        assertTrue(Files.exists(fresh), "a journal within the grace (a migration may be running) stays");
    }

    private void assertStatus(String id, String state) throws Exception {
        Run s = wan("models", "status", id, "--json");
        assertEquals(state, s.json().get("models").get(0).get("state").asText(), s.out());
    }

    private static Object inode(Path p) throws Exception {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }
}
