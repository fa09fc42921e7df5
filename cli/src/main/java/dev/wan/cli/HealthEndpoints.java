package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.ensure.FileStatus;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import dev.wan.ensure.ModelStatus;
import dev.wan.internal.io.JsonTree;
import dev.wan.manifest.ModelId;
import dev.wan.text.TerminalText;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The health endpoints of {@code wan serve}, answered from what {@code wan status} reads (a stat
 * per file plus the state file): no hashing, no download, no lock taken, nothing created, so a
 * load balancer may poll them as often as it likes while other processes ensure or collect.
 *
 * <pre>
 * GET /health                           200 {"status":"ok"}             the process answers
 * GET /health/models                    200 every model COMPLETE, else 503; {"ok", "models": [...]}
 * GET /health/models/ID[?variant=NAME]  200 COMPLETE, else 503; 404 unknown id; 400 malformed id or unknown variant
 * anything else                         404 (other paths), 405 (methods other than GET and HEAD)
 * </pre>
 *
 * Every body is JSON in UTF-8, escaped as the CLI's {@code --json} is ({@link TerminalText#JSON_ESCAPES}),
 * so text from a request or a manifest can never act on the terminal of whoever reads it with curl.
 */
final class HealthEndpoints implements HttpHandler {

    static final String MODELS = "/health/models";
    /** Request text quoted back in an error is cut to this many characters. */
    private static final int MAX_ECHO = 200;
    /** A bare model name ({@code demo-t2v}): as on the command line, it means its only version. */
    static final Pattern BARE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    /** One answer: an HTTP status and its JSON body. */
    record Answer(int status, ObjectNode body) {
        static Answer error(int status, String message) {
            ObjectNode body = JsonTree.object();
            body.put("error", message);
            return new Answer(status, body);
        }

        /** A bug: the client gets a JSON 500 instead of a dropped connection. */
        static Answer internal(RuntimeException e) {
            return error(500, "internal error (" + e.getClass().getSimpleName()
                    + "): rerun 'wan serve --verbose' and report it");
        }
    }

    private final ManifestWatch watch;
    /** Every-model answers: concurrent requests share one store read (never one started before they came). */
    private final SharedRead<Answer> allModels = new SharedRead<>(this::readAllModels);

    /** The health endpoints never ask for a token (probes and load balancers call them without one). */
    HealthEndpoints(ManifestWatch watch) {
        this.watch = watch;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            Answer a;
            try {
                a = answer(exchange.getRequestMethod(), exchange.getRequestURI());
            } catch (RuntimeException e) {
                a = Answer.internal(e);
            }
            send(exchange, a);
        } finally {
            exchange.close();
        }
    }

    /** The answer to one request; pure apart from the store reads of {@code status}. */
    Answer answer(String method, URI uri) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Answer.error(405, "method " + echo(method) + " is not allowed: these endpoints answer GET and HEAD");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.equals("/health")) {
            ObjectNode body = JsonTree.object();
            body.put("status", "ok");
            return new Answer(200, body);
        }
        if (path.equals(MODELS)) {
            try {
                return allModels.get(); // shared: its body is only read from here on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Answer.error(503, "the server is stopping");
            }
        }
        if (path.startsWith(MODELS + "/") && path.indexOf('/', MODELS.length() + 1) < 0) {
            return oneModel(path.substring(MODELS.length() + 1), uri.getRawQuery());
        }
        Answer a = Answer.error(404, "no endpoint at " + echo(path) + ": try GET /health, /health/models,"
                + " /health/models/ID or /metrics (and with --allow-ensure POST /models/ID/ensure, GET /jobs/JOB)");
        a.body().put("path", echo(path));
        return a;
    }

    private Answer readAllModels() {
        ManifestWatch.Snapshot now = watch.current();
        ModelEnsurer ensurer = now.ensurer();
        try {
            ObjectNode body = JsonTree.object();
            body.put("ok", false); // first in the document; set below
            body.put("modelsRoot", ensurer.config().modelsRoot().toString());
            body.put("manifest", ensurer.config().manifest().toString());
            body.put("manifestProblem", now.problem());
            ArrayNode models = body.putArray("models");
            boolean ok = true;
            List<ModelStatus> statuses = ensurer.statusAll();
            for (ModelStatus s : statuses) {
                ok &= s.state() == ModelState.COMPLETE;
                models.add(model(s));
            }
            body.put("ok", ok);
            return new Answer(ok ? 200 : 503, body);
        } catch (WanException e) {
            return storeProblem(e, now);
        }
    }

    private Answer oneModel(String rawId, String rawQuery) {
        String id;
        try {
            id = decode(rawId);
        } catch (IllegalArgumentException e) {
            return Answer.error(400, "malformed percent-encoding in the model id: encode it as UTF-8 (%XX)");
        }
        if (!ModelId.isValid(id) && !(id.length() <= ModelId.MAX_LENGTH && BARE_NAME.matcher(id).matches())) {
            return withModel(Answer.error(400, "malformed model id: expected name@x.y.z (e.g. t2v-A14B@2.2.0)"
                    + " or a bare name, at most " + ModelId.MAX_LENGTH + " characters"), id);
        }
        String variant;
        try {
            variant = queryParameter(rawQuery, "variant");
        } catch (IllegalArgumentException e) {
            return withModel(Answer.error(400, "malformed query: " + e.getMessage()), id);
        }
        if (variant != null && variant.isEmpty()) {
            return withModel(Answer.error(400, "variant is empty: name a variant, or leave ?variant= out"
                    + " for the model's default"), id);
        }
        ManifestWatch.Snapshot now = watch.current();
        ModelEnsurer ensurer = now.ensurer();
        ModelStatus s;
        try {
            String canonical = ensurer.manifest().canonicalId(id).toString();
            s = ensurer.status(canonical, variant);
        } catch (WanException e) {
            if (e.code() == ErrorCode.MODEL_NOT_FOUND) {
                return withModel(Answer.error(404, "unknown model " + echo(id) + ": it is not in the manifest"
                        + " (GET " + MODELS + " lists the models)"), id);
            }
            if (e.code() == ErrorCode.INVALID_MODEL_ID) {
                return withModel(Answer.error(400, e.getMessage() + "; " + e.hint()), id);
            }
            if (e.code() == ErrorCode.VARIANT_NOT_FOUND) {
                Answer a = withModel(Answer.error(400, e.getMessage() + "; " + e.hint()), id);
                a.body().put("variant", echo(variant));
                return a;
            }
            return storeProblem(e, now);
        }
        ObjectNode body = model(s);
        body.put("manifestProblem", now.problem());
        return new Answer(s.state() == ModelState.COMPLETE ? 200 : 503, body);
    }

    /** The store cannot be read (MODELS_ROOT is a file, unreadable, a planted link): not healthy. */
    private static Answer storeProblem(WanException e, ManifestWatch.Snapshot now) {
        Answer a = Answer.error(503, e.getMessage() + (e.hint().isEmpty() ? "" : "; " + e.hint()));
        a.body().put("ok", false);
        a.body().put("code", e.code().name());
        a.body().put("manifestProblem", now.problem());
        return a;
    }

    /** A model as the health endpoints show it: {@code wan status --json}'s fields without the file list. */
    static ObjectNode model(ModelStatus s) {
        return StatusCommand.summary(s).put("lastVerified", Objects.toString(lastVerified(s), null));
    }

    /** The latest verification the model's state records for any of its files (no hashing), or null. */
    static Instant lastVerified(ModelStatus s) {
        return s.files().stream().map(FileStatus::verifiedAt).filter(Objects::nonNull)
                .max(Instant::compareTo).orElse(null);
    }

    private static Answer withModel(Answer a, String id) {
        a.body().put("model", echo(id));
        return a;
    }

    /** Request text quoted back: cut to {@link #MAX_ECHO}; the JSON writer escapes what is left. */
    static String echo(String text) {
        if (text == null) {
            return null;
        }
        return text.length() <= MAX_ECHO ? text : text.substring(0, MAX_ECHO) + "\u2026";
    }

    /** Percent-decoding of a path segment or query value; '+' stays '+' in a path. */
    static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The decoded value of {@code name} in a raw query (the last one wins), or null. */
    static String queryParameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        String value = null;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return value;
    }

    static void send(HttpExchange exchange, Answer a) throws IOException {
        java.io.StringWriter text = new java.io.StringWriter();
        JsonTree.writeText(a.body(), TerminalText.JSON_ESCAPES, text, true);
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "application/json; charset=utf-8");
        headers.set("Cache-Control", "no-store"); // a health answer is about now
        headers.set("X-Content-Type-Options", "nosniff");
        if (a.status() == 405 && !headers.containsKey("Allow")) {
            headers.set("Allow", "GET, HEAD");
        }
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(a.status(), head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
