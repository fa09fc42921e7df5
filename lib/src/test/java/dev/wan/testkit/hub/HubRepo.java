package dev.wan.testkit.hub;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model repository on the {@link HubServer}: files (regular git files or LFS files), named
 * revisions pointing at one commit, and access rules (public, gated, private).
 */
public final class HubRepo {
    /** Files at or above this size are LFS files unless said otherwise (the Hub's own default is 10 MiB). */
    public static final long LFS_THRESHOLD = 10L << 20;

    /** Who may read a repository. */
    public enum Access { PUBLIC, GATED, PRIVATE }

    final String id;
    final String commit;
    final Map<String, String> refs = new ConcurrentHashMap<>();
    final Map<String, Entry> files = new TreeMap<>();
    volatile Access access = Access.PUBLIC;
    final Set<String> grantedTokens = ConcurrentHashMap.newKeySet();

    /** One file of the repository. */
    record Entry(String path, Content content, boolean lfs) {
        /** The git blob id: of the content, or for an LFS file of its pointer file. */
        String oid() {
            return lfs ? Content.of(pointer()).gitSha1() : content.gitSha1();
        }

        String pointer() {
            return "version https://git-lfs.github.com/spec/v1\noid sha256:" + content.sha256() + "\nsize "
                    + content.size() + "\n";
        }
    }

    HubRepo(String id) {
        this.id = id;
        this.commit = sha1Hex("commit of " + id);
        refs.put("main", commit);
    }

    public String id() {
        return id;
    }

    /** The commit every revision of this repository points at. */
    public String commit() {
        return commit;
    }

    /** Adds a branch or tag name (e.g. {@code v1.0}, {@code refs/pr/1}) pointing at the commit. */
    public HubRepo ref(String name) {
        refs.put(name, commit);
        return this;
    }

    /** A file; LFS when at least {@link #LFS_THRESHOLD} bytes. */
    public HubRepo file(String path, Content content) {
        return file(path, content, content.size() >= LFS_THRESHOLD);
    }

    public HubRepo file(String path, byte[] content) {
        return file(path, Content.of(content));
    }

    public synchronized HubRepo file(String path, Content content, boolean lfs) {
        files.put(path, new Entry(path, content, lfs));
        return this;
    }

    public synchronized HubRepo lfsFile(String path, byte[] content) {
        return file(path, Content.of(content), true);
    }

    /** Gated: downloads need a token granted access (the repository's info stays readable). */
    public HubRepo gated(String... grantedTokens) {
        this.access = Access.GATED;
        this.grantedTokens.addAll(Set.of(grantedTokens));
        return this;
    }

    /** Private: invisible (RepoNotFound) without a granted token. */
    public HubRepo privateRepo(String... grantedTokens) {
        this.access = Access.PRIVATE;
        this.grantedTokens.addAll(Set.of(grantedTokens));
        return this;
    }

    public synchronized Content content(String path) {
        return files.get(path).content();
    }

    synchronized Entry entry(String path) {
        return files.get(path);
    }

    synchronized Map<String, Entry> snapshot() {
        return new LinkedHashMap<>(files);
    }

    static String sha1Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
