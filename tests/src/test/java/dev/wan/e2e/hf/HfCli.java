package dev.wan.e2e.hf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The wan CLI as its own JVM ({@code java -cp … dev.wan.cli.WanCli}) with a clean environment: no
 * HF, wan or AWS variable of the developer's leaks in; the test gives exactly what it means.
 */
final class HfCli {
    /** A recognisable fake token: it must never appear in anything the CLI prints. */
    static final String TOKEN = "hf_wanCanaryToken0123456789abcdefXYZ";

    private HfCli() {
    }

    static ProcessBuilder builder(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp",
                Files.readString(Path.of(System.getProperty("wan.cli.classpath.file"))).strip(), "dev.wan.cli.WanCli"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("WAN_") || k.startsWith("HF_")
                || k.startsWith("HUGGING") || k.equals("MODELS_ROOT"));
        pb.environment().putAll(env);
        return pb;
    }

    static Process start(Map<String, String> env, Path out, Path err, String... args) throws IOException {
        return builder(env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    /** Exit code, stdout and stderr of a finished run. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Runs to the end; fails if the output shows the token. */
    static Result run(Map<String, String> env, Path dir, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = start(env, out, err, args);
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("wan " + String.join(" ", args) + " did not finish in 3 minutes");
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        if ((r.stdout() + r.stderr()).contains(TOKEN)) {
            throw new AssertionError("wan printed the Hub token:\n" + r);
        }
        return r;
    }
}
