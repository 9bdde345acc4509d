package io.riffle.cli;

import io.riffle.cli.metrics.MetricsPorts;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.trainer.metrics.TrainerMetrics;
import io.riffle.trainer.service.TrainerService;
import io.riffle.trainer.service.TrainingReport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A pipeline file running in this JVM, started as {@code riffle run} starts it (and
 * {@code riffle replay} reuses): an embedded KRaft broker when asked, the file's topics, the
 * scoring job and the label join on a local MiniCluster, and one trainer per model. Closing it
 * stops the trainers, cancels the job and stops the broker.
 */
public final class LocalPipeline implements AutoCloseable {

    /** The pipeline could not start for a reason the user can fix; the message is one line. */
    public static final class NotStarted extends Exception {
        public NotStarted(String message) {
            super(message);
        }
    }

    private final PipelineSpec spec;
    private EmbeddedKafka kafka;
    private String servers;
    private StreamExecutionEnvironment env;
    private JobClient job;
    private final List<TrainerService> trainers = new ArrayList<>();
    /** Null when the run serves no metrics. */
    private TrainerMetrics trainerMetrics;
    private int metricsPort = -1;

    private LocalPipeline(PipelineSpec spec) {
        this.spec = spec;
    }

    /**
     * Starts the pipeline of {@code spec}.
     *
     * @param bootstrapServers Kafka to use (null: the file's), ignored when {@code embeddedPort} is set
     * @param embeddedPort     port of an in-process broker to start (0: any free port), or null for none
     * @param webUiPort        port of the Flink web UI (0: any free port)
     * @param trainerReports   what to do with each trainer's round reports
     * @param out              where the broker's address is said
     */
    public static LocalPipeline start(PipelineSpec spec, String bootstrapServers, Integer embeddedPort, int webUiPort,
                               Consumer<TrainingReport> trainerReports, PrintStream out) throws NotStarted {
        return start(spec, bootstrapServers, embeddedPort, webUiPort, null, trainerReports, out);
    }

    /**
     * As {@link #start(PipelineSpec, String, Integer, int, Consumer, PrintStream)}, serving metrics
     * for Prometheus on loopback when {@code metricsPort} is not null: the Flink jobs' on that port
     * (0, or taken: a free one), the trainers' on the next (taken: a free one). See
     * {@link #metricsAddress()}, {@link #trainerMetricsAddress()} and {@link #metricsLine()}.
     */
    public static LocalPipeline start(PipelineSpec spec, String bootstrapServers, Integer embeddedPort, int webUiPort,
                                      Integer metricsPort, Consumer<TrainingReport> trainerReports, PrintStream out)
            throws NotStarted {
        LocalPipeline p = new LocalPipeline(spec);
        try {
            p.servers = bootstrapServers != null ? bootstrapServers : spec.kafka().bootstrapServers();
            if (embeddedPort != null) {
                p.kafka = EmbeddedKafka.start(embeddedPort);
                p.servers = p.kafka.bootstrapServers();
                out.println("Embedded Kafka (KRaft) on " + p.servers);
            }
            int parallelism = spec.scoring().parallelism();
            PipelineLaunch.ensureTopics(spec, p.servers, parallelism);

            Configuration jobOptions = PipelineLaunch.jobOptions(spec, p.servers, parallelism);
            String timeoutProblem = PipelineLaunch.transactionTimeoutProblem(p.servers, spec.kafka().properties(),
                    jobOptions);
            if (timeoutProblem != null) {
                throw new NotStarted(timeoutProblem);
            }
            if (metricsPort != null) {
                p.metricsPort = MetricsPorts.choose(metricsPort);
                p.trainerMetrics = TrainerMetrics.serve("127.0.0.1", MetricsPorts.chooseNext(metricsPort, p.metricsPort));
            }
            p.env = LocalFlink.environment(parallelism, webUiPort, metricsPort == null ? null : p.metricsPort);
            PipelineLaunch.build(spec, jobOptions, p.env);
            p.job = p.env.executeAsync(spec.name());
            p.trainers.addAll(PipelineLaunch.startTrainers(spec, p.servers, trainerReports, p.trainerMetrics));
            return p;
        } catch (NotStarted | RuntimeException e) {
            p.close();
            throw e;
        } catch (Exception e) {
            p.close();
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return servers;
    }

    public JobClient job() {
        return job;
    }

    /** The MiniCluster's REST API and web UI. */
    public URI restAddress() {
        return LocalFlink.restAddress(env);
    }

    /**
     * The Flink jobs' Prometheus endpoint, {@code http://127.0.0.1:<port>/metrics}, or null when the
     * run serves no metrics.
     */
    public String metricsAddress() {
        return metricsPort < 0 ? null : MetricsPorts.url(metricsPort);
    }

    /** The trainers' Prometheus endpoint, {@code http://127.0.0.1:<port>/metrics}, or null when none. */
    public String trainerMetricsAddress() {
        return trainerMetrics == null ? null : trainerMetrics.url();
    }

    /**
     * {@code Metrics (Prometheus): http://127.0.0.1:P/metrics (Flink jobs), http://127.0.0.1:P2/metrics
     * (trainers)}, the line a command prints at start, or null when the run serves no metrics.
     */
    public String metricsLine() {
        return metricsPort < 0 ? null : MetricsPorts.line(metricsAddress(), trainerMetricsAddress());
    }

    /** Stops the trainers (each finishes a round in progress); the job keeps running. */
    public void stopTrainers() {
        PipelineLaunch.stopTrainers(trainers);
        trainers.clear();
    }

    /** Stops the trainers (each finishes a round in progress), cancels the job and stops the broker. */
    @Override
    public void close() {
        PipelineLaunch.stopTrainers(trainers);
        trainers.clear();
        if (job != null) {
            LocalFlink.cancel(job);
            job = null;
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (trainerMetrics != null) {
            trainerMetrics.close();
            trainerMetrics = null;
        }
    }
}
