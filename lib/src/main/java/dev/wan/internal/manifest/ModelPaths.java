package dev.wan.internal.manifest;

import dev.wan.ErrorCode;
import java.nio.charset.StandardCharsets;

/**
 * The rules for a file path inside a model directory, shared by the manifest validator and the
 * backends that list remote files (a listing is as untrusted as a manifest).
 *
 * <p>A path is relative, {@code /}-separated, with no empty, {@code .} or {@code ..} segment, no
 * backslash and no Windows drive ({@code C:}). It contains no character that a terminal acts on or
 * that hides what a name says: C0 controls, DEL, C1 controls, line and paragraph separators,
 * bidirectional controls, zero-width characters and the byte-order mark, unpaired surrogates.
 * Lengths leave room for the longest name wan derives from a path in the store.
 */
public final class ModelPaths {
    /**
     * Bytes (UTF-8) per segment: 255 (NAME_MAX) minus the longest suffix wan appends to a file name
     * in the store, 39 bytes ({@code .<name>.wan-dedup-<pid>-<nanos>} when deduplicating; resume
     * journals add {@code .json.tmp-<pid>-<tid>}, 37), rounded down.
     */
    public static final int MAX_SEGMENT_BYTES = 200;
    /** Bytes (UTF-8) of a whole path: far beyond real repositories, far below PATH_MAX with the root. */
    public static final int MAX_PATH_BYTES = 1024;

    /** Why a path is refused and with which code. */
    public record Problem(ErrorCode code, String why) {
    }

    private ModelPaths() {
    }

    /** Null when {@code path} may name a file in a model directory, else what is wrong with it. */
    public static Problem problem(String path) {
        if (path.isEmpty()) {
            return new Problem(ErrorCode.MANIFEST_VALIDATION_ERROR, "is empty");
        }
        // traversal first: a path that is both hostile and malformed gets the more telling code
        if (path.indexOf('\\') >= 0) {
            return new Problem(ErrorCode.PATH_TRAVERSAL_DETECTED, "contains a backslash: use '/' as separator");
        }
        String[] segments = path.split("/", -1);
        if (path.startsWith("/") || isDrive(segments[0])) {
            return new Problem(ErrorCode.PATH_TRAVERSAL_DETECTED, "is absolute: paths are relative to the model directory");
        }
        for (String s : segments) {
            if (s.equals("..")) {
                return new Problem(ErrorCode.PATH_TRAVERSAL_DETECTED, "contains '..' and could escape the model directory");
            }
        }
        int bad = firstForbidden(path);
        if (bad >= 0) {
            return new Problem(ErrorCode.MANIFEST_VALIDATION_ERROR, String.format(
                    "contains the control or invisible character U+%04X at position %d", (int) path.charAt(bad), bad + 1));
        }
        for (String s : segments) {
            if (s.isEmpty() || s.equals(".")) {
                return new Problem(ErrorCode.MANIFEST_VALIDATION_ERROR, "has an empty or '.' segment");
            }
        }
        int bytes = path.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            return new Problem(ErrorCode.MANIFEST_VALIDATION_ERROR, "is " + bytes + " bytes long (UTF-8); the limit is "
                    + MAX_PATH_BYTES);
        }
        for (String s : segments) {
            int n = s.getBytes(StandardCharsets.UTF_8).length;
            if (n > MAX_SEGMENT_BYTES) {
                return new Problem(ErrorCode.MANIFEST_VALIDATION_ERROR, "has a " + n + "-byte name (UTF-8); the limit per"
                        + " directory or file name is " + MAX_SEGMENT_BYTES + " (the store appends suffixes to names)");
            }
        }
        try {
            java.nio.file.Path.of(path);
        } catch (java.nio.file.InvalidPathException e) {
            // a JVM started under LANG=C can only name ASCII files: say so instead of failing later
            return new Problem(ErrorCode.MANIFEST_VALIDATION_ERROR, "cannot be a file name in this JVM's file-name"
                    + " encoding (" + System.getProperty("sun.jnu.encoding") + "): run wan under a UTF-8 locale,"
                    + " e.g. LANG=C.UTF-8");
        }
        return null;
    }

    /** {@code C:} and the like; by hand, as a regular expression compiled per path cost a 50,000-file manifest. */
    private static boolean isDrive(String segment) {
        if (segment.length() != 2 || segment.charAt(1) != ':') {
            return false;
        }
        char c = segment.charAt(0);
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** Index of the first character a path may not contain, or -1. */
    static int firstForbidden(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (forbidden(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Controls, separators and invisible formatting characters; an unpaired surrogate half too. */
    static boolean forbidden(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F)
                || c == '\u2028' || c == '\u2029'                    // line / paragraph separator
                || c == '\u200E' || c == '\u200F' || c == '\u061C'    // directional marks
                || (c >= '\u202A' && c <= '\u202E')                  // bidi embeddings and overrides
                || (c >= '\u2066' && c <= '\u2069')                  // bidi isolates
                || (c >= '\u200B' && c <= '\u200D') || c == '\u2060' // zero-width space, (non-)joiner, word joiner
                || c == '\uFEFF'                                     // byte-order mark / zero-width no-break space
                || Character.isSurrogate(c);
    }
}
