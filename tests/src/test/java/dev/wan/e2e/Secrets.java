package dev.wan.e2e;

import dev.wan.testkit.s3.S3ProxyServer;
import java.util.List;

/**
 * Recognisable fake secrets. Tests that configure credentials use these values, and every CLI run
 * of the suite ({@link Cli#run}) fails if any of them appears in what the process printed: a token,
 * key or presigned signature must never reach a log line, an error or a JSON document.
 */
public final class Secrets {
    public static final String HF_TOKEN = "hf_wanCanaryToken0123456789abcdefXYZ";
    static final String AWS_SECRET = "wanCanarySecretKey/0123456789+abcdefXYZ";
    static final String AWS_SESSION = "wanCanarySessionToken0123456789";
    static final String PRESIGNED_SIGNATURE = "wanCanarySignature0123456789abcdef";
    /** The parts that must never show; an access key id is not secret by itself, but we hide it too. */
    static final String AWS_KEY_ID_TAIL = "CANARYKEYID";
    /** A secret key the S3 test server does not know, for runs that must fail with AUTH_FAIL. */
    public static final String S3_WRONG_SECRET = "wanS3WrongSecretCanary0123456789abcdefXYZ";

    static final List<String> ALL = List.of(HF_TOKEN, AWS_SECRET, AWS_SESSION, PRESIGNED_SIGNATURE,
            "AKIA" + AWS_KEY_ID_TAIL, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY, S3_WRONG_SECRET);

    private Secrets() {
    }

    static void assertNoneIn(String what, String text) {
        for (String secret : ALL) {
            if (text.contains(secret)) {
                throw new AssertionError(what + " printed a secret (" + secret.substring(0, 6) + "…):\n" + text);
            }
        }
    }
}
