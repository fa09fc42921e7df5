package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.manifest.Manifest;
import dev.wan.manifest.ModelId;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The endpoints of {@code wan serve} for pipelines that are not Java: start (or join) an ensure,
 * then poll its job.
 *
 * <pre>
 * POST /models/ID/ensure[?variant=NAME]  202 {job} (Location: /jobs/JOB); "joined": true when that
 *                                        model and variant already had a queued or running job;
 *                                        400 malformed id or variant, 404 unknown model,
 *                                        429 queue full (Retry-After), 503 stopping
 * GET /jobs/JOB                          200 {job}; 404 unknown (or forgotten) job
 * without --allow-ensure                 403 saying how to turn them on
 * </pre>
 *
 * The request body is never read (the JDK server drains at most 64 KiB of one, then drops the
 * connection). The bearer token these need is checked before any of this ({@link BearerAuth}).
 */
final class JobEndpoints implements HttpHandler {
    static final String MODELS = "/models";
    static final String JOBS = "/jobs";
    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{32}");
    private static final String ENSURE = "/ensure";

    private final ManifestWatch watch;
    /** Null when ensure over HTTP is off. */
    private final ServeJobs jobs;

    JobEndpoints(ManifestWatch watch, ServeJobs jobs) {
        this.watch = watch;
        this.jobs = jobs;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            HealthEndpoints.Answer a;
            try {
                a = answer(exchange.getRequestMethod(), exchange.getRequestURI());
            } catch (RuntimeException e) {
                a = HealthEndpoints.Answer.internal(e);
            }
            if (a.status() == 202) {
                exchange.getResponseHeaders().set("Location", a.body().get("url").asText());
            } else if (a.status() == 429) {
                exchange.getResponseHeaders().set("Retry-After", "10");
            } else if (a.status() == 405) {
                exchange.getResponseHeaders().set("Allow", a.body().get("allow").asText());
            }
            HealthEndpoints.send(exchange, a);
        } finally {
            exchange.close();
        }
    }

    HealthEndpoints.Answer answer(String method, URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        boolean ensure = path.startsWith(MODELS + "/") && path.endsWith(ENSURE)
                && path.length() > MODELS.length() + 1 + ENSURE.length()
                && path.indexOf('/', MODELS.length() + 1) == path.length() - ENSURE.length();
        boolean job = path.startsWith(JOBS + "/") && path.indexOf('/', JOBS.length() + 1) < 0;
        if (!ensure && !job) {
            HealthEndpoints.Answer a = HealthEndpoints.Answer.error(404, "no endpoint at " + HealthEndpoints.echo(path)
                    + ": try POST /models/ID/ensure or GET /jobs/JOB");
            a.body().put("path", HealthEndpoints.echo(path));
            return a;
        }
        if (jobs == null) {
            return HealthEndpoints.Answer.error(403, "ensure over HTTP is off: start the server with 'wan serve"
                    + " --allow-ensure' and a token (WAN_SERVE_TOKEN, or --token-file FILE with mode 0600);"
                    + " clients then send 'Authorization: Bearer TOKEN'");
        }
        if (ensure) {
            if (!method.equals("POST")) {
                return notAllowed(method, "POST");
            }
            return ensure(path.substring(MODELS.length() + 1, path.length() - ENSURE.length()), uri.getRawQuery());
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return notAllowed(method, "GET, HEAD");
        }
        String id = path.substring(JOBS.length() + 1);
        Optional<ServeJob> found = JOB_ID.matcher(id).matches() ? jobs.find(id) : Optional.empty();
        if (found.isEmpty()) {
            HealthEndpoints.Answer a = HealthEndpoints.Answer.error(404, "no job " + HealthEndpoints.echo(id)
                    + ": it never existed, or finished long enough ago to be forgotten (the last "
                    + ServeJobs.REMEMBERED + " finished jobs are kept); POST the ensure again");
            a.body().put("id", HealthEndpoints.echo(id));
            return a;
        }
        return new HealthEndpoints.Answer(200, found.get().json());
    }

    private HealthEndpoints.Answer ensure(String rawId, String rawQuery) {
        String id;
        String variant;
        try {
            id = HealthEndpoints.decode(rawId);
            variant = HealthEndpoints.queryParameter(rawQuery, "variant");
        } catch (IllegalArgumentException e) {
            return HealthEndpoints.Answer.error(400, "malformed percent-encoding in the model id or query:"
                    + " encode them as UTF-8 (%XX)");
        }
        if (!ModelId.isValid(id) && !(id.length() <= ModelId.MAX_LENGTH && HealthEndpoints.BARE_NAME.matcher(id).matches())) {
            return withModel(HealthEndpoints.Answer.error(400, "malformed model id: expected name@x.y.z"
                    + " (e.g. t2v-A14B@2.2.0) or a bare name, at most " + ModelId.MAX_LENGTH + " characters"), id);
        }
        if (variant != null && variant.isEmpty()) {
            return withModel(HealthEndpoints.Answer.error(400, "variant is empty: name a variant, or leave"
                    + " ?variant= out for the model's default"), id);
        }
        Manifest manifest = watch.current().ensurer().manifest();
        String canonical;
        String resolved;
        try {
            canonical = manifest.canonicalId(id).toString();
            resolved = manifest.model(canonical).resolveVariant(variant);
        } catch (WanException e) {
            if (e.code() == ErrorCode.MODEL_NOT_FOUND) {
                return withModel(HealthEndpoints.Answer.error(404, "unknown model " + HealthEndpoints.echo(id)
                        + ": it is not in the manifest (GET " + HealthEndpoints.MODELS + " lists the models)"), id);
            }
            HealthEndpoints.Answer a = withModel(HealthEndpoints.Answer.error(400, e.getMessage() + "; " + e.hint()), id);
            a.body().put("code", e.code().name());
            return a;
        }
        ServeJobs.Submitted s;
        try {
            s = jobs.submit(canonical, resolved);
        } catch (ServeJobs.Refused e) {
            return withModel(HealthEndpoints.Answer.error(e.stopping() ? 503 : 429, e.getMessage()
                    + (e.stopping() ? "" : "; try again in a while, or GET /jobs/JOB of a job you have")), id);
        }
        ObjectNode body = s.job().json();
        body.put("joined", s.joined());
        return new HealthEndpoints.Answer(202, body);
    }

    private static HealthEndpoints.Answer notAllowed(String method, String allow) {
        HealthEndpoints.Answer a = HealthEndpoints.Answer.error(405, "method " + HealthEndpoints.echo(method)
                + " is not allowed here: use " + allow);
        a.body().put("allow", allow);
        return a;
    }

    private static HealthEndpoints.Answer withModel(HealthEndpoints.Answer a, String id) {
        a.body().put("model", HealthEndpoints.echo(id));
        return a;
    }
}
