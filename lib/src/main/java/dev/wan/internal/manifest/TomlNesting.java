package dev.wan.internal.manifest;

/**
 * How deeply a TOML text nests arrays and inline tables, found by a cheap scan that skips strings
 * and comments. tomlj parses nested values recursively, so a hostile manifest of a few thousand
 * {@code [} overflows the stack; this scan lets the loader refuse it before tomlj sees it.
 * Unbalanced brackets are left to tomlj's syntax errors: only the depth reached matters here.
 */
public final class TomlNesting {
    /** What the deepest opening bracket was and where. */
    public record Deepest(int depth, int line, int column) {
    }

    private TomlNesting() {
    }

    /** The first point where nesting exceeds {@code limit}, or null when it never does. */
    public static Deepest firstBeyond(String text, int limit) {
        int depth = 0;
        int line = 1;
        int column = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            column++;
            switch (c) {
                case '\n' -> {
                    line++;
                    column = 0;
                }
                case '#' -> {
                    while (i + 1 < n && text.charAt(i + 1) != '\n') {
                        i++;
                    }
                }
                case '"', '\'' -> {
                    boolean multi = text.startsWith(String.valueOf(c).repeat(3), i);
                    int end = endOfString(text, i, c, multi);
                    for (int j = i + 1; j < end; j++) {
                        if (text.charAt(j) == '\n') {
                            line++;
                            column = 0;
                        } else {
                            column++;
                        }
                    }
                    i = end - 1;
                }
                case '[', '{' -> {
                    if (++depth > limit) {
                        return new Deepest(depth, line, column);
                    }
                }
                case ']', '}' -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
        }
        return null;
    }

    /**
     * The index just past the string that opens at {@code start}. A single-line string also ends at
     * a newline (tomlj reports that); an unterminated one runs to the end of the text.
     */
    private static int endOfString(String text, int start, char quote, boolean multi) {
        int n = text.length();
        int i = start + (multi ? 3 : 1);
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\\' && quote == '"') {
                i += 2;
                continue;
            }
            if (!multi && c == '\n') {
                return i;
            }
            if (c == quote && (!multi || text.startsWith(String.valueOf(quote).repeat(3), i))) {
                int end = i + (multi ? 3 : 1);
                while (multi && end < n && text.charAt(end) == quote && end - i < 5) {
                    end++; // up to two quotes may end a multi-line string's content: """a""""" 
                }
                return end;
            }
            i++;
        }
        return n;
    }
}
