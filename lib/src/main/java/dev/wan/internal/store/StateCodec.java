package dev.wan.internal.store;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.internal.io.JsonTree;
import dev.wan.manifest.ModelId;
import dev.wan.store.Check;
import dev.wan.store.Placement;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses a state file into a {@link ModelRecord}, checking every field by hand: a state file is
 * written by wan but lives in a directory others can write, so a record is only believed when it is
 * wholly well-formed. The first problem found is the reason the state is reported as damaged.
 *
 * <p>Writes the same format field by field ({@link #write}): enums by their wire names, times as
 * {@link Instant#toString}, absent values left out. A file written by an earlier wan re-writes byte
 * for byte (see the golden files in the tests); a time written with another precision or offset
 * reads as the same instant and is re-written in {@code Instant} form.
 */
public final class StateCodec {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** A parsed record, or the reason there is none. */
    public record Parsed(ModelRecord record, String problem) {
    }

    /** Thrown inside the codec only: the message is the reason given to the user. */
    private static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;

        Bad(String reason) {
            super(reason, null, false, false);
        }
    }

    private StateCodec() {
    }

    public static Parsed parse(byte[] bytes, ModelId expected) {
        JsonNode root;
        try {
            root = JsonTree.read(bytes);
        } catch (JsonEOFException e) {
            return bad("truncated JSON at byte " + offset(e, bytes));
        } catch (JsonParseException e) {
            return bad("not valid JSON at byte " + offset(e, bytes) + " (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            return bad("not valid JSON (" + e.getMessage() + ")");
        }
        if (root == null || root.isMissingNode()) {
            return bad("empty (0 bytes of JSON)");
        }
        try {
            return new Parsed(record(root, expected), null);
        } catch (Bad e) {
            return bad(e.getMessage());
        }
    }

    private static Parsed bad(String reason) {
        return new Parsed(null, reason);
    }

    private static long offset(JsonProcessingException e, byte[] bytes) {
        long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
        if (at < 0 && e.getLocation() != null) {
            at = e.getLocation().getCharOffset();
        }
        return at < 0 ? bytes.length : at;
    }

    private static ModelRecord record(JsonNode root, ModelId expected) throws Bad {
        if (!root.isObject()) {
            throw new Bad("not a JSON object (found " + kind(root) + ")");
        }
        JsonNode schema = root.get("schema");
        if (schema == null || !schema.isIntegralNumber()) {
            throw new Bad("field 'schema' is " + kind(schema) + ", expected the number " + ModelRecord.SCHEMA);
        }
        if (schema.asLong() != ModelRecord.SCHEMA) {
            throw new Bad("schema " + schema.asText() + " is not the one this wan writes (" + ModelRecord.SCHEMA + ")");
        }
        String model = text(root, "model", false);
        if (!expected.toString().equals(model)) {
            throw new Bad("model field '" + printable(model) + "' does not match file name (" + expected + ")");
        }
        List<String> variants = new ArrayList<>();
        JsonNode vs = root.get("variants");
        if (vs != null && !vs.isNull()) {
            if (!vs.isArray()) {
                throw new Bad("field 'variants' is " + kind(vs) + ", expected an array of names");
            }
            for (JsonNode v : vs) {
                if (!v.isTextual()) {
                    throw new Bad("field 'variants' holds " + kind(v) + ", expected names");
                }
                variants.add(v.asText());
            }
        }
        Map<String, FileRecord> files = new LinkedHashMap<>();
        JsonNode fs = root.get("files");
        if (fs != null && !fs.isNull()) {
            if (!fs.isObject()) {
                throw new Bad("field 'files' is " + kind(fs) + ", expected an object of path → record");
            }
            for (Map.Entry<String, JsonNode> e : fs.properties()) {
                files.put(checkedPath(e.getKey()), file(e.getKey(), e.getValue()));
            }
        }
        JsonNode pinned = root.get("pinned");
        if (pinned != null && !pinned.isNull() && !pinned.isBoolean()) {
            throw new Bad("field 'pinned' is " + kind(pinned) + ", expected true or false");
        }
        return new ModelRecord(ModelRecord.SCHEMA, model, variants, files, instant(root, "completedAt", null),
                instant(root, "lastUsed", null), pinned != null && pinned.asBoolean());
    }

    private static FileRecord file(String path, JsonNode n) throws Bad {
        String where = "file '" + printable(path) + "'";
        if (n == null || !n.isObject()) {
            throw new Bad(where + " has " + kind(n) + " for a record");
        }
        long size = number(n, "size", where);
        if (size < 0) {
            throw new Bad(where + " has a negative size");
        }
        String sha = text(n, "sha256", true);
        if (sha != null && !SHA256.matcher(sha).matches()) {
            throw new Bad(where + " has a sha256 that is not 64 lowercase hex digits");
        }
        String check = text(n, "check", true);
        Check checked = check == null ? null : Check.ofWire(check)
                .orElseThrow(() -> new Bad(where + " has an unknown check '" + printable(check) + "'"));
        String how = text(n, "how", true);
        Placement placed = how == null ? null : Placement.ofWire(how)
                .orElseThrow(() -> new Bad(where + " has an unknown how '" + printable(how) + "'"));
        return new FileRecord(size, sha, checked, number(n, "mtimeMillis", where), instant(n, "verifiedAt", where),
                text(n, "source", true), placed, text(n, "inode", true), text(n, "linking", true));
    }

    /**
     * An optional ISO-8601 time ({@code 2026-11-26T19:40:00.123456789Z}, or with an offset);
     * {@code where} names the file record, null for a top-level field.
     */
    private static Instant instant(JsonNode n, String field, String where) throws Bad {
        String t = text(n, field, true);
        if (t == null) {
            return null;
        }
        try {
            Instant written = Instants.parseUtc(t);
            return written != null ? written : Instant.parse(t);
        } catch (DateTimeParseException e) {
            String found = "'" + printable(t) + "'";
            throw new Bad((where == null ? "field '" + field + "' is " + found : where + " has " + found + " for '"
                    + field + "'") + ", expected an ISO-8601 time");
        }
    }

    /** The state file's bytes: pretty-printed JSON in the field order of the records, nulls left out. */
    public static byte[] write(ModelRecord r) throws IOException {
        ObjectNode root = JsonTree.object();
        root.put("schema", r.schema());
        root.put("model", r.model());
        var variants = root.putArray("variants");
        r.variants().forEach(variants::add);
        ObjectNode files = root.putObject("files");
        r.files().forEach((path, f) -> {
            if (f != null) {
                file(files.putObject(path), f);
            }
        });
        putIfPresent(root, "completedAt", r.completedAt());
        putIfPresent(root, "lastUsed", r.lastUsed());
        root.put("pinned", r.pinned());
        return JsonTree.prettyBytes(root);
    }

    private static void file(ObjectNode n, FileRecord f) {
        n.put("size", f.size());
        putIfPresent(n, "sha256", f.sha256());
        putIfPresent(n, "check", f.check() == null ? null : f.check().wire());
        n.put("mtimeMillis", f.mtimeMillis());
        putIfPresent(n, "verifiedAt", f.verifiedAt());
        putIfPresent(n, "source", f.source());
        putIfPresent(n, "how", f.how() == null ? null : f.how().wire());
        putIfPresent(n, "inode", f.inode());
        putIfPresent(n, "linking", f.linking());
    }

    private static void putIfPresent(ObjectNode n, String field, Object value) {
        if (value != null) {
            n.put(field, value.toString());
        }
    }

    /** A path inside a model directory, as the manifest would accept it. */
    private static String checkedPath(String path) throws Bad {
        boolean ok = !path.isEmpty() && path.length() <= 4096 && !path.startsWith("/") && !path.contains("\\")
                && path.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
        if (ok) {
            for (String part : path.split("/", -1)) {
                if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                    ok = false;
                    break;
                }
            }
        }
        if (!ok) {
            throw new Bad("file path '" + printable(path) + "' is not a relative path inside the model directory");
        }
        return path;
    }

    private static long number(JsonNode n, String field, String where) throws Bad {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new Bad(where + " has " + kind(v) + " for '" + field + "', expected a whole number");
        }
        return v.asLong();
    }

    private static String text(JsonNode n, String field, boolean nullable) throws Bad {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (nullable) {
                return null;
            }
            throw new Bad("field '" + field + "' is missing");
        }
        if (!v.isTextual()) {
            throw new Bad("field '" + field + "' is " + kind(v) + ", expected a string");
        }
        return v.asText();
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "missing";
        }
        return switch (n.getNodeType()) {
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Quoted text from an untrusted file, shortened and with control characters escaped. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        if (s.length() <= 80 && s.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            return s; // the common case, once per file record of every state read: no copy
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 80 ? b + "…" : b.toString();
    }
}
