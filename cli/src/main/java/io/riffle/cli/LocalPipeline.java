package io.riffle.cli;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.spec.PipelineSpec;
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
            p.env = LocalFlink.environment(parallelism, webUiPort);
            PipelineLaunch.build(spec, jobOptions, p.env);
            p.job = p.env.executeAsync(spec.name());
            p.trainers.addAll(PipelineLaunch.startTrainers(spec, p.servers, trainerReports));
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
    }
}
