package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.wan.ErrorCode;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wan serve}: the health endpoints ({@link HealthEndpoints}) over HTTP until stopped, and with
 * {@code --allow-ensure} the ensure jobs of {@link JobEndpoints}, run by {@link ServeJobs}.
 *
 * <p>The server is the JDK's {@code com.sun.net.httpserver.HttpServer} (module jdk.httpserver, in
 * every JDK since 6): health and metrics traffic is a few small requests a second, which it serves
 * with room to spare, and it brings no framework and no dependency that would need patching. A
 * small fixed pool of daemon threads answers; a request never writes (an ensure runs on a job
 * thread of {@link ServeJobs}, never on these), so they need no coordination.
 *
 * <p>Binding: loopback by default. Another address is refused (exit 2) unless a token is configured
 * ({@code WAN_SERVE_TOKEN} or {@code --token-file}, see {@link ServeToken}): the health endpoints stay
 * open, and with {@code --allow-ensure} every other endpoint asks for the token ({@link BearerAuth});
 * {@code --allow-ensure} without a token is refused too.
 *
 * <p>Stopping: SIGINT or SIGTERM runs a shutdown hook that stops taking connections, lets answers
 * in flight finish (at most a second) and ends; the process then exits with the status the JVM
 * gives a signal (130 for SIGINT, 143 for SIGTERM: systemd wants {@code SuccessExitStatus=143}).
 * Inside {@code wan shell} (or any caller that interrupts the command's thread) it stops the same
 * way and returns 130, as every interrupted command does.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve health endpoints (and, with --allow-ensure, ensure jobs) over HTTP until stopped"
                + " (Ctrl-C, SIGTERM).",
                "GET /health: the server is up (200).",
                "GET /health/models: every model's state; 200 when all are COMPLETE, else 503.",
                "GET /health/models/ID[?variant=NAME]: one model; 200 when COMPLETE, else 503;"
                        + " 404 for an unknown id, 400 for a malformed id or an unknown variant.",
                "GET /metrics: Prometheus metrics (text format); no token needed.",
                "Answers read what 'wan status' reads: no hashing, no download, no lock held,"
                        + " nothing written. A changed manifest is read again on the next request.",
                "With --allow-ensure (needs a token):",
                "POST /models/ID/ensure[?variant=NAME]: start an ensure, or join the one running for that"
                        + " model and variant; 202 with the job (Location: /jobs/JOB); 429 when "
                        + ServeJobs.QUEUED + " jobs already wait behind " + ServeJobs.RUNNING + " running.",
                "GET /jobs/JOB: QUEUED, RUNNING (files and bytes done), then SUCCEEDED with the model's path"
                        + " or FAILED with the error code, exit code and message; 404 once forgotten (the last "
                        + ServeJobs.REMEMBERED + " finished jobs are kept).",
                "Then every request but /health* and /metrics needs 'Authorization: Bearer TOKEN' (else 401);"
                        + " without --allow-ensure those endpoints answer 403.",
                "It listens on loopback only, unless a token is set ($WAN_SERVE_TOKEN or --token-file);"
                        + " the /health endpoints need none.",
                "It prints the URL it serves on (with --json as one JSON line) once it listens."})
final class ServeCommand extends Verb {
    /** Threads answering requests: health checks are small and quick, a few suffice. */
    static final int THREADS = 4;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8000",
            description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one, the URL line says which).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}); a non-loopback one needs a token.")
    String bind;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the token: yours, mode 0600, at most 4 KiB. Wins over $WAN_SERVE_TOKEN.")
    Path tokenFile;

    @Option(names = "--allow-ensure", description = "Serve POST /models/ID/ensure and GET /jobs/JOB; every"
            + " endpoint but /health* and /metrics then needs the token, which must be set.")
    boolean allowEnsure;

    @Override
    public Integer call() {
        Output o = output();
        if (port < 0 || port > 65535) {
            throw usage("--port " + port + " is not a TCP port: use 1-65535, or 0 for any free port");
        }
        ServeToken token;
        try {
            token = ServeToken.load(tokenFile, WanCli.env(spec));
        } catch (ServeToken.Refused e) {
            throw usage(e.getMessage());
        }
        if (allowEnsure && token == null) {
            throw usage("--allow-ensure needs a token, or anyone who can reach the port could fill the disk: set"
                    + " WAN_SERVE_TOKEN, or pass --token-file FILE (mode 0600, one line); clients send it as"
                    + " 'Authorization: Bearer TOKEN'");
        }
        InetAddress address = address();
        if (!address.isLoopbackAddress() && token == null) {
            throw usage("--bind " + bind + " is not a loopback address and no token is set: set WAN_SERVE_TOKEN or pass"
                    + " --token-file FILE (mode 0600) to listen there, or keep the default 127.0.0.1 (and put a"
                    + " reverse proxy in front)");
        }
        // a bad setting or manifest fails here (exit 3), before listening
        ManifestWatch manifests = new ManifestWatch(common.config(null));
        // counters count this process's work (its ensure jobs); gauges read the store at each scrape
        ServeMetrics metrics = new ServeMetrics(() -> manifests.current().ensurer());
        // jobs ensure with the configuration 'wan ensure' would use, and feed the metrics
        ServeJobs jobs = allowEnsure ? new ServeJobs(common.config(null), metrics.listener()) : null;
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 64);
        } catch (IOException e) {
            throw usage("cannot listen on " + bind + " port " + port + " (" + e.getMessage()
                    + "): pick another --port (0 = any free port), or stop what listens there");
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, daemonThreads());
        server.setExecutor(pool);
        var health = server.createContext("/", new HealthEndpoints(manifests));
        JobEndpoints jobEndpoints = new JobEndpoints(manifests, jobs);
        var models = server.createContext(JobEndpoints.MODELS, jobEndpoints);
        var jobPaths = server.createContext(JobEndpoints.JOBS, jobEndpoints);
        if (allowEnsure) {
            health.getFilters().add(new BearerAuth(token, true));
            models.getFilters().add(new BearerAuth(token, false));
            jobPaths.getFilters().add(new BearerAuth(token, false));
        }
        var metricsPath = server.createContext(MetricsEndpoint.PATH, new MetricsEndpoint(metrics)); // no token: scrapers carry none
        for (var context : List.of(health, models, jobPaths, metricsPath)) {
            context.getFilters().add(0, new ServeMdc()); // first: the token check's refusals carry the id too
        }
        String url = url(address, server.getAddress().getPort());
        Stopper stopper = new Stopper(server, pool, jobs, o, url);
        Thread hook = new Thread(stopper::stop, "wan-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        server.start();
        if (o.json) {
            ObjectNode doc = o.document("serve", true);
            doc.put("url", url);
            o.printLine(doc);
        } else {
            o.line("wan: serving health on " + url);
        }
        try {
            stopper.stopped.await(); // until a signal's hook stops the server
            return WanCli.EXIT_OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ErrorCode.INTERRUPTED.exitCode();
        } finally {
            stopper.stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped us: nothing to remove
            }
        }
    }

    private InetAddress address() {
        if (bind.isBlank()) {
            throw usage("--bind is empty: name an address, e.g. 127.0.0.1");
        }
        try {
            return InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw usage("--bind " + bind + " is not an address of this machine wan can resolve: use an IP address"
                    + " such as 127.0.0.1, or a host name that resolves");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** The URL of what was asked for (0.0.0.0 stays 0.0.0.0, not the dual-stack socket's ::) with the real port. */
    static String url(InetAddress a, int port) {
        String host = a instanceof Inet6Address ? "[" + a.getHostAddress().replaceFirst("%.*", "") + "]" : a.getHostAddress();
        return "http://" + host + ":" + port;
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "wan-serve-" + n.incrementAndGet());
            t.setDaemon(true); // never what keeps a JVM alive
            return t;
        };
    }

    /** Stops the server once, whoever asks first: the signal's hook or the command's own thread. */
    private static final class Stopper {
        final CountDownLatch stopped = new CountDownLatch(1);
        private final AtomicBoolean once = new AtomicBoolean();
        private final HttpServer server;
        private final ExecutorService pool;
        /** Null without --allow-ensure. */
        private final ServeJobs jobs;
        private final Output output;
        private final String url;

        Stopper(HttpServer server, ExecutorService pool, ServeJobs jobs, Output output, String url) {
            this.server = server;
            this.pool = pool;
            this.jobs = jobs;
            this.output = output;
            this.url = url;
        }

        void stop() {
            if (!once.compareAndSet(false, true)) {
                return;
            }
            try {
                server.stop(1); // no new connections; answers in flight get up to a second
                pool.shutdownNow();
                if (jobs != null) {
                    jobs.close(); // running ensures are interrupted: nothing half-published, staging kept
                }
                if (!output.quiet && !output.json) {
                    output.err.println("wan: stopped serving " + url);
                    output.err.flush();
                }
            } finally {
                stopped.countDown();
            }
        }
    }
}
