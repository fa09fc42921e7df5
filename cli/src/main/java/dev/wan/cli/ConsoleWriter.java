package dev.wan.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.util.Map;

/**
 * stdout and stderr in the terminal's own charset. Under a locale that cannot show a character
 * (LANG=C, POSIX, Latin-1) the JVM would print {@code ?}: wan's own marks become their ASCII
 * spelling ({@code →} is {@code ->}, {@code …} is {@code ...}, the bar's blocks {@code #} and
 * {@code -}), anything else a visible {@code \\uXXXX} (which is also valid inside a JSON string, so
 * {@code --json} stays parseable under any locale).
 */
final class ConsoleWriter extends FilterWriter {
    private static final Map<Character, String> ASCII = Map.of(
            '→', "->", '≥', ">=", '…', "...", '█', "#", '░', "-", '×', "x", '–', "-", '—', "--");

    private final CharsetEncoder encoder;

    private ConsoleWriter(Writer out, Charset charset) {
        super(out);
        this.encoder = charset.newEncoder();
    }

    /** A writer for {@code stream} that never prints {@code ?} for a character its charset lacks. */
    static PrintWriter of(OutputStream stream, Charset charset) {
        Writer raw = new OutputStreamWriter(stream, charset);
        return new PrintWriter(isUnicode(charset) ? raw : new ConsoleWriter(raw, charset), true);
    }

    /** The charset the terminal (or the pipe's reader) expects: the locale's, as the JVM found it. */
    static Charset terminalCharset() {
        for (String key : new String[] {"stdout.encoding", "sun.stdout.encoding", "native.encoding"}) {
            String name = System.getProperty(key);
            if (name != null && Charset.isSupported(name)) {
                return Charset.forName(name);
            }
        }
        return Charset.defaultCharset();
    }

    /** Whether every character of {@code text} shows as itself in {@code charset} (no stand-in spelling). */
    static boolean canShow(Charset charset, String text) {
        return isUnicode(charset) || charset.newEncoder().canEncode(text);
    }

    /**
     * {@code text} as this writer would print it in {@code charset}: what the charset cannot show spelled in
     * ASCII. Whoever measures a line before printing it (the progress bar fitting a terminal row) measures this.
     */
    static String spell(String text, Charset charset) {
        return isUnicode(charset) ? text : spell(text, 0, text.length(), charset.newEncoder());
    }

    private static boolean isUnicode(Charset charset) {
        return charset.name().toUpperCase(java.util.Locale.ROOT).startsWith("UTF");
    }

    private static String spell(String s, int off, int len, CharsetEncoder encoder) {
        StringBuilder b = new StringBuilder(len);
        for (int i = off; i < off + len; i++) {
            char c = s.charAt(i);
            if (c < 0x80 || encoder.canEncode(c)) {
                b.append(c);
            } else {
                String ascii = ASCII.get(c);
                b.append(ascii != null ? ascii : String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    @Override
    public void write(int c) throws IOException {
        write(String.valueOf((char) c), 0, 1);
    }

    @Override
    public void write(char[] buf, int off, int len) throws IOException {
        write(new String(buf, off, len), 0, len);
    }

    @Override
    public void write(String s, int off, int len) throws IOException {
        String spelled = spell(s, off, len, encoder);
        out.write(spelled, 0, spelled.length());
    }
}
