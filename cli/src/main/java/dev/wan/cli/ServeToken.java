package dev.wan.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The bearer token of {@code wan serve}: from {@code --token-file} (which wins) or
 * {@code WAN_SERVE_TOKEN}. It lets the server bind a non-loopback address, and with
 * {@code --allow-ensure} every endpoint but the health ones asks for it ({@link BearerAuth}). A token file is refused unless only its owner (this user) can read
 * it: a secret that others can read is no secret. {@link #toString} never shows the value, so a
 * token cannot reach a log or an error by accident.
 */
final class ServeToken {
    /** A token is a line of text, not a document: anything larger is the wrong file. */
    static final long MAX_FILE_BYTES = 4096;
    static final String ENV = "WAN_SERVE_TOKEN";
    private static final Set<PosixFilePermission> OWNER_READ_WRITE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final String value;
    private final String origin;

    private ServeToken(String value, String origin) {
        this.value = value;
        this.origin = origin;
    }

    /** Where the token came from ({@code WAN_SERVE_TOKEN} or the file), for messages; never the value. */
    String origin() {
        return origin;
    }

    /** Constant-time comparison with what a client sent. */
    boolean matches(String presented) {
        return presented != null && java.security.MessageDigest.isEqual(
                value.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "token from " + origin;
    }

    /** The configured token, or null when none is; {@link Refused} says why a token file cannot be used. */
    static ServeToken load(Path file, Map<String, String> env) throws Refused {
        if (file != null) {
            return fromFile(file);
        }
        String fromEnv = env.get(ENV);
        if (fromEnv == null || fromEnv.isBlank()) {
            return null;
        }
        return new ServeToken(fromEnv.strip(), "$" + ENV);
    }

    private static ServeToken fromFile(Path file) throws Refused {
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException e) {
            throw new Refused("--token-file " + file + ": this file system has no POSIX permissions, so wan cannot"
                    + " tell who may read the token; put the file on a POSIX file system (e.g. under $HOME)");
        } catch (IOException e) {
            throw new Refused("--token-file " + file + " cannot be read (" + e.getClass().getSimpleName()
                    + "): create it with 'umask 077; printf %s TOKEN > " + file + "'");
        }
        if (attrs.isSymbolicLink()) {
            throw new Refused("--token-file " + file + " is a symlink: wan reads only a regular file there;"
                    + " pass the link's target, or copy the token into a file of your own with mode 0600");
        }
        if (!attrs.isRegularFile()) {
            throw new Refused("--token-file " + file + " is not a regular file: pass a file that holds the token");
        }
        UserPrincipal me = currentUser(file);
        if (me != null && !me.equals(attrs.owner())) {
            throw new Refused("--token-file " + file + " is owned by " + attrs.owner().getName() + ", not by "
                    + me.getName() + " who runs wan: use a file of your own (chown it, or copy the token)");
        }
        if (!OWNER_READ_WRITE.containsAll(attrs.permissions())) {
            throw new Refused("--token-file " + file + " has mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(attrs.permissions())
                    + ": others could read the token; run 'chmod 600 " + file + "'");
        }
        if (attrs.size() > MAX_FILE_BYTES) {
            throw new Refused("--token-file " + file + " is " + attrs.size() + " bytes, more than a token ("
                    + MAX_FILE_BYTES + " at most): is it the right file?");
        }
        byte[] bytes;
        // NOFOLLOW again: a link swapped in after the check is refused, not followed
        try (var in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new Refused("--token-file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new Refused("--token-file " + file + " grew past " + MAX_FILE_BYTES + " bytes while wan read it");
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.isEmpty() || text.lines().count() > 1) {
            throw new Refused("--token-file " + file + (text.isEmpty() ? " is empty" : " has more than one line")
                    + ": write the token alone into it");
        }
        return new ServeToken(text, file.toString());
    }

    /** The user this JVM runs as (Java takes user.name from the password entry of the process's uid). */
    private static UserPrincipal currentUser(Path file) {
        try {
            return file.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
        } catch (IOException | UnsupportedOperationException e) {
            return null; // unknown: the mode check still keeps others out
        }
    }

    /** A token file wan will not use; the message names the file and the fix. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }
}
