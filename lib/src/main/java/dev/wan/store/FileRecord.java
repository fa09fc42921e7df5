package dev.wan.store;

/**
 * What wan knows about one file at a model's final path: the size and mtime it had when its
 * content was checked, the digest found, how it was checked and where it came from.
 *
 * @param check   "sha256" when the content matched the manifest's hash, "upstream-sha256" when it
 *                matched the digest the source stated, "size" when only the size could be checked
 *                (no digest anywhere), "corrupt" when the last verify found a mismatch
 * @param source  the source that served the file, with the resolved revision when it has one
 *                (e.g. {@code hf://org/repo@<commit>}); query strings are never recorded
 * @param how     how the bytes got there: copied, linked (hardlink), downloaded, adopted (found in place)
 */
public record FileRecord(long size, String sha256, String check, long mtimeMillis, String verifiedAt,
                         String source, String how) {
    public static final String SHA256 = "sha256";
    /** No sha256 in the manifest; the source stated one (Hub X-Linked-Etag, S3 checksum) and it matched. */
    public static final String UPSTREAM_SHA256 = "upstream-sha256";
    public static final String SIZE_ONLY = "size";
    public static final String CORRUPT = "corrupt";

    public boolean corrupt() {
        return CORRUPT.equals(check);
    }

    public FileRecord markedCorrupt(String actualSha256, String at) {
        return new FileRecord(size, actualSha256, CORRUPT, mtimeMillis, at, source, how);
    }
}
