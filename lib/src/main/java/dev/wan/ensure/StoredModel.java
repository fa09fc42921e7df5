package dev.wan.ensure;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A model directory found in the store ({@code MODELS_ROOT/wan22/<id>/}), whether or not the
 * manifest in use declares it: what {@code inventory}-style reports need about models another
 * manifest put there. Read from disk only (a directory walk that follows no link, the state file's
 * last use and the pin marker); no hashing, no lock.
 *
 * @param model      the directory's name, a model id ({@code name@x.y.z})
 * @param inManifest whether the manifest in use declares this model ({@link ModelEnsurer#status} then
 *                   tells more)
 * @param symlinked  the directory is a link to another disk (the one link wan accepts); its bytes are
 *                   not counted
 * @param bytes      apparent size of the regular files inside (a file hardlinked into two models counts
 *                   in both)
 * @param lastUsed   last use (state file or use marker), else completion time, else the directory's mtime
 *                   (what gc orders by)
 * @param pinned     pinned (or the pin marker is damaged, which gc counts as pinned)
 */
public record StoredModel(String model, Path directory, boolean inManifest, boolean symlinked, long bytes,
                          Instant lastUsed, boolean pinned) {
}
