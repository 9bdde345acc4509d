package io.riffle.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The live ops page of one pipeline: reads its topics and metrics, serves the page on
 * {@link DashboardOptions#bind()} (loopback by default) and pushes a snapshot every second.
 * {@link #start} returns once the page is listening; {@link #close} stops everything.
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    private static final long SNAPSHOT_MILLIS = 1_000;
    private static final long SCRAPE_MILLIS = 2_000;

    private final DashboardOptions options;
    private final LiveStats stats;
    private final DashboardFeed feed;
    private final Thread feedThread;
    private final ScheduledExecutorService ticks;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final Object snapshotLock = new Object();
    private DashboardServer server;
    private String latest = "{}";
    private String status = "ok";
    private long sequence;

    private Dashboard(DashboardOptions options) {
        this.options = options;
        this.stats = new LiveStats(options.segmentBy(), options.psiThreshold(), System.currentTimeMillis());
        this.feed = new DashboardFeed(options, stats);
        this.feedThread = new Thread(feed, "riffle-dashboard-feed");
        this.feedThread.setDaemon(true);
        this.ticks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "riffle-dashboard-ticks");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts reading and serving; throws when the page cannot listen (a taken port without {@code anyPortIfTaken}). */
    public static Dashboard start(DashboardOptions options) throws IOException {
        Dashboard d = new Dashboard(options);
        try {
            d.tick();
            d.server = DashboardServer.start(options.bind(), options.port(), options.anyPortIfTaken(), d.source());
        } catch (IOException | RuntimeException e) {
            d.feed.close();
            d.ticks.shutdownNow();
            throw e;
        }
        d.feedThread.start();
        d.ticks.scheduleAtFixedRate(d::tick, SNAPSHOT_MILLIS, SNAPSHOT_MILLIS, TimeUnit.MILLISECONDS);
        d.ticks.scheduleWithFixedDelay(d::scrape, 0, SCRAPE_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("Dashboard on {}", d.url());
        return d;
    }

    /** Where the page is, e.g. {@code http://127.0.0.1:8088/}. */
    public URI url() {
        String host = options.bind();
        if ("0.0.0.0".equals(host) || "::".equals(host)) {
            host = "127.0.0.1";
        }
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.address().getPort() + "/");
    }

    /** The page's current state as JSON (what {@code /api/snapshot} serves). */
    public JsonNode snapshot() {
        try {
            return json.readTree(latestJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ok, idle, warn or down, with the reasons: one line for a console. */
    public String healthLine() {
        JsonNode s = snapshot();
        JsonNode h = s.path("health");
        StringBuilder b = new StringBuilder(h.path("status").asText("starting"));
        b.append(String.format(java.util.Locale.ROOT, ": %.0f events/s in, %.0f scores/s out, p99 %s ms, %d versions",
                s.path("rates").path("eventsPerSecond").asDouble(), s.path("rates").path("scoresPerSecond").asDouble(),
                s.path("latencyMs").path("p99").asText("-"), s.path("versions").size()));
        for (JsonNode m : h.path("messages")) {
            b.append("; ").append(m.asText());
        }
        return b.toString();
    }

    private String latestJson() {
        synchronized (snapshotLock) {
            return latest;
        }
    }

    private void tick() {
        try {
            ObjectNode snap = stats.snapshot(System.currentTimeMillis());
            String text = json.writeValueAsString(snap);
            synchronized (snapshotLock) {
                latest = text;
                status = snap.path("health").path("status").asText("ok");
                sequence++;
                snapshotLock.notifyAll();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Dashboard snapshot failed", e);
        }
    }

    private void scrape() {
        try {
            long now = System.currentTimeMillis();
            double cpu = Double.NaN;
            String source = null;
            if (!options.metricsUrls().isEmpty()) {
                MetricsScrape s = MetricsScrape.of(http, options.metricsUrls());
                stats.metrics(s, now);
                cpu = s.cpuSeconds();
                source = "metrics";
            }
            if (!Double.isFinite(cpu) && options.cpuOfThisProcess()) {
                cpu = processCpuSeconds();
                source = "this process";
            }
            stats.cpu(now, cpu, source);
            if (options.flinkRest() != null) {
                stats.jobs(flinkJobs(), now);
            }
        } catch (RuntimeException e) {
            LOG.warn("Dashboard scrape failed", e);
        }
    }

    /** The jobs Flink's REST API lists ({@code /jobs/overview}): name and state; null when it does not answer. */
    private List<String[]> flinkJobs() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(options.flinkRest().resolve("/jobs/overview"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            List<String[]> jobs = new ArrayList<>();
            double restarts = Double.NaN;
            for (JsonNode j : json.readTree(r.body()).path("jobs")) {
                String state = j.path("state").asText();
                jobs.add(new String[] {j.path("name").asText(), state});
                if ("RUNNING".equals(state) || "RESTARTING".equals(state)) {
                    double n = restartsOf(j.path("jid").asText());
                    restarts = Double.isNaN(restarts) ? n : Math.max(restarts, n);
                }
            }
            stats.restarts(restarts, System.currentTimeMillis());
            return jobs;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Flink's {@code numRestarts} of one job from its REST API; NaN when it does not say. */
    private double restartsOf(String jobId) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(options.flinkRest().resolve("/jobs/" + jobId
                + "/metrics?get=numRestarts")).timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
            for (JsonNode m : json.readTree(r.body())) {
                if ("numRestarts".equals(m.path("id").asText())) {
                    return m.path("value").asDouble(Double.NaN);
                }
            }
        }
        return Double.NaN;
    }

    private static double processCpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return Double.NaN;
    }

    private DashboardServer.SnapshotSource source() {
        return new DashboardServer.SnapshotSource() {
            @Override
            public String latest() {
                return latestJson();
            }

            @Override
            public boolean healthy() {
                synchronized (snapshotLock) {
                    return !"down".equals(status);
                }
            }

            @Override
            public long await(long after, long millis) throws InterruptedException {
                long deadline = System.currentTimeMillis() + millis;
                synchronized (snapshotLock) {
                    while (sequence <= after) {
                        long left = deadline - System.currentTimeMillis();
                        if (left <= 0) {
                            break;
                        }
                        snapshotLock.wait(left);
                    }
                    return sequence;
                }
            }
        };
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        feed.close();
        if (server != null) {
            server.close();
        }
        try {
            feedThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
