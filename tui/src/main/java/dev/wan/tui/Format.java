package dev.wan.tui;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Short texts for narrow columns. */
final class Format {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private Format() {
    }

    /** {@code 0:07}, {@code 12:30}, {@code 2:05:00}. */
    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (d.toMillis() < 10_000 && s < 10) {
            return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
        }
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** How long ago an instant was: {@code 40s}, {@code 5m}, {@code 3h}, {@code 12d}; "-" for none. */
    static String ago(Instant at, Instant now) {
        if (at == null) {
            return "-";
        }
        long s = Math.max(0, Duration.between(at, now).toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        return s < 86_400 ? s / 3600 + "h" : s / 86_400 + "d";
    }

    static String clock(Instant at) {
        return CLOCK.format(at);
    }

    /** An instant as local {@code yyyy-MM-dd HH:mm}, "-" for none. */
    static String dayTime(Instant at) {
        return at == null ? "-" : DAY_TIME.format(at);
    }

    /** An instant as local {@code MM-dd HH:mm}, "-" for none. */
    static String shortDayTime(Instant at) {
        String full = dayTime(at);
        return full.length() == 16 ? full.substring(5) : full;
    }

    static String rate(double bytesPerSecond) {
        return dev.wan.store.ByteSize.format((long) bytesPerSecond) + "/s";
    }

    /** An ASCII bar {@code [#####.....]} of {@code width} characters in all. */
    static String bar(double fraction, int width) {
        int inner = Math.max(1, width - 2);
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * inner);
        return "[" + "#".repeat(filled) + ".".repeat(inner - filled) + "]";
    }

    static String percent(double fraction) {
        return (int) Math.floor(Math.max(0, Math.min(1, fraction)) * 100) + "%";
    }

    /**
     * {@code text} in lines of at most {@code width} characters, broken at spaces; a word longer
     * than a line (a path, a URL) is broken where the line ends. Control characters show as '?'.
     */
    static List<String> wrap(String text, int width) {
        int wd = Math.max(1, width);
        List<String> out = new ArrayList<>();
        for (String para : (text == null ? "" : text).split("\r?\n", -1)) {
            StringBuilder line = new StringBuilder();
            for (String word : para.replace('\t', ' ').replaceAll("\\p{Cntrl}", "?").split(" ", -1)) {
                if (line.length() > 0 && line.length() + 1 + word.length() > wd) {
                    out.add(line.toString());
                    line.setLength(0);
                } else if (line.length() > 0) {
                    line.append(' ');
                }
                while (word.length() > wd) {
                    out.add(word.substring(0, wd));
                    word = word.substring(wd);
                }
                line.append(word);
            }
            out.add(line.toString());
        }
        return out;
    }
}
