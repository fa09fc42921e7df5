package dev.wan.manifest;

import java.util.regex.Pattern;

/**
 * Shell-style patterns as {@code allow_patterns} uses them on the Hub (Python's fnmatch):
 * {@code *} matches any run of characters including {@code /}, {@code ?} one character,
 * {@code [abc]} / {@code [!abc]} a class. Case-sensitive.
 */
public final class Glob {
    private Glob() {
    }

    public static boolean matches(String glob, String path) {
        return compile(glob).matcher(path).matches();
    }

    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int close = glob.indexOf(']', i + 2);
                    if (close < 0) {
                        re.append("\\[");
                    } else {
                        String body = glob.substring(i + 1, close);
                        re.append('[').append(body.startsWith("!") ? "^" + quoteClass(body.substring(1))
                                : quoteClass(body)).append(']');
                        i = close;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    private static String quoteClass(String body) {
        return body.replace("\\", "\\\\").replace("[", "\\[").replace("&&", "\\&\\&");
    }
}
