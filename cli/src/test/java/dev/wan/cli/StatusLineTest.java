package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.OptionalDouble;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The bar's row as a pure function: it wrapped and scrolled an 80-column terminal (it was sized for no
 * terminal), printed "?" for its blocks under LANG=C, named the first file started rather than the one
 * moving, and said "ETA ?" before anything had moved.
 */
class StatusLineTest {
    private static final long GIB = 1L << 30;
    private static final String LONG_NAME = "wan2.2-t2v-a14b@2.2.0 high_noise_model/diffusion_pytorch_model-00003-of-00006.safetensors";
    private static final StatusLine.Snapshot MOVING = new StatusLine.Snapshot(LONG_NAME, 379 * (GIB / 1024), GIB,
            OptionalDouble.of(410.2 * 1024 * 1024));

    @ParameterizedTest
    @ValueSource(ints = {40, 60, 80, 120})
    void theRowFitsOneColumnLessThanTheTerminalInEitherCharset(int columns) {
        for (Charset charset : new Charset[] {StandardCharsets.UTF_8, StandardCharsets.US_ASCII}) {
            String row = StatusLine.render(MOVING, columns, charset);

            assertTrue(StatusLine.width(row) <= columns - 1, columns + " columns, " + charset + ": " + row);
            assertTrue(row.contains(" 37% 379 MiB/1.0 GiB"), row);
        }
    }

    @Test
    void eachWidthShowsWhatFitsAndCutsTheFileNameFromTheLeft() {
        assertEquals("████████░░░░░░░░░░░░░░░░  37% 379 MiB/1.0 GiB 410 MiB/s ETA 0:02 …el/diffusion_pytorch_model"
                + "-00003-of-00006.safetensors",
                StatusLine.render(MOVING, 120, StandardCharsets.UTF_8));
        assertEquals("█████░░░░░░░░░░░  37% 379 MiB/1.0 GiB 410 MiB/s ETA 0:02 …-of-00006.safetensors",
                StatusLine.render(MOVING, 80, StandardCharsets.UTF_8));
        assertEquals("████░░░░░░░░  37% 379 MiB/1.0 GiB 410 MiB/s ETA 0:02",
                StatusLine.render(MOVING, 60, StandardCharsets.UTF_8));
        assertEquals(" 37% 379 MiB/1.0 GiB 410 MiB/s ETA 0:02",
                StatusLine.render(MOVING, 40, StandardCharsets.UTF_8));
    }

    @Test
    void otherFilesUnderWayAreCountedAfterTheNameAndTheRowStillFits() {
        StatusLine.Snapshot three = new StatusLine.Snapshot(LONG_NAME, 2, 379 * (GIB / 1024), GIB,
                OptionalDouble.of(410.2 * 1024 * 1024));

        assertEquals("█████░░░░░░░░░░░  37% 379 MiB/1.0 GiB 410 MiB/s ETA 0:02 …-00006.safetensors +2",
                StatusLine.render(three, 80, StandardCharsets.UTF_8));
        for (int columns = 20; columns <= 140; columns++) {
            assertTrue(StatusLine.width(StatusLine.render(three, columns, StandardCharsets.UTF_8)) <= columns - 1);
        }
    }

    @Test
    void underAnAsciiCharsetTheBarIsHashesAndDashesAndTheEllipsisThreeDots() {
        String row = StatusLine.render(MOVING, 80, StandardCharsets.US_ASCII);

        assertEquals("#####-----------  37% 379 MiB/1.0 GiB 410 MiB/s ETA 0:02 ...f-00006.safetensors", row);
        assertTrue(row.chars().allMatch(c -> c >= 0x20 && c < 0x7f), row);
    }

    @Test
    void aNameTheCharsetCannotShowIsMeasuredAsItWillBePrinted() {
        StatusLine.Snapshot s = new StatusLine.Snapshot("模型@1.0.0 权重/模型文件-第三部分.safetensors", 0, GIB,
                OptionalDouble.empty());

        for (int columns : new int[] {40, 60, 80, 120}) {
            String ascii = StatusLine.render(s, columns, StandardCharsets.US_ASCII);
            String utf8 = StatusLine.render(s, columns, StandardCharsets.UTF_8);

            assertTrue(ascii.length() <= columns - 1 && ascii.chars().allMatch(c -> c < 0x7f), ascii);
            assertTrue(StatusLine.width(utf8) <= columns - 1, utf8); // CJK takes two columns each
        }
    }

    @Test
    void noRateAndNoEtaUntilThereIsARate() {
        StatusLine.Snapshot starting = new StatusLine.Snapshot("demo-t2v@1.0.0 model.bin", 0, GIB, OptionalDouble.empty());

        String row = StatusLine.render(starting, 80, StandardCharsets.UTF_8);

        assertEquals("░░░░░░░░░░░░░░░░   0% 0 B/1.0 GiB demo-t2v@1.0.0 model.bin", row);
        assertFalse(Progress.plain(starting).contains("ETA"), Progress.plain(starting));
    }

    @Test
    void aStalledTransferShowsItsZeroRateButPromisesNoEta() {
        StatusLine.Snapshot stalled = new StatusLine.Snapshot("m@1.0.0 f", GIB / 2, GIB, OptionalDouble.of(0));

        assertEquals(" 50% 512 MiB/1.0 GiB 0 B/s", Progress.plain(stalled).replaceFirst("^", " "));
        assertFalse(StatusLine.render(stalled, 120, StandardCharsets.UTF_8).contains("ETA"));
    }

    @Test
    void theRateWindowHasNoRateBeforeBytesHaveMovedForASecond() {
        RateWindow w = new RateWindow();
        long s = 1_000_000_000L;

        w.sample(0, 0);
        w.sample(s / 5, 0);
        assertTrue(w.rate().isEmpty(), "nothing moved yet");
        w.sample(2 * s / 5, 4096);
        w.sample(3 * s / 5, 8192);
        assertTrue(w.rate().isEmpty(), "moving for less than a second");
        w.sample(7 * s / 5, 100 * 4096 + 4096);

        assertEquals(100 * 4096 / 1.0, w.rate().getAsDouble(), 1e-6);
    }
}
