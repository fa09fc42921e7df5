package dev.wan.source.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.source.TransientSourceException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Issue 10, finding 6: S3 reads a server's wait with the same parser as HTTP and the Hub (it ignored HTTP dates). */
class S3RetryAfterTest {
    private static final S3Settings SETTINGS = new S3Settings("b", null, Region.US_EAST_1,
            AnonymousCredentialsProvider.create(), "anonymous");

    private static TransientSourceException slowDown(String header, String value) {
        SdkHttpResponse response = SdkHttpResponse.builder().statusCode(503).putHeader(header, value).build();
        S3Exception e = (S3Exception) S3Exception.builder().statusCode(503)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("SlowDown").sdkHttpResponse(response).build())
                .build();
        return assertInstanceOf(TransientSourceException.class, S3Errors.map(e, "GET s3://b/k", SETTINGS));
    }

    @Test
    void aRetryAfterDateIsAWaitLikeOverHttp() {
        String inTwoMinutes = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(2));

        TransientSourceException e = slowDown("Retry-After", inTwoMinutes);

        assertEquals(ErrorCode.RATE_LIMIT, e.code());
        assertTrue(e.retryAfter() != null && e.retryAfter().compareTo(Duration.ofSeconds(60)) > 0
                && e.retryAfter().compareTo(Duration.ofMinutes(2)) <= 0, String.valueOf(e.retryAfter()));
    }

    @Test
    void aServerAskingForAnHourWaitsTheSameFiveMinutesAtMostAsOverHttp() {
        assertEquals(Duration.ofMinutes(5), slowDown("Retry-After", "3600").retryAfter());
    }
}
