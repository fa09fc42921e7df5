package dev.wan.gc;

import java.util.List;

/**
 * What a collection did. {@code bytesReclaimed} is counted as files go (a file counts only when its
 * last link is removed); in a dry run it is what the plan would free. {@code deleted} lists the
 * models actually removed, with the bytes each freed.
 */
public record GcResult(boolean dryRun, GcPlan plan, long bytesReclaimed, List<GcPlan.Deletion> deleted,
                       List<GcPlan.Preserved> preserved, List<GcPlan.Leftover> leftoversRemoved) {
    public GcResult {
        deleted = List.copyOf(deleted);
        preserved = List.copyOf(preserved);
        leftoversRemoved = List.copyOf(leftoversRemoved);
    }
}
