package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.ErrorCode;
import dev.wan.manifest.ManifestProblem;
import dev.wan.manifest.Manifests;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "validate-manifest", mixinStandardHelpOptions = true,
        description = {"Check a manifest and report ALL problems at once, each as file:line:column.",
                "Unknown keys are warnings. Exit 0 when valid, 3 when it has errors."})
final class ValidateManifestCommand extends Verb {
    @Parameters(paramLabel = "FILE", arity = "0..1", description = "Manifest to check (default: the configured one).")
    Path file;

    @Override
    public Integer call() {
        Output o = output();
        Path target = file != null ? file.toAbsolutePath().normalize() : common.config(null).manifest();
        Manifests.Report report = Manifests.validate(target);
        if (o.json) {
            ObjectNode doc = o.document("validate-manifest", report.valid());
            doc.put("file", target.toString());
            doc.put("models", report.valid() ? report.manifest().models().size() : 0);
            problems(doc.putArray("errors"), report.errors());
            problems(doc.putArray("warnings"), report.warnings());
            o.print(doc);
        } else {
            report.problems().forEach(p -> o.line(p.toString()));
            o.line(report.valid()
                    ? target + ": valid, " + report.manifest().models().size() + " model(s), "
                            + report.warnings().size() + " warning(s)"
                    : target + ": " + report.errors().size() + " error(s), " + report.warnings().size() + " warning(s)");
        }
        return report.valid() ? WanCli.EXIT_OK : ErrorCode.MANIFEST_VALIDATION_ERROR.exitCode();
    }

    private static void problems(ArrayNode array, List<ManifestProblem> problems) {
        for (ManifestProblem p : problems) {
            ObjectNode n = array.addObject();
            n.put("line", p.line());
            n.put("column", p.column());
            n.put("code", p.code().name());
            n.put("message", p.message());
        }
    }
}
