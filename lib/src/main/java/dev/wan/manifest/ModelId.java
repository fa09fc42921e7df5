package dev.wan.manifest;

import java.util.regex.Pattern;

/** A model identifier {@code name@x.y.z}, e.g. {@code t2v-A14B@2.2.0}. */
public record ModelId(String name, String version) implements Comparable<ModelId> {
    /**
     * Characters (all ASCII) of {@code name@x.y.z}. The store derives file names from an id, the
     * longest {@code .state/<id>.json.tmp-<pid>-<tid>} (id + 37 bytes); 200 keeps every one within
     * the 255-byte NAME_MAX with room to spare.
     */
    public static final int MAX_LENGTH = 200;
    private static final Pattern FORMAT = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9_-]*)@(\\d+\\.\\d+\\.\\d+)$");

    public ModelId {
        if (!isValid(name + "@" + version)) {
            throw new IllegalArgumentException("not a model id: " + name + "@" + version);
        }
    }

    public static boolean isValid(String text) {
        return text != null && text.length() <= MAX_LENGTH && FORMAT.matcher(text).matches();
    }

    /** Parses {@code name@x.y.z}; throws IllegalArgumentException with the expected format otherwise. */
    public static ModelId parse(String text) {
        var m = text == null ? null : FORMAT.matcher(text);
        if (m == null || !m.matches() || text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("'" + text + "' is not a model id: expected name@x.y.z, e.g. t2v-A14B@2.2.0"
                    + ", at most " + MAX_LENGTH + " characters");
        }
        return new ModelId(m.group(1), m.group(2));
    }

    // Written out, not left to the record: the generated ones bootstrap through method handles on
    // first use, measured at some 20 ms of every command's start-up (ids are map keys everywhere).
    @Override
    public boolean equals(Object o) {
        return o instanceof ModelId other && name.equals(other.name) && version.equals(other.version);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + version.hashCode();
    }

    @Override
    public int compareTo(ModelId o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        return name + "@" + version;
    }
}
