package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs tests/launcher/launcher-test.sh: a copy of the checkout under a brand-new HOME, so the
 * launcher takes the real first-run path (JBang and the core jar's dependencies from Maven
 * Central), then checks re-runs do no Maven work, arguments with spaces, exit codes, stdin, and
 * that the real home is left alone. Its output is printed so CI logs show the timings.
 */
class LauncherFreshMachineTest {
    @Test
    void launcherWorksOnAFreshHomeAndDoesNothingTwice() throws Exception {
        Path log = Files.createTempFile("launcher-test", ".log");
        ProcessBuilder pb = new ProcessBuilder("sh", Cli.REPO.resolve("tests/launcher/launcher-test.sh").toString());
        pb.environment().clear();
        pb.environment().putAll(Cli.launcher().environment()); // the runner's allow-list: no HF_TOKEN, AWS_*, WAN_*
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        String output = Files.readString(log);
        System.out.println(output);
        Files.deleteIfExists(log);

        assertEquals(true, done, "launcher-test.sh did not finish in 10 minutes\n" + output);
        assertEquals(0, p.exitValue(), output);
    }
}
