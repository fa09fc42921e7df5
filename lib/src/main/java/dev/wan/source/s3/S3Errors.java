package dev.wan.source.s3;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.http.RetryAfter;
import dev.wan.source.TransientSourceException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns what the SDK throws into wan's errors: permanent ones as {@link WanException} (the caller
 * fails over), passing ones as {@link TransientSourceException} (the caller retries). Messages are
 * built here from the S3 error code and status, never from request details, so they cannot carry
 * a key, a token or a signature.
 */
final class S3Errors {
    static final String AUTH_HINT = "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or "
            + "AWS_PROFILE and ~/.aws/credentials, and that AWS_ENDPOINT_URL (or WAN_S3_ENDPOINT_<BUCKET>) points at "
            + "the server that holds these keys; 'wan models test-auth' shows which credentials are in use";
    private static final Set<String> AUTH = Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch",
            "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled", "AccountProblem",
            "InvalidSecurity", "MissingSecurityHeader", "NotSignedUp", "AuthorizationHeaderMalformed");
    private static final Set<String> THROTTLED = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "RequestLimitExceeded", "TooManyRequests", "TooManyRequestsException");

    private S3Errors() {
    }

    /**
     * The wan error for a failed request about {@code what} ({@code s3://bucket/key}); either a
     * {@link WanException} or a {@link TransientSourceException}.
     */
    static Exception map(SdkException e, String what, S3Settings settings) {
        if (e instanceof S3Exception s3) {
            return mapService(s3, what, settings);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException
                || rootCause(e) instanceof SocketTimeoutException) {
            return new TransientSourceException(ErrorCode.NETWORK_TIMEOUT, what + ": no answer from "
                    + settings.endpointDisplay() + " in time", null);
        }
        if (e instanceof SdkClientException && isCredentialsProblem(e)) {
            return new WanException(ErrorCode.AUTH_FAIL, what + ": no AWS credentials found ("
                    + settings.credentialsDescription() + ")", AUTH_HINT);
        }
        Throwable root = rootCause(e);
        return new TransientSourceException(ErrorCode.SOURCE_UNAVAILABLE, what + ": cannot reach "
                + settings.endpointDisplay() + ": " + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : " " + firstLine(root.getMessage())), null);
    }

    /** As {@link #map} for a failure the SDK already retried: a passing kind becomes final, with its code. */
    static WanException mapFinal(SdkException e, String what, S3Settings settings, int attempts) {
        Exception mapped = map(e, what, settings);
        if (mapped instanceof WanException w) {
            return w;
        }
        TransientSourceException t = (TransientSourceException) mapped;
        return new WanException(t.code(), t.getMessage() + " (gave up after " + attempts + " tries)",
                "retry later, or put another source first in sources.priority");
    }

    /** An I/O error while reading an object's body: the connection broke, timed out or was aborted. */
    static IOException mapRead(IOException e, String what, long at, S3Settings settings) {
        if (e instanceof TransientSourceException || e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            return e;
        }
        if (e instanceof SocketTimeoutException) {
            return new TransientSourceException(ErrorCode.NETWORK_TIMEOUT, what + ": no data from "
                    + settings.endpointDisplay() + " at byte " + at, null);
        }
        TransientSourceException t = new TransientSourceException(ErrorCode.SOURCE_UNAVAILABLE, what
                + ": the connection broke at byte " + at + " (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage())) + ")", null);
        return t;
    }

    private static Exception mapService(S3Exception e, String what, S3Settings settings) {
        int status = e.statusCode();
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String said = code == null ? "HTTP " + status : code + " (HTTP " + status + ")";
        if (code != null && AUTH.contains(code) || code == null && (status == 401 || status == 403)) {
            return new WanException(ErrorCode.AUTH_FAIL, what + ": " + settings.endpointDisplay() + " refused the "
                    + "request: " + said + " with " + settings.credentialsDescription(), AUTH_HINT);
        }
        if ("NoSuchBucket".equals(code)) {
            return noSuchBucket(what, settings);
        }
        if ("NoSuchKey".equals(code) || status == 404) {
            return new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": no such object at "
                    + settings.endpointDisplay() + " (" + said + ")", "check the prefix in the source URI");
        }
        if (code != null && THROTTLED.contains(code) || status == 429) {
            return new TransientSourceException(ErrorCode.RATE_LIMIT, what + ": the server asks to slow down: "
                    + said, retryAfter(e));
        }
        if ("RequestTimeout".equals(code) || status == 408) {
            return new TransientSourceException(ErrorCode.NETWORK_TIMEOUT, what + ": " + said, retryAfter(e));
        }
        if (status >= 500) {
            return new TransientSourceException(ErrorCode.SOURCE_UNAVAILABLE, what + ": server error " + said,
                    retryAfter(e));
        }
        if ("PermanentRedirect".equals(code) || status == 301) {
            return new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": the bucket is in another region ("
                    + said + ")", "set AWS_REGION to the bucket's region");
        }
        return new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": " + settings.endpointDisplay()
                + " answered " + said, "", List.of(), null);
    }

    static WanException noSuchBucket(String what, S3Settings settings) {
        return new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": no bucket '" + settings.bucket() + "' at "
                + settings.endpointDisplay(), "check the bucket name, and AWS_ENDPOINT_URL or "
                + S3Settings.endpointVariable(settings.bucket()));
    }

    private static Duration retryAfter(S3Exception e) {
        if (e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null) {
            return null;
        }
        var response = e.awsErrorDetails().sdkHttpResponse();
        return RetryAfter.parse(response.firstMatchingHeader("RateLimit").orElse(null),
                response.firstMatchingHeader("Retry-After").orElse(null));
    }

    private static boolean isCredentialsProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("Unable to load credentials") || m.contains("Unable to load AWS credentials")
                    || m.contains("Profile file contained no credentials") || m.contains("credentials provider"))) {
                return true;
            }
        }
        return false;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
