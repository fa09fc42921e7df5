package dev.wan.ensure;

import dev.wan.store.Check;
import java.time.Instant;

/** One file of a model as {@code status} sees it. */
public record FileStatus(String path, long size, FileState state, boolean optional, String component,
                         Instant verifiedAt, String source, Check check) {
}
