package dev.wan.source.s3;

import dev.wan.manifest.SourceRef;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.StorageBackend;
import java.util.Set;

/**
 * {@code s3://bucket/prefix}: objects {@code prefix/<file path>} of an S3 bucket, on AWS or on any
 * S3-compatible server (MinIO, Ceph, S3Proxy …) through AWS_ENDPOINT_URL or a per-bucket
 * {@code WAN_S3_ENDPOINT_<BUCKET>}. Configuration: see {@link S3Settings}.
 *
 * <p>Opening is cheap (no request): clients are built, nothing is sent until the first stat.
 */
public final class S3Backend implements StorageBackend {
    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    /**
     * The HTTP endpoint requests for {@code source} go to (the configured one, else AWS's regional
     * endpoint), without user info or query: for a diagnosis that compares the server's clock.
     */
    public static java.net.URI endpoint(SourceRef source, SourceContext context) {
        S3Location location = S3Location.parse(source);
        S3Settings settings = S3Settings.from(location.bucket(), context);
        return settings.endpoint() != null ? settings.endpoint()
                : java.net.URI.create("https://s3." + settings.region().id() + ".amazonaws.com/");
    }

    @Override
    public SourceSession open(SourceRef source, SourceContext context) {
        S3Location location = S3Location.parse(source);
        S3Settings settings = S3Settings.from(location.bucket(), context);
        return new S3Session(source, location, settings, S3Clients.create(settings, context));
    }
}
