package dev.wan.internal.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks, before any byte is fetched, that the filesystem of {@code .tmp} (where downloads land,
 * the same filesystem as the models) has room for the bytes an ensure will actually write: files
 * to fetch, minus those deduplicated from copies already in the store, plus a margin of 1% + 64 MiB
 * (filesystem overhead, state and journal files, other writers). {@code WAN_PREFLIGHT=0} turns the
 * check off ({@link dev.wan.WanSettings#preflight()}) (the download then fails with NO_SPACE when the disk really fills up, staging cleaned).
 */
public final class Preflight {
    public static final long MARGIN_FIXED = 64L << 20;

    private Preflight() {
    }

    /** The margin added to {@code needed}: 1% of it plus 64 MiB. */
    public static long margin(long needed) {
        return needed / 100 + MARGIN_FIXED;
    }

    /** a + b for non-negative sizes, saturating at Long.MAX_VALUE instead of wrapping negative. */
    public static long plus(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** Throws NO_SPACE when {@code needed} + margin exceeds the usable space where {@code tmpDir} lives. */
    public static void check(String subject, Path tmpDir, long needed) {
        if (needed <= 0) {
            return;
        }
        long free;
        try {
            free = Files.getFileStore(tmpDir).getUsableSpace();
        } catch (IOException e) {
            return; // cannot tell: the write itself will say NO_SPACE if it comes to that
        }
        check(subject, tmpDir, needed, free);
    }

    public static void check(String subject, Path tmpDir, long needed, long free) {
        long margin = margin(needed);
        // needed + margin can overflow a long for a (hostile) size near 2^63: compare without adding
        if (needed > free || margin > free - needed) {
            throw new WanException(ErrorCode.NO_SPACE, subject + ": needs " + needed + " bytes ("
                    + human(needed) + ") plus a margin of " + margin + " bytes (" + human(margin) + "), but only "
                    + free + " bytes (" + human(free) + ") are free on the filesystem of " + tmpDir,
                    "free space: see what 'wan models gc --dry-run' would reclaim and 'wan models disk-usage', "
                            + "or set MODELS_ROOT to a bigger disk",
                    List.of("needed: " + needed, "margin: " + margin, "free: " + free), null);
        }
    }

    static String human(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
