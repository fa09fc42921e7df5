package dev.wan.source.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.testkit.hub.Content;
import dev.wan.testkit.hub.Fault;
import dev.wan.testkit.hub.HubContexts;
import dev.wan.testkit.hub.HubServer;
import dev.wan.testkit.hub.LoggedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hf:// backend against the loopback Hub: requests, headers, redirects, errors. */
class HfProtocolTest {
    private static final String TOKEN = "hf_TESTtokenSECRET0001abcd";
    private static final byte[] CONFIG = "{\"dim\": 8}\n".getBytes();
    private static final Content WEIGHTS = Content.generated(12L << 20, 7);

    private HubServer hub;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws IOException {
        hub = HubServer.start();
        hub.repo("org/model").ref("v1.0").ref("refs/pr/1")
                .file("config.json", CONFIG)
                .file("weights/model.safetensors", WEIGHTS);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private SourceSession open(String uri, String... env) throws IOException {
        return new HfBackend().open(new SourceRef(uri), HubContexts.context(HubContexts.env(hub, env)));
    }

    private static byte[] readAll(SourceSession s, String path, long offset, long length) throws IOException {
        try (InputStream in = s.read(path, offset, length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void openResolvesTheDefaultRevisionToItsCommitWithOneApiCall() throws Exception {
        SourceSession s = open("hf://org/model");

        assertEquals(hub.repo("org/model").commit(), s.revision());
        List<LoggedRequest> log = hub.log();
        assertEquals(1, log.size(), log.toString());
        assertEquals("/api/models/org/model/revision/main", log.get(0).path());
    }

    @Test
    void aRevisionWithSlashesIsSentAsOnePercentEncodedSegment() throws Exception {
        SourceSession s = open("hf://org/model@refs/pr/1");

        assertEquals(hub.repo("org/model").commit(), s.revision());
        assertEquals("/api/models/org/model/revision/refs%2Fpr%2F1", hub.log().get(0).path());
    }

    @Test
    void aPinnedCommitNeedsNoRequestToOpen() throws Exception {
        String commit = hub.repo("org/model").commit();

        SourceSession s = open("hf://org/model@" + commit);

        assertEquals(commit, s.revision());
        assertEquals(List.of(), hub.log());
    }

    @Test
    void statOfAnLfsFileTakesSizeAndSha256FromTheRedirectWithoutTouchingTheCdn() throws Exception {
        SourceSession s = open("hf://org/model");

        RemoteFile f = s.stat("weights/model.safetensors");

        assertEquals(new RemoteFile("weights/model.safetensors", WEIGHTS.size(), WEIGHTS.sha256()), f);
        LoggedRequest head = hub.log().get(1);
        assertEquals("HEAD", head.method());
        assertEquals("/org/model/resolve/" + s.revision() + "/weights/model.safetensors", head.path());
        assertEquals(302, head.status());
        assertEquals(2, hub.log().size(), "no request to the CDN for a stat: " + hub.log());
    }

    @Test
    void statOfARegularFileFollowsTheRelativeRedirectAndStatesNoSha256() throws Exception {
        SourceSession s = open("hf://org/model");

        RemoteFile f = s.stat("config.json");

        assertEquals(new RemoteFile("config.json", CONFIG.length, null), f, "a git sha1 ETag is not a sha256");
        List<LoggedRequest> heads = hub.log(r -> r.method().equals("HEAD"));
        assertEquals(List.of(307, 200), heads.stream().map(LoggedRequest::status).toList());
        assertTrue(heads.get(1).path().startsWith("/api/resolve-cache/models/org/model/"), heads.toString());
    }

    @Test
    void rangedReadsReturnExactlyTheRequestedBytes() throws Exception {
        SourceSession s = open("hf://org/model");
        byte[] all = WEIGHTS.bytes();

        byte[] middle = readAll(s, "weights/model.safetensors", 5_000_000, 1_000_000);
        byte[] tail = readAll(s, "weights/model.safetensors", all.length - 10, -1);
        byte[] config = readAll(s, "config.json", 2, 5);

        assertArrayEquals(java.util.Arrays.copyOfRange(all, 5_000_000, 6_000_000), middle);
        assertArrayEquals(java.util.Arrays.copyOfRange(all, all.length - 10, all.length), tail);
        assertArrayEquals(java.util.Arrays.copyOfRange(CONFIG, 2, 7), config);
        assertTrue(hub.log(LoggedRequest::isDownload).stream().allMatch(r -> r.status() == 206), hub.log().toString());
    }

    @Test
    void theTokenGoesToTheHubButNeverToTheCdnHost() throws Exception {
        SourceSession s = open("hf://org/model", "HF_TOKEN", TOKEN);

        readAll(s, "weights/model.safetensors", 0, 1000);
        readAll(s, "config.json", 0, -1);

        List<LoggedRequest> cdn = hub.log(r -> r.host().equals(HubServer.CDN_HOST));
        List<LoggedRequest> onHub = hub.log(r -> r.host().equals(HubServer.HUB_HOST));
        assertFalse(cdn.isEmpty(), "the LFS file came from the CDN host");
        assertTrue(cdn.stream().noneMatch(LoggedRequest::authorization), cdn.toString());
        assertTrue(onHub.stream().allMatch(r -> TOKEN.equals(r.bearer())), onHub.toString());
    }

    @Test
    void listFollowsTreePaginationAndReportsLfsSha256() throws Exception {
        hub.treePageSize(1);
        hub.repo("org/model").file("a.txt", "a".getBytes()).file("deep/er/b.txt", "bb".getBytes());
        SourceSession s = open("hf://org/model");

        List<RemoteFile> files = s.list();

        assertEquals(List.of("a.txt", "config.json", "deep/er/b.txt", "weights/model.safetensors"),
                files.stream().map(RemoteFile::path).toList());
        assertEquals(WEIGHTS.sha256(), files.get(3).sha256());
        assertNull(files.get(0).sha256());
        assertEquals(2, files.get(2).size());
        long pages = hub.log(r -> r.path().contains("/tree/")).size();
        assertEquals(7, pages, "4 files + 3 directories, one per page");
    }

    @Test
    void aMissingRepositoryAskedForWithoutATokenIsAuthFailSayingItMayBePrivate() {
        // the Hub answers a missing and a private repository alike (401 RepoNotFound) when no token is sent
        WanException e = assertThrows(WanException.class, () -> open("hf://org/nope"));

        assertEquals(ErrorCode.AUTH_FAIL, e.code());
        assertTrue(e.getMessage().contains("hf://org/nope: no such repository"), e.getMessage());
        assertTrue(e.getMessage().contains("private or gated and no Hub token is set"), e.getMessage());
    }

    @Test
    void aMissingRevisionIsSourceUnavailableNamingTheRevision() {
        WanException e = assertThrows(WanException.class, () -> open("hf://org/model@v9"));

        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("no revision 'v9'"), e.getMessage());
    }

    @Test
    void aMissingFileIsSourceUnavailableNamingTheFile() throws Exception {
        SourceSession s = open("hf://org/model");

        WanException e = assertThrows(WanException.class, () -> s.stat("nope.bin"));

        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("has no file nope.bin"), e.getMessage());
    }

    @Test
    void aGatedRepositoryWithoutATokenIsAuthFailWithLicenseGuidance() throws Exception {
        hub.repo("org/gated").gated(TOKEN).file("w.bin", "x".getBytes());
        SourceSession s = open("hf://org/gated");

        WanException e = assertThrows(WanException.class, () -> s.stat("w.bin"));

        assertEquals(ErrorCode.AUTH_FAIL, e.code());
        assertTrue(e.getMessage().contains("gated"), e.getMessage());
        assertTrue(e.hint().contains("accept the license at " + hub.endpoint() + "/org/gated"), e.hint());
        assertTrue(e.hint().contains("HF_TOKEN"), e.hint());
    }

    @Test
    void aGatedRepositoryWithATokenLackingAccessNamesTheMaskedTokenOnly() throws Exception {
        hub.repo("org/gated").gated("hf_someoneElse").file("w.bin", "x".getBytes());
        SourceSession s = open("hf://org/gated", "HF_TOKEN", TOKEN);

        WanException e = assertThrows(WanException.class, () -> s.stat("w.bin"));

        assertEquals(ErrorCode.AUTH_FAIL, e.code());
        assertTrue(e.getMessage().contains("HF_TOKEN hf_****abcd"), e.getMessage());
        assertFalse((e.getMessage() + e.hint()).contains(TOKEN));
    }

    @Test
    void aGatedRepositoryWithAGrantedTokenServesItsFiles() throws Exception {
        hub.repo("org/gated").gated(TOKEN).file("w.bin", "xyz".getBytes());
        SourceSession s = open("hf://org/gated", "HF_TOKEN", TOKEN);

        assertArrayEquals("xyz".getBytes(), readAll(s, "w.bin", 0, -1));
    }

    @Test
    void aPrivateRepositoryIsInvisibleWithoutItsToken() throws Exception {
        hub.repo("org/private").privateRepo(TOKEN).file("w.bin", "xyz".getBytes());

        WanException e = assertThrows(WanException.class, () -> open("hf://org/private"));
        SourceSession s = open("hf://org/private", "HF_TOKEN", TOKEN);

        assertEquals(ErrorCode.AUTH_FAIL, e.code(), "README: private repositories fail with AUTH_FAIL");
        assertTrue(e.getMessage().contains("set HF_TOKEN"), e.getMessage());
        assertTrue(e.hint().contains("set HF_TOKEN"), e.hint());
        assertArrayEquals("xyz".getBytes(), readAll(s, "w.bin", 0, -1));
    }

    @Test
    void aPrivateRepositoryWithATokenLackingAccessIsAuthFailSayingTheTokenHasNoAccess() {
        hub.repo("org/private").privateRepo("hf_someoneElse").file("w.bin", "xyz".getBytes());

        WanException e = assertThrows(WanException.class, () -> open("hf://org/private", "HF_TOKEN", TOKEN));

        assertEquals(ErrorCode.AUTH_FAIL, e.code());
        assertTrue(e.getMessage().contains("the token in use (HF_TOKEN hf_****abcd) has no access"), e.getMessage());
        assertFalse((e.getMessage() + e.hint()).contains(TOKEN));
    }

    @Test
    void aRevisionWithSlashesIsRecordedAsTheRepositoryAtItsCommit() throws Exception {
        SourceSession s = open("hf://org/model@refs/pr/1");

        String recorded = s.origin();

        assertEquals("hf://org/model@" + hub.repo("org/model").commit(), recorded);
        assertNull(dev.wan.internal.manifest.SourceUris.hfRepoProblem(recorded.substring("hf://".length())),
                "what is recorded is a valid source again");
        assertEquals(hub.repo("org/model").commit(), open(recorded).revision());
    }

    @Test
    void aRenamedRepositoryIsFollowedSaidOnceAndRecordedUnderItsNewName() throws Exception {
        hub.rename("org/old-name", "org/model");

        SourceSession s = open("hf://org/old-name");

        assertEquals("hf://org/model@" + hub.repo("org/model").commit(), s.origin());
        assertTrue(s.notice().contains("hf://org/old-name was renamed on the Hub to hf://org/model"), s.notice());
        assertTrue(s.notice().contains("update the manifest"), s.notice());
        hub.clearLog();
        assertArrayEquals(CONFIG, readAll(s, "config.json", 0, -1));
        assertTrue(hub.log(r -> r.path().contains("old-name")).isEmpty(), "later requests use the new name: " + hub.log());
    }

    @Test
    void aRenamedRepositoryAtAPinnedCommitIsNoticedOnItsFirstFile() throws Exception {
        hub.rename("org/old-name", "org/model");
        String commit = hub.repo("org/model").commit();
        SourceSession s = open("hf://org/old-name@" + commit);

        assertEquals(CONFIG.length, s.stat("config.json").size());

        assertEquals("hf://org/model@" + commit, s.origin());
        assertTrue(s.notice().contains("hf://org/model"), s.notice());
    }

    @Test
    void aRepositoryNotRenamedHasNoNotice() throws Exception {
        SourceSession s = open("hf://org/model");
        s.stat("config.json");

        assertNull(s.notice());
    }

    @Test
    void aTokenTheHubRejectsIsAuthFailWithoutTheToken() {
        hub.validTokens("hf_theOnlyGoodOne");

        WanException e = assertThrows(WanException.class, () -> open("hf://org/model", "HF_TOKEN", TOKEN));

        assertEquals(ErrorCode.AUTH_FAIL, e.code());
        assertTrue(e.getMessage().contains("Invalid credentials"), e.getMessage());
        assertFalse((e.getMessage() + e.hint()).contains(TOKEN));
    }

    @Test
    void tooManyRequestsWaitsForTheResetTheServerNamesThenSucceeds() throws Exception {
        hub.fault(Fault.tooManyRequests(1).times(1));
        long t0 = System.nanoTime();

        SourceSession s = open("hf://org/model");

        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(hub.repo("org/model").commit(), s.revision());
        assertTrue(millis >= 900, "waited " + millis + " ms for RateLimit t=1");
        assertEquals(List.of(429, 200), hub.log().stream().map(LoggedRequest::status).toList());
    }

    @Test
    void tooManyRequestsBeyondTheRetryBudgetIsRateLimit() {
        hub.fault(Fault.tooManyRequests(0));

        WanException e = assertThrows(WanException.class, () -> open("hf://org/model", "WAN_RETRIES", "2"));

        assertEquals(ErrorCode.RATE_LIMIT, e.code());
        assertEquals(3, hub.log().size());
    }

    @Test
    void aServerErrorBurstOnHeadIsRetried() throws Exception {
        SourceSession s = open("hf://org/model");
        hub.fault(Fault.status(503).times(3).in(Fault.Phase.HEAD));

        RemoteFile f = s.stat("weights/model.safetensors");

        assertEquals(WEIGHTS.size(), f.size());
        assertEquals(4, hub.log(r -> r.method().equals("HEAD")).size());
    }

    @Test
    void aRangedReadAnsweredWithTheWholeFileIsUsedFromOffsetZeroOnly() throws Exception {
        SourceSession s = open("hf://org/model");
        hub.fault(Fault.ignoreRange());
        byte[] all = WEIGHTS.bytes();

        byte[] head = readAll(s, "weights/model.safetensors", 0, 4096);
        byte[] near = readAll(s, "weights/model.safetensors", 100_000, 10);
        dev.wan.source.RangeNotSupportedException far = assertThrows(dev.wan.source.RangeNotSupportedException.class,
                () -> s.read("weights/model.safetensors", 8L << 20, 10));

        assertArrayEquals(java.util.Arrays.copyOfRange(all, 0, 4096), head);
        assertArrayEquals(java.util.Arrays.copyOfRange(all, 100_000, 100_010), near, "a small head is skipped");
        assertTrue(far.getMessage().contains("ignored the Range header"), far.getMessage());
    }

    @Test
    void closingTheStreamFromAnotherThreadAbortsABlockedRead() throws Exception {
        // The server stays silent, and the client's read timeout is, longer than the test may run: only
        // the close can end the read.
        SourceSession s = new HfBackend().open(new SourceRef("hf://org/model"), new SourceContext(HubContexts.env(hub),
                Path.of("/nonexistent-local-root"), 4, Duration.ofSeconds(5), Duration.ofHours(1)));
        hub.fault(Fault.stall(1000, Duration.ofHours(1)));
        InputStream in = s.read("weights/model.safetensors", 0, 1 << 20);
        in.readNBytes(1000);
        CompletableFuture<Object> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return in.read(new byte[100]);
            } catch (IOException e) {
                return e;
            }
        });
        Thread.sleep(300); // most likely blocked by now; either way only the close can end it
        assertFalse(blocked.isDone(), "the read should block on the stalled server");

        // closed from another thread, as the stall watchdog does; a close that hangs too fails the guard
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
            try {
                in.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Object outcome = blocked.get(2, TimeUnit.MINUTES); // a guard against a hang only
        closing.get(2, TimeUnit.MINUTES);

        assertTrue(outcome instanceof IOException || Integer.valueOf(-1).equals(outcome),
                "the read ended with " + outcome + ", not with the close");
    }

    @Test
    void hfHubOfflineMeansNoRequestAtAll() {
        for (String on : List.of("1", "ON", "yes", "True")) {
            WanException e = assertThrows(WanException.class, () -> open("hf://org/model", "HF_HUB_OFFLINE", on));

            assertEquals(ErrorCode.SOURCE_UNAVAILABLE, e.code());
            assertTrue(e.getMessage().contains("HF_HUB_OFFLINE is set"), e.getMessage());
        }
        assertEquals(List.of(), hub.log());
    }

    @Test
    void tokenOrderIsHfTokenThenHuggingFaceHubTokenThenTheTokenFile() throws Exception {
        Path hfHome = Files.createDirectories(tmp.resolve("hf-home"));
        Files.writeString(hfHome.resolve("token"), "hf_fromTheTokenFile0000\n");
        Path xdg = Files.createDirectories(tmp.resolve("xdg/huggingface"));
        Files.writeString(xdg.resolve("token"), "hf_fromXdgCacheHome0000");
        Path home = Files.createDirectories(tmp.resolve("home/.cache/huggingface"));
        Files.writeString(home.resolve("token"), "hf_fromHomeCache00000000");

        Map<String, String> seen = new java.util.LinkedHashMap<>();
        seen.put("both", bearerOf("HF_TOKEN", "hf_first", "HUGGING_FACE_HUB_TOKEN", "hf_second", "HF_HOME", hfHome.toString()));
        seen.put("legacy", bearerOf("HUGGING_FACE_HUB_TOKEN", "hf_second", "HF_HOME", hfHome.toString()));
        seen.put("file", bearerOf("HF_HOME", hfHome.toString()));
        seen.put("xdg", bearerOf("XDG_CACHE_HOME", tmp.resolve("xdg").toString()));
        seen.put("home", bearerOf("HOME", tmp.resolve("home").toString()));
        seen.put("none", bearerOf());

        assertEquals("{both=hf_first, legacy=hf_second, file=hf_fromTheTokenFile0000, xdg=hf_fromXdgCacheHome0000, "
                + "home=hf_fromHomeCache00000000, none=null}", seen.toString());
    }

    private String bearerOf(String... env) throws IOException {
        hub.clearLog();
        open("hf://org/model", env);
        return hub.log().get(0).bearer();
    }

    @Test
    void credentialsShowWhichTokenIsUsedMasked() throws Exception {
        assertEquals("HF_TOKEN hf_****abcd", open("hf://org/model", "HF_TOKEN", TOKEN).credentials());
        assertEquals("HUGGING_FACE_HUB_TOKEN hf_****abcd",
                open("hf://org/model", "HUGGING_FACE_HUB_TOKEN", TOKEN).credentials());
        assertEquals("anonymous", open("hf://org/model").credentials());
        assertEquals("HF_TOKEN hf_****", open("hf://org/model", "HF_TOKEN", "hf_short").credentials());
    }

    @Test
    void etagsAreNormalisedAndOnlyASha256CountsAsADigest() {
        assertEquals("a".repeat(64), HfSession.sha256("W/\"" + "A".repeat(64) + "\""));
        assertNull(HfSession.sha256("\"" + "a".repeat(40) + "\""), "a git sha1 is no sha256");
        assertNull(HfSession.sha256(null));
    }

    @Test
    void messagesNeverContainTheTokenOrTheCdnSignature() throws Exception {
        hub.fault(Fault.status(500).in(Fault.Phase.DOWNLOAD));
        SourceSession s = open("hf://org/model", "HF_TOKEN", TOKEN);

        IOException e = assertThrows(IOException.class, () -> s.read("weights/model.safetensors", 0, 10));

        String all = e.getMessage() + " " + s + " " + s.credentials();
        assertFalse(all.contains(TOKEN), all);
        assertFalse(all.contains("X-Amz-Signature"), all);
        assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
        String logged = hub.log().stream().map(LoggedRequest::toString).collect(Collectors.joining());
        assertFalse(logged.contains(TOKEN), "the test server's own log lines do not print tokens either");
    }
}
