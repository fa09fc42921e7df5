package dev.wan.tui;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live progress of one ensure (or verify) run by this dashboard, folded from its events:
 * totals, each file, the source in use, retries and failovers, and a rate over the last few
 * seconds. Lives on the GUI thread only.
 */
final class Transfer {
    private static final Duration RATE_WINDOW = Duration.ofSeconds(5);

    /** One file being fetched (or done). */
    static final class FileProgress {
        final String path;
        final long size;
        String source;
        long done;
        boolean finished;

        FileProgress(String path, long size, String source) {
            this.path = path;
            this.size = size;
            this.source = source;
        }
    }

    private record Sample(Instant at, long bytes) {
    }

    final String variant;
    /** ENSURING or VERIFYING: what the state column and the progress line say. */
    final String verb;
    private final Map<String, FileProgress> files = new LinkedHashMap<>();
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private long bytesNeeded;
    private long bytesDone;
    private int filesNeeded;
    private int filesDone;
    private int failovers;

    Transfer(String variant, Instant started, String verb) {
        this.variant = variant;
        this.verb = verb;
        samples.add(new Sample(started, 0));
    }

    void started(int files, long bytes) {
        filesNeeded = files;
        bytesNeeded = bytes;
    }

    void fileStarted(String path, long size, String source) {
        if (verifying()) { // a verify hashes one file after the other: starting one ends the last
            for (FileProgress done : files.values()) {
                if (!done.finished) {
                    done.finished = true;
                    filesDone++;
                }
            }
        }
        FileProgress f = files.get(path);
        if (f == null) {
            files.put(path, new FileProgress(path, size, source));
        } else {
            f.source = source; // failover: the next source starts the file again
            bytesDone -= f.done;
            f.done = 0;
        }
    }

    void bytes(Instant at, String path, long delta) {
        FileProgress f = files.get(path);
        if (f != null) {
            f.done += delta;
        }
        bytesDone += delta;
        samples.addLast(new Sample(at, bytesDone));
        while (samples.size() > 2 && samples.getFirst().at().isBefore(at.minus(RATE_WINDOW))) {
            samples.removeFirst();
        }
    }

    void sourceFailed() {
        failovers++;
    }

    void fileCompleted(String path, long size, String source) {
        FileProgress f = files.computeIfAbsent(path, p -> new FileProgress(p, size, source));
        f.finished = true;
        f.source = source;
        filesDone++;
    }

    boolean verifying() {
        return "VERIFYING".equals(verb);
    }

    List<FileProgress> files() {
        return List.copyOf(files.values());
    }

    long bytesNeeded() {
        return bytesNeeded;
    }

    long bytesDone() {
        return bytesDone;
    }

    int filesNeeded() {
        return filesNeeded;
    }

    int filesDone() {
        return filesDone;
    }

    int failovers() {
        return failovers;
    }

    /** The source of the file most recently started and not finished, else of the last one. */
    String sourceInUse() {
        String last = null;
        for (FileProgress f : files.values()) {
            if (!f.finished) {
                last = f.source;
            }
        }
        return last;
    }

    /** Bytes per second over the last few seconds; 0 before there is anything to measure. */
    double rate(Instant now) {
        Sample first = samples.getFirst();
        Sample last = samples.getLast();
        long millis = Duration.between(first.at(), now.isAfter(last.at()) ? now : last.at()).toMillis();
        return millis <= 0 ? 0 : (last.bytes() - first.bytes()) * 1000.0 / millis;
    }

    /** Remaining time at the current rate, or null when unknown. */
    Duration eta(Instant now) {
        double rate = rate(now);
        long left = bytesNeeded - bytesDone;
        if (rate <= 0 || left <= 0) {
            return null;
        }
        return Duration.ofMillis((long) (left / rate * 1000));
    }

    double fraction() {
        return bytesNeeded <= 0 ? 0 : Math.min(1.0, (double) bytesDone / bytesNeeded);
    }
}
