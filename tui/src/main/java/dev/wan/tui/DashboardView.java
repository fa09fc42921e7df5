package dev.wan.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractInteractableComponent;
import com.googlecode.lanterna.gui2.InteractableRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import com.googlecode.lanterna.input.KeyStroke;
import java.util.function.Function;

/**
 * The one lanterna component of the dashboard: fills the screen, paints the model with
 * {@link Painter} and hands every key to the model. Lives on the GUI thread, like the model.
 */
final class DashboardView extends AbstractInteractableComponent<DashboardView> {
    private final DashboardModel model;
    private final Function<KeyStroke, Result> keys;
    private final FrameStats frames;

    DashboardView(DashboardModel model, Function<KeyStroke, Result> keys, FrameStats frames) {
        this.model = model;
        this.keys = keys;
        this.frames = frames;
    }

    @Override
    protected Result handleKeyStroke(KeyStroke key) {
        return keys.apply(key); // every key is ours: Tab must not move focus away
    }

    @Override
    protected InteractableRenderer<DashboardView> createDefaultRenderer() {
        return new InteractableRenderer<>() {
            @Override
            public TerminalSize getPreferredSize(DashboardView view) {
                return view.getTextGUI() == null ? new TerminalSize(80, 24)
                        : view.getTextGUI().getScreen().getTerminalSize();
            }

            @Override
            public void drawComponent(TextGUIGraphics graphics, DashboardView view) {
                Painter.paint(model, graphics);
                frames.painted(model.store().rows().isEmpty() && model.store().error() == null);
            }

            @Override
            public com.googlecode.lanterna.TerminalPosition getCursorLocation(DashboardView view) {
                return null; // no cursor: typed text shows with a '_' instead
            }
        };
    }
}
