package dev.wan.source;

/**
 * One file as a source describes it. {@code sha256} is the upstream content digest when the
 * source states one (a Hub LFS file's X-Linked-Etag, an S3 object's whole-object
 * x-amz-checksum-sha256), else null; never an ETag that is not a sha256 (S3 multipart ETags, git
 * blob sha1s).
 */
public record RemoteFile(String path, long size, String sha256) {
}
