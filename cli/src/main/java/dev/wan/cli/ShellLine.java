package dev.wan.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a line typed into {@code wan shell} into arguments the way a POSIX shell does, minus
 * expansion: blanks separate words; {@code '…'} keeps everything literally; {@code "…"} keeps
 * everything but {@code \"} and {@code \\}; a backslash outside quotes keeps the next character;
 * {@code ''} and {@code ""} are an empty argument; a {@code #} that starts a word starts a comment.
 * So {@code ensure 'my model@1.0.0' --root "/data/my models"} gives three arguments, as in bash.
 */
final class ShellLine {
    private ShellLine() {
    }

    /** The arguments of {@code line}; IllegalArgumentException naming the problem for an unclosed quote. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed ' (quote) at column " + (i + 1));
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end;
            } else if (c == '"') {
                i = doubleQuoted(line, i, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                }
                inWord = true;
            } else if (c == '#' && !inWord) {
                break;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Appends the inside of the double-quoted string opening at {@code open}; returns the closing quote's index. */
    private static int doubleQuoted(String line, int open, StringBuilder word) {
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                return i;
            }
            if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                c = line.charAt(++i);
            }
            word.append(c);
        }
        throw new IllegalArgumentException("unclosed \" (quote) at column " + (open + 1));
    }
}
