package dev.wan.internal.manifest;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * A table read by {@link PlainToml}, keys in file order as tomlj keeps them. The root is also the
 * parse result: PlainToml reports no errors, it hands anything doubtful to tomlj instead.
 */
final class PlainTomlTable implements TomlParseResult {
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, TomlPosition> positions = new LinkedHashMap<>();
    /** Named by a {@code [header]} of its own (or the root): a second header for it is tomlj's to judge. */
    final boolean explicit;

    PlainTomlTable(boolean explicit) {
        this.explicit = explicit;
    }

    Object value(String key) {
        return values.get(key);
    }

    void put(String key, Object value, TomlPosition at) {
        values.put(key, value);
        positions.put(key, at);
    }

    @Override
    public List<TomlParseError> errors() {
        return List.of();
    }

    @Override
    public int size() {
        return values.size();
    }

    @Override
    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public Set<String> keySet() {
        return Collections.unmodifiableSet(values.keySet());
    }

    @Override
    public Set<List<String>> keyPathSet(boolean includeTables) {
        Set<List<String>> paths = new LinkedHashSet<>();
        entryPathSet(includeTables).forEach(e -> paths.add(e.getKey()));
        return paths;
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        return Collections.unmodifiableMap(values).entrySet();
    }

    @Override
    public Set<Map.Entry<List<String>, Object>> entryPathSet(boolean includeTables) {
        Set<Map.Entry<List<String>, Object>> entries = new LinkedHashSet<>();
        values.forEach((key, value) -> {
            if (value instanceof PlainTomlTable t) {
                if (includeTables) {
                    entries.add(new AbstractMap.SimpleImmutableEntry<>(List.of(key), value));
                }
                t.entryPathSet(includeTables).forEach(e -> {
                    List<String> path = new java.util.ArrayList<>();
                    path.add(key);
                    path.addAll(e.getKey());
                    entries.add(new AbstractMap.SimpleImmutableEntry<>(List.copyOf(path), e.getValue()));
                });
            } else {
                entries.add(new AbstractMap.SimpleImmutableEntry<>(List.of(key), value));
            }
        });
        return entries;
    }

    @Override
    public Object get(List<String> path) {
        Object at = this;
        for (String key : path) {
            if (!(at instanceof PlainTomlTable t)) {
                return null;
            }
            at = t.values.get(key);
        }
        return at;
    }

    @Override
    public TomlPosition inputPositionOf(List<String> path) {
        if (path.isEmpty()) {
            return TomlPosition.positionAt(1, 1);
        }
        Object parent = get(path.subList(0, path.size() - 1));
        return parent instanceof PlainTomlTable t ? t.positions.get(path.get(path.size() - 1)) : null;
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        values.forEach((key, value) -> map.put(key, value instanceof TomlTable t ? t.toMap()
                : value instanceof TomlArray a ? a.toList() : value));
        return map;
    }
}
