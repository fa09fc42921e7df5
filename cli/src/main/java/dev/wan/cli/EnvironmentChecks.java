package dev.wan.cli;

import dev.wan.WanConfig;
import dev.wan.WanException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The diagnose checks about the programs and the settings: versions of wan, Java and JBang; configuration. */
final class EnvironmentChecks {
    static final Duration JBANG_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_VERSION_BYTES = 4096;
    /** Variables shown as they are (with where they came from) besides WAN_*: they steer sources and logs. */
    private static final List<String> SHOWN = List.of("WAN_LOCAL_ROOT", "WAN_HOME", "WAN_LOG_FILE", "WAN_LOG_FORMAT",
            "WAN_LOG_LEVEL", "HF_ENDPOINT", "HF_HOME", "HF_TOKEN_PATH", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE",
            "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_NO_SIGN_REQUEST", "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE");

    private EnvironmentChecks() {
    }

    static Finding wanVersion() {
        return Finding.pass("wan", new WanCli.Version().getVersion()[0], List.of());
    }

    static Finding javaVersion() {
        Runtime.Version v = Runtime.version();
        String vendor = System.getProperty("java.vendor", "?");
        List<String> details = List.of("java.home=" + System.getProperty("java.home"),
                "java.vm.name=" + System.getProperty("java.vm.name"));
        String message = "Java " + v + " (" + vendor + ")";
        if (v.feature() < 17) {
            return Finding.fail("java", dev.wan.ErrorCode.INVALID_CONFIG, message + ": wan needs 17 or later",
                    "install Java 17 or later (JBang installs one: 'jbang jdk install 17')", details);
        }
        return Finding.pass("java", message, details);
    }

    /**
     * JBang runs the catalog scripts. When wan itself was started by JBang its version is in the
     * environment (JBANG_VERSION) or the {@code jbang.version} property; else {@code jbang --version}
     * from PATH, given {@link #JBANG_TIMEOUT}. Not finding it is a warning: the CLI runs without it.
     */
    static Finding jbang(Map<String, String> env) {
        String fromEnv = env.get("JBANG_VERSION");
        if (fromEnv == null) {
            fromEnv = System.getProperty("jbang.version");
        }
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Finding.pass("jbang", "JBang " + fromEnv.strip() + " (the one running wan)", List.of());
        }
        Path exe = onPath(env.get("PATH"), "jbang");
        String fix = "install JBang (https://www.jbang.dev/download) to run the catalog scripts"
                + " ('jbang wan@org', 'jbang wan-tui@org'); the CLI itself does not need it";
        if (exe == null) {
            return Finding.warn("jbang", "not found on PATH", fix, List.of());
        }
        Path output = null;
        try {
            // output to a file, not a pipe: a jbang that never closes its stdout cannot hold the report
            output = Files.createTempFile("wan-diagnose-jbang", ".txt");
            Process p = new ProcessBuilder(exe.toString(), "--version").redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(JBANG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return Finding.warn("jbang", exe + " --version did not answer within "
                        + JBANG_TIMEOUT.toSeconds() + "s", "run 'jbang --version' to see what it waits for", List.of());
            }
            byte[] out;
            try (InputStream in = Files.newInputStream(output)) {
                out = in.readNBytes(MAX_VERSION_BYTES);
            }
            String version = new String(out, StandardCharsets.UTF_8).strip();
            String lastLine = version.isEmpty() ? "?" : version.lines().reduce((a, b) -> b).orElse("?").strip();
            if (p.exitValue() != 0) {
                return Finding.warn("jbang", exe + " --version exited with " + p.exitValue(), fix, List.of(lastLine));
            }
            return Finding.pass("jbang", "JBang " + lastLine + " (" + exe + ")", List.of());
        } catch (IOException e) {
            return Finding.warn("jbang", exe + " cannot be run: " + e.getMessage(), fix, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Finding.warn("jbang", "interrupted while asking " + exe + " for its version", fix, List.of());
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a few bytes in the temp directory
                }
            }
        }
    }

    private static Path onPath(String path, String name) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * The settings in effect and where each came from (flag, env, default); secret variables only
     * as set or unset. A bad setting is this check's failure (exit 3), not the end of the report.
     */
    static Finding configuration(Map<String, String> env, Path rootFlag, Path manifestFlag, Result<WanConfig> config) {
        if (config.error() != null) {
            WanException e = config.error();
            return Finding.fail("configuration", e.code(), e.getMessage(), e.hint(), List.of());
        }
        WanConfig c = config.value();
        List<String> d = new ArrayList<>();
        d.add("MODELS_ROOT=" + c.modelsRoot() + " (" + (rootFlag != null ? "flag --root"
                : env.get("MODELS_ROOT") != null ? "env" : "default") + ")");
        d.add("WAN_MODELS_MANIFEST=" + c.manifest() + " (" + (manifestFlag != null ? "flag --manifest"
                : blank(env.get("WAN_MODELS_MANIFEST")) ? "default" : "env") + ")");
        d.add("local:// root=" + c.localRoot() + " (" + (blank(env.get("WAN_LOCAL_ROOT")) ? "default" : "env") + ")");
        for (String s : c.settings().describe()) {
            d.add(s.endsWith(" (default)") ? s : s + " (env)");
        }
        for (String name : SHOWN) {
            if (!name.equals("WAN_LOCAL_ROOT") && !blank(env.get(name))) {
                d.add(name + "=" + env.get(name).strip() + " (env)");
            }
        }
        for (String name : SecretMask.KNOWN) {
            if (env.get(name) != null) {
                d.add(name + " " + SecretMask.describe(env.get(name)) + " (env)");
            }
        }
        return Finding.pass("configuration", "settings valid; models root " + c.modelsRoot(), d);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** A value or the error resolving it: later checks skip what a bad configuration leaves unknown. */
    record Result<T>(T value, WanException error) {
    }
}
