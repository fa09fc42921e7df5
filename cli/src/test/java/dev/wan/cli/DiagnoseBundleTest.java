package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.cli.InProcessWan.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wan diagnose --bundle FILE}: what the archive holds, masked; how FILE is (never) overwritten. */
class DiagnoseBundleTest {
    private static final String TOKEN = "hf_bundleCanaryToken0123456789";
    private static final String SIGNATURE = "bundleCanarySignature0123456789";

    @TempDir
    Path tmp;

    private Path root() throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve(".tmp"));
        return root;
    }

    private Path manifest() throws Exception {
        Path m = tmp.resolve("models.toml");
        // a presigned URL is a secret the manifest can hold, whatever the design says
        Files.writeString(m, """
                schema_version = 1
                [models."signed@1.0.0"]
                [[models."signed@1.0.0".files]]
                path = "a.bin"
                size = 3
                [models."signed@1.0.0".sources]
                priority = ["http://127.0.0.1:9/a.bin?X-Amz-Signature=%s&X-Amz-Expires=60"]
                """.formatted(SIGNATURE));
        return m;
    }

    private static Map<String, String> unzip(Path zip) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void theBundleHoldsTheReportSystemManifestAndLogTailAllMaskedInAFileOnlyTheOwnerReads() throws Exception {
        Path log = tmp.resolve("wan.log");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append("line ").append(i).append(" GET /x?X-Amz-Signature=").append(SIGNATURE)
                    .append(" token ").append(TOKEN).append('\n');
        }
        text.append("last line\n");
        Files.writeString(log, text);
        Path bundle = tmp.resolve("support.zip");

        Run run = InProcessWan.run(Map.of("HF_TOKEN", TOKEN, "WAN_LOG_FILE", log.toString(), "WAN_RETRIES", "0"),
                root(), manifest(), "diagnose", "--bundle", bundle.toString(), "--source-timeout", "20s");

        Map<String, String> entries = unzip(bundle);
        assertEquals(List.of("report.txt", "report.json", "system.txt", "manifest.toml", "wan.log"),
                List.copyOf(entries.keySet()), run.toString());
        assertTrue(entries.get("report.txt").startsWith("wan diagnose, "), entries.get("report.txt"));
        assertTrue(entries.get("report.txt").contains("- MODELS_ROOT="), "every detail is in the bundle's report");
        assertEquals("diagnose", new ObjectMapper().readTree(entries.get("report.json")).get("command").asText());
        assertTrue(entries.get("system.txt").contains("cpus: "), entries.get("system.txt"));
        assertTrue(entries.get("system.txt").contains("java.version: "), entries.get("system.txt"));
        assertTrue(entries.get("manifest.toml").contains("X-Amz-Signature=<redacted>"), entries.get("manifest.toml"));
        assertTrue(entries.get("wan.log").endsWith("last line\n"));
        assertTrue(entries.get("wan.log").length() <= SupportBundle.LOG_TAIL);
        assertTrue(entries.get("wan.log").startsWith("line "), "the tail starts at a line");
        for (Map.Entry<String, String> e : entries.entrySet()) {
            assertFalse(e.getValue().contains(TOKEN), e.getKey() + " holds the token");
            assertFalse(e.getValue().contains(SIGNATURE), e.getKey() + " holds the signature");
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bundle)));
        assertTrue(run.out().contains("bundle: " + bundle), run.out());
        assertFalse(run.out().contains(SIGNATURE), run.out());
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp file is left");
        }
    }

    @Test
    void anExistingFileIsNotOverwrittenWithoutForce() throws Exception {
        Path bundle = tmp.resolve("support.zip");
        Files.writeString(bundle, "mine");

        Run refused = InProcessWan.run(root(), manifest(), "diagnose", "--bundle", bundle.toString(), "--source-timeout", "1s");
        String after = Files.readString(bundle);
        Run forced = InProcessWan.run(root(), manifest(), "diagnose", "--bundle", bundle.toString(), "--force",
                "--source-timeout", "1s");

        assertEquals(5, refused.code(), refused.toString());
        assertTrue(refused.err().contains("exists; the bundle was not written"), refused.err());
        assertEquals("mine", after);
        assertTrue(unzip(bundle).containsKey("report.json"), forced.toString());
    }

    @Test
    void aSymlinkPlantedAtFileIsNeverFollowed() throws Exception {
        Path victim = tmp.resolve("victim.txt");
        Files.writeString(victim, "precious");
        Path bundle = tmp.resolve("support.zip");
        Files.createSymbolicLink(bundle, victim);
        Path dangling = tmp.resolve("dangling.zip");
        Files.createSymbolicLink(dangling, tmp.resolve("created-through-link.zip"));

        Run refused = InProcessWan.run(root(), manifest(), "diagnose", "--bundle", bundle.toString(), "--source-timeout", "1s");
        Run refusedDangling = InProcessWan.run(root(), manifest(), "diagnose", "--bundle", dangling.toString(),
                "--source-timeout", "1s");
        Run forced = InProcessWan.run(root(), manifest(), "diagnose", "--bundle", bundle.toString(), "--force",
                "--source-timeout", "1s");

        assertEquals(5, refused.code(), refused.toString());
        assertEquals(5, refusedDangling.code(), refusedDangling.toString());
        assertFalse(Files.exists(tmp.resolve("created-through-link.zip"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("precious", Files.readString(victim), forced.toString());
        assertFalse(Files.isSymbolicLink(bundle), "the link itself was replaced");
        assertTrue(unzip(bundle).containsKey("report.txt"));
    }

    @Test
    void theMaskHidesSecretValuesWhereverTheyAppearAndSignaturesByShape() {
        SecretMask mask = SecretMask.of(Map.of("AWS_SECRET_ACCESS_KEY", "s3cr3t/Value+xyz", "MY_API_TOKEN", "abcdef123456",
                "WAN_RETRIES", "123456", "HOME", "/home/someone"));

        String out = mask.apply("key s3cr3t/Value+xyz and abcdef123456; retries 123456 in /home/someone;"
                + " GET /f?X-Amz-Credential=AKIAEXAMPLEKEY1&X-Amz-Signature=deadbeef Authorization: Bearer eyJhbGci.x.y"
                + " hf_AbCdEfGhIjKlMnOp id ASIAABCDEFGHIJKL");

        assertEquals("key **** and ****; retries 123456 in /home/someone; GET /f?X-Amz-Credential=<redacted>"
                + "&X-Amz-Signature=<redacted> Authorization: Bearer **** hf_**** id AKIA****", out);
    }
}
