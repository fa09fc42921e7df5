package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.event.WanEvent;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import dev.wan.store.Check;
import dev.wan.store.Placement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bit rot, edited files and files copied in by hand: what status, verify and ensure make of them. */
class IntegrityTest {
    private static final String ID = "rot@1.0.0";
    private static final String WEIGHTS = "weights/model.safetensors";

    @TempDir
    Path root;

    @TempDir
    Path local;

    private final Fixtures.TestModel model = new Fixtures.TestModel(ID)
            .file("config.json", "{\"layers\": 4}\n".getBytes())
            .file(WEIGHTS, Fixtures.bytes(300_000, 7))
            .sources("local://src");

    private final List<WanEvent> events = new CopyOnWriteArrayList<>();

    private ModelEnsurer ensurer() {
        Path manifest = local.resolve("models.toml");
        Fixtures.writeManifest(manifest, model);
        return Fixtures.ensurer(root, manifest, local).addListener(events::add);
    }

    private List<WanEvent.FileCompleted> completions() {
        return events.stream().filter(e -> e instanceof WanEvent.FileCompleted).map(e -> (WanEvent.FileCompleted) e)
                .toList();
    }

    private FileRecord recorded(String path) {
        return new StateStore(new StoreLayout(root)).read(ModelId.parse(ID)).orElseThrow().files().get(path);
    }

    /** Flips a bit and puts the old mtime back, as silent bit rot would leave the file. */
    private static void rot(Path file) throws Exception {
        FileTime mtime = Files.getLastModifiedTime(file);
        Fixtures.flipByte(file);
        Files.setLastModifiedTime(file, mtime);
    }

    @Test
    void silentBitRotIsInvisibleToStatusButFoundByVerifyThenRepairedByEnsureWithTheBadFileQuarantined()
            throws Exception {
        model.writeTo(local.resolve("src"));
        ModelEnsurer ensurer = ensurer();
        Path dir = ensurer.ensure(ID, null);
        rot(dir.resolve(WEIGHTS));
        byte[] rotten = Files.readAllBytes(dir.resolve(WEIGHTS));

        ModelState cheap = ensurer.status(ID).state();
        VerificationResult verified = ensurer.verifyIntegrity(ID);
        ModelStatus afterVerify = ensurer.status(ID);
        Path repaired = ensurer.ensure(ID, null);

        assertEquals(ModelState.COMPLETE, cheap, "status must not hash, so it cannot see the flipped bit");
        assertFalse(verified.verified());
        assertEquals(List.of(WEIGHTS), verified.failures().stream().map(VerificationResult.FileCheck::path).toList());
        assertEquals(FileState.CORRUPT, verified.failures().get(0).state());
        assertEquals(Fixtures.sha256(rotten), verified.failures().get(0).actualSha256());
        assertEquals(ModelState.CORRUPT, afterVerify.state());
        assertEquals(List.of(WEIGHTS), afterVerify.missingFiles());
        assertArrayEquals(model.content(WEIGHTS), Files.readAllBytes(repaired.resolve(WEIGHTS)));
        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
        List<Path> quarantined = Fixtures.listTree(root.resolve(".quarantine")).stream()
                .filter(p -> p.endsWith(WEIGHTS)).map(root.resolve(".quarantine")::resolve).toList();
        assertEquals(1, quarantined.size(), Fixtures.listTree(root.resolve(".quarantine")).toString());
        assertTrue(quarantined.get(0).startsWith(root.resolve(".quarantine").resolve(ID)));
        assertArrayEquals(rotten, Files.readAllBytes(quarantined.get(0)), "the bad bytes are kept for inspection");
    }

    @Test
    void verifyOfAnIntactModelReportsEveryFileOk() {
        model.writeTo(local.resolve("src"));
        ModelEnsurer ensurer = ensurer();
        ensurer.ensure(ID, null);

        VerificationResult result = ensurer.verifyIntegrity(ID);

        assertTrue(result.verified());
        assertEquals(2, result.files().size());
        result.files().forEach(f -> assertEquals(FileState.OK, f.state(), f.path()));
        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
    }

    @Test
    void verifyHashesFilesInParallelAndReportsEachInManifestOrder() throws Exception {
        Fixtures.TestModel many = new Fixtures.TestModel(ID).sources("local://src");
        for (int i = 0; i < 6; i++) {
            many.file("shard-" + i + ".bin", Fixtures.bytes(200_000 + i, i));
        }
        many.writeTo(local.resolve("src"));
        Path manifest = local.resolve("models.toml");
        Fixtures.writeManifest(manifest, many);
        ModelEnsurer ensurer = Fixtures.ensurer(root, manifest, local);
        Path dir = ensurer.ensure(ID, null);
        rot(dir.resolve("shard-1.bin"));
        rot(dir.resolve("shard-4.bin"));
        Files.delete(dir.resolve("shard-2.bin"));

        VerificationResult result = ensurer.verifyIntegrity(ID);

        assertFalse(result.verified());
        assertEquals(List.of("shard-0.bin", "shard-1.bin", "shard-2.bin", "shard-3.bin", "shard-4.bin", "shard-5.bin"),
                result.files().stream().map(VerificationResult.FileCheck::path).toList());
        assertEquals(List.of(FileState.OK, FileState.CORRUPT, FileState.MISSING, FileState.OK, FileState.CORRUPT,
                FileState.OK), result.files().stream().map(VerificationResult.FileCheck::state).toList());
        assertEquals(Fixtures.sha256(dir.resolve("shard-4.bin")), result.files().get(4).actualSha256());
        assertEquals(many.content("shard-3.bin").length, recorded("shard-3.bin").size());
    }

    @Test
    void verifyReportsItsProgressOnTheEventStream() {
        model.writeTo(local.resolve("src"));
        ModelEnsurer ensurer = ensurer();
        ensurer.ensure(ID, null);
        events.clear();

        ensurer.verifyIntegrity(ID);

        WanEvent.VerifyStarted started = (WanEvent.VerifyStarted) events.get(0);
        assertEquals(2, started.files());
        assertEquals(model.totalBytes(), started.bytes());
        // files are hashed in parallel: each starts once, in no fixed order
        assertEquals(List.of("config.json", WEIGHTS), events.stream().filter(e -> e instanceof WanEvent.FileStarted)
                .map(e -> ((WanEvent.FileStarted) e).path()).sorted().toList());
        assertTrue(events.stream().anyMatch(e -> e instanceof WanEvent.BytesTransferred b && b.path().equals(WEIGHTS)),
                "the re-hash of the big file moved a progress bar: " + events);
        WanEvent.VerifyFinished finished = (WanEvent.VerifyFinished) events.get(events.size() - 1);
        assertTrue(finished.verified());
    }

    @Test
    void aFileTouchedWithANewMtimeIsNoLongerTrustedAndEnsureRehashesItInPlace() throws Exception {
        model.writeTo(local.resolve("src"));
        ModelEnsurer ensurer = ensurer();
        Path dir = ensurer.ensure(ID, null);
        long inode = (Long) Files.getAttribute(dir.resolve(WEIGHTS), "unix:ino");
        Files.setLastModifiedTime(dir.resolve(WEIGHTS), FileTime.fromMillis(
                Files.getLastModifiedTime(dir.resolve(WEIGHTS)).toMillis() + 5_000));
        events.clear();

        ModelStatus touched = ensurer.status(ID);
        ensurer.ensure(ID, null);

        assertEquals(ModelState.UNVERIFIED, touched.state(), "all there, changed since verified: not a partial download");
        assertEquals(FileState.UNVERIFIED, touched.files().stream().filter(f -> f.path().equals(WEIGHTS))
                .findFirst().orElseThrow().state());
        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
        assertEquals(List.of(Placement.ADOPTED), completions().stream().map(WanEvent.FileCompleted::how).toList());
        assertEquals(inode, (Long) Files.getAttribute(dir.resolve(WEIGHTS), "unix:ino"), "re-hashed, not replaced");
        assertEquals("local://src", recorded(WEIGHTS).source(), "the file still came from where it came from");
        assertFalse(Files.exists(root.resolve(".quarantine")));
    }

    @Test
    void aFileEditedWithANewMtimeIsQuarantinedAndFetchedAgain() throws Exception {
        model.writeTo(local.resolve("src"));
        ModelEnsurer ensurer = ensurer();
        Path dir = ensurer.ensure(ID, null);
        Fixtures.flipByte(dir.resolve(WEIGHTS));
        Files.setLastModifiedTime(dir.resolve(WEIGHTS), FileTime.fromMillis(System.currentTimeMillis() + 10_000));

        ModelState edited = ensurer.status(ID).state();
        ensurer.ensure(ID, null);

        assertEquals(ModelState.UNVERIFIED, edited);
        assertArrayEquals(model.content(WEIGHTS), Files.readAllBytes(dir.resolve(WEIGHTS)));
        assertEquals(1, Fixtures.listTree(root.resolve(".quarantine")).stream().filter(p -> p.endsWith(WEIGHTS))
                .count());
    }

    @Test
    void aTruncatedFileMakesTheModelCorruptAndEnsureReplacesIt() throws Exception {
        model.writeTo(local.resolve("src"));
        ModelEnsurer ensurer = ensurer();
        Path dir = ensurer.ensure(ID, null);
        Files.write(dir.resolve(WEIGHTS), new byte[10]);

        ModelStatus truncated = ensurer.status(ID);
        ensurer.ensure(ID, null);

        assertEquals(ModelState.CORRUPT, truncated.state());
        assertEquals(model.content(WEIGHTS).length, truncated.bytesNeeded());
        assertArrayEquals(model.content(WEIGHTS), Files.readAllBytes(dir.resolve(WEIGHTS)));
    }

    @Test
    void filesCopiedByHandIntoTheModelDirectoryAreAdoptedInPlaceWithoutCopying() throws Exception {
        model.sources.clear();
        model.sources("local://wan22/" + ID);
        Path dir = model.writeTo(root.resolve("wan22").resolve(ID));
        long inode = (Long) Files.getAttribute(dir.resolve(WEIGHTS), "unix:ino");
        Path manifest = local.resolve("models.toml");
        Fixtures.writeManifest(manifest, model);
        ModelEnsurer ensurer = Fixtures.ensurer(root, manifest, root).addListener(events::add);

        ModelState before = ensurer.status(ID).state();
        Path ensured = ensurer.ensure(ID, null);

        assertEquals(ModelState.UNVERIFIED, before, "present but never verified");
        assertEquals(dir, ensured);
        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
        assertEquals(List.of(Placement.ADOPTED, Placement.ADOPTED),
                completions().stream().map(WanEvent.FileCompleted::how).toList());
        assertEquals(inode, (Long) Files.getAttribute(dir.resolve(WEIGHTS), "unix:ino"));
        assertEquals(Placement.ADOPTED, recorded(WEIGHTS).how());
        assertEquals(Check.SHA256, recorded(WEIGHTS).check());
        assertTrue(events.stream().noneMatch(e -> e instanceof WanEvent.FileStarted s && !s.source().equals("(in place)")),
                "nothing is fetched from a source");
    }

    @Test
    void aBadFileCopiedByHandIsQuarantinedAndTheErrorSaysNoSourceCouldProvideIt() throws Exception {
        model.sources.clear();
        model.sources("local://wan22/" + ID);
        Path dir = model.writeTo(root.resolve("wan22").resolve(ID));
        Fixtures.flipByte(dir.resolve(WEIGHTS));
        byte[] bad = Files.readAllBytes(dir.resolve(WEIGHTS));
        Path manifest = local.resolve("models.toml");
        Fixtures.writeManifest(manifest, model);
        ModelEnsurer ensurer = Fixtures.ensurer(root, manifest, root).addListener(events::add);

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID, null));

        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("no source could provide " + WEIGHTS), e.getMessage());
        assertFalse(Files.exists(dir.resolve(WEIGHTS)));
        assertArrayEquals(model.content("config.json"), Files.readAllBytes(dir.resolve("config.json")));
        List<String> aside = Fixtures.listTree(root.resolve(".quarantine")).stream().filter(p -> p.endsWith(WEIGHTS))
                .toList();
        assertEquals(1, aside.size());
        assertArrayEquals(bad, Files.readAllBytes(root.resolve(".quarantine").resolve(aside.get(0))));
        assertEquals(List.of(), Fixtures.listTree(root.resolve(".tmp")));
    }
}
