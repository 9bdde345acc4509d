package io.riffle.cli.demo;

import io.riffle.cli.LocalPipeline;
import io.riffle.modelops.registry.ModelPublisher;
import io.riffle.modelops.spec.PipelineFiles;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.ModelVersion;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo pipeline on an embedded broker and a MiniCluster, its metrics scraped over HTTP from
 * the loopback Prometheus endpoints {@link LocalPipeline} serves: records scored per model
 * version and role, decisions and dead letters by reason, with the labels Prometheus users see.
 */
class FlinkMetricsEndpointITCase {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkMetricsEndpointITCase.class);
    private static final String P = "flink_taskmanager_job_task_operator_";

    @Test
    void theJobsMetricsAreScrapedFromLoopbackWithTheirLabels() throws Exception {
        PipelineSpec spec = PipelineSpec.load(PipelineFiles.shipped(PipelineFiles.DEMO));
        try (LocalPipeline pipeline = LocalPipeline.start(spec, null, 0, 0, 0, r -> { },
                new PrintStream(System.out, true))) {
            assertThat(pipeline.metricsAddress()).matches("http://127\\.0\\.0\\.1:\\d+/metrics");
            assertThat(pipeline.trainerMetricsAddress()).matches("http://127\\.0\\.0\\.1:\\d+/metrics")
                    .isNotEqualTo(pipeline.metricsAddress());
            assertThat(pipeline.metricsLine()).isEqualTo("Metrics (Prometheus): " + pipeline.metricsAddress()
                    + " (Flink jobs), " + pipeline.trainerMetricsAddress() + " (trainers)");

            String servers = pipeline.bootstrapServers();
            List<ModelVersion> models = BootstrapModels.fit(spec, 7, 4_000);
            try (ModelPublisher publisher = ModelPublisher.open(servers, spec.kafka().topics().models(),
                    spec.kafka().properties(), ModelPublisher.signer(spec.trainer().signingKey()))) {
                for (ModelVersion mv : models) {
                    publisher.publishNext(mv);
                }
            }
            try (DemoTraffic traffic = new DemoTraffic(servers, spec.kafka().topics().events(),
                    spec.kafka().topics().labels(), 7, 500, 200, 0.05, Duration.ofSeconds(1))) {
                traffic.start();
                AtomicReference<String> last = new AtomicReference<>("");
                try {
                    await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                            .untilAsserted(() -> {
                                String body = scrape(pipeline.metricsAddress());
                                last.set(body);
                                assertThat(positive(body, P + "model_version_role_riffleScored",
                                        "model=\"" + BootstrapModels.CLASSIFIER + "\"", "version=\"", "role=\"champion\""))
                                        .isTrue();
                                assertThat(positive(body, P + "model_version_role_riffleInferenceMillis_count",
                                        "model=\"" + BootstrapModels.CLASSIFIER + "\"")).isTrue();
                                assertThat(positive(body, P + "decision_riffleDecisions", "decision=\"")).isTrue();
                                assertThat(positive(body, P + "reason_riffleDeadLetters", "reason=\"")).isTrue();
                                assertThat(positive(body, P + "riffleBatchSize_count")).isTrue();
                                assertThat(positive(body, P + "kind_riffleModelEvents", "kind=\"loaded\"")).isTrue();
                                assertThat(positive(body, P + "device_riffleServingDevice", "device=\"cpu\"")).isTrue();
                                assertThat(positive(body, P + "riffleOpenSessions")).isTrue();
                            });
                } finally {
                    LOG.info("Riffle's lines of the last scrape:\n{}", String.join("\n", last.get().lines()
                            .filter(l -> (l.contains("riffle") || l.contains("numRestarts")) && !l.startsWith("#"))
                            .toList()));
                }
                // The label join's counters are there (values depend on label timing).
                String body = last.get();
                assertThat(body).contains(P + "riffleLabelsMatched").contains(P + "riffleLabelsLate")
                        .contains(P + "riffleLabelsExpired").contains(P + "riffleLabelsUnknown");
                // Restarts come from Flink's own job metric, on the same endpoint.
                assertThat(body).contains("flink_jobmanager_job_numRestarts{");
                // Every reason is a series, zero or not.
                for (String reason : List.of("undecodable", "oversize", "out_of_range_time", "non_finite_value",
                        "invalid_field", "duplicate", "no_model", "model_failure", "unmatched_label", "other")) {
                    assertThat(body).contains("reason=\"" + reason + "\"");
                }
                traffic.stop();
            }
            // The trainers' endpoint answers in the Prometheus text format.
            String trainers = scrape(pipeline.trainerMetricsAddress());
            assertThat(trainers).contains("riffle_trainer_window_examples");
        }
    }

    /** Whether a sample of {@code metric} whose labels contain every one of {@code labels} is above 0. */
    static boolean positive(String body, String metric, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(metric) + "(\\{[^}]*\\})? ([-+0-9.eE]+|NaN)$",
                Pattern.MULTILINE);
        Matcher m = line.matcher(body);
        while (m.find()) {
            String labelSet = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String l : labels) {
                all &= labelSet.contains(l);
            }
            if (all && !m.group(2).equals("NaN") && Double.parseDouble(m.group(2)) > 0) {
                return true;
            }
        }
        return false;
    }

    private static String scrape(String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
