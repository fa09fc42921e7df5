package dev.wan.source.s3;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceSession;
import dev.wan.source.TransientSourceException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reading one {@code s3://bucket/prefix} source. Metadata requests (HeadObject, ListObjectsV2) go
 * through a client that retries on its own; object bodies through one that never retries, because
 * the downloader retries a broken range from the exact byte it reached. Ranged reads carry the
 * ETag seen by {@link #stat} as If-Match, so an object replaced mid-download fails instead of
 * mixing two versions.
 */
final class S3Session implements SourceSession {
    private final SourceRef source;
    private final S3Location location;
    private final S3Settings settings;
    private final S3Clients clients;
    private final Map<String, String> etags = new ConcurrentHashMap<>();
    private volatile int listPageSize;

    S3Session(SourceRef source, S3Location location, S3Settings settings, S3Clients clients) {
        this.source = source;
        this.location = location;
        this.settings = settings;
        this.clients = clients;
    }

    @Override
    public SourceRef source() {
        return source;
    }

    @Override
    public RemoteFile stat(String path) throws IOException {
        String key = location.key(path);
        HeadObjectResponse head;
        try {
            head = clients.metadata().headObject(b -> b.bucket(location.bucket()).key(key)
                    .checksumMode(ChecksumMode.ENABLED));
        } catch (SdkException e) {
            if (e instanceof S3Exception s3 && s3.statusCode() == 404 && !bucketExists()) {
                throw S3Errors.noSuchBucket(location.display(path), settings);
            }
            throw S3Errors.mapFinal(e, location.display(path), settings, clients.metadataAttempts());
        }
        if (head.eTag() != null) {
            etags.put(path, head.eTag());
        }
        return new RemoteFile(path, head.contentLength(), wholeObjectSha256(head.checksumSHA256(), head.checksumType()));
    }

    /** A HEAD answers 404 without a body, for a missing key and a missing bucket alike: tell them apart. */
    private boolean bucketExists() {
        try {
            clients.metadata().headBucket(b -> b.bucket(location.bucket()));
            return true;
        } catch (S3Exception e) {
            return e.statusCode() != 404;
        } catch (SdkException e) {
            return true;
        }
    }

    /**
     * The hex sha256 of the whole object, from {@code x-amz-checksum-sha256}: only a full-object
     * checksum is one; a composite (multipart, "…-N") checksum is a hash of part hashes.
     */
    static String wholeObjectSha256(String base64, ChecksumType type) {
        if (base64 == null || base64.isBlank() || type == ChecksumType.COMPOSITE || base64.contains("-")) {
            return null;
        }
        try {
            byte[] digest = Base64.getDecoder().decode(base64.strip());
            return digest.length == 32 ? HexFormat.of().formatHex(digest) : null;
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    @Override
    public InputStream read(String path, long offset, long length) throws IOException {
        String key = location.key(path);
        String what = location.display(path);
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(location.bucket()).key(key);
        boolean ranged = offset > 0 || length >= 0;
        if (ranged) {
            request.range("bytes=" + offset + "-" + (length < 0 ? "" : String.valueOf(offset + length - 1)));
        }
        String etag = etags.get(path);
        if (etag != null) {
            request.ifMatch(etag);
        }
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = clients.data().getObject(request.build());
        } catch (SdkException e) {
            if (preconditionFailed(e)) {
                throw changed(what);
            }
            throw rethrow(S3Errors.map(e, what, settings));
        }
        GetObjectResponse response = in.response();
        long available = response.contentLength() == null ? -1 : response.contentLength();
        if (ranged && !startsAt(response.contentRange(), offset)) {
            if (offset == 0 && response.contentRange() == null && available >= 0) {
                // The whole object although a range was asked for: its first bytes are still the range.
                return new ObjectStream(in, 0, length < 0 ? available : Math.min(length, available), what, settings);
            }
            in.abort();
            throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": asked for bytes from " + offset
                    + ", the server answered " + (response.contentRange() == null ? "with the whole object"
                    : "with range " + response.contentRange()), "a proxy between wan and the S3 server ignores Range "
                    + "requests; fix it or remove that source");
        }
        long expected = length < 0 ? available : length;
        if (available >= 0 && length >= 0 && available < length) {
            expected = available; // a short object: the downloader sees the end and reports it
        }
        return new ObjectStream(in, offset, expected < 0 ? Long.MAX_VALUE : expected, what, settings);
    }

    private static boolean startsAt(String contentRange, long offset) {
        // "bytes 100-199/1000"
        return contentRange != null && contentRange.startsWith("bytes " + offset + "-");
    }

    private static boolean preconditionFailed(SdkException e) {
        return e instanceof S3Exception s3 && s3.statusCode() == 412;
    }

    private static WanException changed(String what) {
        return new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + " changed while it was being downloaded",
                "ensure again to download the new version from the start");
    }

    private static IOException rethrow(Exception mapped) {
        if (mapped instanceof WanException w) {
            throw w;
        }
        return (TransientSourceException) mapped;
    }

    /** Keys per ListObjectsV2 page (0: the server's default, 1000 on AWS); tests make pages small. */
    S3Session listPageSize(int keys) {
        this.listPageSize = keys;
        return this;
    }

    @Override
    public List<RemoteFile> list() throws IOException {
        List<RemoteFile> files = new ArrayList<>();
        String prefix = location.listPrefix();
        String token = null;
        do {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(location.bucket()).prefix(prefix);
            if (token != null) {
                request.continuationToken(token);
            }
            if (listPageSize > 0) {
                request.maxKeys(listPageSize);
            }
            ListObjectsV2Response page;
            try {
                page = clients.metadata().listObjectsV2(request.build());
            } catch (SdkException e) {
                throw S3Errors.mapFinal(e, location.toString(), settings, clients.metadataAttempts());
            }
            for (S3Object o : page.contents()) {
                String rel = o.key().substring(prefix.length());
                if (!rel.isEmpty() && !rel.endsWith("/")) {
                    files.add(new RemoteFile(rel, o.size(), null));
                }
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        files.sort(Comparator.comparing(RemoteFile::path));
        return files;
    }

    @Override
    public String credentials() {
        return settings.credentialsDescription() + " at " + settings.endpointDisplay();
    }

    @Override
    public void close() {
        clients.close();
    }

    @Override
    public String toString() {
        return "S3Session[" + settings + "]";
    }
}
