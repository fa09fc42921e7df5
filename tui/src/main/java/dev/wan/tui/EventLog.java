package dev.wan.tui;

import java.time.Instant;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;

/** The dashboard's bounded log of what happened, newest last. GUI thread only. */
final class EventLog {
    enum Level { INFO, OK, WARN, ERROR }

    record Line(Instant at, Level level, String text) {
    }

    private final int capacity;
    private final ArrayDeque<Line> lines = new ArrayDeque<>();

    EventLog(int capacity) {
        this.capacity = capacity;
    }

    void add(Instant at, Level level, String text) {
        lines.addLast(new Line(at, level, text));
        while (lines.size() > capacity) {
            lines.removeFirst();
        }
    }

    int size() {
        return lines.size();
    }

    /** {@code count} lines ending {@code back} lines before the newest. */
    List<Line> window(int count, int back) {
        List<Line> all = new ArrayList<>(lines);
        int end = Math.max(0, all.size() - back);
        int start = Math.max(0, end - count);
        return all.subList(start, end);
    }
}
