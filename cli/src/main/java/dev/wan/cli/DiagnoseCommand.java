package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.internal.io.JsonTree;
import dev.wan.text.TerminalText;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = {"Check everything wan depends on: each check PASS, WARN or FAIL, with the fix to try.",
                "Versions (wan, Java, JBang); configuration and where each setting comes from (secrets masked);"
                        + " MODELS_ROOT (filesystem, free space, permissions, hardlinks); locks and their holders;"
                        + " leftovers in .tmp, .quarantine and .trash; the manifest; every source (as test-auth);"
                        + " the clock against S3.",
                "Changes nothing (but a hardlink probe in .tmp, removed again), takes no lock, hashes nothing.",
                "Exit 0 when no check fails; else the exit code of the first failing check (3 configuration,"
                        + " manifest or a symlinked store directory, 5 store, 6 sources or clock)."})
final class DiagnoseCommand extends Verb {
    @Option(names = "--bundle", paramLabel = "FILE",
            description = "Also write a support archive (zip, mode 0600): the report as text and JSON, system"
                    + " information, the manifest and the end of $WAN_LOG_FILE, secrets masked.")
    Path bundle;

    @Option(names = "--force", description = "With --bundle: replace FILE if it exists.")
    boolean force;

    @Option(names = "--source-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long all source checks may take together (default 30s).")
    Duration sourceTimeout = Duration.ofSeconds(30);

    @Override
    public Integer call() {
        Output o = output();
        Map<String, String> env = WanCli.env(spec);
        SecretMask mask = SecretMask.of(env);
        Diagnosis d = Diagnosis.run(env, common.root, common.manifest, Clock.systemUTC(), sourceTimeout);
        String written = null;
        if (bundle != null) {
            Path target = bundle.toAbsolutePath().normalize();
            String json = render(d.json(o, mask, target.toString()));
            SupportBundle.write(target, force, SupportBundle.entries(d.text(true, mask), json, d.manifest(), env, mask));
            written = target.toString();
        }
        if (o.json) {
            o.print(d.json(o, mask, written));
        } else {
            o.out.print(d.text(o.verbose, mask));
            if (written != null) {
                o.out.println(TerminalText.escape("bundle: " + written));
            }
            o.out.flush();
        }
        return d.exitCode();
    }

    private static String render(ObjectNode doc) {
        StringWriter w = new StringWriter();
        try {
            JsonTree.writeText(doc, TerminalText.JSON_ESCAPES, w, true);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return w + "\n";
    }
}
