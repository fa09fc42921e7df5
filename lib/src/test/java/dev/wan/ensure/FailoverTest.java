package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.event.WanEvent;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailoverTest {
    private static final String ID = "fo@1.0.0";

    @TempDir
    Path root;

    @TempDir
    Path local;

    private final Fixtures.TestModel model = new Fixtures.TestModel(ID)
            .file("config.json", "{\"layers\": 4}\n".getBytes())
            .file("weights/model.safetensors", Fixtures.bytes(200_000, 1))
            .sources("local://first", "local://second");

    private final List<WanEvent> events = new CopyOnWriteArrayList<>();

    private ModelEnsurer ensurer() {
        Path manifest = local.resolve("models.toml");
        Fixtures.writeManifest(manifest, model);
        return Fixtures.ensurer(root, manifest, local).addListener(events::add);
    }

    private Map<String, FileRecord> recordedFiles() {
        return new StateStore(new StoreLayout(root)).read(ModelId.parse(ID)).orElseThrow().files();
    }

    private List<WanEvent.SourceFailed> sourceFailures() {
        return events.stream().filter(e -> e instanceof WanEvent.SourceFailed).map(e -> (WanEvent.SourceFailed) e)
                .toList();
    }

    @Test
    void aFileMissingAtTheFirstSourceIsFetchedFromTheSecond() throws Exception {
        model.writeTo(local.resolve("first"));
        Files.delete(local.resolve("first/weights/model.safetensors"));
        model.writeTo(local.resolve("second"));
        ModelEnsurer ensurer = ensurer();

        Path dir = ensurer.ensure(ID, null);

        assertArrayEquals(model.content("weights/model.safetensors"),
                Files.readAllBytes(dir.resolve("weights/model.safetensors")));
        assertEquals("local://first", recordedFiles().get("config.json").source());
        assertEquals("local://second", recordedFiles().get("weights/model.safetensors").source());
        List<WanEvent.SourceFailed> failed = sourceFailures();
        assertEquals(1, failed.size(), failed.toString());
        assertEquals("local://first", failed.get(0).source());
        assertEquals("weights/model.safetensors", failed.get(0).path());
        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, failed.get(0).code());
    }

    @Test
    void wrongBytesOfTheRightSizeAtTheFirstSourceFailTheChecksumAndTheSecondSourceServes() throws Exception {
        model.writeTo(local.resolve("first"));
        Fixtures.flipByte(local.resolve("first/weights/model.safetensors"));
        model.writeTo(local.resolve("second"));
        ModelEnsurer ensurer = ensurer();

        Path dir = ensurer.ensure(ID, null);

        assertEquals(Fixtures.sha256(model.content("weights/model.safetensors")),
                Fixtures.sha256(dir.resolve("weights/model.safetensors")));
        assertEquals("local://second", recordedFiles().get("weights/model.safetensors").source());
        List<WanEvent.SourceFailed> failed = sourceFailures();
        assertEquals(1, failed.size(), failed.toString());
        assertEquals("local://first", failed.get(0).source());
        assertEquals(ErrorCode.CHECKSUM_FAIL, failed.get(0).code());
        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
    }

    @Test
    void aFileOfTheWrongSizeAtTheFirstSourceFailsOverWithSizeMismatch() throws Exception {
        model.writeTo(local.resolve("first"));
        Files.write(local.resolve("first/config.json"), "{}".getBytes());
        model.writeTo(local.resolve("second"));
        ModelEnsurer ensurer = ensurer();

        Path dir = ensurer.ensure(ID, null);

        assertArrayEquals(model.content("config.json"), Files.readAllBytes(dir.resolve("config.json")));
        assertEquals("local://second", recordedFiles().get("config.json").source());
        assertEquals("local://first", recordedFiles().get("weights/model.safetensors").source());
        List<WanEvent.SourceFailed> failed = sourceFailures();
        assertEquals(1, failed.size(), failed.toString());
        assertEquals(ErrorCode.SIZE_MISMATCH, failed.get(0).code());
    }

    @Test
    void whenEverySourceFailsTheErrorIsAllSourcesFailedWithOneDetailPerSource() throws Exception {
        model.writeTo(local.resolve("first"));
        Fixtures.flipByte(local.resolve("first/weights/model.safetensors"));
        model.writeTo(local.resolve("second"));
        Files.delete(local.resolve("second/weights/model.safetensors"));
        ModelEnsurer ensurer = ensurer();

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID, null));

        assertEquals(ErrorCode.ALL_SOURCES_FAILED, e.code());
        assertTrue(e.getMessage().contains("weights/model.safetensors"), e.getMessage());
        assertEquals(2, e.details().size(), e.details().toString());
        assertTrue(e.details().get(0).startsWith("local://first: CHECKSUM_FAIL"), e.details().get(0));
        assertTrue(e.details().get(1).startsWith("local://second: SOURCE_UNAVAILABLE"), e.details().get(1));
        assertFalse(Files.exists(root.resolve("wan22").resolve(ID)), "nothing may appear at the final path");
        assertEquals(List.of(), Fixtures.listTree(root.resolve(".tmp")));
        assertEquals(ModelState.NOT_PRESENT, ensurer.status(ID).state());
        assertTrue(events.stream().anyMatch(ev -> ev instanceof WanEvent.EnsureFailed f
                && f.code() == ErrorCode.ALL_SOURCES_FAILED));
    }

    @Test
    void withASingleSourceTheErrorCarriesThatSourcesOwnCode() throws Exception {
        model.sources.clear();
        model.sources("local://only");
        model.writeTo(local.resolve("only"));
        Fixtures.flipByte(local.resolve("only/config.json"));
        ModelEnsurer ensurer = ensurer();

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID, null));

        assertEquals(ErrorCode.CHECKSUM_FAIL, e.code());
        assertEquals(1, e.details().size());
        assertTrue(e.details().get(0).startsWith("local://only: CHECKSUM_FAIL"), e.details().get(0));
        assertFalse(Files.exists(root.resolve("wan22").resolve(ID)));
        assertEquals(List.of(), Fixtures.listTree(root.resolve(".tmp")));
    }

    @Test
    void aFailedRepairOfAnExistingModelLeavesItsGoodFilesInPlaceAndTmpEmpty() throws Exception {
        model.writeTo(local.resolve("first"));
        model.writeTo(local.resolve("second"));
        ModelEnsurer ensurer = ensurer();
        Path dir = ensurer.ensure(ID, null);
        Files.delete(dir.resolve("weights/model.safetensors"));
        Files.delete(local.resolve("first/weights/model.safetensors"));
        Files.delete(local.resolve("second/weights/model.safetensors"));

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID, null));

        assertEquals(ErrorCode.ALL_SOURCES_FAILED, e.code());
        assertArrayEquals(model.content("config.json"), Files.readAllBytes(dir.resolve("config.json")));
        assertFalse(Files.exists(dir.resolve("weights/model.safetensors")));
        assertEquals(List.of(), Fixtures.listTree(root.resolve(".tmp")));
        assertEquals(ModelState.PARTIAL, ensurer.status(ID).state());
    }
}
