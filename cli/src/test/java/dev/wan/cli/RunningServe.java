package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code wan serve …} run in this JVM on its own thread, as {@link InProcessWan} runs other commands:
 * {@link #start} returns once the command printed its first line (the URL) or ended (a refusal);
 * {@link #close} interrupts it, as {@code wan shell}'s Ctrl-C does, and waits for it to end.
 */
final class RunningServe implements AutoCloseable {
    private static final Pattern URL = Pattern.compile("http://[^\\s\"]+");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final Thread thread;
    private final FirstLine out;
    private final CompletableFuture<String> firstLine;
    private final CompletableFuture<Integer> exit;
    private final StringWriter err;
    private final String line;

    private RunningServe(Thread thread, FirstLine out, CompletableFuture<String> firstLine, CompletableFuture<Integer> exit,
                         StringWriter err, String line) {
        this.thread = thread;
        this.out = out;
        this.firstLine = firstLine;
        this.exit = exit;
        this.err = err;
        this.line = line;
    }

    /** {@code VAR=… wan ARGS} (env on top of {@link InProcessWan#ISOLATED}) until it listens or ends. */
    static RunningServe start(Map<String, String> env, String... args) throws Exception {
        Map<String, String> all = new HashMap<>(InProcessWan.ISOLATED);
        all.putAll(env);
        CompletableFuture<String> firstLine = new CompletableFuture<>();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        StringWriter err = new StringWriter();
        FirstLine stdout = new FirstLine(firstLine);
        PrintWriter out = new PrintWriter(stdout);
        PrintWriter errWriter = new PrintWriter(err);
        Thread t = new Thread(() -> {
            try {
                exit.complete(WanCli.run(all, out, errWriter, args));
            } catch (Throwable e) {
                exit.completeExceptionally(e);
            }
        }, "test-wan-serve");
        t.setDaemon(true);
        t.start();
        CompletableFuture.anyOf(firstLine, exit).get(60, TimeUnit.SECONDS);
        return new RunningServe(t, stdout, firstLine, exit, err, firstLine.getNow(null));
    }

    /** Whether the command is serving (it printed its line), rather than ended with a refusal. */
    boolean serving() {
        return line != null && !exit.isDone();
    }

    /** The line it printed on start, or null. */
    String line() {
        return line;
    }

    /** The URL it printed, e.g. {@code http://127.0.0.1:40123}. */
    String url() {
        if (line == null) {
            throw new AssertionError("wan serve printed no URL; exit " + exit.getNow(null) + ", stderr: " + err);
        }
        Matcher m = URL.matcher(line);
        if (!m.find()) {
            throw new AssertionError("no URL in: " + line);
        }
        return m.group();
    }

    int port() {
        return URI.create(url()).getPort();
    }

    /** The exit code once the command ended by itself (a refusal); fails if it is still serving. */
    int exitCode() throws Exception {
        return exit.get(30, TimeUnit.SECONDS);
    }

    /** Everything it printed on stdout so far. */
    String out() {
        return out.text();
    }

    String err() {
        return err.toString();
    }

    /** Interrupts the command (Ctrl-C in 'wan shell') and returns its exit code. */
    int stop() throws Exception {
        thread.interrupt();
        return exit.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
        if (!exit.isDone()) {
            thread.interrupt();
            int code;
            try {
                code = exit.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while stopping wan serve", e);
            }
            assertEquals(130, code, "an interrupted serve ends as INTERRUPTED; stderr: " + err);
        }
    }

    /** One response: status, body, its JSON. */
    record Response(int status, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    static Response get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    static Response send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString(java.nio.charset.StandardCharsets.UTF_8));
        return new Response(r.statusCode(), r.body(), r.headers());
    }

    /** Completes with the first line written, then keeps the rest. */
    private static final class FirstLine extends Writer {
        private final CompletableFuture<String> line;
        private final StringBuilder buffer = new StringBuilder();

        FirstLine(CompletableFuture<String> line) {
            this.line = line;
        }

        @Override
        public synchronized void write(char[] c, int off, int len) {
            buffer.append(c, off, len);
            int nl = buffer.indexOf("\n");
            if (nl >= 0 && !line.isDone()) {
                line.complete(buffer.substring(0, nl));
            }
        }

        synchronized String text() {
            return buffer.toString();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
