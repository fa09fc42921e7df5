package dev.wan.tui;

import java.util.Locale;
import java.util.Map;

/**
 * How text that does not fit its column is cut, and how the cut is marked. Never with '~': in a
 * path it reads as $HOME. With a UTF-8 locale the mark is '…'; otherwise the terminal may not
 * show it, so the marks are ASCII characters that are not path syntax: '>' where the text goes
 * on (the end or the middle was cut), '<' where it came from (the start was cut).
 */
enum Cut {
    UNICODE("\u2026", "\u2026"),
    ASCII(">", "<");

    private final String cutEnd;
    private final String cutStart;

    Cut(String cutEnd, String cutStart) {
        this.cutEnd = cutEnd;
        this.cutStart = cutStart;
    }

    /**
     * As the C library decides the character set: the first of LC_ALL, LC_CTYPE, LANG that is
     * set; none set means the C locale (ASCII).
     */
    static Cut forLocale(Map<String, String> env) {
        for (String name : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String v = env.get(name);
            if (v != null && !v.isEmpty()) {
                String norm = v.toUpperCase(Locale.ROOT).replace("-", "");
                return norm.contains("UTF8") ? UNICODE : ASCII;
            }
        }
        return ASCII;
    }

    /** Cuts {@code text} to {@code width}, keeping its start. */
    String fit(String text, int width) {
        if (width <= 0) {
            return "";
        }
        String t = text == null ? "" : text;
        return t.length() <= width ? t : t.substring(0, width - 1) + cutEnd;
    }

    /** Keeps the end (paths, URIs). */
    String fitEnd(String text, int width) {
        if (width <= 0) {
            return "";
        }
        String t = text == null ? "" : text;
        return t.length() <= width ? t : cutStart + t.substring(t.length() - width + 1);
    }

    /** Cuts the middle: both the directory and the file name of a path stay. */
    String fitMiddle(String text, int width) {
        if (width <= 0) {
            return "";
        }
        String t = text == null ? "" : text;
        if (t.length() <= width) {
            return t;
        }
        int head = (width - 1) / 2;
        return t.substring(0, head) + cutEnd + t.substring(t.length() - (width - 1 - head));
    }

    /**
     * A model id {@code name@version}: the name is cut, the version stays (two versions of a
     * model must not look alike). Only when even the version does not fit is the id cut at its end.
     */
    String fitId(String id, int width) {
        String t = id == null ? "" : id;
        int at = t.lastIndexOf('@');
        if (t.length() <= width || at <= 0 || t.length() - at + 2 > width) {
            return fit(t, width);
        }
        String version = t.substring(at);
        return fit(t.substring(0, at), width - version.length()) + version;
    }

    String pad(String text, int width) {
        String t = fit(text, width);
        return t + " ".repeat(Math.max(0, width - t.length()));
    }

    String padLeft(String text, int width) {
        String t = fit(text, width);
        return " ".repeat(Math.max(0, width - t.length())) + t;
    }

    /** A model id, cut as by {@link #fitId}, padded to {@code width}. */
    String padId(String id, int width) {
        String t = fitId(id, width);
        return t + " ".repeat(Math.max(0, width - t.length()));
    }
}
