package dev.wan.internal.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.manifest.ModelId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The error of an ensure in which files failed: one line per distinct cause, with how many files
 * it failed and a few of them, rather than one line per file (an offline Hub fails every file for
 * the same reason) or the first file that happened to fail, as if it were the cause.
 */
final class FailureSummary {
    private static final int EXAMPLES = 3;

    /** One file that could not be made good, and why. */
    record Failed(String path, WanException error) {
    }

    private FailureSummary() {
    }

    static WanException of(ModelId id, List<Failed> failed) {
        WanException first = failed.get(0).error();
        if (failed.size() == 1) {
            return first; // its message names the file, and the file is all there is to it
        }
        Map<String, List<String>> byCause = new LinkedHashMap<>();
        for (Failed f : failed) {
            byCause.computeIfAbsent(cause(f), k -> new ArrayList<>()).add(f.path());
        }
        List<Map.Entry<String, List<String>>> groups = new ArrayList<>(byCause.entrySet());
        groups.sort(Comparator.comparingInt((Map.Entry<String, List<String>> e) -> e.getValue().size()).reversed());
        List<String> details = groups.stream().map(e -> line(e.getKey(), e.getValue())).toList();
        boolean sources = failed.stream().allMatch(f -> fromSources(f.error()));
        String hint = sources ? "check the sources with 'wan test-sources " + id + "' and the manifest's sources.priority"
                : first.hint();
        String message = "model " + id + ": " + failed.size() + " files could not be fetched"
                + (groups.size() == 1 ? ", all for the same reason" : ", for " + groups.size() + " reasons");
        return new WanException(code(failed), message, hint, details, first);
    }

    /**
     * NO_SPACE wins (nothing else can succeed, and the run drops its partial files); else the code
     * all share; else ALL_SOURCES_FAILED when the sources failed in different ways; else the first.
     */
    private static ErrorCode code(List<Failed> failed) {
        if (failed.stream().anyMatch(f -> f.error().code() == ErrorCode.NO_SPACE)) {
            return ErrorCode.NO_SPACE;
        }
        ErrorCode first = failed.get(0).error().code();
        if (failed.stream().allMatch(f -> f.error().code() == first)) {
            return first;
        }
        return failed.stream().allMatch(f -> fromSources(f.error())) ? ErrorCode.ALL_SOURCES_FAILED : first;
    }

    /** A failure of the sources (what test-sources checks), as opposed to the local disk or the store. */
    static boolean fromSources(WanException e) {
        return !e.details().isEmpty() || e.code().category() == ErrorCode.Category.SOURCE;
    }

    /** What failed the file, without the file: each source's reason, or the error itself. */
    private static String cause(Failed f) {
        WanException e = f.error();
        String text = e.details().isEmpty() ? e.code() + " " + e.getMessage() : String.join("; ", e.details());
        return text.replace(f.path(), "…");
    }

    private static String line(String cause, List<String> paths) {
        String examples = String.join(", ", paths.subList(0, Math.min(EXAMPLES, paths.size())))
                + (paths.size() > EXAMPLES ? ", …" : "");
        return paths.size() + (paths.size() == 1 ? " file: " : " files: ") + cause
                + (paths.size() == 1 ? " (" : " (e.g. ") + examples + ")";
    }
}
