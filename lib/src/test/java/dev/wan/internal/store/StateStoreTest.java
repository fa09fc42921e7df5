package dev.wan.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import dev.wan.event.WanEvent;
import dev.wan.manifest.ModelId;
import dev.wan.store.Check;
import dev.wan.store.Placement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateStoreTest {
    private static final ModelId ID = ModelId.parse("st@1.0.0");

    @TempDir
    Path root;

    @TempDir
    Path local;

    private StateStore store() {
        return new StateStore(new StoreLayout(root));
    }

    private static ModelRecord sample() {
        FileRecord f = new FileRecord(12, "ab".repeat(32), Check.SHA256, 1_764_180_000_000L,
                Instant.parse("2026-11-26T19:40:00Z"), "local://st@1.0.0", Placement.COPIED);
        return new ModelRecord(ModelRecord.SCHEMA, ID.toString(), List.of("fp16"), Map.of("config.json", f),
                Instant.parse("2026-11-26T19:40:00Z"), Instant.parse("2026-11-26T19:40:00Z"), true);
    }

    @Test
    void aWrittenRecordReadsBackEqual() {
        StateStore store = store();

        store.write(sample());

        assertEquals(Optional.of(sample()), store.read(ID));
    }

    @Test
    void writesLeaveNoTempSiblingsBehind() throws Exception {
        StateStore store = store();

        store.write(sample());
        store.write(sample().completed("bf16", Instant.parse("2026-11-27T00:00:00Z")));

        assertEquals(List.of("st@1.0.0.json"), Fixtures.listTree(root.resolve(".state")));
        assertEquals(List.of("fp16", "bf16"), store.read(ID).orElseThrow().variants());
    }

    @Test
    void aMissingStateFileIsAbsent() {
        assertEquals(Optional.empty(), store().read(ID));
        assertEquals(ModelRecord.empty(ID.toString()), store().readOrEmpty(ID));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"schema\":1,\"files\":", "not json at all", "[1,2,3]", "null",
            "{\"files\": 5}", "\u0000\u0001\u0002"})
    void aGarbageStateFileHasNoRecordsAndIsReportedDamaged(String garbage) throws Exception {
        Files.createDirectories(root.resolve(".state"));
        Files.writeString(root.resolve(".state/st@1.0.0.json"), garbage, StandardCharsets.UTF_8);

        Optional<ModelRecord> read = store().read(ID);
        ModelRecord orEmpty = store().readOrEmpty(ID);

        assertEquals(Optional.empty(), read);
        assertEquals(Map.of(), orEmpty.files());
        assertTrue(store().load(ID).stateProblem() != null, "damaged, not absent: " + garbage);
    }

    @Test
    void afterTheStateFileIsGarbledEnsureReverifiesTheFilesInPlaceWithoutFetching() throws Exception {
        Fixtures.TestModel model = new Fixtures.TestModel(ID.toString())
                .file("config.json", "{}\n".getBytes())
                .file("w.bin", Fixtures.bytes(70_000, 5))
                .sources("local://src");
        model.writeTo(local.resolve("src"));
        Fixtures.writeManifest(local.resolve("models.toml"), model);
        ModelEnsurer ensurer = Fixtures.ensurer(root, local.resolve("models.toml"), local);
        ensurer.ensure(ID.toString(), null);
        Files.writeString(root.resolve(".state/st@1.0.0.json"), "{\"schema\":1,\"fil", StandardCharsets.UTF_8);
        List<WanEvent> events = new CopyOnWriteArrayList<>();
        ensurer.addListener(events::add);

        ModelState garbled = ensurer.status(ID.toString()).state();
        ensurer.ensure(ID.toString(), null);

        assertEquals(ModelState.UNVERIFIED, garbled, "present files without a record are unverified, not trusted");
        assertEquals(ModelState.COMPLETE, ensurer.status(ID.toString()).state());
        assertEquals(List.of(Placement.ADOPTED, Placement.ADOPTED), events.stream()
                .filter(e -> e instanceof WanEvent.FileCompleted)
                .map(e -> ((WanEvent.FileCompleted) e).how()).toList());
        assertTrue(store().read(ID).isPresent(), "a fresh state file was written");
    }
}
