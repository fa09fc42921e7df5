package dev.wan.store;

import dev.wan.internal.store.StoreFiles;
import dev.wan.internal.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the model directories take on disk, counting each inode once (hardlinked copies share
 * their bytes). Sizes are apparent sizes (a sparse file counts its length). Per model:
 * {@code bytes} = its distinct inodes; {@code uniqueBytes} = inodes no other model links and no
 * link outside the model directories holds (what deleting the model alone would free);
 * {@code sharedBytes} = the rest. A family is the model name up to its first '-' ({@code t2v-A14B} →
 * {@code t2v}, {@code ti2v-5b} → {@code ti2v}); a name without '-' is its own family.
 */
public final class DiskUsage {
    private static final Logger LOG = LoggerFactory.getLogger(DiskUsage.class);

    /** One model directory. */
    public record Model(String model, String family, long files, long bytes, long uniqueBytes, long sharedBytes,
                        long apparentBytes) {
    }

    /** One family: its models' distinct inodes. */
    public record Family(String family, List<String> models, long bytes, long uniqueBytes) {
    }

    /**
     * @param bytes          distinct inodes of all model directories
     * @param apparentBytes  every file counted at every path (what the store would take without dedup)
     * @param freeBytes      usable space on the filesystem of MODELS_ROOT ({@code -1}: unknown)
     * @param quotaBytes     WAN_MAX_TOTAL_SIZE when set, else {@code -1}
     */
    public record Report(List<Model> models, List<Family> families, long bytes, long apparentBytes,
                         long savedByDedup, long freeBytes, long quotaBytes) {
    }

    private record Inode(Object key, long size, int nlink) {
    }

    /** One model's files counted at every path, links or not. */
    private static final class Apparent {
        long files;
        long bytes;
    }

    private DiskUsage() {
    }

    /**
     * Measures the model directories of the store at {@code modelsRoot} (MODELS_ROOT); reads only
     * directory listings and file attributes. {@code quotaBytes}: -1 when there is none.
     */
    public static Report measure(Path modelsRoot, long quotaBytes) throws IOException {
        StoreLayout layout = new StoreLayout(modelsRoot);
        Map<String, List<Path>> filesByModel = new TreeMap<>();
        for (Path dir : StoreFiles.modelDirs(layout)) {
            filesByModel.put(dir.getFileName().toString(), StoreFiles.regularFiles(dir));
        }
        Map<Object, Inode> inodes = new HashMap<>();
        Map<Object, Set<String>> owners = new HashMap<>();
        Map<Object, Integer> linksSeen = new HashMap<>();
        Map<String, Set<Object>> keysByModel = new TreeMap<>();
        Map<String, Apparent> apparent = new HashMap<>();
        for (var e : filesByModel.entrySet()) {
            Set<Object> keys = new HashSet<>();
            Apparent ap = new Apparent();
            for (Path f : e.getValue()) {
                Inode i = inode(f);
                if (i == null) {
                    continue;
                }
                inodes.putIfAbsent(i.key(), i);
                owners.computeIfAbsent(i.key(), k -> new HashSet<>()).add(e.getKey());
                linksSeen.merge(i.key(), 1, Integer::sum);
                keys.add(i.key());
                ap.files++;
                ap.bytes += i.size();
            }
            keysByModel.put(e.getKey(), keys);
            apparent.put(e.getKey(), ap);
        }
        List<Model> models = new ArrayList<>();
        Map<String, List<String>> families = new TreeMap<>();
        long apparentTotal = 0;
        for (var e : keysByModel.entrySet()) {
            long bytes = 0;
            long unique = 0;
            for (Object k : e.getValue()) {
                Inode i = inodes.get(k);
                bytes += i.size();
                boolean onlyHere = owners.get(k).size() == 1 && linksSeen.get(k) >= i.nlink();
                if (onlyHere) {
                    unique += i.size();
                }
            }
            Apparent ap = apparent.get(e.getKey());
            apparentTotal += ap.bytes;
            String family = family(e.getKey());
            families.computeIfAbsent(family, f -> new ArrayList<>()).add(e.getKey());
            models.add(new Model(e.getKey(), family, ap.files, bytes, unique, bytes - unique, ap.bytes));
        }
        List<Family> fams = new ArrayList<>();
        for (var f : families.entrySet()) {
            Set<Object> keys = new HashSet<>();
            f.getValue().forEach(m -> keys.addAll(keysByModel.get(m)));
            long bytes = 0;
            long unique = 0;
            for (Object k : keys) {
                Inode i = inodes.get(k);
                bytes += i.size();
                if (f.getValue().containsAll(owners.get(k)) && linksSeen.get(k) >= i.nlink()) {
                    unique += i.size();
                }
            }
            fams.add(new Family(f.getKey(), List.copyOf(f.getValue()), bytes, unique));
        }
        long total = inodes.values().stream().mapToLong(Inode::size).sum();
        long free = -1;
        try {
            Path probe = Files.exists(layout.root()) ? layout.root() : layout.root().getParent();
            free = Files.getFileStore(probe).getUsableSpace();
        } catch (IOException | RuntimeException swallowed) {
            LOG.debug("free space under {} unknown", layout.root(), swallowed);
        }
        return new Report(models, fams, total, apparentTotal, apparentTotal - total, free, quotaBytes);
    }

    /** {@code t2v-A14B@2.2.0} → {@code t2v}. */
    public static String family(String modelId) {
        String name = modelId.contains("@") ? modelId.substring(0, modelId.indexOf('@')) : modelId;
        int dash = name.indexOf('-');
        return dash > 0 ? name.substring(0, dash) : name;
    }

    /** A size setting such as WAN_MAX_TOTAL_SIZE (see {@link ByteSize}); null or blank: -1 (not set). */
    public static long parseSize(String text) {
        return text == null || text.isBlank() ? -1 : ByteSize.parse(text);
    }

    private static Inode inode(Path f) {
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new Inode(StoreFiles.inodeKey(f, a), a.size(), StoreFiles.linkCount(f));
        } catch (IOException e) {
            return null;
        }
    }
}
