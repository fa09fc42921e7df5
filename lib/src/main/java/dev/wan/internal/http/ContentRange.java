package dev.wan.internal.http;

/** {@code Content-Range: bytes a-b/total} (RFC 9110 §14.4). */
public final class ContentRange {
    /** The parsed header; -1 for what it leaves unknown ({@code *}). */
    private record Parsed(long first, long last, long total) {
    }

    private ContentRange() {
    }

    /** The first byte position, or -1 when absent or unparsable. */
    static long start(String header) {
        Parsed p = parse(header);
        return p == null ? -1 : p.first();
    }

    /** The complete length, or -1 when absent, unknown ({@code *}) or unparsable. */
    public static long total(String header) {
        Parsed p = parse(header);
        return p == null ? -1 : p.total();
    }

    private static Parsed parse(String header) {
        if (header == null) {
            return null;
        }
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes ", 0, 6)) {
            return null;
        }
        h = h.substring(6).strip();
        int slash = h.indexOf('/');
        if (slash < 0) {
            return null;
        }
        try {
            String range = h.substring(0, slash);
            String totalText = h.substring(slash + 1);
            long total = "*".equals(totalText) ? -1 : Long.parseLong(totalText);
            if ("*".equals(range)) {
                return new Parsed(-1, -1, total);
            }
            int dash = range.indexOf('-');
            return new Parsed(Long.parseLong(range.substring(0, dash)), Long.parseLong(range.substring(dash + 1)),
                    total);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
