package dev.wan.internal.manifest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;

/**
 * An array read by {@link PlainToml}: strings, or tables from {@code [[...]]} headers. It answers
 * tomlj's interface so that {@link ManifestParser} reads either parser's result the same way.
 */
@SuppressWarnings("deprecation") // tomlj deprecates the containsX queries it still requires
final class PlainTomlArray implements TomlArray {
    private final List<Object> items = new ArrayList<>();
    private final List<TomlPosition> positions = new ArrayList<>();
    /** Made by {@code [[...]]} headers, so a later header of the same name may append to it. */
    final boolean ofTables;

    PlainTomlArray(boolean ofTables) {
        this.ofTables = ofTables;
    }

    void add(Object item, TomlPosition at) {
        items.add(item);
        positions.add(at);
    }

    Object last() {
        return items.get(items.size() - 1);
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public boolean isEmpty() {
        return items.isEmpty();
    }

    @Override
    public boolean containsStrings() {
        return !ofTables && !items.isEmpty();
    }

    @Override
    public boolean containsLongs() {
        return false;
    }

    @Override
    public boolean containsDoubles() {
        return false;
    }

    @Override
    public boolean containsBooleans() {
        return false;
    }

    @Override
    public boolean containsOffsetDateTimes() {
        return false;
    }

    @Override
    public boolean containsLocalDateTimes() {
        return false;
    }

    @Override
    public boolean containsLocalDates() {
        return false;
    }

    @Override
    public boolean containsLocalTimes() {
        return false;
    }

    @Override
    public boolean containsArrays() {
        return false;
    }

    @Override
    public boolean containsTables() {
        return ofTables && !items.isEmpty();
    }

    @Override
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public TomlPosition inputPositionOf(int index) {
        return positions.get(index);
    }

    /** The items themselves, tables included, as tomlj's toList gives them. */
    @Override
    public List<Object> toList() {
        return Collections.unmodifiableList(items);
    }
}
