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
        boolean unicode = charset.name().toUpperCase(java.util.Locale.ROOT).startsWith("UTF");
        return new PrintWriter(unicode ? raw : new ConsoleWriter(raw, charset), true);
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
        out.write(b.toString(), 0, b.length());
    }
}
