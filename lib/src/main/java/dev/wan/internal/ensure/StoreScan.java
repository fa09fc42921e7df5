package dev.wan.internal.ensure;

import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.StoredModel;
import dev.wan.internal.io.Fs;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.Manifest;
import dev.wan.manifest.ModelId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Lists the model directories on disk for {@link ModelEnsurer#storedModels()}. */
public final class StoreScan {
    private StoreScan() {
    }

    public static List<StoredModel> scan(StoreLayout layout, StateStore states, Manifest manifest) {
        List<StoredModel> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(layout.modelsDir())) {
            for (Path dir : s) {
                String name = dir.getFileName().toString();
                if (!ModelId.isValid(name)) {
                    continue; // not a model directory (gc reports it as NOT_A_MODEL)
                }
                ModelId id = ModelId.parse(name);
                boolean link = Files.isSymbolicLink(dir);
                if (!link && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                StateStore.View view = states.load(id);
                Instant used = states.lastUsed(id, view.recorded() ? view.record() : null);
                if (used == null) {
                    used = view.record().completedAt();
                }
                if (used == null) {
                    used = mtime(dir); // as gc orders models
                }
                out.add(new StoredModel(name, dir, manifest.models().containsKey(id), link,
                        link ? 0 : bytes(dir), used, view.pinned()));
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw Fs.map(e, "cannot list " + layout.modelsDir());
        }
        out.sort(Comparator.comparing(StoredModel::model));
        return List.copyOf(out);
    }

    private static Instant mtime(Path dir) {
        try {
            return Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
        } catch (IOException e) {
            return null; // gone since it was listed
        }
    }

    /** Apparent bytes of the regular files below {@code dir}, entering no link. */
    private static long bytes(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                    if (a.isRegularFile()) {
                        total[0] += a.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // vanished or unreadable: counted as nothing
                }
            });
        } catch (IOException e) {
            throw Fs.map(e, "cannot walk " + dir);
        }
        return total[0];
    }
}
