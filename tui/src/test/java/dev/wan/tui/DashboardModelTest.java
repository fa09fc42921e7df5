package dev.wan.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.wan.ErrorCode;
import dev.wan.ensure.ModelState;
import dev.wan.event.WanEvent;
import dev.wan.gc.GcPlan;
import dev.wan.gc.GcPolicy;
import dev.wan.manifest.ModelId;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardModelTest {
    private final DashboardModel model = new DashboardModel(Clock.fixed(Rows.NOW, ZoneOffset.UTC), "test", -1);

    private static KeyStroke key(char c) {
        return new KeyStroke(c, false, false);
    }

    private static KeyStroke key(KeyType type) {
        return new KeyStroke(type);
    }

    private Command type(String keys) {
        Command last = null;
        for (char c : keys.toCharArray()) {
            last = model.onKey(key(c));
        }
        return last;
    }

    private List<String> visibleIds() {
        return model.visibleRows().stream().map(StoreSnapshot.Row::id).toList();
    }

    @Test
    void selectionStaysOnTheSameModelWhenTheOrderChanges() {
        model.setStore(Rows.snapshot(Rows.row("b@1.0.0", ModelState.COMPLETE, 0),
                Rows.row("a@1.0.0", ModelState.NOT_PRESENT, 10), Rows.row("c@1.0.0", ModelState.PARTIAL, 5)));
        model.onKey(key(KeyType.ArrowDown));

        model.onKey(key('s')); // by state: NOT_PRESENT, PARTIAL, ..., COMPLETE

        assertEquals(List.of("a@1.0.0", "c@1.0.0", "b@1.0.0"), visibleIds());
        assertEquals("b@1.0.0", model.selectedRow().id());
    }

    @Test
    void filterNarrowsTheTableAsYouTypeAndEscapeClearsIt() {
        model.setStore(Rows.snapshot(Rows.row("t2v@1.0.0", ModelState.COMPLETE, 0),
                Rows.row("i2v@1.0.0", ModelState.COMPLETE, 0), Rows.row("t2v-lora@1.0.0", ModelState.COMPLETE, 0)));

        type("/t2v");

        assertEquals(DashboardModel.Mode.FILTER, model.mode());
        assertEquals(List.of("t2v-lora@1.0.0", "t2v@1.0.0"), visibleIds());
        model.onKey(key(KeyType.Enter));
        assertEquals(DashboardModel.Mode.BROWSE, model.mode());
        assertEquals("t2v", model.filter());
        model.onKey(key(KeyType.Escape));
        assertEquals(3, model.visibleRows().size());
    }

    @Test
    void ensureOfAModelWithVariantsAsksWhichOneStartingAtTheDefault() {
        model.setStore(Rows.snapshot(Rows.row("t2v@1.0.0", ModelState.NOT_PRESENT, 10, "fp16", "bf16")));

        assertNull(type("e"));
        assertEquals(DashboardModel.Mode.VARIANT, model.mode());
        assertEquals(0, model.variantIndex());
        model.onKey(key(KeyType.ArrowDown));
        Command c = model.onKey(key(KeyType.Enter));

        assertEquals(new Command(Command.Kind.ENSURE, "t2v@1.0.0", "bf16", null), c);
        assertEquals(DashboardModel.Mode.BROWSE, model.mode());
    }

    @Test
    void ensureOfAModelWithoutVariantsStartsAtOnce() {
        model.setStore(Rows.snapshot(Rows.row("i2v@1.0.0", ModelState.NOT_PRESENT, 10)));

        assertEquals(new Command(Command.Kind.ENSURE, "i2v@1.0.0", null, null), type("e"));
    }

    @Test
    void aModelWithWorkRunningTakesNoSecondAction() {
        model.setStore(Rows.snapshot(Rows.row("i2v@1.0.0", ModelState.NOT_PRESENT, 10)));
        model.actionStarted("i2v@1.0.0", "ensure");

        Command c = type("v");

        assertNull(c);
        assertTrue(model.log().window(1, 0).get(0).text().contains("ensure is still running"));
    }

    @Test
    void pinTogglesWithTheModelsPinnedState() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0, true, null),
                Rows.row("b@1.0.0", ModelState.COMPLETE, 0)));

        assertEquals(Command.of(Command.Kind.UNPIN, "a@1.0.0"), type("p"));
        model.onKey(key('j'));
        assertEquals(Command.of(Command.Kind.PIN, "b@1.0.0"), type("p"));
    }

    @Test
    void gcIsPlannedFirstAndDeletesOnlyAfterY() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));
        type("g");
        assertEquals(DashboardModel.Mode.GC_LIMIT, model.mode());
        Command plan = type("5GB");
        assertNull(plan);
        plan = model.onKey(key(KeyType.Enter));
        assertEquals(new Command(Command.Kind.GC_PLAN, null, null, "5GB"), plan);

        model.gcPlanned(planDeleting("a@1.0.0", 786_521));
        assertEquals(DashboardModel.Mode.GC_CONFIRM, model.mode());
        Command collect = type("y");

        assertEquals(new Command(Command.Kind.GC_COLLECT, null, null, "5GB"), collect);
        assertEquals(DashboardModel.Mode.BROWSE, model.mode());
    }

    @Test
    void theGcLimitStartsEmptyEachTimeAndEnterAloneUsesTheQuotaLikeWanGc() {
        DashboardModel withQuota = new DashboardModel(Clock.fixed(Rows.NOW, ZoneOffset.UTC), "test", 500L << 30);
        withQuota.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));

        withQuota.onKey(key('g'));
        String first = withQuota.input();
        Command alone = withQuota.onKey(key(KeyType.Enter));
        withQuota.gcFailed("stop"); // the plan's outcome does not matter here
        withQuota.onKey(key('g'));
        String second = withQuota.input();

        assertEquals("", first);
        assertEquals(new Command(Command.Kind.GC_PLAN, null, null, "500GiB"), alone);
        assertEquals("", second, "what was typed or planned before is not kept");
    }

    @Test
    void theGcPromptForgetsWhatWasTypedBefore() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));
        type("g3MB");
        model.onKey(key(KeyType.Enter));
        model.gcPlanned(planDeleting("a@1.0.0", 786_521));
        type("n"); // cancel
        type("g");
        String reopened = model.input();
        type("1MB");
        Command c = model.onKey(key(KeyType.Enter));

        assertEquals("", reopened);
        assertEquals(new Command(Command.Kind.GC_PLAN, null, null, "1MB"), c, "not 3MB1MB");
    }

    @Test
    void withoutAQuotaEnterAloneMeansLeftoversOnly() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));
        type("g");

        assertEquals(new Command(Command.Kind.GC_PLAN, null, null, ""), model.onKey(key(KeyType.Enter)));
    }

    @Test
    void anyKeyButYCancelsTheGcAndSaysNothingWasDeleted() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));
        model.gcPlanned(planDeleting("a@1.0.0", 786_521));

        Command c = type("n");

        assertNull(c);
        assertNull(model.gcPlan());
        assertTrue(model.log().window(1, 0).get(0).text().contains("cancelled, nothing deleted"));
    }

    @Test
    void quitAsksWhileWorkRunsAndQuitsAtOnceWhenIdle() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.NOT_PRESENT, 10)));
        model.actionStarted("a@1.0.0", "ensure");

        assertNull(type("q"));
        assertEquals(DashboardModel.Mode.QUIT_CONFIRM, model.mode());
        assertNull(type("n"));
        assertFalse(model.quitRequested());
        model.actionFinished("a@1.0.0", EventLog.Level.OK, "done");
        assertEquals(Command.Kind.QUIT, type("q").kind());
        assertTrue(model.quitRequested());
    }

    @Test
    void eventsBecomeLiveProgressWithRateFailoversAndALogUntilTheEnsureEnds() {
        ModelId id = ModelId.parse("a@1.0.0");
        Instant t0 = Rows.NOW.minusSeconds(4);
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.NOT_PRESENT, 1000)));

        model.on(new WanEvent.EnsureStarted(t0, id, null, 2, 1000, 1000));
        model.on(new WanEvent.FileStarted(t0, id, "x.bin", 600, "hf://org/a"));
        model.on(new WanEvent.BytesTransferred(t0.plusSeconds(1), id, "x.bin", 100));
        model.on(new WanEvent.SourceFailed(t0.plusSeconds(2), id, "x.bin", "hf://org/a", ErrorCode.SOURCE_UNAVAILABLE,
                "503"));
        model.on(new WanEvent.FileStarted(t0.plusSeconds(2), id, "x.bin", 600, "s3://bucket/a"));
        model.on(new WanEvent.BytesTransferred(t0.plusSeconds(4), id, "x.bin", 400));
        Transfer t = model.transfer("a@1.0.0");

        assertEquals(400, t.bytesDone(), "the failed source's bytes do not count");
        assertEquals(0.4, t.fraction(), 1e-9);
        assertEquals(1, t.failovers());
        assertEquals("s3://bucket/a", t.sourceInUse());
        assertEquals(100.0, t.rate(Rows.NOW), 1e-9, "400 bytes net over the 4 s window");
        assertEquals(6, t.eta(Rows.NOW).toSeconds());
        assertTrue(model.working());
        model.on(new WanEvent.EnsureFinished(Rows.NOW, id, Path.of("/x"), 1000, 4000));
        assertNull(model.transfer("a@1.0.0"));
        List<String> log = model.log().window(10, 0).stream().map(EventLog.Line::text).toList();
        assertTrue(log.get(0).contains("ensure started, 2 files"), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains("hf://org/a failed (SOURCE_UNAVAILABLE)")), log.toString());
        assertTrue(log.get(log.size() - 1).contains("COMPLETE"), log.toString());
    }

    @Test
    void anUnchangedSnapshotIsNoChangeSoNothingIsRepainted() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));
        model.takeDirty();

        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));
        boolean sameRepainted = model.takeDirty();
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.PARTIAL, 5)));

        assertFalse(sameRepainted);
        assertTrue(model.takeDirty());
    }

    @Test
    void anotherProcessTakingALockAndFinishingIsLogged() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.NOT_PRESENT, 10)));
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.NOT_PRESENT, 10, false, "pid=7 purpose=ensure")));
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));

        List<String> log = model.log().window(10, 0).stream().map(EventLog.Line::text).toList();

        assertEquals(List.of("a@1.0.0: locked by pid=7 purpose=ensure", "a@1.0.0: now COMPLETE (the other process is done)"),
                log);
    }

    @Test
    void whatThisDashboardDidItselfIsNotReportedAsAnotherProcesssWork() {
        Clock clock = Clock.offset(Clock.fixed(Rows.NOW, ZoneOffset.UTC), java.time.Duration.ofSeconds(1));
        DashboardModel m = new DashboardModel(clock, "test", -1);
        m.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.NOT_PRESENT, 10))); // read at NOW
        m.actionStarted("a@1.0.0", "ensure");
        m.actionFinished("a@1.0.0", EventLog.Level.OK, "a@1.0.0: ready"); // at NOW + 1 s

        m.setStore(new StoreSnapshot(Rows.NOW.plusSeconds(2), List.of(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)),
                StoreSnapshot.Disk.UNKNOWN, null));

        List<String> log = m.log().window(10, 0).stream().map(EventLog.Line::text).toList();
        assertEquals(List.of("a@1.0.0: ready"), log);
    }

    @Test
    void tabMovesTheArrowsToTheEventLog() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0), Rows.row("b@1.0.0",
                ModelState.COMPLETE, 0)));
        for (int i = 0; i < 30; i++) {
            model.log(EventLog.Level.INFO, "line " + i);
        }

        model.onKey(key(KeyType.Tab));
        model.onKey(key(KeyType.ArrowUp));
        model.onKey(key(KeyType.ArrowUp));

        assertEquals("a@1.0.0", model.selectedRow().id(), "the table selection did not move");
        assertEquals("line 27", model.log().window(1, model.logBack()).get(0).text());
        model.onKey(key(KeyType.Tab));
        model.log(EventLog.Level.INFO, "line 30");
        assertEquals("line 30", model.log().window(1, model.logBack()).get(0).text(),
                "back at the table, the log shows the newest event again");
    }

    @Test
    void tabAndArrowsSelectAnOlderEventAndEnterOpensItWholeScrollableUntilEsc() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.NOT_PRESENT, 10)));
        String longOne = "word ".repeat(400).trim(); // 2,000 characters: several screens at 80x24
        model.log(EventLog.Level.ERROR, longOne);
        model.log(EventLog.Level.INFO, "newest");
        model.viewport(80, 24);

        model.onKey(key(KeyType.Enter));
        EventLog.Line newest = model.reading();
        model.onKey(key(KeyType.Escape));
        model.onKey(key(KeyType.Tab));
        model.onKey(key(KeyType.ArrowUp));
        model.onKey(key(KeyType.Enter));
        EventLog.Line older = model.reading();
        int lines = Format.wrap(longOne, DashboardModel.readerWidth(80)).size();
        model.onKey(key(KeyType.End));
        int end = model.readerTop();
        model.onKey(key(KeyType.ArrowDown));
        int afterEnd = model.readerTop();
        model.onKey(key(KeyType.ArrowUp));
        int up = model.readerTop();
        model.onKey(key('q'));

        assertEquals("newest", newest.text());
        assertEquals(longOne, older.text());
        assertEquals(lines - DashboardModel.readerRows(24), end, "End shows the last screenful");
        assertEquals(end, afterEnd, "no scrolling past the end");
        assertEquals(end - 1, up);
        assertEquals(DashboardModel.Mode.BROWSE, model.mode(), "q closes the reader, it does not quit");
        assertFalse(model.quitRequested());
    }

    static GcPlan planDeleting(String model, long bytes) {
        return new GcPlan(Rows.NOW, GcPolicy.of(5_000_000_000L, null, null), 786_521, 50L << 30,
                List.of(new GcPlan.Deletion(model, GcPlan.Reason.OVER_SIZE, bytes, Rows.NOW.minusSeconds(3600),
                        Path.of("/store/wan22/" + model))),
                List.of(new GcPlan.Preserved("p@1.0.0", GcPlan.Keep.PINNED, "pinned")), List.of(), true);
    }

    @Test
    void aStoreWideEventWithoutAModelChangesNothing() {
        model.on(new WanEvent.GcFinished(Rows.NOW, 1, 500, 20)); // model() is null: no row to update, no crash
        assertTrue(model.log().window(1, 0).isEmpty() || !model.log().window(1, 0).get(0).text().contains("null"));
    }
}
