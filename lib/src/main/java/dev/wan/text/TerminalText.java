package dev.wan.text;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * Makes text from manifests, listings and servers safe to print: every character a terminal acts
 * on or that hides or reorders text becomes a visible escape ({@code \x1b}, {@code \n},
 * a backslash-u escape for U+202E), so one error is one line and {@code ESC [2J} cannot clear the screen. The CLI's
 * human-readable lines all go through {@link #escape}; JSON goes through {@link #JSON_ESCAPES}
 * (set it on a Jackson {@code ObjectMapper}'s factory with {@code setCharacterEscapes}). Scripts
 * printing a model's paths or an error's message should do the same.
 */
public final class TerminalText {
    private TerminalText() {
    }

    /** The text with every unsafe character replaced by its visible escape; "null" for null. */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            String esc = pair ? null : escapeOf(c);
            if (esc != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (esc != null) {
                    out.append(esc);
                } else {
                    out.append(c);
                    if (pair) {
                        out.append(text.charAt(++i));
                    }
                }
            } else if (pair) {
                i++;
            }
        }
        return out == null ? text : out.toString();
    }

    /** The visible form of a character that must not reach a terminal raw, or null. */
    private static String escapeOf(char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            default:
                break;
        }
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
            return String.format("\\x%02x", (int) c);
        }
        if (unsafeBeyondLatin1(c)) {
            return String.format("\\u%04x", (int) c);
        }
        return null;
    }

    /** Line/paragraph separators, bidi and zero-width controls, BOM, lone surrogates (see ModelPaths). */
    private static boolean unsafeBeyondLatin1(char c) {
        return c == '\u2028' || c == '\u2029' || c == '\u200E' || c == '\u200F' || c == '\u061C'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
                || (c >= '\u200B' && c <= '\u200D') || c == '\u2060' || c == '\uFEFF' || Character.isSurrogate(c);
    }

    /**
     * Jackson escapes C0 controls itself; this adds DEL, C1 controls (U+009B is a terminal's CSI)
     * and the invisible or reordering characters, as backslash-u escapes: same JSON value, safe
     * to look at with {@code cat}.
     */
    public static final CharacterEscapes JSON_ESCAPES = new CharacterEscapes() {
        private final int[] ascii = standardAsciiEscapesForJSON();

        {
            ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return (ch >= 0x80 && ch <= 0x9F) || (ch <= 0xFFFF && unsafeBeyondLatin1((char) ch))
                    ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    };
}
