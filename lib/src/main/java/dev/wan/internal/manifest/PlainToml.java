package dev.wan.internal.manifest;

import java.util.ArrayList;
import java.util.List;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;

/**
 * Reads the plain TOML that manifests are written in, in one pass and a few bytes of heap per byte
 * of text. tomlj builds an ANTLR token stream and parse tree first: a 50,000-file manifest (10 MB)
 * took over 3 GB of heap and most of a minute. The result has tomlj's types and positions (line
 * and column of a key, of a value in an array, of a {@code [header]}), so {@link ManifestParser}
 * reads it as it reads tomlj's.
 *
 * <p>Accepted: comments, {@code key = value} with a bare or quoted key, {@code [a."b"]} and
 * {@code [[a."b".c]]} headers, values that are strings without escapes, decimal integers,
 * booleans and arrays of strings. Anything else, and anything TOML might refuse (a key or
 * table defined twice, an escape, a control character), returns null: the caller then parses with
 * tomlj, which accepts all of TOML and words the syntax errors. Being strict costs only speed.
 */
public final class PlainToml {
    private final String text;
    private final int end;
    private int pos;
    private int line = 1;
    private int lineStart;

    private PlainToml(String text) {
        this.text = text;
        this.end = text.length();
    }

    /** The document, or null when it uses more than plain TOML (or may be invalid). */
    public static TomlParseResult parse(String text) {
        return new PlainToml(text).document();
    }

    /** Thrown to give up: the text is for tomlj. Carries no stack: giving up is not exceptional. */
    private static final class NotPlain extends Exception {
        private static final long serialVersionUID = 1L;
        static final NotPlain INSTANCE = new NotPlain();

        private NotPlain() {
            super(null, null, false, false);
        }
    }

    private PlainTomlTable document() {
        PlainTomlTable root = new PlainTomlTable(true);
        PlainTomlTable current = root;
        try {
            while (pos < end) {
                skipBlanks();
                if (pos >= end) {
                    break;
                }
                char c = text.charAt(pos);
                if (c == '#' || c == '\n' || c == '\r') {
                    endOfLine();
                } else if (c == '[') {
                    if (pos != lineStart) {
                        throw NotPlain.INSTANCE; // an indented header: rare, left to tomlj
                    }
                    current = header(root);
                } else {
                    keyValue(current);
                }
            }
        } catch (NotPlain e) {
            return null;
        }
        return root;
    }

    /** {@code [a.b]} or {@code [[a.b]]}: the table that the following keys go into. */
    private PlainTomlTable header(PlainTomlTable root) throws NotPlain {
        TomlPosition at = position();
        boolean array = text.startsWith("[[", pos);
        pos += array ? 2 : 1;
        List<String> path = new ArrayList<>();
        path.add(key());
        while (pos < end && text.charAt(pos) == '.') {
            pos++;
            path.add(key());
        }
        if (!text.startsWith(array ? "]]" : "]", pos)) {
            throw NotPlain.INSTANCE;
        }
        pos += array ? 2 : 1;
        endOfLine();
        PlainTomlTable parent = root;
        for (String key : path.subList(0, path.size() - 1)) {
            Object next = parent.value(key);
            if (next == null) {
                PlainTomlTable implicit = new PlainTomlTable(false);
                parent.put(key, implicit, at);
                parent = implicit;
            } else if (next instanceof PlainTomlTable t) {
                parent = t;
            } else {
                throw NotPlain.INSTANCE; // into an array of tables or through a value
            }
        }
        String last = path.get(path.size() - 1);
        Object existing = parent.value(last);
        PlainTomlTable table = new PlainTomlTable(true);
        if (!array) {
            if (existing != null) {
                throw NotPlain.INSTANCE; // defined twice, or implicit then explicit: tomlj decides
            }
            parent.put(last, table, at);
        } else if (existing == null) {
            PlainTomlArray tables = new PlainTomlArray(true);
            tables.add(table, at);
            parent.put(last, tables, at);
        } else if (existing instanceof PlainTomlArray tables && tables.ofTables) {
            tables.add(table, at);
        } else {
            throw NotPlain.INSTANCE;
        }
        return table;
    }

    private void keyValue(PlainTomlTable table) throws NotPlain {
        TomlPosition at = position();
        String key = key();
        skipBlanks();
        if (pos >= end || text.charAt(pos) != '=') {
            throw NotPlain.INSTANCE; // a dotted key, or not TOML
        }
        pos++;
        skipBlanks();
        Object value = value();
        endOfLine();
        if (table.value(key) != null) {
            throw NotPlain.INSTANCE;
        }
        table.put(key, value, at);
    }

    private Object value() throws NotPlain {
        if (pos >= end) {
            throw NotPlain.INSTANCE;
        }
        char c = text.charAt(pos);
        if (c == '"' || c == '\'') {
            return string();
        }
        if (c == '[') {
            return array();
        }
        if (text.startsWith("true", pos) && !word(pos + 4)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("false", pos) && !word(pos + 5)) {
            pos += 5;
            return Boolean.FALSE;
        }
        return integer();
    }

    /**
     * Strings only, as manifests write variants and patterns, on one line or several (with
     * comments between elements); a trailing comma is allowed.
     */
    private PlainTomlArray array() throws NotPlain {
        PlainTomlArray array = new PlainTomlArray(false);
        pos++;
        TomlPosition before = skipArrayBlanks();
        while (pos < end && text.charAt(pos) != ']') {
            char c = text.charAt(pos);
            if (c != '"' && c != '\'') {
                throw NotPlain.INSTANCE; // other element types, nesting: tomlj
            }
            TomlPosition at = before != null ? before : position();
            array.add(string(), at);
            skipArrayBlanks();
            if (pos < end && text.charAt(pos) == ',') {
                pos++;
                before = skipArrayBlanks();
            } else if (pos >= end || text.charAt(pos) != ']') {
                throw NotPlain.INSTANCE;
            }
        }
        if (pos >= end) {
            throw NotPlain.INSTANCE;
        }
        pos++;
        return array;
    }

    /** A one-line basic or literal string without escapes or control characters. */
    private String string() throws NotPlain {
        char quote = text.charAt(pos);
        if (text.startsWith(String.valueOf(quote).repeat(2), pos)) {
            throw NotPlain.INSTANCE; // empty or multi-line: rare, left to tomlj
        }
        int start = ++pos;
        while (pos < end) {
            char c = text.charAt(pos);
            if (c == quote) {
                return text.substring(start, pos++);
            }
            if (c == '\\' || control(c) || Character.isSurrogate(c)) {
                // tomlj counts columns in code points: after a supplementary character ours would differ
                throw NotPlain.INSTANCE;
            }
            pos++;
        }
        throw NotPlain.INSTANCE;
    }

    /** Decimal, no underscores, no leading zero, small enough never to overflow a long. */
    private Long integer() throws NotPlain {
        int start = pos;
        if (pos < end && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
            pos++;
        }
        int digits = pos;
        while (pos < end && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        int n = pos - digits;
        if (n == 0 || n > 18 || (n > 1 && text.charAt(digits) == '0') || word(pos)) {
            throw NotPlain.INSTANCE;
        }
        return Long.parseLong(text, start, pos, 10);
    }

    /** A bare key or a quoted one without escapes. */
    private String key() throws NotPlain {
        if (pos < end && (text.charAt(pos) == '"' || text.charAt(pos) == '\'')) {
            return string();
        }
        int start = pos;
        while (pos < end && bare(text.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw NotPlain.INSTANCE;
        }
        return text.substring(start, pos);
    }

    /** Blanks, then an optional comment, then a line break or the end of the text. */
    private void endOfLine() throws NotPlain {
        skipBlanks();
        if (pos < end && text.charAt(pos) == '#') {
            while (pos < end && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') {
                if (control(text.charAt(pos))) {
                    throw NotPlain.INSTANCE;
                }
                pos++;
            }
        }
        if (pos < end && text.charAt(pos) == '\r') {
            pos++;
            if (pos >= end || text.charAt(pos) != '\n') {
                throw NotPlain.INSTANCE; // a lone carriage return
            }
        }
        if (pos < end) {
            if (text.charAt(pos) != '\n') {
                throw NotPlain.INSTANCE;
            }
            pos++;
            line++;
            lineStart = pos;
        }
    }

    /**
     * Inside an array: blanks, comments and line breaks. Returns where the first line break (\n or
     * \r\n) was, or null: tomlj places an element that follows one there, not at its value.
     */
    private TomlPosition skipArrayBlanks() throws NotPlain {
        skipBlanks();
        TomlPosition first = null;
        while (pos < end && (text.charAt(pos) == '#' || text.charAt(pos) == '\n' || text.charAt(pos) == '\r')) {
            int newline = text.indexOf('\n', pos);
            if (newline > pos && text.charAt(newline - 1) == '\r') {
                newline--; // a CRLF line break starts at its CR
            }
            if (first == null && newline >= 0) {
                first = TomlPosition.positionAt(line, newline - lineStart + 1);
            }
            endOfLine();
            skipBlanks();
        }
        return first;
    }

    private void skipBlanks() {
        while (pos < end && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            pos++;
        }
    }

    /** Columns count UTF-16 units from 1, as tomlj's do for the text it is given. */
    private TomlPosition position() {
        return TomlPosition.positionAt(line, pos - lineStart + 1);
    }

    /** A letter, digit, '_' or '-' right after a value would make it something else (1e3, truex). */
    private boolean word(int i) {
        return i < end && (bare(text.charAt(i)) || text.charAt(i) == '.' || text.charAt(i) == ':');
    }

    private static boolean bare(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    /** TOML allows a tab in strings and comments, no other control character. */
    private static boolean control(char c) {
        return (c < 0x20 && c != '\t') || c == 0x7F;
    }
}
