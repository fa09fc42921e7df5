package dev.wan.internal.store;

import dev.wan.store.Check;
import dev.wan.store.Placement;
import java.time.Instant;

/**
 * What wan knows about one file at a model's final path: the size and mtime it had when its
 * content was checked, the digest found, how it was checked and where it came from.
 *
 * @param check   how the content was checked (null in a hand-written record that does not say)
 * @param verifiedAt when it was checked
 * @param source  the source that served the file, with the resolved revision when it has one
 *                (e.g. {@code hf://org/repo@<commit>}); query strings are never recorded
 * @param how     how the bytes got there
 * @param inode   the file's identity ({@code BasicFileAttributes.fileKey()}, e.g. {@code (dev=803,ino=1234)})
 *                when the record was written, or null in records written before it was kept. Stamped by
 *                {@link StateStore#write} for a file whose size and mtime are still the recorded ones;
 *                when present, the dedup index uses the file as a source only while it is still that
 *                inode (same size and mtime is easy to fake with a hardlink and {@code touch -d}).
 *                {@code status} does not ask for it: a store copied with {@code rsync -a} gets new inodes
 *                and must stay COMPLETE
 * @param linking {@code <mtimeMillis>|<inode>} while {@code wan models deduplicate} is replacing this
 *                path by a link to that (verified, same sha256) inode, else null: written before the
 *                rename and cleared after it, so a kill in between leaves a record that matches the
 *                path whichever inode it has (see {@link #matches})
 */
public record FileRecord(long size, String sha256, Check check, long mtimeMillis, Instant verifiedAt,
                         String source, Placement how, String inode, String linking) {

    /** A record without the inode: {@link StateStore#write} stamps it. */
    public FileRecord(long size, String sha256, Check check, long mtimeMillis, Instant verifiedAt, String source,
                      Placement how) {
        this(size, sha256, check, mtimeMillis, verifiedAt, source, how, null, null);
    }

    public FileRecord(long size, String sha256, Check check, long mtimeMillis, Instant verifiedAt, String source,
                      Placement how, String inode) {
        this(size, sha256, check, mtimeMillis, verifiedAt, source, how, inode, null);
    }

    public FileRecord withInode(String fileKey) {
        return new FileRecord(size, sha256, check, mtimeMillis, verifiedAt, source, how, fileKey, linking);
    }

    /** This record while deduplicate links its path to the inode {@code fileKey} with mtime {@code mtime}. */
    public FileRecord linkingTo(long mtime, String fileKey) {
        return new FileRecord(size, sha256, check, mtimeMillis, verifiedAt, source, how, inode, mtime + "|" + fileKey);
    }

    /**
     * Whether a file with this size, mtime and inode is the one recorded: the recorded mtime, or the
     * mtime and inode of the link a deduplicate was making when it stopped.
     */
    public boolean matches(long fileSize, long fileMtime, Object fileKey) {
        if (fileSize != size) {
            return false;
        }
        if (fileMtime == mtimeMillis) {
            return true;
        }
        return linking != null && fileKey != null && linking.equals(fileMtime + "|" + fileKey);
    }

    public boolean corrupt() {
        return check == Check.CORRUPT;
    }
}
