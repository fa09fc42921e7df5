///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//CDS
//JAVA_OPTIONS -Xlog:cds=off -Xlog:cds+dynamic=off
//DEPS dev.wan:wan-cli:0.1.0-SNAPSHOT

// The wan CLI as a JBang script: ./wan (or `jbang wan.java`, `jbang wan@org`) runs this.
// All logic lives in the CLI jar (cli/) on top of the core jar (lib/). The dashboard is its own
// script and jar (tui/wan-tui.java, catalog alias wan-tui), so the CLI never downloads or loads
// lanterna; `./wan tui` in a checkout runs that script.
// //CDS: JBang writes a class-data-sharing archive of the classes the first run loaded and maps it
// on every later run (faster start-up; picocli comes as wan-picocli, compiled for Java 17, so it is
// archived too); the -Xlog options keep the JVM's CDS warnings (an archive made from jars that
// have since changed, which ./wan then removes so JBang makes it again) off stdout, which belongs
// to --json.
// No other //JAVA_OPTIONS on purpose: -XX:TieredStopAtLevel=1 would cut SHA-256 from ~1.7 GB/s
// to ~0.14 GB/s (no C2 intrinsic).
class wan {
    public static void main(String[] args) {
        dev.wan.cli.WanCli.main(args);
    }
}
