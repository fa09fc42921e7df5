package dev.wan.source.s3;

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
 * HeadObject / ListObjectsV2 itself (WAN_RETRIES, WAN_RETRY_BASE_MILLIS: the same knobs as the
 * downloader), {@link #data()} never retries. Response checksum validation is off: ranged GETs
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
        SdkHttpClient http = HttpClients.create(context, Math.max(MIN_POOL, 4 * context.connectionsPerFile() + 8));
        int attempts = 1 + number(context, "WAN_RETRIES", 6);
        Duration base = Duration.ofMillis(Math.max(1, number(context, "WAN_RETRY_BASE_MILLIS", 250)));
        BackoffStrategy backoff = BackoffStrategy.exponentialDelayHalfJitter(base, Duration.ofSeconds(20));
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

    /** A whole number ≥ 0 from the environment; bad values were already reported by the core. */
    private static int number(SourceContext context, String name, int fallback) {
        String v = context.env(name);
        try {
            return v == null ? fallback : Math.max(0, Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    @Override
    public void close() {
        metadata.close();
        data.close();
        http.close();
    }
}
