package dev.wan.tui;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.wan.ensure.SourceCheck;
import dev.wan.event.WanEvent;
import dev.wan.gc.GcPlan;
import dev.wan.gc.GcResult;
import dev.wan.store.ByteSize;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the dashboard shows, and what keys do to it. Confined to the GUI thread: workers
 * hand their results over with {@code invokeLater}. Pure: no terminal, no store, no threads, so
 * tests drive it with key strokes and snapshots and read what it would show.
 */
final class DashboardModel {
    enum Mode { BROWSE, FILTER, HELP, VARIANT, GC_LIMIT, GC_CONFIRM, QUIT_CONFIRM, READ }

    enum Sort { MODEL, STATE, SIZE, LAST_USED }

    enum Focus { TABLE, LOG }

    /** The last test of a model's sources. */
    record SourceTests(Instant at, List<SourceCheck> checks) {
    }

    private final Clock clock;
    private final String title;
    private final Cut cut;
    private StoreSnapshot store = StoreSnapshot.EMPTY;
    private List<StoreSnapshot.Row> visible = List.of();
    private String selected;
    private Mode mode = Mode.BROWSE;
    private Sort sort = Sort.MODEL;
    private Focus focus = Focus.TABLE;
    private String filter = "";
    private final StringBuilder input = new StringBuilder();
    private int variantIndex;
    private int logBack;
    private final EventLog log = new EventLog(1000);
    private final Map<String, Transfer> transfers = new LinkedHashMap<>();
    private final Map<String, String> busy = new HashMap<>();
    private final Map<String, SourceTests> tests = new HashMap<>();
    /** When this dashboard last finished working on a model: changes read before then are its own. */
    private final Map<String, Instant> ownUntil = new HashMap<>();
    private Instant gcUntil = Instant.EPOCH;
    private GcPlan gcPlan;
    /** The limit Enter alone plans for, as {@code wan models gc} does: WAN_MAX_TOTAL_SIZE, else none. */
    private final String gcDefault;
    private String gcLimit = "";
    /** The event shown whole (mode READ), and the first of its wrapped lines on screen. */
    private EventLog.Line reading;
    private int readerTop;
    private int columns = 80;
    private int rows = 24;
    private boolean gcBusy;
    private boolean quit;
    private boolean dirty = true;

    DashboardModel(Clock clock, String title, long quotaBytes) {
        this(clock, title, quotaBytes, Cut.ASCII);
    }

    /** @param cut how text is cut to fit: it depends on what the terminal's charset can show */
    DashboardModel(Clock clock, String title, long quotaBytes, Cut cut) {
        this.clock = clock;
        this.title = title;
        this.cut = cut;
        this.gcDefault = quotaBytes > 0 ? ByteSize.format(quotaBytes).replace(" ", "") : "";
    }

    // --- what workers report (always on the GUI thread) -----------------------------------

    void setStore(StoreSnapshot snapshot) {
        if (snapshot.error() != null && (store.error() == null || !store.error().equals(snapshot.error()))) {
            log(EventLog.Level.ERROR, "cannot read the store: " + snapshot.error());
        }
        boolean same = snapshot.rows().equals(store.rows()) && snapshot.disk().equals(store.disk())
                && java.util.Objects.equals(snapshot.error(), store.error());
        if (!same && !store.at().equals(Instant.EPOCH)) {
            logOthersWork(snapshot);
        }
        store = snapshot;
        if (!same) {
            relayout();
            dirty = true;
        }
    }

    /**
     * What other processes did since the last snapshot (this dashboard's own work is logged from
     * its events): a lock taken or released, a state reached.
     */
    private void logOthersWork(StoreSnapshot next) {
        Instant since = store.at(); // when the read of the previous snapshot started
        if (gcBusy || !gcUntil.isBefore(since)) {
            return; // gc of this dashboard changed the store
        }
        for (StoreSnapshot.Row now : next.rows()) {
            StoreSnapshot.Row before = store.row(now.id());
            Instant own = ownUntil.get(now.id());
            if (before == null || busy.containsKey(now.id()) || transfers.containsKey(now.id())
                    || (own != null && !own.isBefore(since))) {
                continue;
            }
            String was = before.status().lockedBy();
            String is = now.status().lockedBy();
            if (is != null && !is.equals(was)) {
                log(EventLog.Level.INFO, now.id() + ": locked by " + is.trim());
            }
            if (before.state() != now.state()) {
                log(now.state() == dev.wan.ensure.ModelState.CORRUPT ? EventLog.Level.WARN : EventLog.Level.INFO,
                        now.id() + ": now " + now.state() + (is == null && was != null ? " (the other process is done)" : ""));
            }
        }
    }

    void on(WanEvent event) {
        dirty = true;
        if (event.model() == null) {
            return; // store-wide (a gc run): the next store read shows what it changed
        }
        String id = event.model().toString();
        if (event instanceof WanEvent.EnsureStarted e) {
            Transfer t = new Transfer(e.variant(), e.at(), "ENSURING");
            t.started(e.filesNeeded(), e.bytesNeeded());
            transfers.put(id, t);
            log(e.at(), EventLog.Level.INFO, id + ": ensure " + (e.variant() == null ? "" : e.variant() + " ")
                    + "started, " + e.filesNeeded() + " files, " + ByteSize.format(e.bytesNeeded()) + " to fetch");
        } else if (event instanceof WanEvent.VerifyStarted e) {
            Transfer t = new Transfer(e.variant(), e.at(), "VERIFYING");
            t.started(e.files(), e.bytes());
            transfers.put(id, t);
        } else if (event instanceof WanEvent.VerifyFinished e) {
            transfers.remove(id); // the outcome is logged when verifyIntegrity returns
        } else if (event instanceof WanEvent.Warning e) {
            log(e.at(), EventLog.Level.WARN, id + ": " + e.message());
        } else if (event instanceof WanEvent.LockWaiting e) {
            log(e.at(), EventLog.Level.WARN, id + ": waiting for the lock held by " + e.holder().trim());
        } else if (event instanceof WanEvent.FileStarted e) {
            Transfer t = transfers.get(id);
            if (t != null) {
                t.fileStarted(e.path(), e.size(), e.source());
            }
        } else if (event instanceof WanEvent.BytesTransferred e) {
            Transfer t = transfers.get(id);
            if (t != null) {
                t.bytes(e.at(), e.path(), e.delta());
            }
        } else if (event instanceof WanEvent.SourceFailed e) {
            Transfer t = transfers.get(id);
            if (t != null) {
                t.sourceFailed();
            }
            log(e.at(), EventLog.Level.WARN, id + ": " + e.path() + ": " + e.source() + " failed (" + e.code() + "): "
                    + e.reason());
        } else if (event instanceof WanEvent.FileCompleted e) {
            Transfer t = transfers.get(id);
            if (t != null) {
                t.fileCompleted(e.path(), e.size(), e.source());
            }
            log(e.at(), EventLog.Level.INFO, id + ": " + e.path() + " " + e.how().wire() + " from " + e.source()
                    + " (" + ByteSize.format(e.size()) + ")");
        } else if (event instanceof WanEvent.EnsureFinished e) {
            transfers.remove(id);
            log(e.at(), EventLog.Level.OK, id + ": COMPLETE, fetched " + ByteSize.format(e.bytesFetched()) + " in "
                    + Format.duration(java.time.Duration.ofMillis(e.millis())));
        } else if (event instanceof WanEvent.EnsureFailed e) {
            transfers.remove(id);
            log(e.at(), EventLog.Level.ERROR, id + ": ensure failed (" + e.code() + "): " + e.message());
        }
    }

    void actionStarted(String model, String what) {
        dirty = true;
        busy.put(model, what);
    }

    void actionFinished(String model, EventLog.Level level, String message) {
        dirty = true;
        busy.remove(model);
        ownUntil.put(model, clock.instant());
        transfers.remove(model); // an ensure with nothing to do sends no events at all
        log(level, message);
    }

    void sourcesTested(String model, List<SourceCheck> checks) {
        dirty = true;
        tests.put(model, new SourceTests(clock.instant(), checks));
    }

    void gcPlanned(GcPlan plan) {
        dirty = true;
        gcBusy = false;
        gcPlan = plan;
        mode = Mode.GC_CONFIRM;
    }

    void gcFinished(GcResult result) {
        dirty = true;
        gcBusy = false;
        gcUntil = clock.instant();
        gcPlan = null;
        log(EventLog.Level.OK, "gc: deleted " + result.deleted().size() + " model(s) and "
                + result.leftoversRemoved().size() + " leftover(s), reclaimed " + ByteSize.format(result.bytesReclaimed()));
    }

    void gcFailed(String message) {
        dirty = true;
        gcBusy = false;
        gcUntil = clock.instant();
        gcPlan = null;
        if (mode == Mode.GC_CONFIRM) {
            mode = Mode.BROWSE;
        }
        log(EventLog.Level.ERROR, "gc: " + message);
    }

    void log(EventLog.Level level, String text) {
        log(clock.instant(), level, text);
    }

    private void log(Instant at, EventLog.Level level, String text) {
        dirty = true;
        log.add(at, level, text);
        if (logBack > 0) {
            logBack++; // keep the lines the operator scrolled to in place
        }
    }

    // --- keys ------------------------------------------------------------------------------

    /** Applies a key; returns the work it asks for, or null. */
    Command onKey(KeyStroke key) {
        if (key.getKeyType() == KeyType.EOF) {
            quit = true;
            return new Command(Command.Kind.QUIT, null, null, null);
        }
        switch (mode) {
            case HELP:
                mode = Mode.BROWSE;
                return null;
            case FILTER:
                return onFilterKey(key);
            case GC_LIMIT:
                return onLimitKey(key);
            case VARIANT:
                return onVariantKey(key);
            case GC_CONFIRM:
                return onGcConfirmKey(key);
            case READ:
                return onReadKey(key);
            case QUIT_CONFIRM:
                if (isChar(key, 'y')) {
                    quit = true;
                    return new Command(Command.Kind.QUIT, null, null, null);
                }
                mode = Mode.BROWSE;
                return null;
            default:
                return onBrowseKey(key);
        }
    }

    private Command onBrowseKey(KeyStroke key) {
        if (key.isCtrlDown() && isChar(key, 'c')) {
            return askQuit();
        }
        switch (key.getKeyType()) {
            case ArrowUp: return move(-1);
            case ArrowDown: return move(1);
            case PageUp: return move(-10);
            case PageDown: return move(10);
            case Home: return move(-1_000_000);
            case End: return move(1_000_000);
            case Tab: case ReverseTab:
                focus = focus == Focus.TABLE ? Focus.LOG : Focus.TABLE;
                if (focus == Focus.TABLE) {
                    logBack = 0; // back at the table, the log follows the newest events again
                }
                return null;
            case Enter:
                openReader();
                return null;
            case Escape:
                if (!filter.isEmpty()) {
                    filter = "";
                    relayout();
                }
                focus = Focus.TABLE;
                logBack = 0;
                return null;
            case Character: break;
            default: return null;
        }
        StoreSnapshot.Row row = selectedRow();
        char c = key.getCharacter();
        switch (c) {
            case 'k': return move(-1);
            case 'j': return move(1);
            case 'q': return askQuit();
            case '?': mode = Mode.HELP; return null;
            case '/':
                mode = Mode.FILTER;
                input.setLength(0);
                input.append(filter);
                return null;
            case 's':
                sort = Sort.values()[(sort.ordinal() + 1) % Sort.values().length];
                relayout();
                log(EventLog.Level.INFO, "sorted by " + sort.name().toLowerCase(Locale.ROOT).replace('_', ' '));
                return null;
            case 'r': return new Command(Command.Kind.REFRESH, null, null, null);
            case 'g':
                if (gcBusy) {
                    log(EventLog.Level.WARN, "gc is already running");
                    return null;
                }
                mode = Mode.GC_LIMIT;
                input.setLength(0); // what was typed last time is in the log, not in the way
                return null;
            default: break;
        }
        if (row == null) {
            return null;
        }
        if ("evpt".indexOf(c) >= 0 && busy.containsKey(row.id())) {
            log(EventLog.Level.WARN, row.id() + ": wait, " + busy.get(row.id()) + " is still running");
            return null;
        }
        switch (c) {
            case 'e':
                if (row.variants().size() > 1) {
                    mode = Mode.VARIANT;
                    variantIndex = Math.max(0, row.variants().indexOf(row.defaultVariant()));
                    return null;
                }
                return new Command(Command.Kind.ENSURE, row.id(), null, null);
            case 'v': return Command.of(Command.Kind.VERIFY, row.id());
            case 't': return Command.of(Command.Kind.TEST_SOURCES, row.id());
            case 'p': return Command.of(row.status().pinned() ? Command.Kind.UNPIN : Command.Kind.PIN, row.id());
            default: return null;
        }
    }

    private Command askQuit() {
        if (transfers.isEmpty() && busy.isEmpty() && !gcBusy) {
            quit = true;
            return new Command(Command.Kind.QUIT, null, null, null);
        }
        mode = Mode.QUIT_CONFIRM;
        return null;
    }

    private Command onFilterKey(KeyStroke key) {
        if (key.getKeyType() == KeyType.Enter) {
            mode = Mode.BROWSE;
            return null;
        }
        if (key.getKeyType() == KeyType.Escape) {
            input.setLength(0);
            mode = Mode.BROWSE;
        } else if (!edit(key)) {
            return null;
        }
        filter = input.toString();
        relayout();
        return null;
    }

    private Command onLimitKey(KeyStroke key) {
        if (key.getKeyType() == KeyType.Enter) {
            mode = Mode.BROWSE;
            gcLimit = input.toString().isBlank() ? gcDefault : input.toString().trim();
            gcBusy = true;
            log(EventLog.Level.INFO, "gc: planning" + (gcLimit.isEmpty() ? " (leftovers only)" : " for at most " + gcLimit)
                    + "...");
            return new Command(Command.Kind.GC_PLAN, null, null, gcLimit);
        }
        if (key.getKeyType() == KeyType.Escape) {
            mode = Mode.BROWSE;
        } else {
            edit(key);
        }
        return null;
    }

    /** Typing into the input line: characters append, Backspace deletes, Ctrl-U clears. Whether the key was one of those. */
    private boolean edit(KeyStroke key) {
        if (key.getKeyType() == KeyType.Character && key.isCtrlDown() && key.getCharacter() == 'u') {
            input.setLength(0);
            return true;
        }
        if (key.getKeyType() == KeyType.Backspace) {
            if (input.length() > 0) {
                input.setLength(input.length() - 1);
            }
            return true;
        }
        if (key.getKeyType() == KeyType.Character && !key.isCtrlDown()) {
            input.append(key.getCharacter());
            return true;
        }
        return false;
    }

    /** Shows the selected event (the bottom line of the log pane) whole. */
    private void openReader() {
        List<EventLog.Line> at = log.window(1, logBack);
        if (at.isEmpty()) {
            return;
        }
        reading = at.get(0);
        readerTop = 0;
        mode = Mode.READ;
    }

    private Command onReadKey(KeyStroke key) {
        if (key.isCtrlDown() && isChar(key, 'c')) {
            reading = null;
            mode = Mode.BROWSE;
            return askQuit();
        }
        int page = Math.max(1, readerRows(rows) - 1);
        switch (key.getKeyType()) {
            case ArrowUp: scrollReader(-1); return null;
            case ArrowDown: scrollReader(1); return null;
            case PageUp: scrollReader(-page); return null;
            case PageDown: scrollReader(page); return null;
            case Home: scrollReader(-1_000_000); return null;
            case End: scrollReader(1_000_000); return null;
            case Escape: case Enter: break;
            case Character:
                if (isChar(key, 'k')) {
                    scrollReader(-1);
                    return null;
                }
                if (isChar(key, 'j') || key.getCharacter() == ' ') {
                    scrollReader(key.getCharacter() == ' ' ? page : 1);
                    return null;
                }
                if (!isChar(key, 'q')) {
                    return null;
                }
                break;
            default: return null;
        }
        reading = null;
        mode = Mode.BROWSE;
        return null;
    }

    private void scrollReader(int delta) {
        int lines = Format.wrap(reading.text(), readerWidth(columns)).size();
        readerTop = Math.max(0, Math.min(Math.max(0, lines - readerRows(rows)), readerTop + delta));
    }

    /** The reader's text width and height on a screen of this size (a box with a border and a margin). */
    static int readerWidth(int columns) {
        return Math.max(10, columns - 6);
    }

    static int readerRows(int screenRows) {
        return Math.max(1, screenRows - 4);
    }

    /** The size the last frame was painted at: the reader scrolls within what fits. */
    void viewport(int columns, int rows) {
        this.columns = columns;
        this.rows = rows;
    }

    private Command onVariantKey(KeyStroke key) {
        StoreSnapshot.Row row = selectedRow();
        if (row == null) {
            mode = Mode.BROWSE;
            return null;
        }
        switch (key.getKeyType()) {
            case ArrowUp:
                variantIndex = Math.max(0, variantIndex - 1);
                return null;
            case ArrowDown:
                variantIndex = Math.min(row.variants().size() - 1, variantIndex + 1);
                return null;
            case Enter:
                mode = Mode.BROWSE;
                return new Command(Command.Kind.ENSURE, row.id(), row.variants().get(variantIndex), null);
            case Character:
                if (key.getCharacter() == 'k') {
                    variantIndex = Math.max(0, variantIndex - 1);
                } else if (key.getCharacter() == 'j') {
                    variantIndex = Math.min(row.variants().size() - 1, variantIndex + 1);
                }
                return null;
            default:
                mode = Mode.BROWSE;
                return null;
        }
    }

    private Command onGcConfirmKey(KeyStroke key) {
        mode = Mode.BROWSE;
        if (isChar(key, 'y') && gcPlan != null && hasWork(gcPlan)) {
            gcBusy = true;
            log(EventLog.Level.INFO, "gc: deleting...");
            return new Command(Command.Kind.GC_COLLECT, null, null, gcLimit);
        }
        if (gcPlan != null && hasWork(gcPlan)) {
            log(EventLog.Level.INFO, "gc: cancelled, nothing deleted");
        }
        gcPlan = null;
        return null;
    }

    static boolean hasWork(GcPlan plan) {
        return !plan.deletions().isEmpty() || !plan.leftovers().isEmpty();
    }

    private static boolean isChar(KeyStroke key, char c) {
        return key.getKeyType() == KeyType.Character && Character.toLowerCase(key.getCharacter()) == c;
    }

    private Command move(int delta) {
        if (focus == Focus.LOG) {
            logBack = Math.max(0, Math.min(log.size() - 1, logBack - delta));
            return null;
        }
        if (visible.isEmpty()) {
            return null;
        }
        int at = Math.max(0, selectedIndex());
        int next = Math.max(0, Math.min(visible.size() - 1, at + delta));
        selected = visible.get(next).id();
        return null;
    }

    private void relayout() {
        String needle = filter.toLowerCase(Locale.ROOT);
        List<StoreSnapshot.Row> rows = new ArrayList<>();
        for (StoreSnapshot.Row r : store.rows()) {
            if (needle.isEmpty() || r.id().toLowerCase(Locale.ROOT).contains(needle)) {
                rows.add(r);
            }
        }
        rows.sort(comparator());
        visible = List.copyOf(rows);
        if (selectedIndex() < 0) {
            selected = visible.isEmpty() ? null : visible.get(0).id();
        }
    }

    private Comparator<StoreSnapshot.Row> comparator() {
        Comparator<StoreSnapshot.Row> byId = Comparator.comparing(StoreSnapshot.Row::id);
        switch (sort) {
            case STATE: return Comparator.comparing((StoreSnapshot.Row r) -> r.state().ordinal()).thenComparing(byId);
            case SIZE: return Comparator.comparingLong(StoreSnapshot.Row::diskBytes).reversed().thenComparing(byId);
            case LAST_USED: return Comparator.comparing((StoreSnapshot.Row r) -> r.status().lastUsed(),
                    Comparator.nullsLast(Comparator.<java.time.Instant>reverseOrder())).thenComparing(byId);
            default: return byId;
        }
    }

    private int selectedIndex() {
        for (int i = 0; i < visible.size(); i++) {
            if (visible.get(i).id().equals(selected)) {
                return i;
            }
        }
        return -1;
    }

    // --- what the painter reads ---------------------------------------------------------------

    Instant now() {
        return clock.instant();
    }

    String title() {
        return title;
    }

    StoreSnapshot store() {
        return store;
    }

    List<StoreSnapshot.Row> visibleRows() {
        return visible;
    }

    StoreSnapshot.Row selectedRow() {
        int i = selectedIndex();
        return i < 0 ? null : visible.get(i);
    }

    int selectedPosition() {
        return selectedIndex();
    }

    Mode mode() {
        return mode;
    }

    Sort sort() {
        return sort;
    }

    Focus focus() {
        return focus;
    }

    String filter() {
        return filter;
    }

    String input() {
        return input.toString();
    }

    int variantIndex() {
        return variantIndex;
    }

    EventLog log() {
        return log;
    }

    int logBack() {
        return logBack;
    }

    Transfer transfer(String model) {
        return transfers.get(model);
    }

    boolean working() {
        return !transfers.isEmpty() || !busy.isEmpty() || gcBusy;
    }

    String busy(String model) {
        return busy.get(model);
    }

    SourceTests tests(String model) {
        return tests.get(model);
    }

    GcPlan gcPlan() {
        return gcPlan;
    }

    String gcLimit() {
        return gcLimit;
    }

    String gcDefault() {
        return gcDefault;
    }

    Cut cut() {
        return cut;
    }

    EventLog.Line reading() {
        return reading;
    }

    int readerTop() {
        return readerTop;
    }

    /** Whether anything shown changed since the last call (a snapshot equal to the last one is no change). */
    boolean takeDirty() {
        boolean d = dirty;
        dirty = false;
        return d;
    }

    boolean quitRequested() {
        return quit;
    }
}
