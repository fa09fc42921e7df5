///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS dev.wan:wan-tui:0.1.0-SNAPSHOT

// The dashboard as a JBang script: `jbang wan-tui@org` (catalog alias) and `./wan tui` run this
// code. Everything lives in the wan-tui jar built from tui/ (on top of the core jar from lib/).
class wan_tui {
    public static void main(String[] args) {
        dev.wan.tui.WanTui.main(args);
    }
}
