package dev.wan.tui;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.TextGraphics;
import dev.wan.ensure.FileState;
import dev.wan.ensure.FileStatus;
import dev.wan.ensure.ModelState;
import dev.wan.ensure.ModelStatus;
import dev.wan.ensure.SourceCheck;
import dev.wan.gc.GcPlan;
import dev.wan.store.ByteSize;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link DashboardModel} onto a {@link TextGraphics}: a function of the model and the size
 * (it tells the model the size, so the event reader scrolls within it), so tests paint onto
 * lanterna's virtual terminal and read the text back. Bars and borders are ASCII so they read the
 * same under any locale and TERM; only the mark of a cut follows the charset ({@link Cut}). State
 * is always text, colour only helps.
 */
final class Painter {
    private static final int MIN_WIDTH = 40;
    private static final int MIN_HEIGHT = 12;
    // fixed table columns: marker, variant, state, on disk, needed, pin, used (+ one space between columns)
    private static final int VARIANT = 9;
    private static final int STATE = 13;
    private static final int SIZE = 8;
    private static final int PIN = 3;
    private static final int USED = 4;
    private static final int FIXED = 2 + VARIANT + STATE + SIZE + SIZE + PIN + USED + 7;

    /** A piece of a line in one style. */
    record Span(String text, TextColor color, boolean bold) {
        static Span plain(String text) {
            return new Span(text, TextColor.ANSI.DEFAULT, false);
        }

        static Span of(String text, TextColor color) {
            return new Span(text, color, false);
        }

        static Span bold(String text) {
            return new Span(text, TextColor.ANSI.DEFAULT, true);
        }
    }

    private final Cut cut;

    private Painter(Cut cut) {
        this.cut = cut;
    }

    static void paint(DashboardModel m, TextGraphics g) {
        new Painter(m.cut()).draw(m, g);
    }

    private void draw(DashboardModel m, TextGraphics g) {
        TerminalSize size = g.getSize();
        int w = size.getColumns();
        int h = size.getRows();
        m.viewport(w, h); // the event reader scrolls within what fits
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
        g.disableModifiers(SGR.BOLD, SGR.REVERSE);
        g.fill(' ');
        if (w < MIN_WIDTH || h < MIN_HEIGHT) {
            put(g, 0, 0, w, List.of(Span.plain("wan: terminal too small")));
            put(g, 0, 1, w, List.of(Span.plain(w + "x" + h + ", need " + MIN_WIDTH + "x" + MIN_HEIGHT + "; q quits")));
            return;
        }
        int body = h - 5; // title, table header, details and log separators, footer
        int rowsWanted = Math.max(3, m.visibleRows().size());
        int tableH = Math.min(rowsWanted, Math.max(3, body * 2 / 5));
        int logH = Math.max(3, body / 4);
        int detailsH = body - tableH - logH;

        title(m, g, w);
        int y = 1;
        table(m, g, y, w, tableH);
        y += 1 + tableH;
        StoreSnapshot.Row row = m.selectedRow();
        separator(g, y, w, row == null ? "details" : "details: " + row.id(), false);
        if (m.visibleRows().size() > tableH) {
            // where the selection is among more rows than fit: on the rule below the table, never over a row
            String more = " " + (Math.max(0, m.selectedPosition()) + 1) + "/" + m.visibleRows().size() + " ";
            g.putString(Math.max(0, w - more.length() - 2), y, more);
        }
        y++;
        List<List<Span>> lines = row == null ? noModel(m) : details(m, row, w, detailsH);
        for (int i = 0; i < detailsH && i < lines.size(); i++) {
            put(g, 0, y + i, w, lines.get(i));
        }
        y += detailsH;
        separator(g, y, w, "events" + (m.focus() == DashboardModel.Focus.LOG
                ? " (arrows select, Enter: whole text, Tab back)" : "  (Enter: whole text, Tab: select)"),
                m.focus() == DashboardModel.Focus.LOG);
        y++;
        events(m, g, y, w, logH);
        footer(m, g, h - 1, w);
        overlay(m, g, w, h);
    }

    // --- title and disk gauge ---------------------------------------------------------------------

    private void title(DashboardModel m, TextGraphics g, int w) {
        StoreSnapshot.Disk d = m.store().disk();
        StringBuilder gauge = new StringBuilder("store ").append(ByteSize.format(d.storeBytes()));
        if (d.quotaBytes() > 0) {
            double used = (double) d.storeBytes() / d.quotaBytes();
            gauge.append(' ').append(Format.bar(used, 12)).append(' ').append(Format.percent(used))
                    .append(" of quota ").append(ByteSize.format(d.quotaBytes()));
        } else if (d.freeBytes() >= 0) {
            double used = (double) d.storeBytes() / Math.max(1, d.storeBytes() + d.freeBytes());
            gauge.append(' ').append(Format.bar(used, 12));
        }
        if (d.freeBytes() >= 0) {
            gauge.append("  free ").append(ByteSize.format(d.freeBytes()));
        }
        gauge.append(' ');
        String right = gauge.toString();
        int room = Math.max(0, w - right.length() - 1);
        // the sort and filter of the table live here, where they cover no column header; the path
        // gives way to them (the filter always shows, the default sort only when there is room)
        String tags = m.filter().isEmpty() ? "" : "  filter: " + m.filter();
        String sort = "  sort: " + m.sort().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (m.sort() != DashboardModel.Sort.MODEL || room - 7 - tags.length() - sort.length() >= 24) {
            tags = sort + tags;
        }
        if (!tags.isEmpty()) {
            tags += " "; // one more space: the gauge is not read as part of the filter
        }
        int pathRoom = room - 6 - tags.length();
        // a path cut to a few characters says nothing: then only the tags show
        String left = " wan  " + (pathRoom < 12 ? tags.stripLeading() : cut.fitEnd(m.title(), pathRoom) + tags);
        String line = cut.pad(left, room) + " " + right;
        g.enableModifiers(SGR.REVERSE);
        g.putString(0, 0, cut.pad(line, w));
        g.disableModifiers(SGR.REVERSE);
        boolean low = d.quotaBytes() > 0 && d.storeBytes() > d.quotaBytes() * 9 / 10;
        if (low) {
            g.setForegroundColor(TextColor.ANSI.RED);
            g.enableModifiers(SGR.REVERSE, SGR.BOLD);
            g.putString(Math.max(0, w - right.length()), 0, cut.fit(right, w));
            g.disableModifiers(SGR.REVERSE, SGR.BOLD);
            g.setForegroundColor(TextColor.ANSI.DEFAULT);
        }
    }

    // --- the models table -------------------------------------------------------------------------

    private void table(DashboardModel m, TextGraphics g, int y, int w, int height) {
        int flex = w - FIXED;
        int longest = m.visibleRows().stream().mapToInt(r -> r.id().length()).max().orElse(5);
        int modelW = Math.max(10, Math.min(longest, flex - 6));
        int sourceW = flex - modelW;
        String header = "  " + cut.pad("MODEL", modelW) + " " + cut.pad("VARIANT", VARIANT) + " "
                + cut.pad("STATE", STATE) + " " + cut.padLeft("ON DISK", SIZE) + " "
                + cut.padLeft("NEEDED", SIZE) + " " + cut.pad("PIN", PIN) + " " + cut.pad("USED", USED) + " "
                + cut.pad("SOURCE", sourceW);
        g.enableModifiers(SGR.BOLD);
        g.putString(0, y, cut.pad(header, w));
        g.disableModifiers(SGR.BOLD);
        List<StoreSnapshot.Row> rows = m.visibleRows();
        if (rows.isEmpty()) {
            String why = m.store().error() != null ? "cannot read the store: " + m.store().error()
                    : m.store().at().equals(Instant.EPOCH) ? "reading the store..."
                    : m.filter().isEmpty() ? "the manifest declares no models" : "no model matches '" + m.filter() + "' (Esc clears)";
            put(g, 2, y + 1, w - 2, List.of(Span.of(why, m.store().error() != null ? TextColor.ANSI.RED : TextColor.ANSI.DEFAULT)));
            return;
        }
        int sel = Math.max(0, m.selectedPosition());
        int top = Math.max(0, Math.min(sel - height / 2, rows.size() - height));
        for (int i = 0; i < height && top + i < rows.size(); i++) {
            StoreSnapshot.Row r = rows.get(top + i);
            boolean selected = top + i == sel;
            Cell state = stateCell(m, r);
            String used = Format.ago(r.status().lastUsed(), m.now());
            String served = r.servedBy();
            List<Span> spans = new ArrayList<>();
            spans.add(Span.plain((selected ? "> " : "  ") + cut.padId(r.id(), modelW) + " "
                    + cut.pad(variants(r), VARIANT) + " "));
            spans.add(new Span(cut.pad(state.text(), STATE), state.color(), state.bold()));
            spans.add(Span.plain(" " + cut.padLeft(r.diskBytes() > 0 ? ByteSize.format(r.diskBytes()) : "-", SIZE) + " "
                    + cut.padLeft(r.status().bytesNeeded() > 0 ? ByteSize.format(r.status().bytesNeeded()) : "-", SIZE)
                    + " " + cut.pad(r.status().pinned() ? "pin" : "", PIN) + " " + cut.pad(used, USED) + " "
                    + cut.pad(served == null ? "-" : shortSource(served, sourceW), sourceW)));
            if (selected && m.focus() == DashboardModel.Focus.TABLE) {
                g.enableModifiers(SGR.REVERSE);
                put(g, 0, y + 1 + i, w, spans);
                g.putString(lineLength(spans), y + 1 + i, " ".repeat(Math.max(0, w - lineLength(spans))));
                g.disableModifiers(SGR.REVERSE);
            } else {
                put(g, 0, y + 1 + i, w, spans);
            }
        }
    }

    private String variants(StoreSnapshot.Row r) {
        if (r.variants().isEmpty()) {
            return "-";
        }
        List<String> ordered = new ArrayList<>(r.variants());
        ordered.remove(r.defaultVariant());
        ordered.add(0, r.defaultVariant());
        return String.join(",", ordered);
    }

    /** {@code local://demo@1.0.0} → {@code local}, when there is no room for the whole URI. */
    private String shortSource(String uri, int width) {
        if (uri.length() <= width) {
            return uri;
        }
        int scheme = uri.indexOf("://");
        return scheme > 0 && scheme <= width ? uri.substring(0, scheme) : cut.fit(uri, width);
    }

    record Cell(String text, TextColor color, boolean bold) {
    }

    /** The STATE column: what is happening to the model right now, else its state. */
    Cell stateCell(DashboardModel m, StoreSnapshot.Row r) {
        Transfer t = m.transfer(r.id());
        if (t != null) {
            return new Cell(t.verb + " " + Format.percent(t.fraction()),
                    t.verifying() ? TextColor.ANSI.CYAN : TextColor.ANSI.BLUE_BRIGHT, true);
        }
        String busy = m.busy(r.id());
        if ("ensure".equals(busy)) {
            return new Cell("ENSURING", TextColor.ANSI.BLUE_BRIGHT, true);
        }
        if ("verify".equals(busy) || r.state() == ModelState.VERIFYING) {
            return new Cell("VERIFYING", TextColor.ANSI.CYAN, true);
        }
        if (r.lockedBySomeone()) {
            long needed = Math.max(1, r.status().bytesNeeded());
            return new Cell("LOCKED " + Format.percent((double) r.stagedBytes() / needed), TextColor.ANSI.MAGENTA, true);
        }
        switch (r.state()) {
            case COMPLETE: return new Cell("COMPLETE", TextColor.ANSI.GREEN, false);
            case PARTIAL: return new Cell("PARTIAL", TextColor.ANSI.YELLOW, false);
            case UNVERIFIED: return new Cell("UNVERIFIED", TextColor.ANSI.YELLOW, false);
            case CORRUPT: return new Cell("CORRUPT", TextColor.ANSI.RED, true);
            default: return new Cell(r.state().name(), TextColor.ANSI.DEFAULT, false);
        }
    }

    // --- details ----------------------------------------------------------------------------------

    private List<List<Span>> noModel(DashboardModel m) {
        return List.of(List.of(Span.plain(m.store().error() != null ? "" : " select a model with the arrow keys")));
    }

    List<List<Span>> details(DashboardModel m, StoreSnapshot.Row r, int w, int height) {
        List<List<Span>> out = new ArrayList<>();
        out.add(List.of(Span.bold(" " + r.id()), Span.plain(r.description() == null ? "" : "  " + r.description())));
        StringBuilder facts;
        if (r.variantStatus().size() > 1) {
            out.add(variantStates(r));
            facts = new StringBuilder(" ").append(ByteSize.format(r.status().bytesTotal())).append(" in all (")
                    .append(r.status().variant()).append(')');
        } else {
            facts = new StringBuilder(" variant ").append(r.status().variant() == null ? "-" : r.status().variant())
                    .append("  |  ").append(ByteSize.format(r.status().bytesTotal())).append(" in all");
        }
        if (r.status().pinned()) {
            facts.append("  |  pinned");
        }
        facts.append("  |  last used ").append(Format.dayTime(r.status().lastUsed()));
        String revision = r.revision();
        if (revision != null) {
            facts.append("  |  revision ").append(revision);
        }
        out.add(List.of(Span.plain(facts.toString())));
        if (r.status().stateProblem() != null) {
            // why every file shows UNVERIFIED, and what repairs it (wrapped lines are clipped: the start says it)
            out.add(List.of(Span.of(" state problem: " + r.status().stateProblem(), TextColor.ANSI.YELLOW)));
        }
        Transfer t = m.transfer(r.id());
        if (t != null) {
            progress(m.now(), t, w, out);
        } else if (r.lockedBySomeone() && m.busy(r.id()) == null) {
            out.add(List.of(Span.of(" LOCKED by " + r.status().lockedBy().trim(), TextColor.ANSI.MAGENTA)));
            long needed = Math.max(1, r.status().bytesNeeded());
            double f = (double) r.stagedBytes() / needed;
            out.add(List.of(Span.plain(" " + Format.bar(f, 32) + " " + Format.percent(f) + "  "
                    + ByteSize.format(r.stagedBytes()) + " of " + ByteSize.format(r.status().bytesNeeded())
                    + " staged by that process")));
        }
        List<List<Span>> sources = sources(m, r, w);
        files(r, m.now(), w, out, Math.max(2, height - out.size() - sources.size() - 1));
        out.addAll(sources);
        return out;
    }

    /** {@code variants: fp16 COMPLETE (default), bf16 NOT_PRESENT 1.0 MiB needed}: every variant, not just the default. */
    private static List<Span> variantStates(StoreSnapshot.Row r) {
        List<Span> line = new ArrayList<>();
        line.add(Span.plain(" variants:"));
        String sep = " ";
        for (ModelStatus v : r.variantStatus()) {
            line.add(Span.plain(sep + v.variant() + " "));
            line.add(Span.of(v.state().name(), stateColor(v.state())));
            line.add(Span.plain((v.state() != ModelState.COMPLETE && v.bytesNeeded() > 0
                    ? " " + ByteSize.format(v.bytesNeeded()) + " needed" : "")
                    + (v.variant().equals(r.defaultVariant()) ? " (default)" : "")));
            sep = ", ";
        }
        return line;
    }

    private static TextColor stateColor(ModelState s) {
        return switch (s) {
            case COMPLETE -> TextColor.ANSI.GREEN;
            case PARTIAL, UNVERIFIED -> TextColor.ANSI.YELLOW;
            case CORRUPT -> TextColor.ANSI.RED;
            case VERIFYING -> TextColor.ANSI.CYAN;
            default -> TextColor.ANSI.DEFAULT;
        };
    }

    private void progress(Instant now, Transfer t, int w, List<List<Span>> out) {
        Duration eta = t.eta(now);
        String head = " " + t.verb + (t.variant == null ? "" : " " + t.variant) + " ";
        // fixed-width numbers, so the bar keeps its width while they change
        String tail = " " + cut.padLeft(Format.percent(t.fraction()), 4) + " " + cut.padLeft(ByteSize.format(t.bytesDone()), 9)
                + " / " + ByteSize.format(t.bytesNeeded()) + " " + cut.padLeft(Format.rate(t.rate(now)), 11) + "  ETA "
                + (eta == null ? "-" : Format.duration(eta));
        int barW = Math.max(10, Math.min(40, w - head.length() - tail.length() - 6));
        out.add(List.of(Span.of(head, t.verifying() ? TextColor.ANSI.CYAN : TextColor.ANSI.BLUE_BRIGHT),
                Span.plain(Format.bar(t.fraction(), barW) + tail)));
        String via = t.sourceInUse();
        out.add(List.of(Span.plain(" files " + t.filesDone() + "/" + t.filesNeeded() + (t.verifying() ? "  re-hashing"
                        : "  from " + (via == null ? "-" : via))),
                t.failovers() > 0 ? Span.of("  retries/failovers " + t.failovers(), TextColor.ANSI.YELLOW) : Span.plain("")));
        for (Transfer.FileProgress f : t.files()) {
            if (f.finished) {
                continue;
            }
            double frac = f.size <= 0 ? 0 : (double) f.done / f.size;
            String right = " " + cut.padLeft(Format.percent(frac), 4) + " " + cut.padLeft(ByteSize.format(f.done), 9)
                    + " / " + ByteSize.format(f.size);
            int pathW = Math.max(10, w - 3 - 1 - 14 - right.length() - 1);
            out.add(List.of(Span.plain("   " + cut.pad(cut.fitMiddle(f.path, pathW), pathW) + " "
                    + Format.bar(frac, 14) + right)));
        }
    }

    private void files(StoreSnapshot.Row r, Instant now, int w, List<List<Span>> out, int room) {
        int sizeW = 9;
        int stateW = 13;
        int verifiedW = w >= 100 ? 11 : 4; // below 100 columns: how long ago ("5m"), the path gets the room
        int componentW = 12;
        int pathW = Math.max(12, w - sizeW - stateW - verifiedW - componentW - 7);
        out.add(List.of(Span.bold(" " + cut.pad("FILE", pathW) + " " + cut.pad("STATE", stateW) + " "
                + cut.padLeft("SIZE", sizeW) + "  " + cut.pad(verifiedW > 4 ? "VERIFIED" : "VRFD", verifiedW) + " "
                + cut.pad("COMPONENT", componentW))));
        List<FileStatus> files = r.files();
        int shown = 0;
        for (FileStatus f : files) {
            if (shown == room - 1 && files.size() > room) {
                out.add(List.of(Span.plain("   ... " + (files.size() - shown) + " more files")));
                break;
            }
            TextColor color = f.state() == FileState.OK ? TextColor.ANSI.GREEN
                    : f.state() == FileState.CORRUPT || f.state() == FileState.SIZE_MISMATCH ? TextColor.ANSI.RED
                    : f.state() == FileState.MISSING ? TextColor.ANSI.DEFAULT : TextColor.ANSI.YELLOW;
            String state = f.state().name() + (f.optional() ? "?" : "");
            out.add(List.of(Span.plain(" " + cut.pad(cut.fitMiddle(f.path(), pathW), pathW) + " "),
                    Span.of(cut.pad(state, stateW), color),
                    Span.plain(" " + cut.padLeft(ByteSize.format(f.size()), sizeW) + "  "
                            + cut.pad(verifiedW > 4 ? Format.shortDayTime(f.verifiedAt()) : Format.ago(f.verifiedAt(), now),
                                    verifiedW) + " "
                            + cut.pad(f.component() == null ? "-" : f.component(), componentW))));
            shown++;
        }
    }

    private List<List<Span>> sources(DashboardModel m, StoreSnapshot.Row r, int w) {
        List<List<Span>> out = new ArrayList<>();
        DashboardModel.SourceTests tests = m.tests(r.id());
        String busy = m.busy(r.id());
        out.add(List.of(Span.bold(" SOURCES (priority order)"), Span.plain(tests == null
                ? ("test".equals(busy) ? "  testing..." : "  not tested yet: t tests them")
                : "  tested " + Format.clock(tests.at()))));
        int i = 1;
        for (String uri : r.sources()) {
            SourceCheck check = null;
            if (tests != null) {
                for (SourceCheck c : tests.checks()) {
                    if (c.source().equals(uri)) {
                        check = c;
                    }
                }
            }
            int uriW = Math.min(40, Math.max(16, w / 2 - 4));
            List<Span> line = new ArrayList<>();
            line.add(Span.plain(" " + i++ + ". " + cut.pad(cut.fitEnd(uri, uriW), uriW) + " "));
            if (check != null) {
                line.add(check.ok() ? Span.of("ok", TextColor.ANSI.GREEN)
                        : Span.of("FAIL " + check.code(), TextColor.ANSI.RED));
                line.add(Span.plain(" " + testDetail(check)));
            }
            out.add(line);
        }
        return out;
    }

    private String testDetail(SourceCheck c) {
        StringBuilder sb = new StringBuilder();
        if (c.readRate() > 0) {
            sb.append(Format.rate(c.readRate())).append(" read  ");
        }
        if (c.credentials() != null) {
            sb.append(c.credentials()).append("  ");
        }
        if (!c.ok() && c.message() != null) {
            sb.append(c.message());
        }
        return sb.toString().trim();
    }

    // --- event log, footer ----------------------------------------------------------------------

    private void events(DashboardModel m, TextGraphics g, int y, int w, int height) {
        List<EventLog.Line> lines = m.log().window(height, m.logBack());
        boolean selecting = m.focus() == DashboardModel.Focus.LOG;
        for (int i = 0; i < lines.size(); i++) {
            EventLog.Line l = lines.get(i);
            TextColor color = switch (l.level()) {
                case OK -> TextColor.ANSI.GREEN;
                case WARN -> TextColor.ANSI.YELLOW;
                case ERROR -> TextColor.ANSI.RED;
                default -> TextColor.ANSI.DEFAULT;
            };
            String mark = switch (l.level()) {
                case WARN -> "! ";
                case ERROR -> "x ";
                default -> "  ";
            };
            // the bottom line is the selected event: Enter shows it whole
            boolean selected = selecting && i == lines.size() - 1;
            List<Span> line = List.of(Span.plain((selected ? ">" : " ") + Format.clock(l.at()) + " "),
                    Span.of(mark + l.text(), color));
            if (selected) {
                g.enableModifiers(SGR.REVERSE);
                put(g, 0, y + i, w, line);
                g.putString(lineLength(line), y + i, " ".repeat(Math.max(0, w - lineLength(line))));
                g.disableModifiers(SGR.REVERSE);
            } else {
                put(g, 0, y + i, w, line);
            }
        }
    }

    private void footer(DashboardModel m, TextGraphics g, int y, int w) {
        String text;
        switch (m.mode()) {
            case FILTER:
                text = " filter: " + m.input() + "_   (Enter keeps it, Esc clears it)";
                break;
            case GC_LIMIT:
                text = " gc, keep models within: " + m.input() + "_  (empty: " + (m.gcDefault().isEmpty()
                        ? "leftovers only" : "quota " + m.gcDefault()) + ")  Enter plans, Esc cancels";
                break;
            default:
                text = Keys.footer(w);
        }
        g.enableModifiers(SGR.REVERSE);
        g.putString(0, y, cut.pad(text, w));
        g.disableModifiers(SGR.REVERSE);
    }

    private void separator(TextGraphics g, int y, int w, String label, boolean active) {
        String line = "-- " + label + " ";
        if (active) {
            g.enableModifiers(SGR.BOLD);
        }
        g.putString(0, y, cut.fit(line, w) + "-".repeat(Math.max(0, w - line.length())));
        g.disableModifiers(SGR.BOLD);
    }

    // --- overlays ---------------------------------------------------------------------------------

    private void overlay(DashboardModel m, TextGraphics g, int w, int h) {
        switch (m.mode()) {
            case HELP: box(g, w, h, "help", help(), " any key closes "); break;
            case VARIANT: box(g, w, h, "ensure " + m.selectedRow().id(), variantChoice(m), " Up/Down choose, Enter ensures, Esc cancels "); break;
            case GC_CONFIRM: gcConfirm(m, g, w, h); break;
            case QUIT_CONFIRM: box(g, w, h, "quit?", List.of(List.of(Span.plain(
                    "Work is still running. Quit anyway?")), List.of(Span.plain(
                    "Downloads resume where they stopped next time; copies from")), List.of(Span.plain(
                    "local:// and file:// sources start over.")), List.of()),
                    " y quits, any other key stays "); break;
            case READ: reader(m, g, w, h); break;
            default: break;
        }
    }

    private List<List<Span>> help() {
        List<List<Span>> lines = new ArrayList<>();
        for (Keys.Binding b : Keys.ALL) {
            lines.add(List.of(Span.bold(cut.pad(b.keys(), 12)), Span.plain(" " + b.help())));
        }
        lines.add(List.of());
        lines.add(List.of(Span.plain("States: "), Span.of("COMPLETE", TextColor.ANSI.GREEN), Span.plain(" "),
                Span.of("PARTIAL", TextColor.ANSI.YELLOW), Span.plain(" "), Span.of("UNVERIFIED", TextColor.ANSI.YELLOW),
                Span.plain(" NOT_PRESENT "),
                Span.of("CORRUPT", TextColor.ANSI.RED), Span.plain(" "), Span.of("VERIFYING", TextColor.ANSI.CYAN)));
        lines.add(List.of(Span.plain("        "), Span.of("ENSURING n%", TextColor.ANSI.BLUE_BRIGHT),
                Span.plain(" fetched here, "), Span.of("LOCKED n%", TextColor.ANSI.MAGENTA),
                Span.plain(" by another process")));
        lines.add(List.of(Span.plain("Optional files show their state with a '?'. Sizes: KiB MiB GiB (1024).")));
        return lines;
    }

    private List<List<Span>> variantChoice(DashboardModel m) {
        StoreSnapshot.Row r = m.selectedRow();
        List<List<Span>> lines = new ArrayList<>();
        for (int i = 0; i < r.variants().size(); i++) {
            String v = r.variants().get(i);
            boolean at = i == m.variantIndex();
            lines.add(List.of(at ? Span.bold("> " + v) : Span.plain("  " + v),
                    Span.plain(v.equals(r.defaultVariant()) ? "  (default)" : "")));
        }
        return lines;
    }

    private void gcConfirm(DashboardModel m, TextGraphics g, int w, int h) {
        GcPlan plan = m.gcPlan();
        if (plan == null) {
            return;
        }
        List<List<Span>> lines = new ArrayList<>();
        lines.add(List.of(Span.plain("limit: " + (m.gcLimit().isEmpty() ? "none (leftovers only)" : m.gcLimit())
                + "   store " + ByteSize.format(plan.storeBytes()) + "   free " + ByteSize.format(plan.freeBytes()))));
        if (!DashboardModel.hasWork(plan)) {
            lines.add(List.of(Span.of("Nothing to delete: the store is within the limit.", TextColor.ANSI.GREEN)));
        }
        for (GcPlan.Deletion d : plan.deletions()) {
            lines.add(List.of(Span.of("delete ", TextColor.ANSI.RED), Span.plain(cut.padId(d.model(), 24) + " "
                    + cut.pad(d.reason().name(), 10) + " " + cut.padLeft(ByteSize.format(d.bytesFreed()), 9)
                    + "  last used " + Format.ago(d.lastUsed(), m.now()))));
        }
        for (GcPlan.Leftover l : plan.leftovers()) {
            lines.add(List.of(Span.of("remove ", TextColor.ANSI.RED), Span.plain(cut.pad(
                    String.valueOf(l.path().getFileName()), 24) + " " + cut.pad(l.kind().name(), 10) + " "
                    + cut.padLeft(ByteSize.format(l.bytes()), 9))));
        }
        for (GcPlan.Preserved p : plan.preserved()) {
            lines.add(List.of(Span.of("keep   ", TextColor.ANSI.GREEN), Span.plain(cut.padId(p.model(), 24) + " "
                    + cut.pad(p.reason().name(), 13) + " " + (p.detail() == null ? "" : p.detail()))));
        }
        String bottom;
        if (DashboardModel.hasWork(plan)) {
            lines.add(List.of());
            lines.add(List.of(Span.bold("Delete " + plan.deletions().size() + " model(s) and " + plan.leftovers().size()
                    + " leftover(s), freeing " + ByteSize.format(plan.bytesToFree()) + "?")));
            bottom = " y deletes, any other key cancels ";
        } else {
            bottom = " any key closes ";
        }
        box(g, w, h, "gc plan (dry run)", lines, bottom);
    }

    /** The selected event, whole: wrapped to the screen, scrolled by the model. */
    private void reader(DashboardModel m, TextGraphics g, int w, int h) {
        EventLog.Line l = m.reading();
        if (l == null) {
            return;
        }
        List<String> text = Format.wrap(l.text(), DashboardModel.readerWidth(w));
        int rows = DashboardModel.readerRows(h);
        int top = Math.max(0, Math.min(m.readerTop(), text.size() - rows));
        List<List<Span>> lines = new ArrayList<>();
        for (String t : text.subList(top, Math.min(text.size(), top + rows))) {
            lines.add(List.of(Span.plain(t)));
        }
        String where = text.size() <= rows ? "" : " lines " + (top + 1) + "-" + (top + lines.size()) + " of " + text.size()
                + ", Up/Down scroll,";
        box(g, w, h, "event " + Format.clock(l.at()) + " " + l.level().name().toLowerCase(Locale.ROOT), lines,
                where + " Esc closes ");
    }

    /** A bordered box in the middle of the screen; lines beyond its height are cut with a note. */
    private void box(TextGraphics g, int w, int h, String title, List<List<Span>> lines, String bottom) {
        int inner = Math.min(w - 4, Math.max(Math.max(title.length() + 6, bottom.length() + 4),
                lines.stream().mapToInt(Painter::lineLength).max().orElse(0) + 2));
        int maxLines = h - 4;
        List<List<Span>> shown = new ArrayList<>(lines);
        if (shown.size() > maxLines) {
            int cut = shown.size() - maxLines + 1;
            shown = new ArrayList<>(shown.subList(0, maxLines - 1));
            shown.add(List.of(Span.plain("... " + cut + " more lines")));
        }
        int bw = inner + 2;
        int bh = shown.size() + 2;
        int x0 = (w - bw) / 2;
        int y0 = Math.max(0, (h - bh) / 2);
        String edge = "+" + "-".repeat(inner) + "+";
        g.enableModifiers(SGR.BOLD);
        g.putString(x0, y0, edge);
        g.putString(x0 + 2, y0, " " + cut.fit(title, inner - 4) + " ");
        g.putString(x0, y0 + bh - 1, edge);
        g.putString(x0 + Math.max(1, inner - bottom.length()), y0 + bh - 1, cut.fit(bottom, inner));
        for (int i = 0; i < shown.size(); i++) {
            g.putString(x0, y0 + 1 + i, "|");
            g.putString(x0 + bw - 1, y0 + 1 + i, "|");
        }
        g.disableModifiers(SGR.BOLD);
        for (int i = 0; i < shown.size(); i++) {
            g.putString(x0 + 1, y0 + 1 + i, " ".repeat(inner));
            List<Span> line = new ArrayList<>();
            line.add(Span.plain(" "));
            line.addAll(shown.get(i));
            put(g, x0 + 1, y0 + 1 + i, inner, line);
        }
    }

    // --- drawing helpers ------------------------------------------------------------------------

    private static int lineLength(List<Span> spans) {
        return spans.stream().mapToInt(s -> s.text().length()).sum();
    }

    /** Draws spans from (x, y), clipped to {@code width} columns. */
    void put(TextGraphics g, int x, int y, int width, List<Span> spans) {
        int col = 0;
        for (Span s : spans) {
            if (col >= width) {
                break;
            }
            String text = s.text().length() > width - col ? cut.fit(s.text(), width - col) : s.text();
            g.setForegroundColor(s.color());
            if (s.bold()) {
                g.enableModifiers(SGR.BOLD);
            }
            g.putString(x + col, y, text);
            if (s.bold()) {
                g.disableModifiers(SGR.BOLD);
            }
            col += text.length();
        }
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
    }
}
