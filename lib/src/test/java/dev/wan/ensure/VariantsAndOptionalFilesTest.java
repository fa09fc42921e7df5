package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.event.WanEvent;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VariantsAndOptionalFilesTest {
    private static final String ID = "two@1.0.0";

    @TempDir
    Path root;

    @TempDir
    Path local;

    private final Fixtures.TestModel model = new Fixtures.TestModel(ID).variants("fp16", "bf16")
            .file("model_index.json", "{\"v\": 1}\n".getBytes())
            .file("vae/vae.safetensors", Fixtures.bytes(40_000, 11))
            .variantFile("fp16", "transformer/model.fp16.safetensors", Fixtures.bytes(60_000, 12))
            .variantFile("bf16", "transformer/model.bf16.safetensors", Fixtures.bytes(60_000, 13))
            .sources("local://src");

    private final List<WanEvent> events = new CopyOnWriteArrayList<>();

    private ModelEnsurer ensurer(Fixtures.TestModel m) {
        m.writeTo(local.resolve("src"));
        Path manifest = local.resolve("models.toml");
        Fixtures.writeManifest(manifest, m);
        return Fixtures.ensurer(root, manifest, local).addListener(events::add);
    }

    @Test
    void ensuringASecondVariantKeepsTheSharedFilesAndAddsOnlyItsOwn() throws Exception {
        ModelEnsurer ensurer = ensurer(model);
        Path dir = ensurer.ensure(ID, "fp16");
        long vaeInode = (Long) Files.getAttribute(dir.resolve("vae/vae.safetensors"), "unix:ino");
        events.clear();

        ensurer.ensure(ID, "bf16");

        for (String p : model.paths()) {
            assertArrayEquals(model.content(p), Files.readAllBytes(dir.resolve(p)), p);
        }
        assertEquals(vaeInode, (Long) Files.getAttribute(dir.resolve("vae/vae.safetensors"), "unix:ino"));
        assertEquals(List.of("transformer/model.bf16.safetensors"), events.stream()
                .filter(e -> e instanceof WanEvent.FileStarted).map(e -> ((WanEvent.FileStarted) e).path()).toList());
        ModelRecord record = new StateStore(new StoreLayout(root)).read(ModelId.parse(ID)).orElseThrow();
        assertEquals(List.of("fp16", "bf16"), record.variants());
        assertEquals(4, record.files().size());
        assertEquals(ModelState.COMPLETE, ensurer.status(ID, "fp16").state());
        assertEquals(ModelState.COMPLETE, ensurer.status(ID, "bf16").state());
    }

    @Test
    void theDefaultVariantIsUsedWhenNoneIsNamed() {
        ModelEnsurer ensurer = ensurer(model);

        Path dir = ensurer.ensure(ID);

        assertTrue(Files.exists(dir.resolve("transformer/model.fp16.safetensors")));
        assertFalse(Files.exists(dir.resolve("transformer/model.bf16.safetensors")));
        assertEquals("fp16", ensurer.status(ID).variant());
        assertEquals(ModelState.PARTIAL, ensurer.status(ID, "bf16").state(), "bf16 shares files but lacks its own");
    }

    @Test
    void anUnknownVariantIsVariantNotFoundListingTheVariants() {
        ModelEnsurer ensurer = ensurer(model);

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID, "int8"));

        assertEquals(ErrorCode.VARIANT_NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("int8"), e.getMessage());
        assertTrue(e.hint().contains("fp16, bf16"), e.hint());
        assertFalse(Files.exists(root.resolve("wan22").resolve(ID)));
    }

    @Test
    void anOptionalFileNoSourceCanProvideDoesNotFailTheEnsure() {
        Fixtures.TestModel withOptional = new Fixtures.TestModel("opt@1.0.0")
                .file("model.safetensors", Fixtures.bytes(30_000, 21))
                .optionalFile("extras/image_encoder.safetensors", Fixtures.bytes(20_000, 22))
                .sources("local://src");
        ModelEnsurer ensurer = ensurer(withOptional);
        try {
            Files.delete(local.resolve("src/extras/image_encoder.safetensors"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        Path dir = ensurer.ensure("opt@1.0.0", null);

        assertTrue(Files.exists(dir.resolve("model.safetensors")));
        assertFalse(Files.exists(dir.resolve("extras/image_encoder.safetensors")));
        ModelStatus status = ensurer.status("opt@1.0.0");
        assertEquals(ModelState.COMPLETE, status.state());
        assertEquals(List.of(), status.missingFiles());
        assertEquals(30_000 + 20_000, status.bytesTotal(), "a model's size counts every file of the variant, optional"
                + " ones too (as list and disk-usage do); what is needed counts required files only");
        assertEquals(0, status.bytesNeeded());
        assertTrue(events.stream().anyMatch(e -> e instanceof WanEvent.SourceFailed f
                && f.path().equals("extras/image_encoder.safetensors") && f.reason().contains("optional")));
    }

    @Test
    void anOptionalFileThatIsAvailableIsFetchedToo() {
        Fixtures.TestModel withOptional = new Fixtures.TestModel("opt@1.0.0")
                .file("model.safetensors", Fixtures.bytes(30_000, 21))
                .optionalFile("extras/image_encoder.safetensors", Fixtures.bytes(20_000, 22))
                .sources("local://src");
        ModelEnsurer ensurer = ensurer(withOptional);

        Path dir = ensurer.ensure("opt@1.0.0", null);

        assertEquals(Fixtures.sha256(withOptional.content("extras/image_encoder.safetensors")),
                Fixtures.sha256(dir.resolve("extras/image_encoder.safetensors")));
    }
}
