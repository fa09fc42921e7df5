package dev.wan.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.ModelRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link StateStore} tells absent, readable and damaged apart, and never follows a link. */
class StateStoreDamageTest {
    private static final ModelId ID = ModelId.parse("st@1.0.0");
    private static final String SHA = "ab".repeat(32);

    @TempDir
    Path root;

    @TempDir
    Path outside;

    private StoreLayout layout() {
        return new StoreLayout(root);
    }

    private StateStore store() {
        return new StateStore(layout());
    }

    private Path stateFile() {
        return root.resolve(".state/st@1.0.0.json");
    }

    private void writeState(String text) throws Exception {
        Files.createDirectories(stateFile().getParent());
        Files.writeString(stateFile(), text, StandardCharsets.UTF_8);
    }

    private static String file(String fields) {
        return "{\"schema\":1,\"model\":\"st@1.0.0\",\"files\":{" + fields + "}}";
    }

    @Test
    void anAbsentStateIsNeitherRecordedNorAProblem() {
        StateStore.View v = store().load(ID);

        assertFalse(v.recorded());
        assertNull(v.stateProblem());
        assertNull(v.problem());
        assertTrue(v.readable());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"schema\":1,\"model\":\"st@1.0.0\",\"fil|truncated JSON at byte",
        "''|empty",
        "null|not a JSON object (found null)",
        "[1,2]|not a JSON object (found an array)",
        "{}|field 'schema' is missing",
        "{\"schema\":\"1\"}|field 'schema' is a string",
        "{\"schema\":2,\"model\":\"st@1.0.0\"}|schema 2 is not the one",
        "{\"schema\":1}|field 'model' is missing",
        "{\"schema\":1,\"model\":\"../../x@1.0.0\"}|model field '../../x@1.0.0' does not match file name (st@1.0.0)",
        "{\"schema\":1,\"model\":\"st@1.0.0\",\"files\":[]}|field 'files' is an array",
        "{\"schema\":1,\"model\":\"st@1.0.0\",\"pinned\":\"yes\"}|field 'pinned' is a string",
        "{\"schema\":1,\"model\":\"st@1.0.0\",\"variants\":[1]}|field 'variants' holds a number",
        "not json|not valid JSON at byte 0",
        "{\"schema\":1,\"model\":\"st@1.0.0\",\"lastUsed\":\"last tuesday\"}|field 'lastUsed' is 'last tuesday', expected an ISO-8601 time",
        "{\"schema\":1,\"model\":\"st@1.0.0\",\"completedAt\":\"2026-11-26\"}|field 'completedAt' is '2026-11-26', expected an ISO-8601 time",
    })
    void aDamagedStateNamesItsReason(String text, String reason) throws Exception {
        writeState(text);

        StateStore.View v = store().load(ID);

        assertFalse(v.recorded());
        assertTrue(v.stateProblem().contains(reason), v.stateProblem());
        assertTrue(v.problem().contains("wan ensure st@1.0.0"), v.problem());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"a\":null|file 'a' has null for a record",
        "\"a\":{\"size\":-1,\"mtimeMillis\":1}|negative size",
        "\"a\":{\"size\":\"1\",\"mtimeMillis\":1}|has a string for 'size'",
        "\"a\":{\"size\":1}|has missing for 'mtimeMillis'",
        "\"a\":{\"size\":1,\"mtimeMillis\":1,\"sha256\":\"ABCD\"}|not 64 lowercase hex",
        "\"a\":{\"size\":1,\"mtimeMillis\":1,\"check\":\"trust-me\"}|unknown check",
        "\"a\":{\"size\":1,\"mtimeMillis\":1,\"how\":\"teleported\"}|file 'a' has an unknown how 'teleported'",
        "\"a\":{\"size\":1,\"mtimeMillis\":1,\"how\":\"Copied\"}|file 'a' has an unknown how 'Copied'",
        "\"a\":{\"size\":1,\"mtimeMillis\":1,\"verifiedAt\":\"yesterday\"}|file 'a' has 'yesterday' for 'verifiedAt', expected an ISO-8601 time",
        "\"../x\":{\"size\":1,\"mtimeMillis\":1}|file path '../x' is not a relative path",
        "\"/etc/passwd\":{\"size\":1,\"mtimeMillis\":1}|is not a relative path",
        "\"a//b\":{\"size\":1,\"mtimeMillis\":1}|is not a relative path",
    })
    void aFileRecordWithInsaneFieldsDamagesTheState(String entry, String reason) throws Exception {
        writeState(file(entry));

        StateStore.View v = store().load(ID);

        assertFalse(v.recorded());
        assertTrue(v.stateProblem().contains(reason), v.stateProblem());
    }

    @Test
    void aWellFormedRecordWithUnknownFieldsIsReadable() throws Exception {
        writeState(file("\"a/b.bin\":{\"size\":1,\"mtimeMillis\":1,\"sha256\":\"" + SHA
                + "\",\"check\":\"sha256\",\"future\":true}"));

        StateStore.View v = store().load(ID);

        assertTrue(v.recorded(), String.valueOf(v.stateProblem()));
        assertEquals(SHA, v.record().files().get("a/b.bin").sha256());
    }

    @Test
    void aStateFileThatIsADirectoryOrALinkIsDamagedAndNeverFollowed() throws Exception {
        Path target = outside.resolve("real.json");
        Files.writeString(target, file(""));
        Files.createDirectories(stateFile().getParent());
        Files.createSymbolicLink(stateFile(), target);

        String link = store().load(ID).stateProblem();
        Files.delete(stateFile());
        Files.createDirectory(stateFile());
        String dir = store().load(ID).stateProblem();

        assertEquals("is a symlink", link);
        assertEquals("is a directory", dir);
    }

    @Test
    void aStateDirectoryThatIsALinkIsDamagedForReadsAndRefusedForWrites() throws Exception {
        Files.writeString(outside.resolve("st@1.0.0.json"), file(""));
        Files.createSymbolicLink(root.resolve(".state"), outside);

        StateStore.View v = store().load(ID);
        WanException e = assertThrows(WanException.class, () -> store().write(ModelRecord.empty(ID.toString())));

        assertFalse(v.recorded());
        assertTrue(v.stateProblem().contains("symlink"), v.stateProblem());
        assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, e.code());
        assertEquals(file(""), Files.readString(outside.resolve("st@1.0.0.json")));
    }

    @Test
    void aStateFileLargerThanTheCapIsRefusedWithoutReadingIt() throws Exception {
        Files.createDirectories(stateFile().getParent());
        try (RandomAccessFile f = new RandomAccessFile(stateFile().toFile(), "rw")) {
            f.setLength(StateStore.MAX_STATE_BYTES + 1); // sparse: costs no disk
        }

        String problem = store().load(ID).stateProblem();

        assertTrue(problem.startsWith("is larger than 64 MiB"), problem);
    }

    @Test
    void writingReplacesADirectoryOrLinkAtTheStateFileWithoutTouchingTheTarget() throws Exception {
        Path target = outside.resolve("victim");
        Files.writeString(target, "keep");
        Files.createDirectories(stateFile().getParent());
        Files.createSymbolicLink(stateFile(), target);

        store().write(ModelRecord.empty(ID.toString()));
        Files.delete(stateFile());
        Files.createDirectories(stateFile().resolve("sub"));
        store().write(ModelRecord.empty(ID.toString()));

        assertEquals("keep", Files.readString(target));
        assertTrue(Files.isRegularFile(stateFile(), LinkOption.NOFOLLOW_LINKS));
        assertTrue(store().load(ID).recorded());
    }

    @Test
    void aPinSurvivesTheLossOfTheStateFileAndADamagedMarkerCountsAsPinned() throws Exception {
        store().write(ModelRecord.empty(ID.toString()).withPinned(true));
        Files.delete(stateFile());

        boolean afterLoss = store().readOrEmpty(ID).pinned();
        Files.delete(root.resolve(".pins/st@1.0.0"));
        Files.createDirectory(root.resolve(".pins/st@1.0.0"));
        StateStore.View damaged = store().load(ID);

        assertTrue(afterLoss);
        assertTrue(damaged.pinned());
        assertFalse(damaged.readable());
        assertTrue(damaged.problem().contains("pin marker"), damaged.problem());
    }

    @Test
    void markUsedReplacesALinkInsteadOfTouchingItsTarget() throws Exception {
        Path target = outside.resolve("victim");
        Files.writeString(target, "keep");
        Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.fromMillis(0));
        Files.createDirectories(root.resolve(".state"));
        Files.createSymbolicLink(root.resolve(".state/st@1.0.0.used"), target);
        Instant at = Instant.parse("2026-12-01T00:00:00Z");

        store().markUsed(ID, at);

        assertEquals(0, Files.getLastModifiedTime(target).toMillis());
        assertTrue(Files.isRegularFile(root.resolve(".state/st@1.0.0.used"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(at, store().lastUsed(ID, null));
    }

    @Test
    void writeStampsTheInodeOfAFileThatStillHasItsRecordedSizeAndMtime() throws Exception {
        Path f = root.resolve("wan22/st@1.0.0/w.bin");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "hello");
        long mtime = Files.getLastModifiedTime(f).toMillis();
        FileRecord good = new FileRecord(5, SHA, Check.SHA256, mtime, Instant.EPOCH, "s", Placement.COPIED);
        FileRecord stale = new FileRecord(5, SHA, Check.SHA256, mtime - 5000, Instant.EPOCH, "s", Placement.COPIED);

        store().write(ModelRecord.empty(ID.toString()).withFiles(Map.of("w.bin", good, "gone.bin", stale)));

        Map<String, FileRecord> files = store().read(ID).orElseThrow().files();
        assertEquals(Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).fileKey().toString(),
                files.get("w.bin").inode());
        assertNull(files.get("gone.bin").inode());
        assertEquals(List.of("gone.bin", "w.bin"), List.copyOf(files.keySet()));
    }
}
