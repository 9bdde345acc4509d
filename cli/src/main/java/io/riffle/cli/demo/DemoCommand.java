package io.riffle.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.riffle.cli.KafkaTopics;
import io.riffle.cli.LiveDashboardOptions;
import io.riffle.cli.LocalDashboard;
import io.riffle.cli.LocalFlink;
import io.riffle.dashboard.Dashboard;
import io.riffle.cli.metrics.MetricsPorts;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.LabelJoinJob;
import io.riffle.jobs.LabelJoinOptions;
import io.riffle.jobs.PipelineConfigs;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.modelops.registry.ModelPublisher;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.PipelineSpecException;
import io.riffle.schemas.ModelVersion;
import io.riffle.trainer.metrics.TrainerMetrics;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.net.URI;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code riffle demo}: the whole pipeline of {@value DemoPipeline#DEFAULT_FILE} in one JVM — an
 * embedded Kafka broker (unless {@code --bootstrap-servers} is given), a Flink MiniCluster with its
 * web UI, the file's scoring job ({@link PipelineScoringJob}) and the label join, bootstrap models
 * fitted to the file's features of the synthetic traffic, two trainers, the traffic itself, and a
 * live status line. The file gives the features, topics, lateness and scoring defaults; the demo
 * overrides where it runs (its broker, fresh consumer groups and transactional ids, 1 s
 * checkpoints, a label delay to match its traffic) and what its command line sets.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the pipeline file pipelines/demo.yaml (or --config FILE) on embedded Kafka and Flink with"
                + " synthetic payments; with --scenario recommendations, pipelines/recommendations.yaml with shoppers.",
                "Prints live status; at the end checks that every event became a score or a dead letter."})
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--scenario", defaultValue = "fraud", paramLabel = "NAME",
            description = {"fraud: card payments, a fraud classifier and an anomaly model, a new kind of fraud halfway.",
                    "recommendations: shoppers' views and purchases over 1,000 items, a multiclass model that learns"
                            + " what each user does next against the most-popular baseline, a taste shift halfway"
                            + " (pipelines/recommendations.yaml). Default: ${DEFAULT-VALUE}."})
    String scenario;

    @Option(names = "--config", paramLabel = "FILE", description = {"A demo-shaped pipeline file: its events are the demo's"
            + " Transaction records in Avro (pipelines/transaction.avsc), its labels Avro Labels; features, topics and"
            + " scoring settings may differ. Default: " + DemoPipeline.DEFAULT_FILE + " of this Riffle."})
    Path config;

    @Option(names = "--duration", defaultValue = "2m", description = "How long to run (e.g. 90s, 2m). Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--events-per-second", defaultValue = "500", description = "Synthetic events per second. Default: ${DEFAULT-VALUE}.")
    double eventsPerSecond;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "Write the run's totals as JSON to FILE.")
    File summaryJson;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka instead of starting an embedded broker.")
    String bootstrapServers;

    @Option(names = "--parallelism", description = "Flink parallelism. Default: the file's scoring.parallelism"
            + " (2 in pipelines/demo.yaml); this option wins over the file.")
    Integer parallelism;

    @Option(names = "--web-ui-port", defaultValue = "8081", description = "Flink web UI port (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int webUiPort;

    @Option(names = "--metrics-port", defaultValue = "9249", paramLabel = "PORT",
            description = "Loopback port of the Flink jobs' Prometheus metrics (0, or taken: a free port); the "
                    + "trainers' are on the next port (taken: a free one). Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Option(names = "--batch-size", description = "Records per ONNX Runtime call. Default: the file's"
            + " scoring.batch-size (256 in pipelines/demo.yaml); this option wins over the file.")
    Integer batchSize;

    @Option(names = "--delivery", description = "exactly-once or at-least-once. Default: the file's scoring.delivery"
            + " (exactly-once in pipelines/demo.yaml); this option wins over the file.")
    String delivery;

    @Option(names = "--device", description = "cpu, cuda[:N] or auto. Default: the file's scoring.device"
            + " (cpu in pipelines/demo.yaml); this option wins over the file.")
    String device;

    @Option(names = "--bad-record-rate", defaultValue = "0.002", description = "Share of deliberately corrupt events (dead letters). Default: ${DEFAULT-VALUE}.")
    double badRecordRate;

    @Option(names = "--label-delay", defaultValue = "10s", description = "Mean delay before an event's label arrives. Default: ${DEFAULT-VALUE}.")
    Duration labelDelay;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the synthetic data. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--retrain-every", defaultValue = "30s", description = "How often the trainers retrain. Default: ${DEFAULT-VALUE}.")
    Duration retrainEvery;

    @Option(names = "--train-window", defaultValue = "3m", description = "The trainers' sliding window. Default: ${DEFAULT-VALUE}.")
    Duration trainWindow;

    @picocli.CommandLine.Mixin
    LiveDashboardOptions dashboardOptions = new LiveDashboardOptions();

    @Option(names = "--status-interval", defaultValue = "5s", description = "How often to print a status line. Default: ${DEFAULT-VALUE}.")
    Duration statusInterval;

    private static final int CARDS = 20_000;
    private static final int FIT_EXAMPLES = 60_000;
    private final PrintStream out = System.out;
    private PipelineSpec pipeline;
    private ModelVersion bootstrapClassifier;

    @Override
    public Integer call() throws Exception {
        if (duration.isNegative() || duration.isZero() || eventsPerSecond <= 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--duration and --events-per-second must be positive");
        }
        if ("recommendations".equals(scenario)) {
            return recommendations();
        }
        if (!"fraud".equals(scenario)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--scenario must be fraud or recommendations, not '" + scenario + "'");
        }
        Path file = config != null ? config : DemoPipeline.defaultFile();
        try {
            pipeline = DemoPipeline.load(file);
        } catch (PipelineSpecException e) {
            System.err.println(e.report("Not started", file));
            return 1;
        }
        parallelism = parallelism != null ? parallelism : pipeline.scoring().parallelism();
        batchSize = batchSize != null ? batchSize : pipeline.scoring().batchSize();
        device = device != null ? device : pipeline.scoring().device().toString();
        delivery = delivery != null ? delivery : PipelineConfigs.configuration(pipeline).get(ScoringOptions.DELIVERY);
        return untilCtrlC(this::run);
    }

    /** Runs {@code demo}; Ctrl-C interrupts it and lets it stop cleanly (up to a minute) before the JVM exits. */
    private int untilCtrlC(java.util.concurrent.Callable<Integer> demo) throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            out.println("\nStopping (Ctrl-C) ...");
            main.interrupt();
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // the JVM is going down anyway
            }
        }, "riffle-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return demo.call();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // fine: the hook is what is running
            }
        }
    }

    /** The recommendations scenario on {@code --config} or the shipped recommendations pipeline. */
    private int recommendations() throws Exception {
        Path file = config != null ? config : io.riffle.modelops.spec.PipelineFiles.shipped(
                io.riffle.modelops.spec.PipelineFiles.RECOMMENDATIONS);
        PipelineSpec spec;
        try {
            spec = PipelineSpec.load(file);
        } catch (PipelineSpecException e) {
            System.err.println(e.report("Not started", file));
            return 1;
        }
        String unfit = RecommendationsDemo.unfit(spec);
        if (unfit != null) {
            System.err.println("Not started: " + unfit);
            return 1;
        }
        try {
            RecommendationsDemo demo = new RecommendationsDemo(spec, duration, eventsPerSecond, badRecordRate, seed,
                    statusInterval, webUiPort, metricsPort, dashboardOptions, summaryJson, out);
            return untilCtrlC(demo::run);
        } catch (io.riffle.cli.LocalPipeline.NotStarted e) {
            System.err.println("Not started: " + e.getMessage());
            return 1;
        }
    }

    private int run() throws Exception {
        long demoStart = System.currentTimeMillis();
        EmbeddedKafka kafka = null;
        JobClient job = null;
        DemoTraffic traffic = null;
        PipelineMonitor monitor = null;
        DemoTrainers trainers = null;
        Dashboard dashboard = null;
        TrainerMetrics trainerMetrics = null;
        try {
            String servers = bootstrapServers;
            if (servers == null) {
                out.print("Starting embedded Kafka (KRaft) ... ");
                out.flush();
                kafka = EmbeddedKafka.start();
                servers = kafka.bootstrapServers();
                out.println(servers);
            } else {
                out.println("Using Kafka at " + servers);
            }
            KafkaSpec.TopicNames topics = pipeline.kafka().topics();
            KafkaTopics.ensureFor(servers, pipeline.kafka().properties(), parallelism, topics);

            out.printf(Locale.ROOT, "Pipeline %s (%s): %d features, spec hash %.12s%n", pipeline.name(),
                    pipeline.file(), pipeline.features().count(), pipeline.features().hash());
            out.print("Fitting bootstrap models on those features of " + FIT_EXAMPLES + " synthetic payments ... ");
            out.flush();
            List<ModelVersion> bootstrap = BootstrapModels.fit(pipeline, seed, FIT_EXAMPLES);
            bootstrapClassifier = bootstrap.get(0);
            // Signed like the trainers' versions when the file names their key: a scorer with
            // trusted keys would reject the bootstrap versions otherwise.
            try (ModelPublisher publisher = ModelPublisher.open(servers, topics.models(), pipeline.kafka().properties(),
                    ModelPublisher.signer(pipeline.trainer().signingKey()))) {
                StringBuilder published = new StringBuilder();
                for (ModelVersion mv : bootstrap) {
                    ModelVersion numbered = publisher.publishNext(mv);
                    published.append(published.length() == 0 ? "" : ", ").append(describe(numbered));
                }
                out.println("published " + published);
            }

            traffic = new DemoTraffic(servers, topics.events(), topics.labels(), seed, CARDS, eventsPerSecond,
                    badRecordRate, labelDelay);
            monitor = new PipelineMonitor(servers, pipeline.kafka().properties(), topics, demoStart, traffic::isFraud);
            monitor.start();

            int flinkMetrics = MetricsPorts.choose(metricsPort);
            trainerMetrics = TrainerMetrics.serve("127.0.0.1", MetricsPorts.chooseNext(metricsPort, flinkMetrics));
            StreamExecutionEnvironment env = LocalFlink.environment(parallelism, webUiPort, flinkMetrics);
            Configuration conf = jobConfig(servers, demoStart);
            new PipelineScoringJob(pipeline, conf).build(env);
            new LabelJoinJob(conf).build(env);
            job = env.executeAsync("riffle-demo");
            out.println("Flink MiniCluster: scoring + label-join job " + job.getJobID()
                    + (webUiPort > 0 ? " — web UI http://127.0.0.1:" + webUiPort : ""));
            out.println(MetricsPorts.line(MetricsPorts.url(flinkMetrics), trainerMetrics.url()));
            dashboard = LocalDashboard.start(pipeline, servers, dashboardOptions,
                    List.of(URI.create(MetricsPorts.url(flinkMetrics)), URI.create(trainerMetrics.url())),
                    LocalFlink.restAddress(env), out);
            DemoStatusLoop status = new DemoStatusLoop(out, monitor, demoStart, bootstrapClassifier);
            status.awaitModels(job);
            trainers = new DemoTrainers(pipeline, servers, retrainEvery, trainWindow, trainerMetrics, out);
            trainers.start();
            traffic.start();
            out.printf(Locale.ROOT, "Producing %.0f events/s for %s (Ctrl-C stops early) ...%n", eventsPerSecond,
                    human(duration));

            boolean interrupted = status.runFor(traffic, trainers, job, duration, statusInterval);
            traffic.stop();
            trainers.close();          // lets a round in progress finish; no new rounds on drained traffic
            boolean reconciled = status.drain(traffic, interrupted ? Duration.ofSeconds(20) : Duration.ofSeconds(90));
            ModelVersion champion = trainers.champion(BootstrapModels.CLASSIFIER);
            Map<String, Object> summary = summary(traffic, monitor, demoStart, reconciled);
            summary.put("model_versions_published", trainers.published());
            summary.put("trainer_rounds", trainers.rounds());
            summary.put("champion_version_at_end", champion == null ? null : champion.getVersion());
            summary.put("champion_auc_before_drift", status.championAucBeforeDrift());
            summary.put("champion_auc_after_drift", champion == null ? null : trainers.holdoutAuc(champion));
            summary.put("bootstrap_auc_after_drift", trainers.holdoutAuc(bootstrapClassifier));
            summary.put("prequential_auc", DemoSummary.finite(monitor.prequentialAuc()));
            summary.put("prequential_pairs", monitor.prequentialPairs());
            summary.put("drift_at_seconds", status.driftAtSeconds());
            summary.put("drift_detected_after_seconds", trainers.firstDriftDetectionAfter(status.driftAtMillis()));
            summary.put("first_champion_after_drift_seconds", trainers.firstPromotionAfter(status.driftAtMillis()));
            DemoSummary.print(out, summary, monitor.deadLetterSamples());
            if (summaryJson != null) {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(summaryJson, summary);
                out.println("Summary written to " + summaryJson);
            }
            return reconciled ? 0 : 1;
        } finally {
            Thread.interrupted();
            if (traffic != null) {
                traffic.close();
            }
            if (trainers != null) {
                trainers.release();
            }
            if (dashboard != null) {
                dashboard.close();
            }
            if (job != null) {
                LocalFlink.cancel(job);
            }
            if (monitor != null) {
                monitor.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            if (trainerMetrics != null) {
                trainerMetrics.close();
            }
        }
    }

    /** The file's job options ({@link PipelineConfigs}) with the demo's overrides. */
    private Configuration jobConfig(String servers, long demoStart) {
        Configuration conf = PipelineConfigs.configuration(pipeline);
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, servers);
        // The demo's own clients (traffic, monitor, trainers) and the embedded broker are plaintext.
        conf.set(ScoringOptions.KAFKA_PROPERTIES, Map.of());
        conf.set(ScoringOptions.PARALLELISM, parallelism);
        conf.set(ScoringOptions.BATCH_SIZE, batchSize);
        conf.set(ScoringOptions.DELIVERY, delivery);
        conf.set(ScoringOptions.DEVICE, device);
        conf.set(ScoringOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        conf.set(ScoringOptions.REQUIRED_MODELS, BootstrapModels.CLASSIFIER + "," + BootstrapModels.ANOMALY);
        conf.set(ScoringOptions.START_TIMESTAMP, demoStart);
        conf.set(ScoringOptions.GROUP_ID, "riffle-demo-" + UUID.randomUUID());
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, "riffle-demo-" + UUID.randomUUID().toString().substring(0, 8));
        conf.set(LabelJoinOptions.PARALLELISM, parallelism);
        conf.set(LabelJoinOptions.START_TIMESTAMP, demoStart);
        conf.set(LabelJoinOptions.GROUP_ID, "riffle-demo-join-" + UUID.randomUUID());
        conf.set(LabelJoinOptions.TRANSACTIONAL_ID_PREFIX, "riffle-demo-join-" + UUID.randomUUID().toString().substring(0, 8));
        // Labels come within 1.5x the mean delay: keep unlabeled vectors a little longer, not an hour.
        conf.set(LabelJoinOptions.MAX_DELAY, labelDelay.multipliedBy(3).plusSeconds(30));
        return conf;
    }

    /** The run's totals ({@link DemoSummary#totals}) and the settings it ran with, in the JSON's order. */
    private Map<String, Object> summary(DemoTraffic traffic, PipelineMonitor monitor, long demoStart, boolean reconciled) {
        double seconds = (System.currentTimeMillis() - demoStart) / 1000.0;
        Map<String, Object> s = DemoSummary.totals(pipeline, traffic, monitor, reconciled);
        s.put("events_per_second", Math.round(traffic.eventsIn() / Math.max(1e-9, duration.toMillis() / 1000.0)));
        s.put("run_seconds", Math.round(seconds));
        s.put("parallelism", parallelism);
        s.put("batch_size", batchSize);
        s.put("delivery", delivery);
        s.put("device_requested", device);
        return s;
    }

    private static String describe(ModelVersion mv) {
        Double auc = mv.getMetrics().get("train_auc");
        return mv.getName() + " v" + mv.getVersion() + (auc == null ? "" : String.format(Locale.ROOT, " (AUC %.3f)", auc));
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 ? (s / 60) + "m" : s + "s";
    }
}
