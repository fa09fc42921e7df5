package dev.wan.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CutTest {
    @Test
    void theCharsetComesFromTheLocaleAsTheCLibraryReadsIt() {
        assertEquals(Cut.UNICODE, Cut.forLocale(Map.of("LANG", "C.UTF-8")));
        assertEquals(Cut.UNICODE, Cut.forLocale(Map.of("LANG", "C", "LC_CTYPE", "en_US.utf8")));
        assertEquals(Cut.ASCII, Cut.forLocale(Map.of("LANG", "C.UTF-8", "LC_ALL", "C")), "LC_ALL wins");
        assertEquals(Cut.ASCII, Cut.forLocale(Map.of("LANG", "de_DE.ISO-8859-1")));
        assertEquals(Cut.ASCII, Cut.forLocale(Map.of("LANG", "", "LC_ALL", "")), "empty is unset");
        assertEquals(Cut.ASCII, Cut.forLocale(Map.of()), "no locale: C");
    }

    @Test
    void aCutIsMarkedWithAnEllipsisOrWithAsciiThatIsNoPathSyntax() {
        String path = "/home/op/models/wan22/t2v@1.0.0/transformer/model.safetensors";

        assertEquals("/home/op/mo\u2026", Cut.UNICODE.fit(path, 12));
        assertEquals("/home/op/mo>", Cut.ASCII.fit(path, 12));
        assertEquals("\u2026.safetensors", Cut.UNICODE.fitEnd(path, 13));
        assertEquals("<.safetensors", Cut.ASCII.fitEnd(path, 13));
        assertEquals("/home\u2026nsors", Cut.UNICODE.fitMiddle(path, 11));
        assertEquals("/home>nsors", Cut.ASCII.fitMiddle(path, 11));
        for (Cut c : Cut.values()) {
            for (int w = 1; w < path.length(); w++) {
                assertEquals(w, c.fit(path, w).length());
                assertEquals(w, c.fitEnd(path, w).length());
                assertEquals(w, c.fitMiddle(path, w).length());
                assertFalse((c.fit(path, w) + c.fitEnd(path, w) + c.fitMiddle(path, w)).contains("~"));
            }
        }
        assertEquals("short", Cut.ASCII.fit("short", 5));
        assertEquals("", Cut.ASCII.fit("short", 0));
    }

    @Test
    void aModelIdLosesPartOfItsNameNeverItsVersion() {
        String id = "Wan2.2-T2V-A14B-Diffusers@2.2.0";

        assertEquals("Wan2.2-T2V-A1\u2026@2.2.0", Cut.UNICODE.fitId(id, 20));
        assertEquals("Wan2.2-T2V-A1>@2.2.0", Cut.ASCII.fitId(id, 20));
        assertEquals("W>@2.2.0", Cut.ASCII.fitId(id, 8), "as long as one character of the name fits");
        assertEquals("Wan2.2>", Cut.ASCII.fitId(id, 7), "narrower: cut like any text");
        assertEquals(id, Cut.ASCII.fitId(id, id.length()));
        assertEquals("no-version-at-all-h>", Cut.ASCII.fitId("no-version-at-all-here", 20));
        assertEquals("Wan2.2-T2V-A14B>@2.2.0", Cut.ASCII.padId(id, 22));
        assertEquals("a@1.0.0   ", Cut.ASCII.padId("a@1.0.0", 10));
    }
}
