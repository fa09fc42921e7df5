package dev.wan.store;

import dev.wan.WanConfig;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.store.Pins;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Pins: a pinned model is never deleted by gc. A pin is a state write under the model's lock, kept
 * in two places (the marker {@code MODELS_ROOT/.pins/<id>} and the {@code pinned} field of the
 * model's state), and a model counts as pinned when either says so. Pinning works for a model not
 * on disk yet (it stays pinned once ensured).
 */
public final class ModelPins {
    private final StoreLayout layout;
    private final StateStore states;
    private final Clock clock;
    private volatile dev.wan.event.EventListener events = dev.wan.event.EventListener.NONE;

    private ModelPins(StoreLayout layout, Clock clock) {
        this.layout = layout;
        this.states = new StateStore(layout);
        this.clock = clock;
    }

    /** The pins of the store at {@code modelsRoot} (MODELS_ROOT). */
    public static ModelPins at(Path modelsRoot, Clock clock) {
        return new ModelPins(new StoreLayout(modelsRoot), clock);
    }

    /**
     * Adds a listener: hears {@link dev.wan.event.WanEvent.PinChanged} for each pin and unpin, and
     * {@link dev.wan.event.WanEvent.LockTimedOut} when one gives up on a busy model. A listener that
     * throws is isolated from the work and from other listeners.
     */
    public synchronized ModelPins addListener(dev.wan.event.EventListener listener) {
        events = events.and(listener);
        return this;
    }

    /** The pins of the configured store. */
    public static ModelPins of(WanConfig config) {
        return at(config.modelsRoot(), Clock.systemUTC());
    }

    /**
     * Pins a model; waits up to {@code lockTimeout} for a model another process holds (LOCK_TIMEOUT
     * after that). Returns false when it was pinned already.
     */
    public boolean pin(ModelId id, Duration lockTimeout) {
        return setPinned(id, true, lockTimeout);
    }

    /** Unpins a model; returns false when it was not pinned. */
    public boolean unpin(ModelId id, Duration lockTimeout) {
        return setPinned(id, false, lockTimeout);
    }

    /**
     * Whether gc keeps the model for a pin: pinned by the marker or the state, or either one damaged
     * (then whether it is pinned is unknown, and unknown keeps). Reads only; takes no lock.
     */
    public boolean isPinned(ModelId id) {
        StateStore.View view = states.load(id);
        return view.pinned() || view.stateProblem() != null;
    }

    /**
     * Pin: marker first, then the state's field; unpin: the state's field first, then the marker.
     * A crash in between leaves the model pinned (either place pins), never unpinned by accident.
     * A damaged state file is left for {@code ensure} to re-verify and rewrite (the marker alone
     * records the pin meanwhile); a damaged marker is replaced or removed.
     */
    private boolean setPinned(ModelId id, boolean pinned, Duration lockTimeout) {
        boolean changed;
        try {
            changed = setPinnedLocked(id, pinned, lockTimeout);
        } catch (dev.wan.WanException e) {
            if (e.code() == dev.wan.ErrorCode.LOCK_TIMEOUT) {
                events.on(new dev.wan.event.WanEvent.LockTimedOut(clock.instant(), id, pinned ? "pin" : "unpin"));
            }
            throw e;
        }
        events.on(new dev.wan.event.WanEvent.PinChanged(clock.instant(), id, pinned, changed));
        return changed;
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    private boolean setPinnedLocked(ModelId id, boolean pinned, Duration lockTimeout) {
        try (ModelLock lock = ModelLock.acquire(layout.lockFile(id), "model " + id, pinned ? "pin" : "unpin",
                lockTimeout, clock, h -> { })) {
            StateStore.View view = states.load(id);
            boolean was = view.stateSaysPinned() || view.pin().mark() == Pins.Mark.PINNED;
            boolean rewriteState = view.stateProblem() == null && view.stateSaysPinned() != pinned
                    && (view.recorded() || pinned); // an absent state is written only to pin before ensure
            if (pinned) {
                states.pins().pin(id);
            }
            if (rewriteState) {
                states.write(view.record().withPinned(pinned));
            }
            if (!pinned) {
                states.pins().unpin(id);
            }
            return was != pinned;
        }
    }
}
