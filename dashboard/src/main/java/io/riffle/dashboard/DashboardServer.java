package io.riffle.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The page over HTTP (the JDK's own server): {@code /} and its script and style, the chart
 * library from its WebJar ({@code /vendor/...}, so the page needs no network), the current
 * snapshot at {@code /api/snapshot}, a server-sent event stream of snapshots at
 * {@code /api/stream}, and {@code /healthz} (200 while the pipeline looks healthy, 503 when not).
 */
final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final String WEB = "/io/riffle/dashboard/web/";
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/" + UplotVersion.VERSION + "/dist/";
    private static final int MAX_STREAMS = 32;
    private static final Map<String, String[]> STATIC = Map.of(
            "/", new String[] {WEB + "index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {WEB + "index.html", "text/html; charset=utf-8"},
            "/dashboard.js", new String[] {WEB + "dashboard.js", "text/javascript; charset=utf-8"},
            "/dashboard.css", new String[] {WEB + "dashboard.css", "text/css; charset=utf-8"},
            "/vendor/uPlot.iife.min.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/vendor/uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

    private final HttpServer server;
    private final ExecutorService executor;
    private final SnapshotSource snapshots;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private volatile boolean open = true;

    /** The latest snapshot as JSON and whether the pipeline looks healthy; {@link #await} blocks until the next. */
    interface SnapshotSource {
        String latest();

        boolean healthy();

        /** Waits up to {@code millis} for a snapshot newer than {@code after}; returns the newest's sequence number. */
        long await(long after, long millis) throws InterruptedException;
    }

    private DashboardServer(HttpServer server, ExecutorService executor, SnapshotSource snapshots) {
        this.server = server;
        this.executor = executor;
        this.snapshots = snapshots;
    }

    /** Listens on {@code bind:port}; when the port is taken and {@code anyPortIfTaken}, on a free one. */
    static DashboardServer start(String bind, int port, boolean anyPortIfTaken, SnapshotSource snapshots) throws IOException {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(bind, port), 64);
        } catch (BindException e) {
            if (!anyPortIfTaken || port == 0) {
                throw new BindException("port " + port + " on " + bind + " is taken; choose another with --port (0 = any free)");
            }
            http = HttpServer.create(new InetSocketAddress(bind, 0), 64);
            LOG.info("Dashboard port {} is taken, listening on {}", port, http.getAddress().getPort());
        }
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "riffle-dashboard-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        DashboardServer s = new DashboardServer(http, executor, snapshots);
        http.createContext("/", s::serve);
        http.start();
        return s;
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                send(ex, 405, "text/plain", "only GET\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            switch (path) {
                case "/api/snapshot" -> send(ex, 200, "application/json", snapshots.latest().getBytes(StandardCharsets.UTF_8));
                case "/api/stream" -> stream(ex);
                case "/healthz" -> send(ex, snapshots.healthy() ? 200 : 503, "application/json",
                        snapshots.latest().getBytes(StandardCharsets.UTF_8));
                default -> {
                    String[] resource = STATIC.get(path);
                    if (resource == null) {
                        send(ex, 404, "text/plain", ("no page at " + path + "\n").getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                    try (InputStream in = DashboardServer.class.getResourceAsStream(resource[0])) {
                        if (in == null) {
                            send(ex, 500, "text/plain", ("missing resource " + resource[0] + "\n").getBytes(StandardCharsets.UTF_8));
                            return;
                        }
                        ex.getResponseHeaders().set("Cache-Control", "no-cache");
                        send(ex, 200, resource[1], in.readAllBytes());
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("Dashboard client went away: {}", e.toString());
        }
    }

    /** Server-sent events: one {@code data:} line of snapshot JSON per second until the client leaves. */
    private void stream(HttpExchange ex) throws IOException {
        if (!streams.tryAcquire()) {
            send(ex, 503, "text/plain", "too many open dashboards\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            long seen = -1;
            while (open) {
                seen = snapshots.await(seen, 5_000);
                out.write(("data: " + snapshots.latest() + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.release();
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        open = false;
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
