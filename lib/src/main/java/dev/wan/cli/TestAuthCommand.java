package dev.wan.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "test-auth", mixinStandardHelpOptions = true,
        description = {"Show which credentials each source uses (masked) and whether the source accepts them",
                "(open + stat of the first file; nothing downloaded). Exit 6 when any source refuses."})
final class TestAuthCommand implements Callable<Integer>, WanCli.WithCommon {
    @Mixin
    Common common;

    @Mixin
    Selection selection;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Common common() {
        return common;
    }

    @Override
    public Integer call() {
        return TestSourcesCommand.run(common, selection, spec, "test-auth", false);
    }
}
