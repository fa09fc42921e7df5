package dev.wan.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A {@link Painter} frame on lanterna's virtual terminal, read back as text and colours. */
final class Screens {
    private final DefaultVirtualTerminal terminal;
    private final TerminalScreen screen;

    Screens(int columns, int rows) {
        terminal = new DefaultVirtualTerminal(new TerminalSize(columns, rows));
        try {
            screen = new TerminalScreen(terminal);
            screen.startScreen();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    DefaultVirtualTerminal terminal() {
        return terminal;
    }

    /** Paints the model and returns the terminal's lines. */
    List<String> paint(DashboardModel model) {
        try {
            screen.doResizeIfNecessary();
            Painter.paint(model, screen.newTextGraphics());
            screen.refresh(com.googlecode.lanterna.screen.Screen.RefreshType.COMPLETE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines(terminal);
    }

    static List<String> lines(DefaultVirtualTerminal terminal) {
        TerminalSize size = terminal.getTerminalSize();
        List<String> lines = new ArrayList<>();
        for (int row = 0; row < size.getRows(); row++) {
            StringBuilder sb = new StringBuilder();
            for (int col = 0; col < size.getColumns(); col++) {
                sb.append(terminal.getCharacter(col, row).getCharacterString());
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    /** The character cell at the first occurrence of {@code text} on screen. */
    TextCharacter cellOf(String text) {
        List<String> lines = lines(terminal);
        for (int row = 0; row < lines.size(); row++) {
            int col = lines.get(row).indexOf(text);
            if (col >= 0) {
                return terminal.getCharacter(col, row);
            }
        }
        throw new AssertionError("'" + text + "' is not on screen:\n" + String.join("\n", lines));
    }

    static String text(List<String> lines) {
        return String.join("\n", lines);
    }

    /** Paints, then the cell at the first occurrence of {@code text}. */
    TextCharacter cellOfAfterPaint(DashboardModel model, String text) {
        paint(model);
        return cellOf(text);
    }
}
