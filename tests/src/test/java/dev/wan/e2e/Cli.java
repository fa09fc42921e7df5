package dev.wan.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the wan CLI as its own process, exactly as a user runs it: either the JVM directly
 * ({@code java -cp … dev.wan.cli.WanCli}) or through the repository's {@code ./wan} launcher.
 */
final class Cli {
    static final Path REPO = Path.of(System.getProperty("wan.repo", "..")).toAbsolutePath().normalize();

    private final Map<String, String> env = new HashMap<>();
    private final boolean viaLauncher;

    private Cli(boolean viaLauncher) {
        this.viaLauncher = viaLauncher;
        // A test must never see the developer's own configuration.
        env.put("MODELS_ROOT", "");
        env.put("WAN_MODELS_MANIFEST", "");
        env.put("WAN_LOCAL_ROOT", "");
    }

    static Cli java() {
        return new Cli(false);
    }

    static Cli launcher() {
        return new Cli(true);
    }

    Cli env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** The result of a finished run. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    ProcessBuilder builder(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (viaLauncher) {
            cmd.add(REPO.resolve("wan").toString());
        } else {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-XX:TieredStopAtLevel=1");
            cmd.add("-cp");
            cmd.add(Files.readString(Path.of(System.getProperty("wan.cli.classpath.file"))).strip());
            cmd.add("dev.wan.cli.WanCli");
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        env.forEach((k, v) -> {
            if (v.isEmpty()) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        return pb;
    }

    Process start(Path stdout, Path stderr, String... args) throws IOException {
        return builder(args).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }

    Result run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("wan-out", ".txt");
        Path err = Files.createTempFile("wan-err", ".txt");
        try {
            Process p = start(out, err, args);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("wan " + String.join(" ", args) + " did not finish in 5 minutes");
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Secrets.assertNoneIn("wan " + String.join(" ", args), r.stdout() + r.stderr());
            return r;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
