package dev.wan.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "test-auth", mixinStandardHelpOptions = true,
        description = {"Show which credentials each source uses and whether it accepts them.",
                "Credentials are masked; each source is opened and one file stat'ed, nothing is downloaded.",
                "Exit 6 when any source refuses."})
final class TestAuthCommand extends Verb {
    @Mixin
    Selection selection;

    @Override
    public Integer call() {
        return TestSourcesCommand.run(this, selection, "test-auth", false);
    }
}
