package dev.wan.source.s3;

import dev.wan.source.RetryPolicy;
import dev.wan.source.SourceContext;
import java.time.Duration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The SDK clients of one session, sharing one HTTP connection pool: {@link #metadata()} retries
 * HeadObject / ListObjectsV2 itself (the context's {@link RetryPolicy}, the same as the
 * downloader's), {@link #data()} never retries. Response checksum validation is off: ranged GETs
 * carry no checksum to validate, and wan hashes every byte itself.
 */
final class S3Clients implements AutoCloseable {
    /** Several files at once, each over {@code connectionsPerFile} connections, plus metadata requests. */
    static final int MIN_POOL = 64;

    private final SdkHttpClient http;
    private final S3Client metadata;
    private final S3Client data;
    private final int metadataAttempts;

    private S3Clients(SdkHttpClient http, S3Client metadata, S3Client data, int metadataAttempts) {
        this.http = http;
        this.metadata = metadata;
        this.data = data;
        this.metadataAttempts = metadataAttempts;
    }

    static S3Clients create(S3Settings settings, SourceContext context) {
        SdkHttpClient http = HttpClients.create(context,
                Math.max(MIN_POOL, context.parallelFiles() * context.maxConnectionsPerFile() + 8));
        // The SDK retries metadata requests itself: with the same policy as every other source.
        RetryPolicy retry = context.retry();
        int attempts = 1 + retry.attempts();
        Duration base = retry.base().isZero() ? Duration.ofMillis(1) : retry.base(); // the SDK wants > 0
        BackoffStrategy backoff = BackoffStrategy.exponentialDelayHalfJitter(base, retry.cap());
        RetryStrategy retrying = AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(attempts)
                .backoffStrategy(backoff).throttlingBackoffStrategy(backoff).circuitBreakerEnabled(false).build();
        return new S3Clients(http, build(settings, http, retrying), build(settings, http, AwsRetryStrategy.doNotRetry()),
                attempts);
    }

    private static S3Client build(S3Settings settings, SdkHttpClient http, RetryStrategy retry) {
        S3ClientBuilder b = S3Client.builder().httpClient(http).region(settings.region())
                .credentialsProvider(settings.credentials())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(c -> c.retryStrategy(retry));
        if (settings.endpoint() != null) {
            b.endpointOverride(settings.endpoint()).forcePathStyle(true);
        }
        return b.build();
    }

    S3Client metadata() {
        return metadata;
    }

    S3Client data() {
        return data;
    }

    int metadataAttempts() {
        return metadataAttempts;
    }

    @Override
    public void close() {
        metadata.close();
        data.close();
        http.close();
    }
}
