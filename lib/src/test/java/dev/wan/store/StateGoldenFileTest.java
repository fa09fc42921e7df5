package dev.wan.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.StateCodec;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State files written before {@link Check}, {@link Placement} and {@link Instant} replaced strings
 * in the records: the resources were written by that code (commit 1695cd9) and must still read to
 * the same record and re-write byte for byte, so an upgrade neither damages nor rewrites a store.
 */
class StateGoldenFileTest {
    private static final ModelId ID = ModelId.parse("t2v-A14B@2.2.0");
    private static final String SHA_A = "0123456789abcdef".repeat(4);
    private static final String SHA_B = "fedcba9876543210".repeat(4);

    @TempDir
    Path root;

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = StateGoldenFileTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    private static ModelRecord expected() {
        Map<String, FileRecord> files = new LinkedHashMap<>();
        files.put("config.json", new FileRecord(1234, SHA_A, Check.SHA256, 1_764_180_000_000L,
                Instant.parse("2026-11-26T19:40:00Z"), "local://t2v-A14B@2.2.0", Placement.COPIED,
                "(dev=803,ino=1234)"));
        files.put("high_noise_model/diffusion_pytorch_model-00001-of-00006.safetensors", new FileRecord(9_975_444_928L,
                SHA_B, Check.UPSTREAM_SHA256, 1_764_180_001_123L, Instant.parse("2026-11-26T19:40:01.123456789Z"),
                "hf://Wan-AI/Wan2.2-T2V-A14B-Diffusers@5b2a1c0e9f8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b", Placement.DOWNLOADED,
                "(dev=803,ino=1235)"));
        files.put("model_index.json", new FileRecord(500, SHA_B, Check.CORRUPT, 1_764_180_006_000L,
                Instant.parse("2026-11-27T08:00:00.500Z"), "local://t2v-A14B@2.2.0", Placement.ADOPTED,
                "(dev=803,ino=1301)"));
        files.put("text_encoder/model.safetensors", new FileRecord(11_361_920_418L, SHA_A, Check.SHA256,
                1_764_180_003_000L, Instant.parse("2026-11-26T19:40:03.654321Z"),
                "dedup:ti2v-5b@2.2.0/text_encoder/model.safetensors", Placement.DEDUPLICATED, "(dev=803,ino=99)",
                "1764180004000|(dev=803,ino=77)"));
        files.put("tokenizer/spiece.model", new FileRecord(4_548_313, null, Check.SIZE_ONLY, 1_764_180_002_000L,
                Instant.parse("2026-11-26T19:40:02.120Z"), "s3://bucket/wan/t2v", Placement.LINKED));
        files.put("vae/diffusion_pytorch_model.safetensors", new FileRecord(507_609_880, SHA_B, Check.SHA256,
                1_764_180_005_000L, Instant.parse("2026-11-26T19:40:05Z"),
                "dedup:ti2v-5b@2.2.0/vae/diffusion_pytorch_model.safetensors", Placement.DEDUPLICATED_COPY,
                "(dev=803,ino=1300)"));
        return new ModelRecord(1, ID.toString(), List.of("fp16", "bf16"), files,
                Instant.parse("2026-11-26T19:40:06.000001Z"), Instant.parse("2026-11-27T08:00:00Z"), true);
    }

    @Test
    void anOldStateFileReadsToTheTypedRecord() throws Exception {
        StateCodec.Parsed parsed = StateCodec.parse(resource("state-schema1.json"), ID);

        assertNull(parsed.problem());
        assertEquals(expected(), parsed.record());
    }

    @Test
    void anOldStateFileReWritesByteForByte() throws Exception {
        byte[] old = resource("state-schema1.json");

        byte[] rewritten = StateCodec.write(StateCodec.parse(old, ID).record());

        assertEquals(new String(old, StandardCharsets.UTF_8), new String(rewritten, StandardCharsets.UTF_8));
        assertArrayEquals(old, rewritten);
    }

    @Test
    void theStoreReadsAndRewritesAnOldStateFileUnchanged() throws Exception {
        byte[] old = resource("state-schema1.json");
        Files.createDirectories(root.resolve(".state"));
        Files.write(root.resolve(".state/t2v-A14B@2.2.0.json"), old);
        StateStore store = new StateStore(new StoreLayout(root));

        StateStore.View view = store.load(ID);
        store.write(view.record());

        assertTrue(view.readable(), view.problem());
        assertEquals(expected(), view.record());
        assertArrayEquals(old, Files.readAllBytes(root.resolve(".state/t2v-A14B@2.2.0.json")));
    }

    @Test
    void anEmptyOldStateFileReWritesByteForByte() throws Exception {
        byte[] old = resource("state-schema1-empty.json");
        ModelId id = ModelId.parse("demo-a@1.0.0");

        ModelRecord read = StateCodec.parse(old, id).record();

        assertEquals(ModelRecord.empty(id.toString()), read);
        assertArrayEquals(old, StateCodec.write(read));
    }

    @Test
    void aTimeWithAnotherPrecisionOrAnOffsetReadsAsTheSameInstantAndIsRewrittenInInstantForm() throws Exception {
        String text = "{\"schema\":1,\"model\":\"st@1.0.0\",\"files\":{\"a\":{\"size\":1,\"mtimeMillis\":1,"
                + "\"verifiedAt\":\"2026-11-27T08:00:00.5Z\"}},\"completedAt\":\"2026-11-27T10:00:00+02:00\","
                + "\"lastUsed\":\"2026-11-27T08:00:00.000000000Z\"}";

        ModelRecord r = StateCodec.parse(text.getBytes(StandardCharsets.UTF_8), ModelId.parse("st@1.0.0")).record();
        String rewritten = new String(StateCodec.write(r), StandardCharsets.UTF_8);

        assertEquals(Instant.parse("2026-11-27T08:00:00.500Z"), r.files().get("a").verifiedAt());
        assertEquals(Instant.parse("2026-11-27T08:00:00Z"), r.completedAt());
        assertEquals(Instant.parse("2026-11-27T08:00:00Z"), r.lastUsed());
        assertTrue(rewritten.contains("\"verifiedAt\" : \"2026-11-27T08:00:00.500Z\""), rewritten);
        assertTrue(rewritten.contains("\"completedAt\" : \"2026-11-27T08:00:00Z\""), rewritten);
    }
}
