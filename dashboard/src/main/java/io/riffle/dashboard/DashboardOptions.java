package io.riffle.dashboard;

import io.riffle.modelops.spec.DashboardSpec;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineSpec;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a dashboard reads and where it listens.
 *
 * @param bootstrapServers Kafka holding the pipeline's topics
 * @param kafkaProperties  passed verbatim to the dashboard's consumer (security settings)
 * @param topics           the pipeline's topic names
 * @param pipeline         the pipeline file, for the events' schema and format when segmenting; may be null
 * @param segmentBy        event field whose values split decision rates and recall; null for none
 * @param psiThreshold     PSI above which a live score histogram is flagged
 * @param metricsUrls      Prometheus endpoints to scrape (Flink's reporter, the trainers')
 * @param flinkRest        Flink's REST address for the jobs' state, or null
 * @param bind             address to listen on (loopback by default)
 * @param port             port to listen on; 0 for any free one
 * @param anyPortIfTaken   listen on a free port when {@code port} is taken, instead of failing
 * @param lookback         how far back in the topics the page starts (model topics are read whole)
 * @param cpuOfThisProcess when no metrics endpoint reports CPU time, count this process's CPU as the
 *                         pipeline's (true when the jobs run in this JVM, as in {@code riffle demo})
 */
public record DashboardOptions(String bootstrapServers, Map<String, String> kafkaProperties, KafkaSpec.TopicNames topics,
                               PipelineSpec pipeline, String segmentBy, double psiThreshold, List<URI> metricsUrls,
                               URI flinkRest, String bind, int port, boolean anyPortIfTaken, Duration lookback,
                               boolean cpuOfThisProcess) {

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8088;
    public static final Duration DEFAULT_LOOKBACK = Duration.ofSeconds(60);

    public DashboardOptions {
        kafkaProperties = Map.copyOf(kafkaProperties);
        metricsUrls = List.copyOf(metricsUrls);
    }

    /** The dashboard of {@code pipeline} (its topics, segment field and PSI threshold) on Kafka at {@code servers}. */
    public static DashboardOptions of(PipelineSpec pipeline, String servers) {
        DashboardSpec d = pipeline.dashboard();
        return new DashboardOptions(servers, pipeline.kafka().properties(), pipeline.kafka().topics(), pipeline,
                d.segmentBy(), d.psiThreshold(), List.of(), null, DEFAULT_BIND, DEFAULT_PORT, true, DEFAULT_LOOKBACK, false);
    }

    public DashboardOptions withMetrics(List<URI> urls, URI flinkRestAddress) {
        return new DashboardOptions(bootstrapServers, kafkaProperties, topics, pipeline, segmentBy, psiThreshold, urls,
                flinkRestAddress, bind, port, anyPortIfTaken, lookback, cpuOfThisProcess);
    }

    public DashboardOptions withListener(String bindAddress, int listenPort, boolean anyPort) {
        return new DashboardOptions(bootstrapServers, kafkaProperties, topics, pipeline, segmentBy, psiThreshold,
                metricsUrls, flinkRest, bindAddress, listenPort, anyPort, lookback, cpuOfThisProcess);
    }

    public DashboardOptions withLookback(Duration from) {
        return new DashboardOptions(bootstrapServers, kafkaProperties, topics, pipeline, segmentBy, psiThreshold,
                metricsUrls, flinkRest, bind, port, anyPortIfTaken, from, cpuOfThisProcess);
    }

    /** Counts this JVM's CPU as the pipeline's when no metrics endpoint reports it (jobs in this process). */
    public DashboardOptions withCpuOfThisProcess() {
        return new DashboardOptions(bootstrapServers, kafkaProperties, topics, pipeline, segmentBy, psiThreshold,
                metricsUrls, flinkRest, bind, port, anyPortIfTaken, lookback, true);
    }
}
