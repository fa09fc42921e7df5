package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.event.WanEvent;
import dev.wan.manifest.ModelId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bar's row on a terminal of known width: redrawn in place, cleared before other lines and after a resize. */
class ProgressTest {
    private static final long GIB = 1L << 30;
    private static final ModelId MODEL = ModelId.parse("big@1.0.0");
    private static final String FILE = "weights/model-00001-of-00001.safetensors";

    private static final class FixedScreen implements Progress.Screen {
        volatile int columns;

        FixedScreen(int columns) {
            this.columns = columns;
        }

        @Override
        public int columns() {
            return columns;
        }

        @Override
        public boolean resizing() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    private final StringWriter out = new StringWriter();
    private final FixedScreen screen = new FixedScreen(80);

    private Progress started() {
        Progress p = new Progress(new PrintWriter(out), screen, StandardCharsets.UTF_8, false);
        p.on(new WanEvent.EnsureStarted(Instant.now(), MODEL, "default", 1, GIB, GIB));
        p.on(new WanEvent.FileStarted(Instant.now(), MODEL, FILE, GIB, "file:///src"));
        p.on(new WanEvent.BytesTransferred(Instant.now(), MODEL, FILE, GIB / 4));
        return p;
    }

    /** What was drawn, one entry per {@code \r}, without escape sequences. */
    private List<String> rows() {
        return Arrays.stream(out.toString().split("\r")).map(r -> r.replaceAll("\033\\[\\d*[A-Za-z]", "")).toList();
    }

    @Test
    void aWarningClearsTheRowFirstAndTheBarIsRedrawnBelowIt() {
        Progress p = started();
        p.tick();

        p.on(new WanEvent.Warning(Instant.now(), MODEL, "the source is slow"));
        p.tick();
        p.close();

        String s = out.toString();
        int warning = s.indexOf("wan: big@1.0.0: warning: the source is slow\n");
        assertTrue(warning > 0 && s.substring(0, warning).endsWith("\r\033[J"), s);
        assertTrue(s.substring(warning).contains("%"), "the bar comes back after the warning: " + s);
        assertTrue(s.endsWith("\n"), "the final figures stay, followed by a new line");
    }

    @Test
    void everyRowFitsOneColumnLessThanTheTerminal() {
        Progress p = started();

        p.tick();
        screen.columns = 40;
        p.tick();
        p.close();

        for (String row : rows()) {
            String line = row.replace("\n", "");
            assertTrue(StatusLine.width(line) <= 79, line);
        }
        assertTrue(rows().stream().anyMatch(r -> r.contains("25%") && StatusLine.width(r.strip()) <= 39), rows().toString());
    }

    @Test
    void afterAResizeToFewerColumnsTheRowsTheOldRowWasReflowedOntoAreErased() {
        Progress p = started();
        p.tick();
        String wide = rows().get(rows().size() - 1);
        int before = out.getBuffer().length();

        screen.columns = 60;
        p.tick();

        String after = out.toString().substring(before);
        int wrapped = (StatusLine.width(wide) - 1) / 60; // the 80-column row took this many extra rows at 60
        assertEquals(1, wrapped, wide);
        assertTrue(after.startsWith("\r\033[1A\033[J\r"), "up over the reflowed rows, then erase: " + after.replace("\033", "ESC"));
        p.close();
    }
}
