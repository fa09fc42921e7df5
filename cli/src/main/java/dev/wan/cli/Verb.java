package dev.wan.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * What every verb has: the shared options, its picocli spec, and where it prints. Subclasses
 * implement {@link #call()}; picocli injects the annotated fields of this class too.
 */
abstract class Verb implements Callable<Integer>, WanCli.WithCommon {
    @Mixin
    Common common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Common common() {
        return common;
    }

    Output output() {
        return common.output(spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
