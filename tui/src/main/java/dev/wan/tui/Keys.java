package dev.wan.tui;

import java.util.List;

/** The dashboard's key bindings: the footer shows the short form, {@code ?} the long one. */
final class Keys {
    record Binding(String keys, String action, String help) {
    }

    static final List<Binding> ALL = List.of(
            new Binding("Up/Down j/k", "move", "select a model (PgUp/PgDn/Home/End too)"),
            new Binding("e", "ensure", "ensure the model (asks which variant when it has several)"),
            new Binding("v", "verify", "re-hash every present file of the model, of every variant"),
            new Binding("p", "pin", "pin / unpin the model (gc never deletes a pinned one)"),
            new Binding("t", "test", "test the model's sources: reach, auth, a ranged read"),
            new Binding("g", "gc", "gc: type a size limit, review the plan, y deletes"),
            new Binding("r", "refresh", "read the store now (it is re-read every few seconds)"),
            new Binding("/", "filter", "filter models by id (Enter keeps it, Esc clears it)"),
            new Binding("s", "sort", "sort by model, state, size on disk, last used"),
            new Binding("Tab", "log", "switch between the table and the event log (scroll)"),
            new Binding("Enter", "read", "the selected event's whole text (Tab, arrows select)"),
            new Binding("?", "help", "this help"),
            new Binding("q", "quit", "quit (asks while work runs; downloads resume later)"));

    private Keys() {
    }

    /** {@code e ensure  v verify ... ? help  q quit} within {@code width}: help and quit always show. */
    static String footer(int width) {
        List<Binding> actions = ALL.subList(1, ALL.size() - 2);
        String tail = "  ? help  q quit";
        StringBuilder sb = new StringBuilder();
        for (Binding b : actions) {
            String item = (sb.length() == 0 ? " " : "  ") + b.keys() + " " + b.action();
            if (sb.length() + item.length() + tail.length() > width) {
                break;
            }
            sb.append(item);
        }
        return sb.append(tail).toString();
    }
}
