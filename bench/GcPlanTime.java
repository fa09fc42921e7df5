import dev.wan.gc.GarbageCollector;
import dev.wan.gc.GcPlan;
import dev.wan.gc.GcPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Helper of bench/gc-dedup.sh: times GarbageCollector.plan() in-process (no JVM start, no manifest),
 * RUNS times in one JVM. Run: java -cp "$classpath" bench/GcPlanTime.java ROOT MAX_SIZE_BYTES RUNS.
 * Prints "plan ms: first=… median(rest)=… deletions=… storeBytes=…".
 */
public class GcPlanTime {
    public static void main(String[] a) {
        Path root = Path.of(a[0]);
        long maxSize = Long.parseLong(a[1]);
        int runs = Integer.parseInt(a[2]);
        GcPolicy policy = new GcPolicy(maxSize, Duration.ofDays(30), null, GcPolicy.DEFAULT_TMP_GRACE);
        double[] ms = new double[runs];
        GcPlan plan = null;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            plan = GarbageCollector.at(root, Clock.systemUTC(), policy).plan();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] rest = java.util.Arrays.copyOfRange(ms, Math.min(1, runs - 1), runs);
        java.util.Arrays.sort(rest);
        System.out.printf("first=%.0f ms, median of the next %d=%.0f ms, deletions=%d, preserved=%d, storeBytes=%d%n",
                ms[0], rest.length, rest[rest.length / 2], plan.deletions().size(), plan.preserved().size(),
                plan.storeBytes());
    }
}
