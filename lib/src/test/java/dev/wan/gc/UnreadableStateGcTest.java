package dev.wan.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import dev.wan.gc.GcPlan.Keep;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.Pins;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import dev.wan.store.ModelPins;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gc and pins when a state file or pin marker cannot be read. */
class UnreadableStateGcTest {
    private static final ModelId ID = ModelId.parse("m@1.0.0");
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));

    private ModelPins pins() {
        return ModelPins.at(layout().root(), clock);
    }

    private StoreLayout layout() {
        return new StoreLayout(root);
    }

    private StateStore states() {
        return new StateStore(layout());
    }

    private GarbageCollector gc() {
        return new GarbageCollector(layout(), clock, GcPolicy.of(0L, null, null));
    }

    private void model(boolean pinned) {
        Fixtures.write(layout().modelDir(ID).resolve("w.bin"), new byte[1000]);
        states().write(new ModelRecord(1, ID.toString(), List.of(), Map.of(), null, null, pinned));
    }

    private static GcPlan.Preserved kept(GcResult r) {
        return r.preserved().stream().filter(p -> p.model().equals(ID.toString())).findFirst().orElse(null);
    }

    @Test
    void aModelWhoseStateIsTruncatedIsKeptWithAReasonSayingWhatToDo() throws Exception {
        model(false);
        Files.writeString(layout().stateFile(ID), "{\"schema\":1,\"mo");

        GcResult r = gc().collect(false);

        assertTrue(Files.isDirectory(layout().modelDir(ID)));
        assertEquals(Keep.UNREADABLE_STATE, kept(r).reason());
        assertTrue(kept(r).detail().contains("truncated JSON at byte"), kept(r).detail());
        assertTrue(kept(r).detail().contains("wan ensure m@1.0.0"), kept(r).detail());
    }

    @Test
    void aDamagedPinMarkerKeepsTheModelToo() throws Exception {
        model(false);
        Files.createDirectories(root.resolve(".pins").resolve(ID.toString()));

        GcResult r = gc().collect(false);

        assertTrue(Files.isDirectory(layout().modelDir(ID)));
        assertEquals(Keep.UNREADABLE_STATE, kept(r).reason());
    }

    @Test
    void aDamagedStateOfAModelWithoutDirectoryIsNotCollectedAsAnOrphan() throws Exception {
        Files.createDirectories(layout().stateDir());
        Files.writeString(layout().stateFile(ID), "null");

        GcResult r = gc().collect(false);

        assertEquals(List.of(), r.plan().leftovers());
        assertTrue(Files.exists(layout().stateFile(ID)));
    }

    @Test
    void aPinLivesInTheMarkerAndTheStateAndUnpinRemovesBoth() throws Exception {
        model(false);

        boolean pinned = pins().pin(ID, WAIT);
        boolean inState = Files.readString(layout().stateFile(ID)).contains("\"pinned\" : true");
        boolean marker = Files.isRegularFile(root.resolve(".pins/m@1.0.0"), LinkOption.NOFOLLOW_LINKS);
        boolean unpinned = pins().unpin(ID, WAIT);

        assertTrue(pinned);
        assertTrue(inState);
        assertTrue(marker);
        assertTrue(unpinned);
        assertFalse(states().load(ID).pinned());
        assertFalse(Files.exists(root.resolve(".pins/m@1.0.0"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void pinningWithADamagedStateWritesTheMarkerAndLeavesTheStateForEnsure() throws Exception {
        model(false);
        Files.writeString(layout().stateFile(ID), "garbage");

        assertTrue(pins().pin(ID, WAIT));

        assertEquals("garbage", Files.readString(layout().stateFile(ID)));
        assertEquals(Pins.Mark.PINNED, states().load(ID).pin().mark());
        assertTrue(states().readOrEmpty(ID).pinned(), "a later ensure writes the state pinned");
    }

    @Test
    void aLegacyPinOnlyInTheStateStillKeepsTheModel() throws Exception {
        model(true);
        Files.delete(root.resolve(".pins/m@1.0.0"));

        GcResult r = gc().collect(false);

        assertEquals(Keep.PINNED, kept(r).reason());
        assertTrue(Files.isDirectory(layout().modelDir(ID)));
    }

    @Test
    void pinRefusesAPinsDirectoryThatIsASymlink(@TempDir Path elsewhere) throws Exception {
        model(false);
        Files.createSymbolicLink(root.resolve(".pins"), elsewhere);

        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.wan.WanException.class, () -> pins().pin(ID, WAIT));

        assertEquals(dev.wan.ErrorCode.PATH_TRAVERSAL_DETECTED, e.code());
        try (var s = Files.list(elsewhere)) {
            assertEquals(0, s.count());
        }
    }
}
