package dev.wan.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How often the dashboard re-reads the store: at most 5 % of the time, but one slow read is not a trend. */
class ReadIntervalTest {
    private static final long MIN = TimeUnit.SECONDS.toNanos(2);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aSlowFirstReadInAColdJvmDoesNotPostponeTheSecond() {
        assertEquals(MIN, Dashboard.nextReadNanos(MIN, 500 * MS, 0));
    }

    @Test
    void oneSlowReadBetweenFastOnesKeepsTheMinimum() {
        assertEquals(MIN, Dashboard.nextReadNanos(MIN, 800 * MS, 30 * MS));
    }

    @Test
    void readsThatStaySlowSpendAtMostAFiftiethOfTheTime() {
        assertEquals(20 * 400 * MS, Dashboard.nextReadNanos(MIN, 500 * MS, 400 * MS));
    }
}
