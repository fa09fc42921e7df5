package dev.wan.store;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as people write them. Decimal units are powers of 1000 ({@code KB MB GB TB}, as disk
 * vendors and {@code df -H} count), binary units powers of 1024 ({@code KiB MiB GiB TiB}, as
 * {@code du -h} counts); {@code B} or no unit is bytes. Case-insensitive, fractions allowed
 * ({@code 1.5GB}), a space between number and unit too.
 */
public final class ByteSize {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-z]*)");
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("kb", 1_000L), Map.entry("mb", 1_000_000L), Map.entry("gb", 1_000_000_000L),
            Map.entry("tb", 1_000_000_000_000L),
            Map.entry("kib", 1L << 10), Map.entry("mib", 1L << 20), Map.entry("gib", 1L << 30),
            Map.entry("tib", 1L << 40));

    private ByteSize() {
    }

    /** {@code "100GB"} → 100,000,000,000; {@code "1KiB"} → 1024. */
    public static long parse(String text) {
        Matcher m = FORM.matcher(text.strip().toLowerCase(Locale.ROOT));
        Long unit = m.matches() ? UNITS.get(m.group(2)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use e.g. 500MB, 100GB, 1.5TB (powers of"
                    + " 1000) or 100GiB (powers of 1024)");
        }
        try {
            return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes, or too large");
        }
    }

    /** {@code 1536} → {@code "1.5 KiB"}: binary units, as the CLI and the dashboard print sizes. */
    public static String format(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
