///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS dev.wan:wan-lib:0.1.0-SNAPSHOT
//DEPS dev.wan:wan-tui:0.1.0-SNAPSHOT

// The wan CLI as a JBang script: ./wan (or `jbang wan.java`, `jbang wan@org`) runs this.
// All logic lives in the core jar built from lib/; `wan tui` opens the dashboard from tui/
// (the core jar cannot know the dashboard: it sits on top of lib's public API).
// No //JAVA_OPTIONS on purpose: -XX:TieredStopAtLevel=1 would cut SHA-256 from ~1.7 GB/s
// to ~0.14 GB/s (no C2 intrinsic).
class wan {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("tui")) {
            dev.wan.tui.WanTui.main(java.util.Arrays.copyOfRange(args, 1, args.length));
        } else {
            dev.wan.cli.WanCli.main(args);
        }
    }
}
