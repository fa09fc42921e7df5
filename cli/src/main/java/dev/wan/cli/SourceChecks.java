package dev.wan.cli;

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.SourceCheck;
import dev.wan.manifest.Manifest;
import dev.wan.manifest.ManifestProblem;
import dev.wan.manifest.Manifests;
import dev.wan.manifest.ModelSpec;
import dev.wan.manifest.SourceRef;
import dev.wan.source.s3.S3Backend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** The diagnose checks of the manifest and the sources: validation, reachability and credentials, S3 clock skew. */
final class SourceChecks {
    static final Duration WARN_SKEW = Duration.ofMinutes(5);
    /** SigV4 refuses a request signed more than 15 minutes away from the server's clock. */
    static final Duration FAIL_SKEW = Duration.ofMinutes(15);
    static final Duration CLOCK_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_SHOWN = 20;

    private SourceChecks() {
    }

    /** validate-manifest's checks: errors fail (exit 3), warnings warn. */
    static Finding manifest(Manifests.Report report, java.nio.file.Path file) {
        List<String> d = new ArrayList<>();
        report.problems().stream().limit(MAX_SHOWN).forEach(p -> d.add(p.toString()));
        if (report.problems().size() > MAX_SHOWN) {
            d.add("… and " + (report.problems().size() - MAX_SHOWN) + " more: 'wan models validate-manifest' lists all");
        }
        if (!report.valid()) {
            ErrorCode code = report.errors().stream().map(ManifestProblem::code).findFirst()
                    .orElse(ErrorCode.MANIFEST_VALIDATION_ERROR);
            return Finding.fail("manifest", code.exitCode() == ErrorCode.MANIFEST_VALIDATION_ERROR.exitCode() ? code
                    : ErrorCode.MANIFEST_VALIDATION_ERROR, file + ": " + report.errors().size() + " error(s), "
                    + report.warnings().size() + " warning(s)", "fix what 'wan models validate-manifest' reports", d);
        }
        String message = file + ": valid, " + report.manifest().models().size() + " model(s)";
        if (!report.warnings().isEmpty()) {
            return Finding.warn("manifest", message + ", " + report.warnings().size() + " warning(s)",
                    "fix what 'wan models validate-manifest' reports (unknown keys are ignored)", d);
        }
        return Finding.pass("manifest", message, d);
    }

    /**
     * test-auth over every model's sources (each opened and one file stat'ed, nothing downloaded),
     * all within {@code timeout}: a source that has not answered by then is reported as such.
     * A model none of whose sources works fails (exit 6); one failing source among working ones warns.
     */
    static Finding sources(ModelEnsurer ensurer, Duration timeout, List<SourceCheck> found) {
        Manifest m = ensurer.manifest();
        if (m.models().isEmpty()) {
            return Finding.pass("sources", "no models in the manifest", List.of());
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, m.models().size()), r -> {
            Thread t = new Thread(r, "wan-diagnose-sources");
            t.setDaemon(true); // a source that never answers must not keep the process alive
            return t;
        });
        List<String> ids = new ArrayList<>();
        List<Future<List<SourceCheck>>> futures = new ArrayList<>();
        for (ModelSpec spec : m.models().values()) {
            ids.add(spec.id().toString());
            futures.add(pool.submit(() -> ensurer.testSources(spec.id().toString(), null, false)));
        }
        pool.shutdown();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> d = new ArrayList<>();
        int failedModels = 0;
        int failedSources = 0;
        int total = 0;
        for (int i = 0; i < futures.size(); i++) {
            List<SourceCheck> checks;
            try {
                checks = futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                futures.get(i).cancel(true);
                failedModels++;
                d.add(ids.get(i) + ": no answer within " + timeout.toSeconds() + "s");
                continue;
            } catch (java.util.concurrent.ExecutionException e) {
                failedModels++;
                Throwable c = e.getCause();
                d.add(ids.get(i) + ": " + (c instanceof WanException we ? we.code() + ": " : "") + c.getMessage());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                pool.shutdownNow();
                throw new WanException(ErrorCode.INTERRUPTED, "diagnose was interrupted", "");
            }
            found.addAll(checks);
            total += checks.size();
            long bad = checks.stream().filter(c -> !c.ok()).count();
            failedSources += (int) bad;
            if (!checks.isEmpty() && bad == checks.size()) {
                failedModels++;
            }
            checks.forEach(c -> d.add(TestSourcesCommand.line(c, false)));
        }
        pool.shutdownNow();
        String message = total + " source(s) of " + ids.size() + " model(s): " + failedSources + " failing"
                + (failedModels > 0 ? ", " + failedModels + " model(s) with no working source" : "");
        String fix = "'wan models test-auth ID' and 'wan models test-sources ID' show each source; check the network,"
                + " HF_TOKEN / AWS_* credentials, and the URIs in the manifest";
        if (failedModels > 0) {
            return Finding.fail("sources", ErrorCode.SOURCE_UNAVAILABLE, message, fix, d);
        }
        return failedSources > 0 ? Finding.warn("sources", message, fix, d) : Finding.pass("sources", message, d);
    }

    /** The distinct endpoints of the manifest's {@code s3://} sources; unparseable ones are left to the sources check. */
    static Set<URI> s3Endpoints(Manifest m, WanConfig config) {
        Set<URI> out = new LinkedHashSet<>();
        for (ModelSpec spec : m.models().values()) {
            for (SourceRef src : spec.sources()) {
                if (src.scheme().equals("s3")) {
                    try {
                        out.add(S3Backend.endpoint(src, config.settings().sourceContext(config.localRoot())));
                    } catch (RuntimeException e) {
                        // a bad URI or configuration: the sources check reports it
                    }
                }
            }
        }
        return out;
    }

    /**
     * Compares the local clock with the {@code Date} header of each S3 endpoint (any answer carries
     * one, a 403 too: no credentials are sent). Off by more than {@link #WARN_SKEW} warns; by
     * {@link #FAIL_SKEW} or more, signed requests are refused, so it fails (exit 6).
     */
    static Finding clockSkew(Set<URI> endpoints, Clock clock) {
        if (endpoints.isEmpty()) {
            return Finding.pass("clock", "not checked: no s3:// source", List.of());
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(CLOCK_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        List<String> d = new ArrayList<>();
        Duration worst = Duration.ZERO;
        int answered = 0;
        for (URI endpoint : endpoints) {
            String shown = endpoint.getScheme() + "://" + endpoint.getHost() + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort());
            try {
                HttpRequest req = HttpRequest.newBuilder(endpoint).timeout(CLOCK_TIMEOUT)
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
                Instant before = clock.instant();
                HttpResponse<Void> res = http.send(req, HttpResponse.BodyHandlers.discarding());
                Instant after = clock.instant();
                String date = res.headers().firstValue("Date").orElse(null);
                if (date == null) {
                    d.add(shown + ": answered without a Date header");
                    continue;
                }
                Instant server = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Instant local = before.plus(Duration.between(before, after).dividedBy(2));
                Duration skew = Duration.between(local, server);
                answered++;
                worst = skew.abs().compareTo(worst.abs()) > 0 ? skew : worst;
                d.add(shown + ": server clock " + (skew.isNegative() ? "behind" : "ahead") + " by "
                        + skew.abs().toSeconds() + "s");
            } catch (java.io.IOException | RuntimeException e) {
                d.add(shown + ": no answer (" + e.getClass().getSimpleName() + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WanException(ErrorCode.INTERRUPTED, "diagnose was interrupted", "");
            }
        }
        String fix = "synchronise this machine's clock (timedatectl set-ntp true, or chrony/ntpd)";
        if (answered == 0) {
            return Finding.warn("clock", "not checked: no S3 endpoint answered", "see the sources check", d);
        }
        String message = "off by " + worst.abs().toSeconds() + "s from S3 at most";
        if (worst.abs().compareTo(FAIL_SKEW) >= 0) {
            return Finding.fail("clock", ErrorCode.AUTH_FAIL, message + ": S3 refuses requests signed " + FAIL_SKEW.toMinutes()
                    + " min or more away", fix, d);
        }
        if (worst.abs().compareTo(WARN_SKEW) > 0) {
            return Finding.warn("clock", message + ": S3 refuses signatures " + FAIL_SKEW.toMinutes() + " min away", fix, d);
        }
        return Finding.pass("clock", message, d);
    }
}
