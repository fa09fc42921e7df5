package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.WanException;
import dev.wan.event.EventListener;
import dev.wan.event.WanEvent;
import dev.wan.internal.io.JsonTree;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One ensure asked for over HTTP ({@code POST /models/ID/ensure}): its id, and what its event
 * stream said so far, for {@code GET /jobs/ID}. It listens to its own ensurer only, so every event
 * it hears is about its model and variant. Listeners must be fast and never throw: each event
 * updates a few fields under this object's monitor.
 */
final class ServeJob implements EventListener {
    /** Where a job is; the JSON shows the name. */
    enum State {
        QUEUED, RUNNING, SUCCEEDED, FAILED;

        boolean done() {
            return this == SUCCEEDED || this == FAILED;
        }
    }

    /** The model and variant a job ensures: one job at a time per key (a second request joins it). */
    record Key(String model, String variant) {
    }

    private final String id;
    private final Key key;
    private final Clock clock;
    private final Instant created;
    private State state = State.QUEUED;
    private Instant started;
    private Instant finished;
    private int filesNeeded;
    private int filesDone;
    private long bytesNeeded;
    private long bytesDone;
    private String currentFile;
    /** The holder line of the lock this job waits for, until its first file starts. */
    private String waitingFor;
    /** When the first byte arrived: the rate is bytes since then over the time since then. */
    private Instant firstByte;
    private Path path;
    private WanException error;

    ServeJob(String id, Key key, Clock clock) {
        this.id = id;
        this.key = key;
        this.clock = clock;
        this.created = clock.instant();
    }

    String id() {
        return id;
    }

    Key key() {
        return key;
    }

    /** The path clients poll. */
    String url() {
        return JobEndpoints.JOBS + "/" + id;
    }

    synchronized State state() {
        return state;
    }

    synchronized void running() {
        state = State.RUNNING;
        started = clock.instant();
    }

    synchronized void succeeded(Path directory) {
        state = State.SUCCEEDED;
        finished = clock.instant();
        path = directory;
        currentFile = null;
        waitingFor = null;
        bytesDone = Math.max(bytesDone, bytesNeeded); // batched progress: the last delta may not have been sent
        filesDone = Math.max(filesDone, filesNeeded);
    }

    synchronized void failed(WanException e) {
        state = State.FAILED;
        finished = clock.instant();
        error = e;
        currentFile = null;
        waitingFor = null;
    }

    @Override
    public synchronized void on(WanEvent event) {
        if (event instanceof WanEvent.EnsureStarted e) {
            filesNeeded = e.filesNeeded();
            bytesNeeded = e.bytesNeeded();
            waitingFor = null;
        } else if (event instanceof WanEvent.LockWaiting e) {
            waitingFor = e.holder().strip();
        } else if (event instanceof WanEvent.FileStarted e) {
            currentFile = e.path();
            waitingFor = null;
        } else if (event instanceof WanEvent.BytesTransferred e) {
            if (firstByte == null) {
                firstByte = e.at();
            }
            bytesDone += e.delta();
            currentFile = e.path(); // the file whose bytes arrived last is the one moving
        } else if (event instanceof WanEvent.FileCompleted e) {
            filesDone++;
        }
    }

    /** What {@code GET /jobs/ID} shows now: one consistent copy, taken under the monitor. */
    synchronized ObjectNode json() {
        ObjectNode doc = JsonTree.object();
        doc.put("id", id);
        doc.put("url", url());
        doc.put("model", key.model());
        doc.put("variant", key.variant());
        doc.put("state", state.name());
        doc.put("createdAt", created.toString());
        doc.put("startedAt", started == null ? null : started.toString());
        doc.put("finishedAt", finished == null ? null : finished.toString());
        ObjectNode p = doc.putObject("progress");
        p.put("filesNeeded", filesNeeded);
        p.put("filesDone", Math.min(filesDone, filesNeeded));
        p.put("bytesNeeded", bytesNeeded);
        p.put("bytesDone", Math.min(bytesDone, bytesNeeded)); // re-hashed bytes count too; never past the total
        p.put("currentFile", currentFile);
        p.put("bytesPerSecond", rate());
        doc.put("waitingForLock", waitingFor);
        doc.put("path", path == null ? null : path.toString());
        if (error != null) {
            ObjectNode e = doc.putObject("error");
            e.put("code", error.code().name());
            e.put("exitCode", error.code().exitCode());
            e.put("message", error.getMessage());
            e.put("hint", error.hint());
        } else {
            doc.putNull("error");
        }
        return doc;
    }

    /** Bytes a second since the first byte arrived, while running; null before that and once done. */
    private Long rate() {
        if (state != State.RUNNING || firstByte == null) {
            return null;
        }
        long millis = Duration.between(firstByte, clock.instant()).toMillis();
        return millis < 1000 ? null : bytesDone * 1000 / millis; // no guessed rate in the first second
    }
}
