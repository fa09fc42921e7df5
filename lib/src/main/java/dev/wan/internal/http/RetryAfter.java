package dev.wan.internal.http;

import dev.wan.source.RetryPolicy;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a server asked us to wait, whatever the transport (OkHttp for HTTP and the Hub, the
 * AWS SDK for S3): the IETF {@code RateLimit} header the Hub sends ({@code "resolvers";r=0;t=42}:
 * nothing remaining, the window resets in 42 s), else {@code Retry-After} (seconds or an HTTP
 * date). Null when the server gave no usable hint; capped at {@link RetryPolicy#MAX_SERVER_WAIT}.
 */
public final class RetryAfter {
    private static final Logger LOG = LoggerFactory.getLogger(RetryAfter.class);

    private static final Pattern REMAINING = Pattern.compile("(?:^|;)\\s*r\\s*=\\s*(\\d+)");
    private static final Pattern RESET = Pattern.compile("(?:^|;)\\s*t\\s*=\\s*(\\d+)");

    private RetryAfter() {
    }

    /** From the two header values (either may be null). */
    public static Duration parse(String rateLimit, String retryAfter) {
        if (rateLimit != null) {
            Matcher r = REMAINING.matcher(rateLimit);
            Matcher t = RESET.matcher(rateLimit);
            if (r.find() && Long.parseLong(r.group(1)) == 0 && t.find()) {
                return cap(Duration.ofSeconds(Long.parseLong(t.group(1))));
            }
        }
        if (retryAfter != null) {
            String v = retryAfter.strip();
            if (v.matches("\\d{1,9}")) {
                return cap(Duration.ofSeconds(Long.parseLong(v)));
            }
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return cap(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException swallowed) {
                LOG.debug("Retry-After '{}' is neither seconds nor a date: no hint taken", v, swallowed);
            }
        }
        return null;
    }

    private static Duration cap(Duration d) {
        return d.compareTo(RetryPolicy.MAX_SERVER_WAIT) > 0 ? RetryPolicy.MAX_SERVER_WAIT : d;
    }
}
