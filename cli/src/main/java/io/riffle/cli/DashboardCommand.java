package io.riffle.cli;

import io.riffle.dashboard.Dashboard;
import io.riffle.dashboard.DashboardOptions;
import io.riffle.modelops.spec.PipelineFiles;
import io.riffle.modelops.spec.PipelineSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code riffle dashboard}: the live ops page of a pipeline running anywhere (a cluster, another
 * host's {@code riffle run}): reads its topics from Kafka and, when given, the jobs' and trainers'
 * Prometheus endpoints and Flink's REST API. Prints a health line while it runs.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = {"Serves the live ops page of a pipeline: throughput, latency, decisions,",
                "score drift, model versions and their live accuracy, segments, alerts,",
                "dead letters, compute cost and health. Reads the pipeline's topics",
                "(read_committed) and, with --metrics-url, its Prometheus endpoints.",
                "Listens on 127.0.0.1 unless --bind says otherwise. Runs until Ctrl-C."})
public final class DashboardCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "Pipeline file: topics, Kafka properties, event schema,"
            + " dashboard section. Default: the demo's, " + PipelineFiles.DEMO + ".")
    Path pipelineFile;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers. Default: the file's.")
    String bootstrapServers;

    @Option(names = "--bind", defaultValue = DashboardOptions.DEFAULT_BIND, paramLabel = "ADDRESS",
            description = "Address to listen on; 0.0.0.0 opens the page (which has no login) to the network. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--port", defaultValue = "" + DashboardOptions.DEFAULT_PORT,
            description = "Port to listen on (0 = any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--metrics-url", paramLabel = "URL",
            description = "A Prometheus endpoint of the jobs or trainers (repeatable), e.g. http://taskmanager:9249/metrics:"
                    + " CPU cost and restarts come from there.")
    List<URI> metricsUrls = new ArrayList<>();

    @Option(names = "--flink-rest", paramLabel = "URL", description = "Flink's REST address (e.g. http://jobmanager:8081):"
            + " the jobs' states join the health banner.")
    URI flinkRest;

    @Option(names = "--lookback", defaultValue = "60s", description = "How far back in the event and score topics"
            + " the page starts (model topics are read whole). Default: ${DEFAULT-VALUE}.")
    Duration lookback;

    @Option(names = "--status-every", defaultValue = "10s", paramLabel = "DURATION",
            description = "How often to print the health line. Default: ${DEFAULT-VALUE}.")
    Duration statusEvery;

    @Option(names = "--duration", description = "Stop after this long instead of waiting for Ctrl-C.")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        PipelineSpec spec = PipelineLaunch.load(pipelineFile != null ? pipelineFile : PipelineFiles.shipped(PipelineFiles.DEMO),
                "Not started");
        if (spec == null) {
            return 1;
        }
        for (URI u : metricsUrls) {
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                System.err.println("Not started: --metrics-url " + u + " is not an http(s) URL (e.g. http://host:9249/metrics)");
                return 2;
            }
        }
        String servers = bootstrapServers != null ? bootstrapServers : spec.kafka().bootstrapServers();
        DashboardOptions options = DashboardOptions.of(spec, servers).withListener(bind, port, false)
                .withMetrics(metricsUrls, flinkRest).withLookback(lookback);
        try (StopSignal stop = new StopSignal("riffle-dashboard");
             Dashboard dashboard = Dashboard.start(options)) {
            System.out.println("Dashboard: " + dashboard.url() + " (Kafka " + servers + (metricsUrls.isEmpty() ? ""
                    : ", metrics " + metricsUrls.size() + " endpoint" + (metricsUrls.size() == 1 ? "" : "s")) + ")");
            if (!bind.startsWith("127.") && !"localhost".equals(bind) && !"::1".equals(bind)) {
                System.out.println("Note: listening on " + bind + ": anyone who can reach this port sees the page (it has no login).");
            }
            long deadline = duration == null ? Long.MAX_VALUE : System.currentTimeMillis() + duration.toMillis();
            while (System.currentTimeMillis() < deadline) {
                Duration wait = Duration.ofMillis(Math.min(statusEvery.toMillis(), deadline - System.currentTimeMillis()));
                if (stop.stoppedWithin(wait)) {
                    break;
                }
                System.out.println(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + dashboard.healthLine());
            }
            return 0;
        } catch (java.net.BindException e) {
            System.err.println("Not started: " + e.getMessage());
            return 1;
        }
    }
}
