package dev.wan.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.io.Fs;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** Issue 9, finding 8: a permission failure is PERMISSION_DENIED and says so, however the JDK words it. */
class FsMapTest {
    @Test
    void accessDeniedSaysPermissionDenied() {
        WanException e = Fs.map(new AccessDeniedException("/r/.locks/m@1.0.0.lock"), "cannot open lock file x");

        assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
        assertTrue(e.getMessage().endsWith(": permission denied"), e.getMessage());
    }

    @Test
    void aPlainFileSystemExceptionWithEaccesIsPermissionDeniedToo() {
        WanException e = Fs.map(new FileSystemException("/r/.tmp/x", null, "Permission denied"), "cannot stage x");

        assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
    }
}
