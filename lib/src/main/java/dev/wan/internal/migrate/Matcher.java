package dev.wan.internal.migrate;

import dev.wan.manifest.FileSpec;
import dev.wan.manifest.ModelSpec;
import dev.wan.manifest.SourceRef;
import dev.wan.migrate.Analysis.Match;
import dev.wan.migrate.Analysis.MatchedBy;
import dev.wan.migrate.Analysis.Mismatch;
import dev.wan.migrate.LegacyFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Legacy files → manifest files. By sha256 where the manifest has one (only files whose size is
 * some such manifest file's size are hashed, each distinct file once); else by path (the legacy
 * path ends with the manifest path) and size. Never by path and size when a sha256 exists: a file
 * with the path and size but other bytes is a mismatch, never used.
 */
public final class Matcher {
    /** Matches, mismatches, and the files nothing matched. */
    public record Result(List<Match> matches, List<Mismatch> mismatches, List<LegacyFile> unmatched) {
    }

    private Matcher() {
    }

    /**
     * {@code hashAll}: the sha256 of each file given (by {@link LegacyFile#file()}); a file missing
     * from the answer could not be read.
     */
    public static Result match(List<ModelSpec> specs, List<LegacyFile> files,
                               Function<List<LegacyFile>, Map<Path, String>> hashAll) {
        Set<Long> shaSizes = new HashSet<>();
        specs.forEach(s -> s.files().stream().filter(f -> f.hasSha256() && s.allowed(f.path()))
                .forEach(f -> shaSizes.add(f.size())));
        Map<Long, List<LegacyFile>> bySize = new java.util.HashMap<>();
        files.forEach(f -> bySize.computeIfAbsent(f.size(), k -> new ArrayList<>()).add(f));
        Map<Path, LegacyFile> toHash = new java.util.LinkedHashMap<>();
        files.stream().filter(f -> shaSizes.contains(f.size())).forEach(f -> toHash.putIfAbsent(f.file(), f));
        Map<Path, String> sha = hashAll.apply(List.copyOf(toHash.values()));

        // Content some manifest file has: such a file matches that entry, and is nobody's mismatch.
        Set<String> shas = new HashSet<>();
        specs.forEach(sp -> sp.files().stream().filter(FileSpec::hasSha256).forEach(f -> shas.add(f.sha256())));
        List<Match> matches = new ArrayList<>();
        List<Mismatch> mismatches = new ArrayList<>();
        Set<String> used = new HashSet<>();      // legacy paths matched
        Set<String> mismatched = new LinkedHashSet<>();
        for (ModelSpec spec : specs) {
            for (FileSpec f : spec.files()) {
                if (!spec.allowed(f.path())) {
                    continue;
                }
                List<LegacyFile> sameSize = bySize.getOrDefault(f.size(), List.of());
                String model = spec.id().toString();
                if (f.hasSha256()) {
                    List<LegacyFile> hits = sameSize.stream().filter(c -> f.sha256().equals(sha.get(c.file()))).toList();
                    if (!hits.isEmpty()) {
                        LegacyFile best = hits.stream().max(Comparator.comparingInt((LegacyFile c) -> score(spec, f, c))
                                .thenComparing(LegacyFile::path, Comparator.reverseOrder())).orElseThrow();
                        matches.add(new Match(model, f.path(), f.size(), MatchedBy.SHA256, best));
                        hits.forEach(h -> used.add(h.path()));
                    }
                    for (LegacyFile c : sameSize) {
                        if (suffix(c.logicalPath(), f.path()) && sha.containsKey(c.file())
                                && !shas.contains(sha.get(c.file())) && mismatched.add(c.path())) {
                            mismatches.add(new Mismatch(model, f.path(), c, f.sha256(), sha.get(c.file()),
                                    "same path and size as the manifest's file, other bytes: not used"));
                        }
                    }
                } else {
                    List<LegacyFile> hits = sameSize.stream().filter(c -> suffix(c.logicalPath(), f.path())).toList();
                    if (hits.isEmpty()) {
                        continue;
                    }
                    int top = hits.stream().mapToInt(c -> score(spec, f, c)).max().orElseThrow();
                    List<LegacyFile> best = hits.stream().filter(c -> score(spec, f, c) == top).toList();
                    long distinct = best.stream().map(LegacyFile::file).distinct().count();
                    if (distinct == 1) {
                        matches.add(new Match(model, f.path(), f.size(), MatchedBy.PATH_AND_SIZE, best.get(0)));
                        hits.forEach(h -> used.add(h.path()));
                    } else {
                        for (LegacyFile c : best) {
                            mismatches.add(new Mismatch(model, f.path(), c, null, null, distinct
                                    + " legacy files have this path and size and the manifest has no sha256 to"
                                    + " tell them apart: none used"));
                            mismatched.add(c.path());
                        }
                    }
                }
            }
        }
        // Hashed because its size is a manifest file's, yet no sha256 matched: reported, never used.
        for (LegacyFile c : files) {
            String actual = sha.get(c.file());
            if (actual == null || used.contains(c.path()) || mismatched.contains(c.path()) || shas.contains(actual)) {
                continue;
            }
            outer:
            for (ModelSpec spec : specs) {
                for (FileSpec f : spec.files()) {
                    if (f.hasSha256() && f.size() == c.size() && spec.allowed(f.path())) {
                        mismatches.add(new Mismatch(spec.id().toString(), f.path(), c, f.sha256(), actual,
                                "same size as the manifest's file, other bytes: not used"));
                        mismatched.add(c.path());
                        break outer;
                    }
                }
            }
        }
        List<LegacyFile> unmatched = files.stream()
                .filter(c -> !used.contains(c.path()) && !mismatched.contains(c.path())).toList();
        return new Result(matches, mismatches, unmatched);
    }

    /** {@code logical} is {@code path} or ends with {@code /path}. */
    static boolean suffix(String logical, String path) {
        return logical.equals(path) || logical.endsWith("/" + path);
    }

    /** Which of several candidates fits a model best: the path, then the model's name or Hub repo in it. */
    private static int score(ModelSpec spec, FileSpec f, LegacyFile c) {
        int s = suffix(c.logicalPath(), f.path()) ? 4 : 0;
        String name = spec.id().name().toLowerCase(Locale.ROOT);
        String lower = c.path().toLowerCase(Locale.ROOT);
        if (lower.startsWith(name + "/") || lower.contains("/" + name + "/") || lower.startsWith(spec.id() + "/")
                || lower.contains("/" + spec.id().toString().toLowerCase(Locale.ROOT) + "/")) {
            s += 2;
        }
        String repo = LegacyScanner.hfRepo(c);
        if (repo != null && hfRepos(spec).contains(repo)) {
            s += 2;
        }
        return s;
    }

    /** The {@code org/repo} of each {@code hf://} source of a model. */
    public static Set<String> hfRepos(ModelSpec spec) {
        Set<String> repos = new HashSet<>();
        for (SourceRef s : spec.sources()) {
            if (s.scheme().equals("hf")) {
                String body = s.uri().substring("hf://".length());
                int at = body.indexOf('@');
                repos.add(at < 0 ? body : body.substring(0, at));
            }
        }
        return repos;
    }
}
