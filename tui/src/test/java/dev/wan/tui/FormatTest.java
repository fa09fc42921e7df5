package dev.wan.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class FormatTest {
    @Test
    void wrapBreaksAtSpacesAndBreaksAPathLongerThanALine() {
        assertEquals(List.of("NO_SPACE: no", "space left", "on device"), Format.wrap("NO_SPACE: no space left on device", 12));
        assertEquals(List.of("under", "/srv/models/", ".tmp/t2v/tra", "nsformer;", "free it"),
                Format.wrap("under /srv/models/.tmp/t2v/transformer; free it", 12));
        assertEquals(List.of("line one", "", "line two"), Format.wrap("line one\n\nline two", 20));
        assertEquals(List.of("a?b c"), Format.wrap("a\u001bb\tc", 20), "no escape sequence reaches the terminal");
        assertEquals(List.of(""), Format.wrap("", 20));
    }
}
