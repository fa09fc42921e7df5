package dev.wan.source.s3;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.source.SourceContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;

/**
 * How to reach one bucket, read from {@link SourceContext#env} only (never the process
 * environment, so tests and embedding applications control it):
 *
 * <ul>
 *   <li>Endpoint: {@code WAN_S3_ENDPOINT_<BUCKET>} (bucket upper-cased, every character other than
 *       A-Z and 0-9 replaced by {@code _}; e.g. {@code WAN_S3_ENDPOINT_TEAM_MODELS} for
 *       {@code team-models}), else {@code AWS_ENDPOINT_URL_S3}, else {@code AWS_ENDPOINT_URL}, else
 *       AWS itself. With an endpoint set, requests use path-style addressing (MinIO, S3Proxy, Ceph).</li>
 *   <li>Region: {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION}, else {@code us-east-1}.</li>
 *   <li>Credentials: {@code AWS_NO_SIGN_REQUEST=true} → anonymous; {@code AWS_ACCESS_KEY_ID} +
 *       {@code AWS_SECRET_ACCESS_KEY} (+ {@code AWS_SESSION_TOKEN}) → those keys; {@code AWS_PROFILE}
 *       → that profile of {@code AWS_CONFIG_FILE} / {@code AWS_SHARED_CREDENTIALS_FILE} (default
 *       {@code ~/.aws/config}, {@code ~/.aws/credentials}); else the SDK's default chain
 *       (process environment, system properties, ~/.aws, web identity, container and instance roles).</li>
 * </ul>
 *
 * {@link #toString()} and {@link #credentialsDescription()} never show a secret.
 */
record S3Settings(String bucket, URI endpoint, Region region, AwsCredentialsProvider credentials,
                  String credentialsDescription) {
    static final String DEFAULT_REGION = "us-east-1";

    static S3Settings from(String bucket, SourceContext context) {
        return new S3Settings(bucket, endpoint(bucket, context), region(context), provider(context),
                describeCredentials(context));
    }

    /** The environment variable that overrides the endpoint of one bucket. */
    static String endpointVariable(String bucket) {
        return "WAN_S3_ENDPOINT_" + bucket.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The endpoint as it may be shown: scheme, host and port, never user info or a query. */
    String endpointDisplay() {
        if (endpoint == null) {
            return "AWS S3 (" + region.id() + ")";
        }
        return endpoint.getScheme() + "://" + endpoint.getHost() + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort());
    }

    @Override
    public String toString() {
        return "s3://" + bucket + " via " + endpointDisplay() + ", credentials " + credentialsDescription;
    }

    private static URI endpoint(String bucket, SourceContext context) {
        for (String name : new String[] {endpointVariable(bucket), "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
            String value = context.env(name);
            if (value != null) {
                return parseEndpoint(name, value.strip());
            }
        }
        return null;
    }

    private static URI parseEndpoint(String name, String value) {
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new WanException(ErrorCode.INVALID_CONFIG, name + " is not an http(s)://host[:port] URL",
                    "set e.g. " + name + "=http://127.0.0.1:9000");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null) {
            throw new WanException(ErrorCode.INVALID_CONFIG, name + " must not carry user info or a query",
                    "give the keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the endpoint as http(s)://host[:port]");
        }
        return uri;
    }

    private static Region region(SourceContext context) {
        String r = context.env("AWS_REGION");
        if (r == null) {
            r = context.env("AWS_DEFAULT_REGION");
        }
        return Region.of(r == null ? DEFAULT_REGION : r.strip());
    }

    private static AwsCredentialsProvider provider(SourceContext context) {
        if ("true".equalsIgnoreCase(context.env("AWS_NO_SIGN_REQUEST"))) {
            return AnonymousCredentialsProvider.create();
        }
        String id = context.env("AWS_ACCESS_KEY_ID");
        String secret = context.env("AWS_SECRET_ACCESS_KEY");
        if (id != null && secret != null) {
            String token = context.env("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(token == null ? AwsBasicCredentials.create(id, secret)
                    : AwsSessionCredentials.create(id, secret, token));
        }
        if (id != null || secret != null) {
            throw new WanException(ErrorCode.AUTH_FAIL, (id == null ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID")
                    + " is set but " + (id == null ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is not",
                    "set both, or neither and use AWS_PROFILE / ~/.aws");
        }
        String profile = context.env("AWS_PROFILE");
        ProfileFile profiles = profileFile(context);
        if (profile != null) {
            return ProfileCredentialsProvider.builder().profileFile(profiles).profileName(profile.strip()).build();
        }
        return DefaultCredentialsProvider.builder().profileFile(profiles).build();
    }

    /** The profile files named in the context's environment (or the defaults under its HOME). */
    private static ProfileFile profileFile(SourceContext context) {
        String home = context.env("HOME") != null ? context.env("HOME") : System.getProperty("user.home");
        Path config = Path.of(or(context.env("AWS_CONFIG_FILE"), home + "/.aws/config"));
        Path credentials = Path.of(or(context.env("AWS_SHARED_CREDENTIALS_FILE"), home + "/.aws/credentials"));
        ProfileFile.Aggregator all = ProfileFile.aggregator();
        if (Files.isRegularFile(config)) {
            all.addFile(ProfileFile.builder().content(config).type(ProfileFile.Type.CONFIGURATION).build());
        }
        if (Files.isRegularFile(credentials)) {
            all.addFile(ProfileFile.builder().content(credentials).type(ProfileFile.Type.CREDENTIALS).build());
        }
        return all.build();
    }

    private static String describeCredentials(SourceContext context) {
        if ("true".equalsIgnoreCase(context.env("AWS_NO_SIGN_REQUEST"))) {
            return "anonymous (AWS_NO_SIGN_REQUEST)";
        }
        String id = context.env("AWS_ACCESS_KEY_ID");
        if (id != null) {
            return "AWS_ACCESS_KEY_ID " + mask(id) + (context.env("AWS_SESSION_TOKEN") != null
                    ? " with AWS_SESSION_TOKEN" : "") + " (env)";
        }
        String profile = context.env("AWS_PROFILE");
        if (profile != null) {
            return "profile " + profile.strip() + " (AWS_PROFILE)";
        }
        return "AWS default credential chain (~/.aws, instance or container role)";
    }

    /** {@code AKIA****WXYZ}: enough to tell keys apart, never enough to use one. */
    static String mask(String secret) {
        String s = secret.strip();
        return s.length() < 12 ? "****" : s.substring(0, 4) + "****" + s.substring(s.length() - 4);
    }

    private static String or(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
