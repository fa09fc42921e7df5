package dev.wan.internal.manifest;

import java.util.ArrayList;
import java.util.List;

/**
 * Shell-style patterns as {@code allow_patterns} uses them on the Hub (Python's fnmatch):
 * {@code *} matches any run of characters including {@code /}, {@code ?} one character,
 * {@code [abc]} / {@code [a-z]} / {@code [!abc]} a class. Case-sensitive.
 *
 * <p>Patterns come from untrusted manifests, so they are not translated to regular expressions
 * (a class like {@code [z-a]} made {@code Pattern.compile} throw, and {@code *a*a*a*a*b} backtracks
 * for hours on a long path). Matching walks pattern and path once, returning to the last {@code *}
 * on a mismatch: at most pattern length × path length steps.
 */
public final class Glob {
    /** Longer patterns than this are refused; paths are at most {@link ModelPaths#MAX_PATH_BYTES}. */
    static final int MAX_LENGTH = 1024;

    private Glob() {
    }

    /** One step of a pattern: {@code *}, or a test of one character. */
    private sealed interface Token permits Star, One {
    }

    private record Star() implements Token {
    }

    /** Matches one character: any (for {@code ?}), a literal, or a class of ranges. */
    private record One(char[] from, char[] to, boolean negated, boolean any) implements Token {
        boolean test(char c) {
            if (any) {
                return true;
            }
            for (int i = 0; i < from.length; i++) {
                if (c >= from[i] && c <= to[i]) {
                    return !negated;
                }
            }
            return negated;
        }
    }

    private static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    public static boolean matches(String glob, String path) {
        List<Token> tokens;
        try {
            tokens = compile(glob);
        } catch (Invalid e) {
            return false; // the validator rejects such patterns; a pattern that means nothing matches nothing
        }
        return matches(tokens, path);
    }

    /**
     * {@code glob} compiled once, for testing many paths: the validator checks every file of a model
     * against its allow_patterns, and compiling per test was a tenth of a 50,000-file validation.
     */
    public static java.util.function.Predicate<String> matcher(String glob) {
        try {
            List<Token> tokens = compile(glob);
            return path -> matches(tokens, path);
        } catch (Invalid e) {
            return path -> false;
        }
    }

    /** Null when {@code glob} is a usable pattern, else what is wrong with it. */
    static String problem(String glob) {
        try {
            compile(glob);
            return null;
        } catch (Invalid e) {
            return e.getMessage();
        }
    }

    private static List<Token> compile(String glob) throws Invalid {
        if (glob.length() > MAX_LENGTH) {
            throw new Invalid("is longer than " + MAX_LENGTH + " characters");
        }
        List<Token> tokens = new ArrayList<>();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    if (tokens.isEmpty() || !(tokens.get(tokens.size() - 1) instanceof Star)) {
                        tokens.add(new Star());
                    }
                }
                case '?' -> tokens.add(new One(new char[0], new char[0], false, true));
                case '[' -> {
                    int close = glob.indexOf(']', i + 2);
                    if (close < 0) {
                        tokens.add(literal(c));
                    } else {
                        tokens.add(charClass(glob.substring(i + 1, close)));
                        i = close;
                    }
                }
                default -> tokens.add(literal(c));
            }
        }
        return tokens;
    }

    private static One literal(char c) {
        return new One(new char[] {c}, new char[] {c}, false, false);
    }

    /** The body between {@code [} and {@code ]}: a leading {@code !} negates; {@code a-z} is a range. */
    private static One charClass(String body) throws Invalid {
        boolean negated = body.startsWith("!");
        String set = negated ? body.substring(1) : body;
        if (set.isEmpty()) {
            throw new Invalid("has an empty character class '[" + body + "]'");
        }
        StringBuilder from = new StringBuilder();
        StringBuilder to = new StringBuilder();
        for (int i = 0; i < set.length(); i++) {
            char lo = set.charAt(i);
            char hi = lo;
            if (i + 2 < set.length() && set.charAt(i + 1) == '-') {
                hi = set.charAt(i + 2);
                i += 2;
                if (hi < lo) {
                    throw new Invalid("has the empty range '" + lo + "-" + hi + "' (write the lower character first)");
                }
            }
            from.append(lo);
            to.append(hi);
        }
        return new One(from.toString().toCharArray(), to.toString().toCharArray(), negated, false);
    }

    private static boolean matches(List<Token> tokens, String path) {
        int t = 0;
        int p = 0;
        int star = -1;
        int resume = 0;
        while (p < path.length()) {
            if (t < tokens.size() && tokens.get(t) instanceof One one && one.test(path.charAt(p))) {
                t++;
                p++;
            } else if (t < tokens.size() && tokens.get(t) instanceof Star) {
                star = t++;
                resume = p;
            } else if (star >= 0) {
                t = star + 1;
                p = ++resume;
            } else {
                return false;
            }
        }
        while (t < tokens.size() && tokens.get(t) instanceof Star) {
            t++;
        }
        return t == tokens.size();
    }
}
