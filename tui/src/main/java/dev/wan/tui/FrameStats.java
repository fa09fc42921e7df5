package dev.wan.tui;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * When frames were painted: time from JVM start to the first frame and to the first full one
 * (store read), and the interval between frames. What the benchmark reports ({@code --stats}).
 */
final class FrameStats {
    private static final int KEEP = 100_000;
    private final long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
    private final long[] at = new long[KEEP];
    private int count;
    private long firstMillis = -1;
    private long firstFullMillis = -1;

    synchronized void painted(boolean empty) {
        long now = System.currentTimeMillis();
        if (firstMillis < 0) {
            firstMillis = now - jvmStartMillis;
        }
        if (!empty && firstFullMillis < 0) {
            firstFullMillis = now - jvmStartMillis;
        }
        if (count < KEEP) {
            at[count] = System.nanoTime();
        }
        count++;
    }

    /** One JSON object: {@code {"frames":…,"firstFrameMillis":…,"firstFullFrameMillis":…,"intervalMillis":{…}}}. */
    synchronized String json() {
        int n = Math.min(count, KEEP);
        double[] gaps = new double[Math.max(0, n - 1)];
        for (int i = 1; i < n; i++) {
            gaps[i - 1] = (at[i] - at[i - 1]) / 1e6;
        }
        Arrays.sort(gaps);
        double mean = Arrays.stream(gaps).average().orElse(0);
        return String.format(Locale.ROOT, "{\"frames\":%d,\"firstFrameMillis\":%d,\"firstFullFrameMillis\":%d,"
                        + "\"intervalMillis\":{\"mean\":%.1f,\"p50\":%.1f,\"p95\":%.1f,\"max\":%.1f}}",
                count, firstMillis, firstFullMillis, mean, pct(gaps, 0.5), pct(gaps, 0.95), pct(gaps, 1.0));
    }

    private static double pct(double[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }
}
