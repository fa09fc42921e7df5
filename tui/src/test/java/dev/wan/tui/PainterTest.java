package dev.wan.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.input.KeyStroke;
import dev.wan.ensure.ModelState;
import dev.wan.event.WanEvent;
import dev.wan.manifest.ModelId;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class PainterTest {
    private final DashboardModel model = new DashboardModel(Clock.fixed(Rows.NOW, ZoneOffset.UTC), "/store (models.toml)",
            -1);

    private static String lineWith(List<String> lines, String text) {
        return lines.stream().filter(l -> l.contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with '" + text + "':\n" + Screens.text(lines)));
    }

    @Test
    void at80x24EveryModelShowsItsStateAsTextWithSizesPinAndSource() {
        model.setStore(Rows.snapshot(Rows.row("demo-i2v@1.0.0", ModelState.COMPLETE, 0, true, null),
                Rows.row("demo-t2v@1.0.0", ModelState.NOT_PRESENT, 2_936_012, false, null, "fp16", "bf16")));
        Screens screens = new Screens(80, 24);

        List<String> lines = screens.paint(model);

        assertEquals(24, lines.size());
        assertTrue(lines.get(1).contains("MODEL") && lines.get(1).contains("STATE") && lines.get(1).contains("NEEDED"));
        String i2v = lineWith(lines, "demo-i2v@1.0.0 ");
        assertTrue(i2v.startsWith("> "), "the selected row is marked with text, not colour alone: " + i2v);
        assertTrue(i2v.contains("COMPLETE") && i2v.contains("768 KiB") && i2v.contains(" pin ") && i2v.contains("5m")
                && i2v.contains(" local"), i2v);
        String t2v = lineWith(lines, "demo-t2v@1.0.0 ");
        assertTrue(t2v.contains("fp16,bf16") && t2v.contains("NOT_PRESENT") && t2v.contains("2.8 MiB"), t2v);
        assertEquals(TextColor.ANSI.GREEN, screens.cellOf("COMPLETE").getForegroundColor());
        assertTrue(lines.get(23).contains("e ensure") && lines.get(23).contains("q quit") && lines.get(23).contains("? help"),
                lines.get(23));
    }

    @Test
    void withMoreModelsThanFitThePositionIsOnTheRuleBelowTheTableNotOverItsLastRow() {
        List<StoreSnapshot.Row> many = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            many.add(Rows.row(String.format("model-%02d@1.0.0", i), ModelState.COMPLETE, 0, false, null));
        }
        model.setStore(Rows.snapshot(many.toArray(StoreSnapshot.Row[]::new)));

        List<String> lines = new Screens(80, 24).paint(model);

        String rule = lineWith(lines, "-- details");
        assertTrue(rule.contains(" 1/30 "), rule);
        for (String l : lines.subList(2, lines.indexOf(rule))) {
            assertTrue(l.contains("model-") && l.contains("COMPLETE") && !l.contains("/30"), "a whole row: " + l);
            assertTrue(l.stripTrailing().endsWith("local") || l.stripTrailing().endsWith("-"), "its source column: " + l);
        }
    }

    @Test
    void aDamagedStateFileIsNamedInTheDetailsPane() {
        StoreSnapshot.Row row = Rows.row("demo-i2v@1.0.0", ModelState.PARTIAL, 786_521);
        dev.wan.ensure.ModelStatus s = row.status();
        StoreSnapshot.Row damaged = new StoreSnapshot.Row(row.id(), row.description(), row.variants(),
                row.defaultVariant(), row.sources(), new dev.wan.ensure.ModelStatus(s.model(), s.variant(), s.state(),
                        s.bytesTotal(), s.bytesNeeded(), s.directory(), s.pinned(), s.lastUsed(), s.lockedBy(),
                        s.files(), "state file .state/demo-i2v@1.0.0.json is damaged (truncated JSON at byte 3)"),
                row.diskBytes(), row.stagedBytes());
        model.setStore(Rows.snapshot(damaged));

        List<String> lines = new Screens(80, 24).paint(model);

        assertTrue(lineWith(lines, "state problem:").contains("state file .state/demo-i2v@1.0.0.json"), Screens.text(lines));
    }

    @Test
    void theDetailsPaneListsFilesSourcesInPriorityOrderAndTheirLastTest() {
        model.setStore(Rows.snapshot(Rows.row("demo-i2v@1.0.0", ModelState.COMPLETE, 0)));
        model.sourcesTested("demo-i2v@1.0.0", List.of(
                new dev.wan.ensure.SourceCheck("demo-i2v@1.0.0", "local://demo-i2v@1.0.0", true, null, "ok", null,
                        null, 2, 2, 1, 1, 1, 1_000_000, 10),
                new dev.wan.ensure.SourceCheck("demo-i2v@1.0.0", "hf://org/demo-i2v", false,
                        dev.wan.ErrorCode.AUTH_FAIL, "401 from the Hub", "no token", null, 0, 0, 5, 0, 0, 0, 0)));

        List<String> lines = new Screens(80, 24).paint(model);

        String vae = lineWith(lines, " vae/diffusion_pyt");
        assertTrue(vae.contains(" OK ") && vae.contains("768 KiB") && vae.trim().endsWith(" vae"), vae);
        assertTrue(lineWith(lines, " model_index.json ").contains(" 1h "), "verified an hour ago, in 80 columns");
        List<String> wide = new Screens(120, 30).paint(model);
        assertTrue(lineWith(wide, " model_index.json ").contains("11-26 11:00"), "verified-at shows from 100 columns");
        String first = lineWith(lines, " 1. local://demo-i2v@1.0.0");
        String second = lineWith(lines, " 2. hf://org/demo-i2v");
        assertTrue(first.contains("ok"), first);
        assertTrue(second.contains("FAIL AUTH_FAIL"), second);
        assertTrue(lines.indexOf(first) < lines.indexOf(second));
    }

    @Test
    void aRunningEnsureShowsTotalAndPerFileBarsRateEtaAndTheSourceInUse() {
        ModelId id = ModelId.parse("demo-t2v@1.0.0");
        model.setStore(Rows.snapshot(Rows.row("demo-t2v@1.0.0", ModelState.NOT_PRESENT, 2 << 20, "fp16")));
        model.on(new WanEvent.EnsureStarted(Rows.NOW.minusSeconds(2), id, "fp16", 2, 2 << 20, 2 << 20));
        model.on(new WanEvent.FileStarted(Rows.NOW.minusSeconds(2), id, "transformer/weights.safetensors", 1 << 20,
                "hf://org/t2v@abc123"));
        model.on(new WanEvent.BytesTransferred(Rows.NOW, id, "transformer/weights.safetensors", 1 << 19));

        List<String> lines = new Screens(80, 24).paint(model);

        assertTrue(lineWith(lines, "demo-t2v@1.0.0 ").contains("ENSURING 25%"));
        String total = lineWith(lines, " ENSURING fp16 ");
        assertTrue(total.contains("[") && total.contains("25%") && total.contains("512 KiB / 2.0 MiB")
                && total.contains("256 KiB/s") && total.contains("ETA 6.0s"), total);
        assertTrue(lineWith(lines, " files 0/2  from hf://org/t2v@abc123").length() > 0);
        String file = lineWith(lines, "   transformer/weights.safetensors ");
        assertTrue(file.contains("#####") && file.contains("50%"), file);
    }

    @Test
    void aRunningVerifyShowsHowMuchIsReHashed() {
        ModelId id = ModelId.parse("demo-i2v@1.0.0");
        model.setStore(Rows.snapshot(Rows.row("demo-i2v@1.0.0", ModelState.COMPLETE, 0)));
        model.on(new WanEvent.VerifyStarted(Rows.NOW.minusSeconds(1), id, null, 2, 1000));
        model.on(new WanEvent.FileStarted(Rows.NOW.minusSeconds(1), id, "model_index.json", 100, "verify"));
        model.on(new WanEvent.BytesTransferred(Rows.NOW, id, "model_index.json", 100));
        model.on(new WanEvent.FileStarted(Rows.NOW, id, "vae/weights.safetensors", 900, "verify"));
        model.on(new WanEvent.BytesTransferred(Rows.NOW, id, "vae/weights.safetensors", 400));

        List<String> lines = new Screens(80, 24).paint(model);

        assertTrue(lineWith(lines, "demo-i2v@1.0.0 ").contains("VERIFYING 50%"));
        assertTrue(lineWith(lines, " VERIFYING [").contains("500 B / 1000 B"));
        assertTrue(lineWith(lines, " files 1/2  re-hashing").length() > 0);
        model.on(new WanEvent.VerifyFinished(Rows.NOW, id, true, 1000));
        assertTrue(lineWith(new Screens(80, 24).paint(model), "demo-i2v@1.0.0 ").contains("COMPLETE"));
    }

    @Test
    void aModelAnotherProcessIsEnsuringShowsTheHolderAndHowFarItGot() {
        StoreSnapshot.Row locked = Rows.row("demo-t2v@1.0.0", ModelState.NOT_PRESENT, 1000, false,
                "pid=4242 host=gpu7 since=2026-11-26T11:59:00Z purpose=ensure", "fp16");
        locked = new StoreSnapshot.Row(locked.id(), locked.description(), locked.variants(), locked.defaultVariant(),
                locked.sources(), locked.status(), 0, 400);
        model.setStore(Rows.snapshot(locked));

        List<String> lines = new Screens(80, 24).paint(model);

        assertTrue(lineWith(lines, "demo-t2v@1.0.0 ").contains("LOCKED 40%"));
        assertTrue(lineWith(lines, "LOCKED by pid=4242 host=gpu7").contains("purpose=ensure"));
        assertTrue(lineWith(lines, "staged by that process").contains("400 B of 1000 B"));
    }

    @Test
    void theGcConfirmationListsWhatWillBeDeletedAndHowManyBytes() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));
        model.gcPlanned(DashboardModelTest.planDeleting("a@1.0.0", 786_521));

        List<String> lines = new Screens(80, 24).paint(model);

        assertTrue(lineWith(lines, "gc plan (dry run)").contains("+-"));
        String delete = lineWith(lines, "delete a@1.0.0");
        assertTrue(delete.contains("OVER_SIZE") && delete.contains("768 KiB") && delete.contains("last used 1h"), delete);
        assertTrue(lineWith(lines, "keep   p@1.0.0").contains("PINNED"));
        assertTrue(lineWith(lines, "Delete 1 model(s) and 0 leftover(s), freeing 768 KiB?").length() > 0);
        assertTrue(lineWith(lines, "y deletes, any other key cancels").length() > 0);
    }

    @Test
    void helpListsEveryKey() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));
        model.onKey(new KeyStroke('?', false, false));

        String screen = Screens.text(new Screens(80, 24).paint(model));

        for (Keys.Binding b : Keys.ALL) {
            assertTrue(screen.contains(b.keys()) && screen.contains(b.help()), b + "\n" + screen);
        }
        assertTrue(screen.contains("any key closes"));
    }

    @Test
    void aResizeUsesTheNewSizeAndATinyTerminalGetsAMessageInsteadOfGarbage() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));
        Screens screens = new Screens(80, 24);
        screens.paint(model);

        screens.terminal().setTerminalSize(new TerminalSize(132, 40));
        List<String> wide = screens.paint(model);
        screens.terminal().setTerminalSize(new TerminalSize(30, 8));
        List<String> tiny = screens.paint(model);

        assertEquals(40, wide.size());
        assertEquals(132, wide.get(0).length());
        assertTrue(wide.get(39).contains("s sort") && wide.get(39).contains("Tab log"), "room for every key: " + wide.get(39));
        assertTrue(tiny.get(0).startsWith("wan: terminal too small"), tiny.get(0));
        assertTrue(tiny.get(1).startsWith("30x8, need 40x12; q quits"), tiny.get(1));
        assertFalse(Screens.text(tiny).contains("MODEL"));
    }

    @Test
    void theSortAndFilterIndicatorLeavesTheColumnHeadersWhole() {
        model.setStore(Rows.snapshot(Rows.row("demo-i2v@1.0.0", ModelState.COMPLETE, 0),
                Rows.row("demo-t2v@1.0.0", ModelState.NOT_PRESENT, 10)));
        String before = new Screens(80, 24).paint(model).get(1);
        model.onKey(new KeyStroke('s', false, false));
        model.onKey(new KeyStroke('/', false, false));
        for (char c : "demo".toCharArray()) {
            model.onKey(new KeyStroke(c, false, false));
        }
        model.onKey(new KeyStroke(com.googlecode.lanterna.input.KeyType.Enter));

        List<String> lines = new Screens(80, 24).paint(model);

        assertEquals(before, lines.get(1), "the header row is the same with a sort and a filter");
        assertTrue(lines.get(1).trim().endsWith("SOURCE"), lines.get(1));
        assertTrue(lines.get(0).contains("sort: state") && lines.get(0).contains("filter: demo"), lines.get(0));
    }

    @Test
    void aLongModelIdIsCutInItsNameAndKeepsItsVersion() {
        model.setStore(Rows.snapshot(Rows.row("wan2.2-t2v-A14B-diffusers@2.2.0", ModelState.COMPLETE, 0),
                Rows.row("wan2.2-i2v-A14B-diffusers@2.2.1", ModelState.NOT_PRESENT, 10),
                Rows.row("wan2.2-ti2v-5B-diffusers@1.0.0", ModelState.NOT_PRESENT, 10)));

        List<String> lines = new Screens(80, 24).paint(model);

        assertTrue(lineWith(lines, "@2.2.0 ").startsWith("  wan2.2-t2v") && lineWith(lines, "@2.2.0 ").contains("COMPLETE"),
                Screens.text(lines));
        assertTrue(lineWith(lines, "@2.2.1 ").contains("NOT_PRESENT"), Screens.text(lines));
        assertTrue(lineWith(lines, "@1.0.0 ").contains("NOT_PRESENT"), Screens.text(lines));
    }

    @Test
    void theQuitDialogSaysThatDownloadsResumeAndLocalCopiesStartOver() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.NOT_PRESENT, 10)));
        model.actionStarted("a@1.0.0", "ensure");
        model.onKey(new KeyStroke('q', false, false));

        String screen = Screens.text(new Screens(80, 24).paint(model));

        assertTrue(screen.contains("Quit anyway?"), screen);
        assertTrue(screen.contains("Downloads resume where they stopped") && screen.contains("local:// and file://")
                && screen.contains("start over"), screen);
    }

    @Test
    void enterShowsTheWholeTextOfTheNewestEventWrappedAndEscClosesIt() {
        model.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.NOT_PRESENT, 10)));
        String message = "a@1.0.0: ensure failed (NO_SPACE): model a@1.0.0: no space left on device while writing"
                + " transformer/diffusion_pytorch_model-00001-of-00006.safetensors under /srv/models/.tmp; free disk"
                + " space: see what 'wan models gc --dry-run' would reclaim, or set MODELS_ROOT to a bigger disk";
        model.log(EventLog.Level.ERROR, message);
        String cut = lineWith(new Screens(80, 24).paint(model), "ensure failed");

        model.onKey(new KeyStroke(com.googlecode.lanterna.input.KeyType.Enter));
        List<String> open = new Screens(80, 24).paint(model);
        model.onKey(new KeyStroke(com.googlecode.lanterna.input.KeyType.Escape));
        List<String> closed = new Screens(80, 24).paint(model);

        assertFalse(cut.contains("bigger disk"), "the log line is cut at 80 columns: " + cut);
        StringBuilder inside = new StringBuilder();
        for (String l : open) {
            if (l.matches("^\\s*\\|.*\\|\\s*$")) {
                inside.append(l, l.indexOf('|') + 1, l.lastIndexOf('|')).append(' ');
            }
        }
        assertEquals(message.replaceAll("\\s+", ""), inside.toString().replaceAll("\\s+", ""), Screens.text(open));
        assertTrue(Screens.text(open).contains("Esc closes"), Screens.text(open));
        assertFalse(Screens.text(closed).contains("Esc closes"), Screens.text(closed));
    }

    @Test
    void aCutTitleIsMarkedWithoutATildeThatReadsLikeHome() {
        DashboardModel deep = new DashboardModel(Clock.fixed(Rows.NOW, ZoneOffset.UTC),
                "/srv/shared/gpu-cluster/teams/video-generation/models/root  (models.toml)", -1);
        deep.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));

        String title = new Screens(80, 24).paint(deep).get(0);

        assertFalse(title.contains("~"), title);
        assertTrue(title.contains("/root  (models.toml)"), title);
    }

    @Test
    void theDetailsShowEveryVariantsStateAndFilesNotJustTheDefaults() {
        StoreSnapshot.Row fp16 = Rows.row("demo-t2v@1.0.0", ModelState.COMPLETE, 0, "fp16", "bf16");
        dev.wan.ensure.ModelStatus s = fp16.status();
        List<dev.wan.ensure.FileStatus> bf16Files = new java.util.ArrayList<>(s.files());
        bf16Files.add(new dev.wan.ensure.FileStatus("transformer/diffusion_pytorch_model.bf16.safetensors", 1 << 20,
                dev.wan.ensure.FileState.MISSING, false, "transformer", null, null, null));
        dev.wan.ensure.ModelStatus bf16 = new dev.wan.ensure.ModelStatus(s.model(), "bf16", ModelState.PARTIAL,
                s.bytesTotal() + (1 << 20), 1 << 20, s.directory(), false, null, null, bf16Files);
        model.setStore(Rows.snapshot(new StoreSnapshot.Row(fp16.id(), fp16.description(), fp16.variants(),
                fp16.defaultVariant(), fp16.sources(), s, fp16.diskBytes(), 0, List.of(s, bf16))));

        List<String> lines = new Screens(80, 24).paint(model);

        String variants = lineWith(lines, " variants:");
        assertTrue(variants.contains("fp16 COMPLETE (default)") && variants.contains("bf16 PARTIAL 1.0 MiB needed"),
                variants);
        assertTrue(lineWith(lines, "bf16.safetensors").contains("MISSING"), Screens.text(lines));
        assertEquals(TextColor.ANSI.YELLOW, new Screens(80, 24).cellOfAfterPaint(model, "PARTIAL").getForegroundColor());
    }

    @Test
    void underAUtf8LocaleACutIsMarkedWithAnEllipsis() {
        DashboardModel utf8 = new DashboardModel(Clock.fixed(Rows.NOW, ZoneOffset.UTC),
                "/srv/shared/gpu-cluster/teams/video-generation/models/root  (models.toml)", -1, Cut.UNICODE);
        utf8.setStore(Rows.snapshot(Rows.row("a@1.0.0", ModelState.COMPLETE, 0)));

        String title = new Screens(80, 24).paint(utf8).get(0);

        assertTrue(title.startsWith(" wan  \u2026") && title.contains("/root  (models.toml)"), title);
    }
}
