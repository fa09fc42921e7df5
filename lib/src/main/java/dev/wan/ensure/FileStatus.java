package dev.wan.ensure;

/** One file of a model as {@code status} sees it. */
public record FileStatus(String path, long size, FileState state, boolean optional, String component,
                         String verifiedAt, String source, String check) {
}
