package dev.wan.cli;

import dev.wan.cli.HostileManifestsTest.Hostile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Generators ({@link Gen}, seeded) of manifests that are invalid by construction, one kind of hostility
 * each, built around one otherwise valid model ({@code m@1.0.0}, one file, a {@code local://} source).
 */
final class HostileManifests {
    private static final String ID = "m@1.0.0";
    /** Characters a path must not contain (see ModelPaths). */
    private static final char[] FORBIDDEN = {'\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f',
        '\u0080', '\u0085', '\u009b', '\u009f', '\u2028', '\u2029', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c',
        '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff',
        '\u061c', '\ud800', '\udfff'};

    private HostileManifests() {
    }

    // ---- building blocks ----

    /** A TOML basic string holding exactly {@code s}: quotes, backslashes and controls escaped. */
    static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04X", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String file(String pathToml, String sizeToml, String extra) {
        return "[[models.\"" + ID + "\".files]]\npath = " + pathToml + "\nsize = " + sizeToml + "\n" + extra + "\n";
    }

    static String doc(String id, String modelKeys, String files, String priorityToml) {
        String idKey = q(id);
        return "schema_version = 1\n\n[models." + idKey + "]\n" + modelKeys + "\n"
                + files.replace("models.\"" + ID + "\"", "models." + idKey)
                + "\n[models." + idKey + ".sources]\npriority = " + priorityToml + "\n";
    }

    static String withFile(String pathToml) {
        return doc(ID, "", file(pathToml, "1", ""), "[\"local://m\"]");
    }

    static Hostile h(String kind, String text) {
        return new Hostile(kind, text.getBytes(StandardCharsets.UTF_8));
    }

    static Gen<String> names() {
        return Gen.strings("abcdefghijklmnopqrstuvwxyzéñ模型_-.0123456789", 1, 12)
                .filter(s -> !s.equals(".") && !s.equals(".."));
    }

    static Gen<String> prefixes() {
        return names().list(0, 3).map(l -> l.isEmpty() ? "" : String.join("/", l) + "/");
    }

    // ---- kinds ----

    static Gen<String> hostilePaths() {
        return Gen.combine(prefixes(), Gen.of("../", "../../", "../../../canary.txt/", "a/../../",
                "./../", "x/../../../etc/", "/", "/etc/", "C:/", "C:\\", "\\\\server\\share\\", "a\\..\\..\\", "//",
                "./", "a//b/", "../etc/passwd/"), names(), (pre, evil, name) -> pre + evil + name);
    }

    static Gen<Hostile> traversal() {
        Gen<String> plain = Gen.combine(prefixes(),
                Gen.of("..", "../x", "a/../../b", "../../canary.txt", "../../etc/passwd", "a/..", "../../root/x",
                        "../wan22/other@1.0.0/keep.bin"), (pre, p) -> pre + p);
        Gen<Hostile> escaped = plain.map(p -> h("traversal", withFile(q(p))));
        // the same paths with every dot and slash written as a TOML unicode escape: decoded before validation
        Gen<Hostile> encoded = plain.map(p -> h("traversal (TOML-escaped)",
                withFile("\"" + p.replace(".", "\\u002E").replace("/", "\\u002F") + "\"")));
        return Gen.oneOf(escaped, encoded);
    }

    static Gen<Hostile> absolute() {
        return Gen.combine(Gen.of("/etc/x", "/", "C:\\x", "C:/x", "C:", "c:/Windows/x", "\\\\server\\share",
                        "\\\\?\\C:\\x", "/proc/self/mem", "a\\b", "Z:"), names(),
                (p, name) -> h("absolute/windows", withFile(q(p + (p.endsWith(":") ? "" : "/" + name)))));
    }

    static Gen<Hostile> controlCharacters() {
        Gen<String> names = names();
        Gen<String> forbidden = Gen.of(new String(FORBIDDEN).chars().mapToObj(c -> String.valueOf((char) c)).toArray(String[]::new));
        return r -> {
            String a = names.next(r);
            String b = names.next(r);
            String c = forbidden.next(r);
            boolean raw = r.nextBoolean();
            if (r.nextBoolean()) {
                return h("control char in id", doc("m" + c + "x@1.0.0", "", file("\"a.bin\"", "1", ""), "[\"local://m\"]"));
            }
            String s = a + c + b;
            String toml = raw && c.charAt(0) != '"' && c.charAt(0) != '\\' && !Character.isSurrogate(c.charAt(0))
                    ? "\"" + s + "\"" : q(s);
            return h("control char in path" + (raw ? " (raw)" : ""), withFile(toml));
        };
    }

    static Gen<Hostile> normalizationTwins() {
        return Gen.combine(prefixes(), names(), Gen.of(
                        new String[] {"\u00e9", "e\u0301"}, new String[] {"\u00f1", "n\u0303"}, new String[] {"\u00fc", "u\u0308"},
                        new String[] {"\u00c5", "A\u030a"}, new String[] {"\u1ec7", "e\u0323\u0302"},
                        new String[] {"\uac00", "\u1100\u1161"}), Gen.of(true, false), (pre, name, twin, upper) -> {
                    String a = pre + name + twin[0] + ".bin";
                    String b = pre + name + twin[1] + ".bin";
                    return h("NFC/NFD twins", doc(ID, "", file(q(a), "1", "") + file(q(upper ? b.toUpperCase() : b), "1", ""),
                            "[\"local://m\"]"));
                });
    }

    static Gen<Hostile> badSizes() {
        return Gen.of("-1", "-9223372036854775808", "9223372036854775808", "18446744073709551616",
                        "99999999999999999999999999999", "1e400", "-1e400", "1.5", "inf", "-inf", "nan", "\"12\"",
                        "0x8000000000000000", "[]", "{}", "true", "1979-05-27", "", "1_", "--1", "0b2", "- 1")
                .map(size -> h("bad size " + size, doc(ID, "", file("\"a.bin\"", size, ""), "[\"local://m\"]")));
    }

    static Gen<Hostile> deepNesting() {
        return Gen.combine(Gen.ints(33, 4000), Gen.of("[", "{a = ", "[{b = ["),
                        Gen.of("description", "x", "files"), (depth, open, key) -> {
                    String close = switch (open) {
                        case "[" -> "]";
                        case "{a = " -> "}";
                        default -> "]}]";
                    };
                    String value = open.repeat(depth) + "1" + close.repeat(depth);
                    return h("nesting " + depth + " deep", doc(ID, key + " = " + value, file("\"a.bin\"", "1", ""),
                            "[\"local://m\"]"));
                });
    }

    static Gen<Hostile> wrongTypes() {
        String f = file("\"a.bin\"", "1", "");
        String ok = "[\"local://m\"]";
        return Gen.of(
                h("schema_version string", doc(ID, "", f, ok).replace("schema_version = 1", "schema_version = \"1\"")),
                h("models not a table", "schema_version = 1\nmodels = 1\n"),
                h("models array", "schema_version = 1\nmodels = [1, 2]\n"),
                h("model not a table", "schema_version = 1\nmodels = {\"m@1.0.0\" = 3}\n"),
                h("files a number", doc(ID, "files = 3", "", ok)),
                h("files numbers", doc(ID, "files = [1, 2]", "", ok)),
                h("files strings", doc(ID, "files = [\"a.bin\"]", "", ok)),
                h("sources string", doc(ID, "", f, ok).replace("[models.\"m@1.0.0\".sources]\npriority = " + ok,
                        "").replace("[models.\"m@1.0.0\"]\n", "[models.\"m@1.0.0\"]\nsources = \"local://m\"\n")),
                h("priority string", doc(ID, "", f, "\"local://m\"")),
                h("priority numbers", doc(ID, "", f, "[1, 2]")),
                h("priority mixed", doc(ID, "", f, "[\"local://m\", 2]")),
                h("priority empty", doc(ID, "", f, "[]")),
                h("variants numbers", doc(ID, "variants = [1]", f, ok)),
                h("variants string", doc(ID, "variants = \"fp16\"", f, ok)),
                h("path number", doc(ID, "", file("5", "1", ""), ok)),
                h("path array", doc(ID, "", file("[\"a\"]", "1", ""), ok)),
                h("sha256 number", doc(ID, "", file("\"a.bin\"", "1", "sha256 = 5"), ok)),
                h("optional string", doc(ID, "", file("\"a.bin\"", "1", "optional = \"yes\""), ok)),
                h("lora_required string", doc(ID, "lora_required = \"yes\"", f, ok)),
                h("description table", doc(ID, "description = {a = 1}", f, ok)),
                h("version number", doc(ID, "version = 1", f, ok)),
                h("version mismatch", doc(ID, "version = \"2.0.0\"", f, ok)),
                h("default_variant unknown", doc(ID, "variants = [\"a\"]\ndefault_variant = \"b\"", f, ok)),
                h("file variant unknown", doc(ID, "variants = [\"a\"]", file("\"a.bin\"", "1", "variant = \"zz\""), ok)),
                h("component number", doc(ID, "", file("\"a.bin\"", "1", "component = 7"), ok)),
                h("allow_patterns string", doc(ID, "allow_patterns = \"*.bin\"", f, ok)));
    }

    static Gen<Hostile> missingKeys() {
        String ok = "[\"local://m\"]";
        return Gen.of(
                h("no schema_version", doc(ID, "", file("\"a.bin\"", "1", ""), ok).replace("schema_version = 1\n", "")),
                h("no path", doc(ID, "", "[[models.\"m@1.0.0\".files]]\nsize = 1\n", ok)),
                h("no size", doc(ID, "", "[[models.\"m@1.0.0\".files]]\npath = \"a.bin\"\n", ok)),
                h("no files", doc(ID, "", "", ok)),
                h("no sources", doc(ID, "", file("\"a.bin\"", "1", ""), ok).replaceAll("(?s)\\[models\\.\"m@1\\.0\\.0\"\\.sources\\].*", "")),
                h("empty file", ""),
                h("only whitespace", " \n\t\n"),
                h("empty file table", doc(ID, "", "[[models.\"m@1.0.0\".files]]\n", ok)));
    }

    static Gen<Hostile> hugeStrings() {
        return Gen.combine(Gen.ints(1025, 60_000), Gen.of("path", "segment", "id", "uri"),
                        Gen.of('a', 'é', '模'), (n, where, c) -> {
                    String big = String.valueOf(c).repeat(n);
                    return switch (where) {
                        case "path" -> h("path of " + n + " chars", withFile(q(String.join("/", big.split("(?<=\\G.{150})")))));
                        case "segment" -> h("segment of " + n + " chars", withFile(q(big)));
                        case "id" -> h("id of " + n + " chars", doc("m" + "a".repeat(n) + "@1.0.0", "", file("\"a.bin\"", "1", ""),
                                "[\"local://m\"]"));
                        default -> h("source of " + n + " chars", doc(ID, "", file("\"a.bin\"", "1", ""),
                                "[" + q("hf://org/" + big) + "]"));
                    };
                });
    }

    static Gen<Hostile> badUris() {
        Gen<String> listed = Gen.of("https://?x=1", "https://", "https://:80/x", "http://host:99999/x",
                "http://host:0/x", "https://host:-1/", "https://host:65536/", "http://[::1/x", "https://ho st/x",
                "hf://../..", "hf://org/repo@../../../x", "hf://org/..", "hf://./x", "hf://org/repo@", "hf://org/repo@a@b",
                "hf://-org/repo", "hf://org/repo.git", "hf://org/re--po", "hf://org/repo@.x", "hf://org/repo@x.lock",
                "hf://org/repo@a//b", "hf://org/repo@/a", "hf://org/repo@refs/../x", "hf://org/repo/extra",
                "hf://", "hf:org/repo", "s3://", "s3:///x", "s3://A/x", "s3://a", "s3://bucket?x=1", "s3://bucket#f",
                "s3://-bucket/x", "s3://bucket../x", "file://relative", "file://host/x", "file:///a%zz", "file:///a%00b",
                "file:///x?y", "file:///x#y", "file:///a|b", "file:relative", "local://", "local://../x", "local:///abs",
                "local://a/../../x", "ftp://host/x", "no-scheme", "://x", "", ":", "javascript:alert(1)",
                "https://host/\u001b[2J", "hf://org/repo\u202e", "local://m\u0000");
        // ports just past the last one as well as far past it (uniform over the whole range would be almost all 19 digits)
        Gen<String> ports = Gen.oneOf(Gen.longs(65_536, 9_999_999), Gen.longs(65_536, Long.MAX_VALUE))
                .map(p -> "https://host:" + p + "/x");
        Gen<String> revisions = Gen.combine(names(), Gen.of("..", "/.", "//", ".lock", "@{", " ", "~",
                        "^", ":", "?", "*", "[", "\\"), (n, bad) -> "hf://org/repo@" + n + bad + (bad.equals(".lock") ? "" : n));
        return Gen.oneOf(listed, ports, revisions)
                .map(uri -> h("bad source", doc(ID, "", file("\"a.bin\"", "1", ""), "[" + q(uri) + "]")));
    }

    static Gen<Hostile> badIds() {
        Gen<String> listed = Gen.of("m", "m@1", "m@1.0", "m@1.0.0.0", "@1.0.0", "-m@1.0.0", "../m@1.0.0",
                "m/x@1.0.0", "m@1.0.0-rc1", "m@v1.0.0", "m x@1.0.0", "m@1.0.0\n", "m@１.0.0", "ｍ@1.0.0", "m.x@1.0.0",
                ".m@1.0.0", "m@1.0.0/../../x", "", " ", "m@01.0.0x");
        Gen<String> random = Gen.strings(Gen.oneOf(Gen.chars(' ', '~'), Gen.chars('\u0000', '\uffff')), 1, 30)
                .filter(s -> !s.matches("[A-Za-z0-9][A-Za-z0-9_-]*@\\d+\\.\\d+\\.\\d+"));
        return Gen.oneOf(listed, random)
                .map(id -> h("bad id", doc(id, "", file("\"a.bin\"", "1", ""), "[\"local://m\"]")));
    }

    static Gen<Hostile> notUtf8() {
        return Gen.combine(Gen.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc3, 0x28},
                        new byte[] {(byte) 0x80}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                        new byte[] {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                        new byte[] {(byte) 0xe2, (byte) 0x82}), Gen.ints(0, 200), (bad, at) -> {
                    byte[] valid = withFile("\"a.bin\"").getBytes(StandardCharsets.UTF_8);
                    int i = Math.min(at, valid.length);
                    byte[] out = new byte[valid.length + bad.length];
                    System.arraycopy(valid, 0, out, 0, i);
                    System.arraycopy(bad, 0, out, i, bad.length);
                    System.arraycopy(valid, i, out, i + bad.length, valid.length - i);
                    return new Hostile("not UTF-8", out);
                });
    }

    static Gen<Hostile> truncated() {
        String valid = withFile("\"a.bin\"");
        int cut = valid.indexOf("[models.\"m@1.0.0\".sources]");
        int model = valid.indexOf("[models.");
        return Gen.ints(model + 1, cut).map(n -> h("truncated at " + n, valid.substring(0, n)));
    }

    static Gen<Hostile> badPatterns() {
        Gen<String> listed = Gen.of("[z-a]", "[!]", "a[9-0]b", "*".repeat(1025), "[" + "\u00ff-\u0001]",
                "x".repeat(2000));
        Gen<String> ranges = Gen.chars('b', 'z')
                .map(hi -> "*[" + hi + "-" + (char) (hi - 1) + "]*");
        return Gen.oneOf(listed, ranges).map(p -> h("bad allow_pattern",
                doc(ID, "allow_patterns = [" + q(p) + "]", file("\"a.bin\"", "1", ""), "[\"local://m\"]")));
    }

    static Gen<Hostile> badDigests() {
        Gen<String> hex = Gen.strings("0123456789abcdef", 0, 70)
                .filter(s -> s.length() != 64);
        Gen<String> nonHex = Gen.strings("0123456789abcdefg ", 64, 64).filter(s -> !s.matches("[0-9a-f]{64}"));
        return Gen.oneOf(hex, nonHex).map(s -> h("bad sha256",
                doc(ID, "", file("\"a.bin\"", "1", "sha256 = " + q(s)), "[\"local://m\"]")));
    }

    static Gen<Hostile> collisions() {
        return Gen.combine(prefixes(), names(), Gen.of("duplicate", "case", "file-under-file"), (pre, name, kind) -> {
                    String a = pre + name;
                    String b = switch (kind) {
                        case "duplicate" -> a;
                        case "case" -> a.toUpperCase().equals(a) ? null : a.toUpperCase();
                        default -> a + "/x.bin";
                    };
                    return b == null ? null : h("collision: " + kind,
                            doc(ID, "", file(q(a), "1", "") + file(q(b), "1", ""), "[\"local://m\"]"));
                })
                .filter(c -> c != null);
    }

    static Gen<Hostile> brokenSyntax() {
        String valid = withFile("\"a.bin\"");
        return Gen.combine(Gen.of("\"abc", "[[", "= =", "key = ", "\"\"\"unterminated", "}", "]]]",
                        "[models", "a = 1\na = 2", "x = '\n'", "\u0000", "[models.\"m@1.0.0\"]",
                        "x = [1, \"a\"", "x = {a = 1,}", "x = 1979-13-45", "x = \"\\q\""),
                        Gen.ints(0, 3), (junk, where) -> {
                    List<String> lines = new ArrayList<>(List.of(valid.split("\n")));
                    lines.add(Math.min(where * 3, lines.size()), junk);
                    return h("broken syntax", String.join("\n", lines) + "\n");
                });
    }

    static Gen<Hostile> badSchema() {
        return Gen.of("0", "2", "-1", "\"1\"", "1.0", "[1]", "99999999999999999999", "true")
                .map(v -> h("schema_version = " + v, withFile("\"a.bin\"").replace("schema_version = 1", "schema_version = " + v)));
    }
}
