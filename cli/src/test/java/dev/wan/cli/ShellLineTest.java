package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A line typed into {@code wan shell} becomes the arguments bash would make of it. */
class ShellLineTest {
    @Test
    void blanksSeparateWordsAndRunsOfThemCountOnce() {
        assertEquals(List.of("ensure", "demo-t2v", "--variant", "bf16"),
                ShellLine.split("  ensure \tdemo-t2v   --variant bf16  "));
    }

    @Test
    void singleQuotesKeepEverythingLiterally() {
        assertEquals(List.of("migrate", "analyze", "/data/old models/\\x \"y\""),
                ShellLine.split("migrate analyze '/data/old models/\\x \"y\"'"));
    }

    @Test
    void doubleQuotesKeepBlanksAndUnescapeOnlyQuoteAndBackslash() {
        assertEquals(List.of("status", "--root", "/a b/\"c\"\\d\\n"),
                ShellLine.split("status --root \"/a b/\\\"c\\\"\\\\d\\n\""));
    }

    @Test
    void quotedPartsJoinTheWordAroundThem() {
        assertEquals(List.of("--root=/my models/x"), ShellLine.split("--root=\"/my models\"'/x'"));
    }

    @Test
    void emptyQuotesAreAnEmptyArgument() {
        assertEquals(List.of("status", "--root", ""), ShellLine.split("status --root ''"));
        assertEquals(List.of("status", "--variant", ""), ShellLine.split("status --variant \"\""));
    }

    @Test
    void aBackslashOutsideQuotesKeepsTheNextCharacter() {
        assertEquals(List.of("verify", "my model"), ShellLine.split("verify my\\ model"));
    }

    @Test
    void aHashStartsACommentOnlyAtTheStartOfAWord() {
        assertEquals(List.of("status"), ShellLine.split("status # every model"));
        assertEquals(List.of(), ShellLine.split("# a comment line"));
        assertEquals(List.of("pin", "a#b"), ShellLine.split("pin a#b"));
    }

    @Test
    void aBlankLineIsNoArguments() {
        assertEquals(List.of(), ShellLine.split(""));
        assertEquals(List.of(), ShellLine.split(" \t "));
    }

    @Test
    void anUnclosedQuoteIsRefusedNamingItsColumn() {
        IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
                () -> ShellLine.split("status 'demo"));
        IllegalArgumentException dbl = assertThrows(IllegalArgumentException.class,
                () -> ShellLine.split("status \"demo \\\""));

        assertTrue(single.getMessage().contains("unclosed ' (quote) at column 8"), single.getMessage());
        assertTrue(dbl.getMessage().contains("unclosed \" (quote) at column 8"), dbl.getMessage());
    }
}
