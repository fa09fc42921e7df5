package dev.wan.source.http;

/** {@code Content-Range: bytes a-b/total} (RFC 9110 §14.4). */
final class ContentRange {
    private ContentRange() {
    }

    /** The first byte position, or -1 when absent or unparsable. */
    static long start(String header) {
        long[] p = parse(header);
        return p == null ? -1 : p[0];
    }

    /** The complete length, or -1 when absent, unknown ({@code *}) or unparsable. */
    static long total(String header) {
        long[] p = parse(header);
        return p == null ? -1 : p[2];
    }

    private static long[] parse(String header) {
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
                return new long[] {-1, -1, total};
            }
            int dash = range.indexOf('-');
            return new long[] {Long.parseLong(range.substring(0, dash)), Long.parseLong(range.substring(dash + 1)), total};
        } catch (RuntimeException e) {
            return null;
        }
    }
}
