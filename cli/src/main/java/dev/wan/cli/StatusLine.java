package dev.wan.cli;

import dev.wan.text.TerminalText;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.OptionalDouble;
import org.jline.utils.WCWidth;

/**
 * The progress bar's one row, as a pure function of what is known and how wide the terminal is, so it
 * can be checked at any width and charset without a terminal:
 * <pre>
 * ███████░░░░░░░░░░░░  37% 379.0 MiB/1.0 GiB 410.2 MiB/s ETA 0:01 demo-t2v@1.0.0 weights/big.bin
 * </pre>
 * The row is never wider than {@code columns - 1} (the last column would make some terminals wrap), so
 * {@code \r} always returns to its start. What does not fit goes, in this order: the file name is cut
 * from the left (its end names the file), then dropped, then the bar; the figures stay. The rate and
 * the ETA appear only once there is a rate: no "ETA 0:00" or "?" while nothing has moved yet.
 * Blocks only when the charset can show them, else {@code #} and {@code -}.
 */
final class StatusLine {
    /**
     * What the row shows. {@code moving}: the model and path of the file whose bytes arrived last ("" if
     * none); {@code alsoMoving}: how many other files are under way at the same time (shown as "+N").
     */
    record Snapshot(String moving, int alsoMoving, long done, long total, OptionalDouble rate) {
        Snapshot(String moving, long done, long total, OptionalDouble rate) {
            this(moving, 0, done, total, rate);
        }
    }

    private static final int MIN_BAR = 10;
    private static final int MAX_BAR = 30;
    private static final int MIN_NAME = 12;

    private StatusLine() {
    }

    /** The row for a terminal {@code columns} wide whose output charset is {@code charset}. */
    static String render(Snapshot s, int columns, Charset charset) {
        int room = Math.max(1, columns - 1);
        boolean blocks = ConsoleWriter.canShow(charset, "█░…");
        long total = Math.max(0, s.total());
        long done = Math.max(0, Math.min(s.done(), total));
        int pct = total == 0 ? 0 : (int) (100 * done / total);
        StringBuilder stats = new StringBuilder(String.format(Locale.ROOT, "%3d%% %s/%s", pct, Output.bytes(done),
                Output.bytes(total)));
        if (s.rate().isPresent()) {
            double rate = s.rate().getAsDouble();
            stats.append(' ').append(Output.bytes((long) rate)).append("/s");
            if (rate > 0 && done < total) {
                stats.append(" ETA ").append(duration((long) Math.ceil((total - done) / rate)));
            }
        }
        int bar = Math.min(MAX_BAR, Math.max(MIN_BAR, columns / 5));
        if (stats.length() + 1 + bar > room) {
            bar = 0;
        }
        StringBuilder line = new StringBuilder();
        if (bar > 0) {
            int filled = total == 0 ? 0 : (int) ((long) bar * done / total);
            line.append((blocks ? "█" : "#").repeat(filled)).append((blocks ? "░" : "-").repeat(bar - filled)).append(' ');
        }
        line.append(stats);
        int nameRoom = room - width(line.toString()) - 1;
        String name = ConsoleWriter.spell(TerminalText.escape(s.moving()), charset);
        String others = s.alsoMoving() > 0 ? " +" + s.alsoMoving() : "";
        if (!name.isEmpty() && nameRoom - others.length() >= MIN_NAME) {
            line.append(' ').append(cutLeft(name, nameRoom - others.length(), blocks ? "…" : "...")).append(others);
        }
        return cutRight(line.toString(), room);
    }

    /** Minutes and seconds, hours when needed: {@code 0:07}, {@code 12:30}, {@code 1:02:03}. */
    static String duration(long s) {
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Columns {@code text} takes on a terminal (a CJK character two, a combining mark none). */
    static int width(String text) {
        return text.codePoints().map(StatusLine::columns).sum();
    }

    private static int columns(int codePoint) {
        return Math.max(0, WCWidth.wcwidth(codePoint));
    }

    /** {@code text} in at most {@code room} columns, its start replaced by {@code ellipsis} if it must be cut. */
    static String cutLeft(String text, int room, String ellipsis) {
        if (width(text) <= room) {
            return text;
        }
        int budget = room - width(ellipsis);
        int start = text.length();
        int used = 0;
        while (start > 0) {
            int cp = text.codePointBefore(start);
            if (used + columns(cp) > budget) {
                break;
            }
            used += columns(cp);
            start -= Character.charCount(cp);
        }
        return ellipsis + text.substring(start);
    }

    /** The longest start of {@code text} that fits {@code room} columns. */
    static String cutRight(String text, int room) {
        int end = 0;
        int used = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            if (used + columns(cp) > room) {
                break;
            }
            used += columns(cp);
            end += Character.charCount(cp);
        }
        return text.substring(0, end);
    }
}
